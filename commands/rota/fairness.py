"""`!fairness`: does the same person always carry the load, or always get the bad hours?

Per member of the room: turns held per role (recorded rota history, every series in the
room), and how many of the room's meetings in the period fell outside their working hours,
split into early, late and on a day off. Hours are the member's own (`!hours`), in their
own zone, or 09:00–17:00 Mon–Fri in the room's zone when unset. Every meeting that
happened counts for every member: the bot does not know who attended.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta

from commands.common import room_default_zone
from commands.context import Context
from commands.errors import UserError
from commands.reply import Msg
from commands.rota.plan import catch_up
from commands.rota.support import names, role_name
from commands.router import Arg, CommandSet
from domain.hours import HoursError, WorkingHours, minutes_outside
from domain.i18n import N_, _, ngettext
from domain.recurrence import occurrences
from domain.rotation import DEFAULT_ROLES
from domain.suggest import DEFAULT_HOURS
from domain.zones import zone_info
from storage.meetings import Meeting, get_meeting_by_id, overrides_for
from storage.members import get_members
from storage.rota import room_meeting_ids, room_rotas, turns_held

PERIODS: dict[str, int | None] = {"30d": 30, "90d": 90, "all": None}
EXAMPLE = "!fairness 90d"
MAX_OCCURRENCES = 5000


def parse_period(text: str) -> str:
    period = text.strip().lower()
    if period not in PERIODS:
        # Translators: keep 30d, 90d and all: they are what the member types.
        raise UserError(_("Say 30d, 90d or all."), EXAMPLE)
    return period


def _minutes(clock: time) -> int:
    return clock.hour * 60 + clock.minute


def outside_kind(hours: WorkingHours, local_start: datetime, duration: timedelta) -> str | None:
    """None if the meeting fits the member's hours, else "early", "late" or "off" (day off).

    Early or late is whichever edge of the shift the start is nearer to; a meeting that
    starts inside the shift and overruns it is late.
    """
    if minutes_outside(hours, local_start, duration) == 0:
        return None
    naive = local_start.replace(tzinfo=None)
    weekday, clock = naive.weekday(), naive.time()
    from_yesterday = hours.overnight and (weekday - 1) % 7 in hours.days and clock < hours.end
    if weekday not in hours.days and not from_yesterday:
        return "off"
    if hours.contains(naive):
        return "late"
    since_end = (_minutes(clock) - _minutes(hours.end)) % 1440
    until_start = (_minutes(hours.start) - _minutes(clock)) % 1440
    return "early" if until_start < since_end else "late"


async def _room_meetings(ctx: Context) -> list[Meeting]:
    found = [await get_meeting_by_id(ctx.db, i) for i in await room_meeting_ids(ctx.db,
                                                                                ctx.room_id)]
    return [m for m in found if m is not None]


async def _happened(ctx: Context, since: datetime | None) -> list[tuple[datetime, Meeting]]:
    """(start, meeting) of every occurrence in the room that started in the period."""
    happened: list[tuple[datetime, Meeting]] = []
    for meeting in await _room_meetings(ctx):
        start = max(since, meeting.created_at) if since else meeting.created_at
        end = meeting.updated_at if meeting.cancelled else ctx.now
        overrides = await overrides_for(ctx.db, meeting.id)
        happened += [(o.start_utc, meeting) for o in occurrences(
            meeting.series, start, end, overrides, limit=MAX_OCCURRENCES)]
    return happened


def _outside(kind: str, count: int) -> str:
    """"2 early", "1 late", "1 on a day off": meetings outside a member's hours, by kind."""
    if kind == "early":
        # Translators: a number of meetings that started before the member's working hours.
        return ngettext("{count} early", "{count} early", count).format(count=count)
    if kind == "late":
        # Translators: a number of meetings that ran after the member's working hours.
        return ngettext("{count} late", "{count} late", count).format(count=count)
    # Translators: a number of meetings on a day the member does not work.
    return ngettext("{count} on a day off", "{count} on a day off", count).format(count=count)


