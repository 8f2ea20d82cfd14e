"""How meetings read: one instant shown in every zone the room's members use."""

from __future__ import annotations

from datetime import datetime

from commands.common import room_default_zone, zone_of
from commands.context import Context, RoomView
from commands.domain.recurrence import Occurrence, describe_rule
from commands.domain.timefmt import format_local, local_time_line, relative
from commands.domain.zones import zone_label
from commands.reply import Msg
from storage.db import Database
from storage.meetings import Meeting
from storage.members import get_members

TZ_HINT = "You see the room's default zone; set yours with "


async def member_zones(db: Database, room: RoomView, default_zone: str) -> list[str]:
    """Distinct zones of the room's members; members without one count as the default."""
    settings = await get_members(db, room.members())
    zones = {s.zone or default_zone for s in settings.values()}
    return sorted(zones) or [default_zone]


async def zones_for(ctx: Context) -> tuple[list[str], str, bool]:
    """(the room's zones, the reader's zone, whether the reader's is only the default)."""
    reader, is_default = await zone_of(ctx)
    zones = await member_zones(ctx.db, ctx.room, await room_default_zone(ctx))
    return zones, reader, is_default


def series_words(meeting: Meeting) -> str:
    series = meeting.series
    words = describe_rule(series.rule, series.start_local)
    if series.rule is None:
        words = f"once, {format_local_wall(meeting)}"
    if series.alternate_local_time:
        words += f", alternating with {series.alternate_local_time:%H:%M}"
    minutes = int(series.duration.total_seconds() // 60)
    length = f"{minutes // 60}h{minutes % 60:02d}" if minutes % 60 else f"{minutes // 60}h"
    if minutes < 60:
        length = f"{minutes} min"
    return f"{words} ({zone_label(series.zone)} time, {series.zone}), {length}"


def format_local_wall(meeting: Meeting) -> str:
    start = meeting.series.start_local
    return f"{start:%a} {start.day} {start:%b %Y} at {start:%H:%M}"


def occurrence_lines(msg: Msg, occurrence: Occurrence, zones: list[str], reader: str | None,
                     now: datetime) -> Msg:
    """'Thu 3 Dec 2026, 14:00 (Nairobi) — in 8 days' and the line of every zone."""
    when = format_local(occurrence.start_utc, reader or zones[0])
    moved = " (moved)" if occurrence.moved else ""
    msg.text(f"{when}{moved} — {relative(occurrence.start_utc, now)}").line()
    msg.text("   " + local_time_line(occurrence.start_utc, zones, reader)).line()
    return msg
