"""Who a meeting is for, as the fair-time rules see them, and what meetings cost them.

One place turns members' stored settings into `domain.availability.Person`s (zone, working
hours, the room's night, recent load), so suggestions, notes on `!meeting add`/`move`/
`pick`, and `!fairness` always count the same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from commands.common import member_calendars
from commands.context import RoomView
from commands.reply import Msg, fill
from domain.availability import (
    DEFAULT_HOURS,
    DEFAULT_NIGHT,
    NightWindow,
    Person,
    Scorer,
    parse_night,
)
from domain.calendars import CalendarView
from domain.hours import HoursError, WorkingHours
from domain.i18n import _, ngettext
from domain.recurrence import occurrences
from domain.suggest import Option
from domain.timefmt import weekday_name
from storage.db import Database
from storage.meetings import Meeting, get_meeting_by_id, overrides_for
from storage.members import get_members
from storage.room_settings import night_window
from storage.rota import room_meeting_ids

# How far back a member's carried bad hours count for ranking suggestions.
LOAD_PERIOD = timedelta(days=30)
MAX_OCCURRENCES = 5000


def hours_of(text: str | None) -> WorkingHours:
    """A member's stored hours, or the default when unset (or unreadable)."""
    try:
        return WorkingHours.from_storage(text) if text else DEFAULT_HOURS
    except HoursError:
        return DEFAULT_HOURS


async def room_night(db: Database, room_id: str) -> NightWindow:
    stored = await night_window(db, room_id)
    if stored:
        try:
            return parse_night(stored)
        except ValueError:
            pass
    return DEFAULT_NIGHT


async def people_of(db: Database, room_id: str, user_ids: Sequence[str], zone: str, *,
                    load_at: datetime | None = None) -> list[Person]:
    """The members as `Person`s: their zone (else `zone`, the room's), hours (else
    09:00–17:00) on their calendar's week, without their public holidays and own days off
    (`domain.calendars.CalendarView`), the room's night, and with `load_at` (now) the bad
    hours they carried in this room over the `LOAD_PERIOD` before it."""
    settings = await get_members(db, user_ids)
    night = await room_night(db, room_id)
    # Every day off on record (past ones are pruned by retention): the same calendar whatever
    # the window, so time lines are shared between commands.
    calendars = await member_calendars(db, settings, zone, date.min)
    people = [Person(uid, s.zone or zone, CalendarView(hours_of(s.hours), calendars[uid]),
                     night)
              for uid, s in settings.items()]
    if load_at is not None and people:
        happened = await room_occurrences(db, room_id, load_at - LOAD_PERIOD, load_at)
        counts = bad_hours(people, happened)
        people = [Person(p.user_id, p.zone, p.hours, p.night, counts[p.user_id].total())
                  for p in people]
    return people


async def room_occurrences(db: Database, room_id: str, since: datetime | None,
                           until: datetime) -> list[tuple[datetime, Meeting]]:
    """(start, meeting) of every occurrence of the room's meetings in [since, until).

    In the past, a meeting counts from its creation until now (or its cancellation); in the
    future, only meetings not cancelled."""
    found: list[tuple[datetime, Meeting]] = []
    for meeting_id in await room_meeting_ids(db, room_id):
        meeting = await get_meeting_by_id(db, meeting_id)
        if meeting is None:
            continue
        start = max(since, meeting.created_at) if since else meeting.created_at
        end = min(until, meeting.updated_at) if meeting.cancelled else until
        if end <= start:
            continue
        overrides = await overrides_for(db, meeting.id)
        found += [(o.start_utc, meeting) for o in occurrences(
            meeting.series, start, end, overrides, limit=MAX_OCCURRENCES)]
    return found


@dataclass
class Load:
    """Meetings outside one member's hours, by kind, and how many reached into the night."""

    kinds: Counter[str] = field(default_factory=Counter)
    night: int = 0

    def total(self) -> int:
        return sum(self.kinds.values())


def bad_hours(people: Sequence[Person], meetings: Sequence[tuple[datetime, Meeting]]
              ) -> dict[str, Load]:
    """Per member: the meetings outside their hours (early, late, off) and at night."""
    scorer = Scorer(people)
    counts = {p.user_id: Load() for p in people}
    groups = [[counts[people[i].user_id] for i in group] for group in scorer.groups]
    for start, meeting in meetings:
        measured = scorer.measure(start.timestamp(), meeting.series.duration.total_seconds())
        for loads, (_outside, _distance, kind, night) in zip(groups, measured, strict=True):
            for load in loads:
                if kind:
                    load.kinds[kind] += 1
                if night:
                    load.night += 1
    return counts


