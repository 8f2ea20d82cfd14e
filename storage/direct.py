"""Direct chats the bot opened with members (one per member; never any two-person room)."""

from __future__ import annotations

import aiosqlite

from storage.db import Database


async def direct_room_of(db: Database, user_id: str) -> str | None:
    """The member's direct chat with the bot, if the bot opened one."""
    row = await db.fetchone("SELECT room_id FROM direct_rooms WHERE user_id = ?", (user_id,))
    return row["room_id"] if row else None


async def is_direct_room(db: Database, room_id: str) -> bool:
    return await db.fetchone(
        "SELECT 1 FROM direct_rooms WHERE room_id = ?", (room_id,)) is not None


async def set_direct_room(conn: aiosqlite.Connection, user_id: str, room_id: str, now_iso: str
                          ) -> None:
    """The member's direct chat is now `room_id` (a new one replaces a lost one)."""
    await conn.execute(
        "INSERT INTO direct_rooms (user_id, room_id, created_at) VALUES (?, ?, ?) "
        "ON CONFLICT(user_id) DO UPDATE SET room_id = excluded.room_id",
        (user_id, room_id, now_iso))
