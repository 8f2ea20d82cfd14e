"""The outbox: every message Minga sends, queued in the transaction of the change it reports.

Its transaction id is derived from the logical message, so a send retried after a crash is
de-duplicated by the homeserver, and a message queued twice under one key is queued once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import aiosqlite

from storage.db import Database


@dataclass(frozen=True)
class Outgoing:
    row_id: int
    txn_id: str
    room_id: str
    event_type: str
    content: dict[str, Any]


def txn_id_for(logical_key: str) -> str:
    """Stable, URL-safe transaction id; the homeserver de-duplicates a resend by it."""
    return "minga-" + hashlib.sha256(logical_key.encode()).hexdigest()[:40]


async def enqueue(
    conn: aiosqlite.Connection,
    *,
    logical_key: str,
    room_id: str,
    content: dict[str, Any],
    now_iso: str,
    event_type: str = "m.room.message",
    priority: int = 1,
) -> bool:
    """Queue inside the caller's transaction. False if that logical message was queued before.

    Priority 0 is an answer to a command, 1 a scheduled post: a member waiting for a reply
    is not kept behind a batch of reminders."""
    cur = await conn.execute(
        "INSERT OR IGNORE INTO outbox (txn_id, logical_key, room_id, event_type, content, "
        "created_at, priority) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (txn_id_for(logical_key), logical_key, room_id, event_type, json.dumps(content),
         now_iso, priority),
    )
    return cur.rowcount == 1


async def unsent(db: Database, limit: int) -> list[Outgoing]:
    """The next messages to send: answers first, then in the order queued."""
    rows = await db.fetchall(
        "SELECT id, txn_id, room_id, event_type, content FROM outbox "
        "WHERE sent_at IS NULL AND failed IS NULL ORDER BY priority, id LIMIT ?",
        (limit,),
    )
    return [
        Outgoing(r["id"], r["txn_id"], r["room_id"], r["event_type"], json.loads(r["content"]))
        for r in rows
    ]


@dataclass(frozen=True)
class Head:
    """The next message of one room's queue, and its priority."""
    item: Outgoing
    priority: int


async def unsent_heads(db: Database, exclude: Collection[int] = ()) -> list[Head]:
    """Each room's next message (answers first, then in the order queued), one per room:
    the outbox chooses among rooms, so one busy room can't keep the others waiting.
    `exclude`: rows already sent whose mark is not written yet."""
    skip = sorted(exclude)
    rows = await db.fetchall(
        "SELECT id, txn_id, room_id, event_type, content, priority FROM ("
        " SELECT id, txn_id, room_id, event_type, content, priority, ROW_NUMBER() OVER ("
        "  PARTITION BY room_id ORDER BY priority, id) AS place"
        " FROM outbox WHERE sent_at IS NULL AND failed IS NULL"
        f" AND id NOT IN ({', '.join('?' * len(skip))})"
        ") WHERE place = 1 ORDER BY priority, id",
        skip,
    )
    return [
        Head(Outgoing(r["id"], r["txn_id"], r["room_id"], r["event_type"],
                      json.loads(r["content"])), r["priority"])
        for r in rows
    ]


async def mark_sent(conn: aiosqlite.Connection, row_id: int, event_id: str, now_iso: str
                    ) -> None:
    await conn.execute(
        "UPDATE outbox SET sent_at = ?, event_id = ?, failed = ?, attempts = attempts + 1 "
        "WHERE id = ?", (now_iso, event_id, None, row_id))


async def mark_failed(conn: aiosqlite.Connection, row_id: int, reason: str) -> None:
    """Given up for good (the homeserver refused): never sent."""
    await conn.execute(
        "UPDATE outbox SET sent_at = ?, event_id = ?, failed = ?, attempts = attempts + 1 "
        "WHERE id = ?", (None, None, reason, row_id))


async def count_attempt(conn: aiosqlite.Connection, row_id: int) -> None:
    """A send that failed for now; it is tried again."""
    await conn.execute("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", (row_id,))


async def readdress(conn: aiosqlite.Connection, row_id: int, room_id: str) -> None:
    """A message for a member's direct chat ("direct:<user id>") now has its room."""
    await conn.execute("UPDATE outbox SET room_id = ? WHERE id = ?", (room_id, row_id))


async def fail_unsent_in_room(conn: aiosqlite.Connection, room_id: str, reason: str) -> None:
    """The bot left the room: what was still queued for it will never be sent."""
    await conn.execute(
        "UPDATE outbox SET failed = ? WHERE room_id = ? AND sent_at IS NULL", (reason, room_id))


async def logical_key_of(db: Database, room_id: str, event_id: str) -> str | None:
    """Which of our messages an event id is (for reactions and answers to it)."""
    row = await db.fetchone(
        "SELECT logical_key FROM outbox WHERE event_id = ? AND room_id = ?", (event_id, room_id))
    return row["logical_key"] if row else None


async def event_id_of(db: Database, logical_key: str) -> str | None:
    row = await db.fetchone(
        "SELECT event_id FROM outbox WHERE txn_id = ?", (txn_id_for(logical_key),))
    return row["event_id"] if row else None
