"""The bot's own bookkeeping: sync position, handled events, rooms joined."""

from __future__ import annotations

from datetime import UTC, datetime

import aiosqlite

from storage.db import Database

SYNC_TOKEN = "sync_token"
# When a sync last succeeded (UTC ISO): `minga status` reads it to tell an operator, or a
# container health check, whether the bot is still in touch with its homeserver.
LAST_SYNC_OK = "last_sync_ok"
# The next job the scheduler holds ("kind UTC-ISO"); jobs live in memory, derived from the
# database, so the running bot notes the next one here for `minga status` to read.
NEXT_JOB = "next_job"


async def get_value(db: Database, key: str) -> str | None:
    row = await db.fetchone("SELECT value FROM bot_state WHERE key = ?", (key,))
    return row["value"] if row else None


async def set_value(conn: aiosqlite.Connection, key: str, value: str) -> None:
    await conn.execute(
        "INSERT INTO bot_state (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


async def last_sync_ok(db: Database) -> datetime | None:
    value = await get_value(db, LAST_SYNC_OK)
    return datetime.fromisoformat(value).astimezone(UTC) if value else None


async def set_last_sync_ok(conn: aiosqlite.Connection, when: datetime) -> None:
    await set_value(conn, LAST_SYNC_OK, when.astimezone(UTC).isoformat())


async def next_job(db: Database) -> tuple[str, datetime] | None:
    value = await get_value(db, NEXT_JOB)
    if not value:
        return None
    kind, _, when = value.partition(" ")
    return kind, datetime.fromisoformat(when).astimezone(UTC)


async def set_next_job(conn: aiosqlite.Connection, job: tuple[str, datetime] | None) -> None:
    value = f"{job[0]} {job[1].astimezone(UTC).isoformat()}" if job else ""
    await set_value(conn, NEXT_JOB, value)


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
