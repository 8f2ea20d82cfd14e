"""Members' absences. Personal data: only in this database, never in room state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database
from storage.meetings import from_iso, iso


@dataclass(frozen=True)
class Away:
    id: int
    user_id: str
    start: datetime
    end: datetime
    reason: str | None


async def add_away(conn: aiosqlite.Connection, user_id: str, start: datetime, end: datetime,
                   reason: str | None, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO away (user_id, start_utc, end_utc, reason, created_at) VALUES (?, ?, ?, ?, ?)",
        (user_id, iso(start), iso(end), reason, iso(now)))


async def current_and_future(db: Database, user_id: str, now: datetime) -> list[Away]:
    rows = await db.fetchall(
        "SELECT id, user_id, start_utc, end_utc, reason FROM away "
        "WHERE user_id = ? AND end_utc > ? ORDER BY start_utc", (user_id, iso(now)))
    return [Away(r["id"], r["user_id"], from_iso(r["start_utc"]), from_iso(r["end_utc"]),
                 r["reason"]) for r in rows]


async def end_current(conn: aiosqlite.Connection, user_id: str, now: datetime) -> int:
    """`!back`: the absence under way ends now. Returns how many were ended."""
    cur = await conn.execute(
        "UPDATE away SET end_utc = ? WHERE user_id = ? AND start_utc <= ? AND end_utc > ?",
        (iso(now), user_id, iso(now), iso(now)))
    return cur.rowcount


async def is_away(db: Database, user_id: str, at: datetime) -> bool:
    row = await db.fetchone(
        "SELECT 1 FROM away WHERE user_id = ? AND start_utc <= ? AND end_utc > ? LIMIT 1",
        (user_id, iso(at), iso(at)))
    return row is not None


async def away_at(db: Database, user_ids: Iterable[str], at: datetime) -> set[str]:
    """Which of these members are away at `at`."""
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return set()
    marks = ",".join("?" * len(ids))
    rows = await db.fetchall(
        f"SELECT DISTINCT user_id FROM away WHERE user_id IN ({marks}) "
        "AND start_utc <= ? AND end_utc > ?", (*ids, iso(at), iso(at)))
    return {r["user_id"] for r in rows}
