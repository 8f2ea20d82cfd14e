"""The bot's own bookkeeping: sync position, handled events, rooms joined."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage.db import Database

SYNC_TOKEN = "sync_token"
# When a sync last succeeded (UTC ISO), so `minga status` can tell a deaf bot from a quiet one.
LAST_SYNC_OK = "last_sync_ok"
# When the scheduler last looked at the clock (UTC ISO, about once a minute): what fell due
# after it fell due while the bot was down, or while the host's clock jumped past it.
SCHEDULER_SEEN = "scheduler_seen"


async def get_value(db: Database, key: str) -> str | None:
    row = await db.fetchone("SELECT value FROM bot_state WHERE key = ?", (key,))
    return row["value"] if row else None


async def set_value(conn: aiosqlite.Connection, key: str, value: str) -> None:
    await conn.execute(
        "INSERT INTO bot_state (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


async def is_handled(db: Database, event_id: str) -> bool:
    return (
        await db.fetchone("SELECT 1 FROM handled_events WHERE event_id = ?", (event_id,))
        is not None
    )


async def mark_handled(
    conn: aiosqlite.Connection, event_id: str, room_id: str, now_iso: str
) -> bool:
    """False if it was already handled (the caller's transaction should then do nothing)."""
    cur = await conn.execute(
        "INSERT OR IGNORE INTO handled_events (event_id, room_id, handled_at) VALUES (?, ?, ?)",
        (event_id, room_id, now_iso),
    )
    return cur.rowcount == 1


async def mark_handled_many(conn: aiosqlite.Connection, events: list[tuple[str, str]],
                            now_iso: str) -> None:
    """Several (event id, room id) at once: the events a batch skipped over the rate."""
    await conn.executemany(
        "INSERT OR IGNORE INTO handled_events (event_id, room_id, handled_at) VALUES (?, ?, ?)",
        [(event_id, room_id, now_iso) for event_id, room_id in events],
    )


async def room_joined_ts(db: Database, room_id: str) -> int | None:
    row = await db.fetchone("SELECT joined_ts FROM rooms WHERE room_id = ?", (room_id,))
    return int(row["joined_ts"]) if row else None


async def record_room(conn: aiosqlite.Connection, room_id: str, joined_ts: int) -> None:
    await conn.execute(
        "INSERT INTO rooms (room_id, joined_ts) VALUES (?, ?) "
        "ON CONFLICT(room_id) DO UPDATE SET joined_ts = excluded.joined_ts",
        (room_id, joined_ts),
    )


async def forget_room(conn: aiosqlite.Connection, room_id: str) -> None:
    await conn.execute("DELETE FROM rooms WHERE room_id = ?", (room_id,))


async def record_last_sync(conn: aiosqlite.Connection, when_iso: str) -> None:
    """The sync loop records this at most every half minute, in a short transaction."""
    await set_value(conn, LAST_SYNC_OK, when_iso)


async def last_sync(db: Database) -> str | None:
    return await get_value(db, LAST_SYNC_OK)


async def record_scheduler_seen(conn: aiosqlite.Connection, now: datetime) -> None:
    await set_value(conn, SCHEDULER_SEEN, now.isoformat())


async def scheduler_seen(db: Database) -> datetime | None:
    """When the scheduler last looked at the clock, if ever."""
    value = await get_value(db, SCHEDULER_SEEN)
    return datetime.fromisoformat(value) if value else None
