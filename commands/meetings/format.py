"""How meetings read: one instant shown in every zone the room's members use."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta

from commands.common import calendars_and_zones, room_default_zone, zone_of
from commands.context import Context, RoomView
from commands.reply import Msg, coded, fill
from domain.calendars import off_at
from domain.i18n import N_, _, ngettext
from domain.recurrence import Occurrence, Override, describe_rule, occurrences
from domain.timefmt import format_day, format_local, local_time_line, relative
from domain.zones import zone_info, zone_label
from storage.db import Database
from storage.meetings import Meeting
from storage.members import get_members

# Translators: {command} is a command in a code span, "!tz set <city>".
TZ_HINT = N_("You see the room's default zone; set yours with {command}")



async def member_zones(db: Database, room: RoomView, default_zone: str) -> dict[str, int]:
    """The zones of the room's members, each with how many use it (sorted by zone, so it
    iterates as the distinct zones); members without one count as the default."""
    settings = await get_members(db, room.members())
    zones = Counter(s.zone or default_zone for s in settings.values())
    return dict(sorted(zones.items())) or {default_zone: 1}


async def zones_for(ctx: Context) -> tuple[dict[str, int], str, bool]:
    """(the room's zones, the reader's zone, whether the reader's is only the default)."""
    reader, is_default = await zone_of(ctx)
    zones = await member_zones(ctx.db, ctx.room, await room_default_zone(ctx))
    return zones, reader, is_default


def tz_hint(msg: Msg) -> Msg:
    """The hint for readers who see the room's default zone, as a line."""
    return fill(msg, _(TZ_HINT), command=coded(_("!tz set <city>"))).line()


def duration_words(duration: timedelta) -> str:
    """"45 min", "1h", "1h30" (plural forms where a language counts: "ساعة واحدة")."""
    minutes = int(duration.total_seconds() // 60)
    if minutes < 60:
        return minutes_words(minutes)
    hours = minutes // 60
    if minutes % 60:
        # Translators: a meeting's length in hours and minutes, e.g. "1h30"; {count} is the
        # hours (the plural follows it), {minutes} has two digits.
        return ngettext("{count}h{minutes}", "{count}h{minutes}", hours).format(
            count=hours, minutes=f"{minutes % 60:02d}")
    return hours_words(hours)


def minutes_words(minutes: int) -> str:
    # Translators: a length under an hour, e.g. "45 min".
    return ngettext("{count} min", "{count} min", minutes).format(count=minutes)


def hours_words(hours: int) -> str:
    # Translators: a length in whole hours, e.g. "2h" (Arabic: "ساعة واحدة", "ساعتين").
    return ngettext("{count}h", "{count}h", hours).format(count=hours)


def series_words(meeting: Meeting) -> str:
    series = meeting.series
    words = describe_rule(series.rule, series.start_local)
    if series.rule is None:
        # Translators: a one-off meeting; {when} is e.g. "Thu 3 Dec 2026 at 14:00".
        words = _("once, {when}").format(when=format_local_wall(meeting))
    length = duration_words(series.duration)
    if len(series.alternate_local_times) > 1:
        first, second = series.alternate_local_times[:2]
        # Translators: {schedule} is e.g. "every 2 weeks on Thursday at 15:00", {time} and
        # {other_time} the two other times of day that take turns with it ("16:00", "02:00"),
        # {place} a city ("Nairobi"), {zone} a time zone id, {length} the meeting's length.
        return _("{schedule}, taking turns with {time} and {other_time} ({place} time, "
                 "{zone}), {length}").format(
            schedule=words, time=f"{first:%H:%M}", other_time=f"{second:%H:%M}",
            place=zone_label(series.zone), zone=series.zone, length=length)
    if series.alternate_local_time:
        # Translators: {schedule} is e.g. "every 2 weeks on Thursday at 06:00", {time} the
        # other time of day ("15:00"), {place} a city ("Nairobi"), {zone} a time zone id
        # ("Africa/Nairobi"), {length} the meeting's length ("1h30").
        return _("{schedule}, alternating with {time} ({place} time, {zone}), {length}").format(
            schedule=words, time=f"{series.alternate_local_time:%H:%M}",
            place=zone_label(series.zone), zone=series.zone, length=length)
    # Translators: {schedule} is e.g. "every 2 weeks on Thursday at 14:00", {place} a city
    # ("Nairobi"), {zone} a time zone id ("Africa/Nairobi"), {length} the meeting's length.
    return _("{schedule} ({place} time, {zone}), {length}").format(
        schedule=words, place=zone_label(series.zone), zone=series.zone, length=length)


def format_local_wall(meeting: Meeting) -> str:
    start = meeting.series.start_local
    # Translators: a day and a time, e.g. "Thu 3 Dec 2026 at 14:00".
    return _("{date} at {time}").format(date=format_day(start.date(), with_year=True),
                                        time=f"{start:%H:%M}")


def occurrence_lines(msg: Msg, occurrence: Occurrence, zones: Mapping[str, int],
                     reader: str | None,
                     now: datetime) -> Msg:
    """'Thu 3 Dec 2026, 14:00 (Nairobi) — in 8 days' and the line of every zone."""
    when = format_local(occurrence.start_utc, reader or next(iter(zones)))
    distance = relative(occurrence.start_utc, now)
    if occurrence.moved:
        # Translators: {when} is a date and time, {distance} e.g. "in 8 days".
        msg.text(_("{when} (moved) — {distance}").format(when=when, distance=distance)).line()
    else:
        msg.text(f"{when} — {distance}").line()
    msg.text("   " + local_time_line(occurrence.start_utc, zones, reader)).line()
    return msg


HOLIDAY_NOTE_DAYS = 90


async def holiday_notes(ctx: Context, msg: Msg, meeting: Meeting,
                        overrides: Mapping[datetime, Override]) -> None:
    """Which occurrences in the next 90 days fall on someone's public holiday or day off: a
    note in the confirmation, never a refusal. Counts, not names: whose holiday it is is
    for `!holidays`."""
    calendars, zones = await calendars_and_zones(
        ctx.db, ctx.room.members(), await room_default_zone(ctx), ctx.now.date())
    reader, _default = await zone_of(ctx)
    lines: list[str] = []
    for occurrence in occurrences(meeting.series, ctx.now,
                                  ctx.now + timedelta(days=HOLIDAY_NOTE_DAYS), overrides):
        day = format_day(occurrence.start_utc.astimezone(zone_info(reader)).date())
        for name, members in off_at(calendars, zones, occurrence.start_utc, ctx.lang).items():
            count = len(members)
            if name is None:
                lines.append(ngettext("{day}: a day off for {count} member",
                                      "{day}: a day off for {count} members", count).format(
                                          day=day, count=count))
            else:
                # Translators: e.g. "Fri 25 Dec: Christmas Day for 4 members".
                lines.append(ngettext("{day}: {holiday} for {count} member",
                                      "{day}: {holiday} for {count} members", count).format(
                                          day=day, holiday=name, count=count))
    if lines:
        msg.text(_("On someone's holiday in the next 90 days:")).line()
        for line in lines[:10]:
            msg.text("• " + line).line()
        if len(lines) > 10:
            msg.text(ngettext("… and {count} more.", "… and {count} more.",
                              len(lines) - 10).format(count=len(lines) - 10)).line()