# In a big room lists of people are cut and the rest counted, so a reply stays short enough
# to read (and far under the event size limit): ten names, or the five people a time is
# worst for (each with their local time, a longer phrase).
MAX_NAMED = 10
MAX_COSTS = 5


def cost_phrases(room: RoomView, msg: Msg, option: Option) -> Msg:
    """"night for Camila (03:00), early for Bea (07:00), late for Maria (21:00)": everyone
    the option puts at night or outside their hours, worst first, with their local time."""
    hurt = sorted((c for c in option.costs if c.night or not c.inside),
                  key=lambda c: (not c.night, -c.distance))
    for index, cost in enumerate(hurt[:MAX_COSTS]):
        if index:
            msg.text(separator())
        local = cost.local_start
        clock = f"{local:%H:%M}"

        def who(m: Msg, user: str = cost.user_id) -> Msg:
            return m.mention(user, room.display_name(user), notify=False)

        if cost.night:
            # Translators: {name} is a member, {time} their local time, e.g. "night for
            # Camila (03:00)": the meeting falls in their night.
            fill(msg, _("night for {name} ({time})"), name=who, time=clock)
        elif cost.kind == "early":
            # Translators: e.g. "early for Camila (07:00)": before their working hours.
            fill(msg, _("early for {name} ({time})"), name=who, time=clock)
        elif cost.kind == "off":
            # Translators: e.g. "day off for Omar (Fri 15:00)": on a day they do not work.
            fill(msg, _("day off for {name} ({time})"), name=who,
                 time=f"{weekday_name(local.weekday())} {clock}")
        else:
            # Translators: e.g. "late for Maria (21:00)": after their working hours.
            fill(msg, _("late for {name} ({time})"), name=who, time=clock)
    return others(msg, len(hurt) - MAX_COSTS)


def separator() -> str:
    """Between the items of a list of people in a sentence."""
    # Translators: separates the items of a list of people, e.g. "late for Maria (20:00),
    # early for Camila (07:00)" or "Amina, Maria"; Arabic uses "، ".
    return _(", ")


def named(room: RoomView, msg: Msg, users: Sequence[str]) -> Msg:
    """Pills for `users` (without notifying them), separated the reader's way; past
    `MAX_NAMED`, the rest counted ("and 40 others")."""
    for index, user in enumerate(users[:MAX_NAMED]):
        if index:
            msg.text(separator())
        msg.mention(user, room.display_name(user), notify=False)
    return others(msg, len(users) - MAX_NAMED)


def others(msg: Msg, count: int) -> Msg:
    """" and 40 others" after a list of names cut at `MAX_NAMED`; nothing when none is left."""
    if count > 0:
        # Translators: ends a list of names cut short in a big room, e.g. "night for Camila
        # (03:00), late for Maria (21:00) and 40 others" or "For: Amina, Bea and 480 others".
        msg.text(" " + ngettext("and {count} other", "and {count} others", count).format(
            count=count))
    return msg


def short_cost(option: Option) -> str:
    """What a poll answer says of the cost: "3 outside hours, 1 at night"."""
    outside = len(option.outside)
    night = len(option.at_night)
    if not outside and not night:
        # Translators: a poll answer's cost when the time suits everyone.
        return _("everyone inside hours")
    # Translators: a poll answer's cost, e.g. "3 outside hours".
    text = ngettext("{count} outside hours", "{count} outside hours", outside).format(
        count=outside)
    if night:
        # Translators: added to a poll answer's cost, e.g. "3 outside hours, 1 at night".
        text = ngettext("{cost}, {count} at night", "{cost}, {count} at night", night).format(
            cost=text, count=night)
    return text


def note_for(room: RoomView, msg: Msg, option: Option, *, heading: str | None = None
             ) -> bool:
    """A line naming everyone `option` puts at night or outside their hours; False (and no
    line) when it suits everyone. A note, never a refusal."""
    if all(c.inside and not c.night for c in option.costs):
        return False
    # Translators: starts a line naming who a meeting time is hard for.
    msg.text(heading or _("Note:")).text(" ")
    cost_phrases(room, msg, option).text(".").line()
    return True
