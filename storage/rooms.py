"""Per-room settings every feature reads: which rooms the bot is in, a room's default zone."""

from __future__ import annotations

import aiosqlite

from storage.db import Database


async def joined_rooms(db: Database) -> list[str]:
    return [r["room_id"] for r in await db.fetchall("SELECT room_id FROM rooms ORDER BY room_id")]


async def room_default_zone(db: Database, room_id: str) -> str | None:
    """The zone a moderator chose for the room (`!tz room`), if any."""
    row = await db.fetchone("SELECT default_zone FROM rooms WHERE room_id = ?", (room_id,))
    return row["default_zone"] if row else None


async def set_room_default_zone(conn: aiosqlite.Connection, room_id: str, zone: str) -> None:
    await conn.execute(
        "INSERT INTO rooms (room_id, joined_ts, default_zone) VALUES (?, 0, ?) "
        "ON CONFLICT(room_id) DO UPDATE SET default_zone = excluded.default_zone",
        (room_id, zone),
    )
