"""Who reads which language: a member's own choice, else their room's, else the bot's default."""

from __future__ import annotations

import aiosqlite

from storage.db import Database


async def member_and_room_language(db: Database, user_id: str, room_id: str
                                   ) -> tuple[str | None, str | None]:
    """Both choices in one query: it runs before every command."""
    row = await db.fetchone(
        "SELECT (SELECT lang FROM members WHERE user_id = ?) AS member_lang, "
        "(SELECT lang FROM rooms WHERE room_id = ?) AS room_lang",
        (user_id, room_id),
    )
    return (row["member_lang"], row["room_lang"]) if row else (None, None)


async def room_language(db: Database, room_id: str) -> str | None:
    row = await db.fetchone("SELECT lang FROM rooms WHERE room_id = ?", (room_id,))
    return row["lang"] if row else None


async def set_member_language(conn: aiosqlite.Connection, user_id: str, lang: str | None,
                              now_iso: str) -> None:
    await conn.execute(
        "INSERT INTO members (user_id, lang, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT(user_id) DO UPDATE SET lang = excluded.lang, "
        "updated_at = excluded.updated_at",
        (user_id, lang, now_iso),
    )


async def set_room_language(conn: aiosqlite.Connection, room_id: str, lang: str | None) -> None:
    await conn.execute(
        "INSERT INTO rooms (room_id, joined_ts, lang) VALUES (?, 0, ?) "
        "ON CONFLICT(room_id) DO UPDATE SET lang = excluded.lang",
        (room_id, lang),
    )
