"""Per-room settings of fair times: the night window and the minimum time a poll stays open."""

from __future__ import annotations

from datetime import timedelta

from storage.db import Database


async def night_window(db: Database, room_id: str) -> str | None:
    """The room's night window as stored ("22:00-06:00"), or None for the default."""
    row = await db.fetchone("SELECT night_window FROM rooms WHERE room_id = ?", (room_id,))
    return row["night_window"] if row else None


async def set_night_window(db: Database, room_id: str, window: str | None) -> None:
    await db.conn.execute(
        "INSERT INTO rooms (room_id, joined_ts, night_window) VALUES (?, 0, ?) "
        "ON CONFLICT(room_id) DO UPDATE SET night_window = excluded.night_window",
        (room_id, window))


async def poll_window(db: Database, room_id: str) -> timedelta | None:
    """How long the room's polls stay open at least, or None for the default."""
    row = await db.fetchone("SELECT poll_window_min FROM rooms WHERE room_id = ?", (room_id,))
    value = row["poll_window_min"] if row else None
    return timedelta(minutes=value) if value is not None else None


async def set_poll_window(db: Database, room_id: str, window: timedelta | None) -> None:
    minutes = int(window.total_seconds() // 60) if window is not None else None
    await db.conn.execute(
        "INSERT INTO rooms (room_id, joined_ts, poll_window_min) VALUES (?, 0, ?) "
        "ON CONFLICT(room_id) DO UPDATE SET poll_window_min = excluded.poll_window_min",
        (room_id, minutes))


async def default_zone(db: Database, room_id: str) -> str | None:
    """The room's own default zone (`!tz room`), or None when it has none."""
    row = await db.fetchone("SELECT default_zone FROM rooms WHERE room_id = ?", (room_id,))
    return row["default_zone"] if row else None
