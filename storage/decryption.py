"""Encrypted events whose room key has not arrived yet: kept until it does, or a day passes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiosqlite

from storage.db import Database


@dataclass(frozen=True)
class Pending:
    event_id: str
    room_id: str
    sender: str
    source: dict[str, Any]  # the encrypted event as received, to decrypt once the key comes
    received_at: float  # POSIX seconds


def _pending(row: aiosqlite.Row) -> Pending:
    return Pending(row["event_id"], row["room_id"], row["sender"], json.loads(row["source"]),
                   float(row["received_at"]))


async def add_pending(conn: aiosqlite.Connection, event_id: str, room_id: str, sender: str,
                      source: dict[str, Any], received_at: float) -> None:
    await conn.execute(
        "INSERT OR IGNORE INTO pending_decryption "
        "(event_id, room_id, sender, source, received_at) VALUES (?, ?, ?, ?, ?)",
        (event_id, room_id, sender, json.dumps(source), received_at),
    )


async def all_pending(db: Database) -> list[Pending]:
    return [_pending(r) for r in await db.fetchall(
        "SELECT event_id, room_id, sender, source, received_at FROM pending_decryption")]


async def unnotified_before(db: Database, received_before: float) -> list[Pending]:
    """Events waiting since before `received_before` whose sender was not told yet."""
    return [_pending(r) for r in await db.fetchall(
        "SELECT event_id, room_id, sender, source, received_at FROM pending_decryption "
        "WHERE notified = 0 AND received_at <= ?", (received_before,))]


async def mark_notified(conn: aiosqlite.Connection, event_id: str) -> None:
    await conn.execute("UPDATE pending_decryption SET notified = 1 WHERE event_id = ?",
                       (event_id,))


async def drop_pending(conn: aiosqlite.Connection, event_id: str) -> None:
    await conn.execute("DELETE FROM pending_decryption WHERE event_id = ?", (event_id,))


async def drop_pending_in_room(conn: aiosqlite.Connection, room_id: str) -> None:
    await conn.execute("DELETE FROM pending_decryption WHERE room_id = ?", (room_id,))


async def drop_pending_before(conn: aiosqlite.Connection, received_before: float) -> None:
    await conn.execute("DELETE FROM pending_decryption WHERE received_at < ?",
                       (received_before,))