def _hours(text: str | None) -> WorkingHours:
    try:
        return WorkingHours.from_storage(text) if text else DEFAULT_HOURS
    except HoursError:
        return DEFAULT_HOURS


cmds = CommandSet()


@cmds.command(
    "fairness",
    summary=N_("Who carries the load: rota turns and meetings outside working hours."),
    usage="!fairness [30d|90d|all]",
    examples=("!fairness", "!fairness 30d", "!fairness all"),
    args=(Arg("period", parse_period, optional=True, default="90d"),),
)
async def fairness(ctx: Context, period: str) -> None:
    for row in await room_rotas(ctx.db, ctx.room_id):
        meeting = await get_meeting_by_id(ctx.db, row.meeting_id)
        if meeting is not None:
            _row, dropped = await catch_up(ctx.db, row, meeting, ctx.now,
                                           ctx.room.members())
            if dropped:
                ctx.changed.add(("rota", meeting.id))
    days = PERIODS[period]
    since = ctx.now - timedelta(days=days) if days else None
    held = await turns_held(ctx.db, ctx.room_id, since, ctx.now)
    happened = await _happened(ctx, since)
    if not happened and not held:
        if days:
            # Translators: followed by the command that lists upcoming meetings.
            nothing = ngettext(
                "No meetings happened in this room in the last {count} day, so there is "
                "nothing to compare yet. See what is coming with",
                "No meetings happened in this room in the last {count} days, so there is "
                "nothing to compare yet. See what is coming with", days).format(count=days)
        else:
            # Translators: followed by the command that lists upcoming meetings.
            nothing = _("No meetings happened in this room yet, so there is nothing to "
                        "compare yet. See what is coming with")
        ctx.reply(Msg().text(nothing + " ").code("!meetings"))
        return
    roles = list(DEFAULT_ROLES) + sorted({r for c in held.values() for r in c}
                                         - set(DEFAULT_ROLES))
    people = sorted(set(ctx.room.members()) | set(held),
                    key=lambda u: (ctx.room.display_name(u).casefold(), u))
    settings = await get_members(ctx.db, people)
    default_zone = await room_default_zone(ctx)
    if days:
        heading = ngettext("Fairness in this room, the last {count} day",
                           "Fairness in this room, the last {count} days",
                           days).format(count=days)
    else:
        heading = _("Fairness in this room, all time")
    msg = Msg().bold(heading).text(" — " + ngettext(
        "{count} meeting happened", "{count} meetings happened", len(happened)).format(
            count=len(happened))).line()
    outside_totals: list[int] = []
    for user in people:
        zone = zone_info(settings[user].zone or default_zone)
        hours = _hours(settings[user].hours)
        kinds = Counter(k for start, meeting in happened if (k := outside_kind(
            hours, start.astimezone(zone), meeting.series.duration)))
        total = sum(kinds.values())
        outside_totals.append(total)
        turns = " · ".join(f"{role_name(role)} {held.get(user, {}).get(role, 0)}"
                           for role in roles)
        # Translators: how many of the room's meetings fell outside the member's hours.
        outside = _("outside hours {count}").format(count=total)
        names(ctx, msg, [user]).text(f" — {turns} · {outside}")
        detail = ", ".join(_outside(k, kinds[k]) for k in ("early", "late", "off")
                           if kinds[k])
        msg.text(f" ({detail})" if detail else "").line()
    # Translators: followed by the lowest and highest counts of each column.
    msg.text(_("Range:") + " ")
    for role in roles:
        counts = [held.get(u, {}).get(role, 0) for u in people]
        msg.text(f"{role_name(role)}: {min(counts)}–{max(counts)} · ")
    # Translators: the lowest and highest number of meetings outside members' hours.
    msg.text(_("outside hours: {lowest}–{highest}").format(
        lowest=min(outside_totals), highest=max(outside_totals)))
    ctx.reply(msg)
