"""Meeting-time polls: the options offered and the latest vote of each member."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from storage.db import Database
from storage.meetings import from_iso, iso, next_number


@dataclass(frozen=True)
class Poll:
    id: int
    room_id: str
    number: int
    txn_id: str
    title: str
    created_by: str
    zone: str
    duration: timedelta
    options: tuple[datetime, ...]
    closes_at: datetime
    closed: bool
    meeting_number: int | None
    # The `with` members, whose votes decide; empty when everyone's votes decide.
    voters: tuple[str, ...] = ()
    created_at: datetime | None = None


_COLUMNS = ("id, room_id, number, txn_id, title, created_by, zone, duration_min, options, "
            "closes_at, closed_at, meeting_number, voters, created_at")


def _poll(row: aiosqlite.Row) -> Poll:
    return Poll(
        id=row["id"], room_id=row["room_id"], number=row["number"], txn_id=row["txn_id"],
        title=row["title"], created_by=row["created_by"], zone=row["zone"],
        duration=timedelta(minutes=row["duration_min"]),
        options=tuple(from_iso(v) for v in json.loads(row["options"])),
        closes_at=from_iso(row["closes_at"]), closed=row["closed_at"] is not None,
        meeting_number=row["meeting_number"],
        voters=tuple(json.loads(row["voters"])) if row["voters"] else (),
        created_at=from_iso(row["created_at"]),
    )


async def insert_poll(conn: aiosqlite.Connection, *, room_id: str,
                      txn_for: Callable[[int], str], title: str, created_by: str, zone: str,
                      duration: timedelta, options: list[datetime], now: datetime,
                      closes_at: datetime, voters: tuple[str, ...] = ()) -> int:
    """`txn_for(number)`: the outbox transaction id the poll's start event will be sent with.
    `voters`: the members whose votes decide (a `with` list); empty for everyone."""
    number = await next_number(conn, room_id, "poll")
    txn_id = txn_for(number)
    await conn.execute(
        "INSERT INTO polls (room_id, number, txn_id, title, created_by, zone, duration_min, "
        "options, created_at, closes_at, voters) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (room_id, number, txn_id, title, created_by, zone,
         int(duration.total_seconds() // 60), json.dumps([iso(o) for o in options]), iso(now),
         iso(closes_at), json.dumps(list(voters)) if voters else None),
    )
    return number


async def get_poll(db: Database, poll_id: int) -> Poll | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM polls WHERE id = ?", (poll_id,))
    return _poll(row) if row else None


async def room_poll(db: Database, room_id: str, number: int | None) -> Poll | None:
    """A poll of this room by number, or its latest open one."""
    if number is None:
        row = await db.fetchone(
            f"SELECT {_COLUMNS} FROM polls WHERE room_id = ? AND closed_at IS NULL "
            "ORDER BY number DESC LIMIT 1", (room_id,))
    else:
        row = await db.fetchone(
            f"SELECT {_COLUMNS} FROM polls WHERE room_id = ? AND number = ?", (room_id, number))
    return _poll(row) if row else None


async def poll_for_event(db: Database, room_id: str, event_id: str) -> Poll | None:
    """The poll whose start event is `event_id` (found through the outbox that sent it)."""
    row = await db.fetchone(
        f"SELECT {', '.join('p.' + c.strip() for c in _COLUMNS.split(','))} FROM polls p "
        "JOIN outbox o ON o.txn_id = p.txn_id WHERE o.event_id = ? AND p.room_id = ?",
        (event_id, room_id))
    return _poll(row) if row else None


async def poll_event_id(db: Database, poll: Poll) -> str | None:
    row = await db.fetchone("SELECT event_id FROM outbox WHERE txn_id = ?", (poll.txn_id,))
    return row["event_id"] if row else None


async def open_polls(db: Database) -> list[Poll]:
    rows = await db.fetchall(f"SELECT {_COLUMNS} FROM polls WHERE closed_at IS NULL")
    return [_poll(r) for r in rows]


async def record_vote(conn: aiosqlite.Connection, poll_id: int, user_id: str, option: int,
                      ts: int) -> None:
    """A member's latest vote wins; a replayed older one changes nothing."""
    await conn.execute(
        "INSERT INTO poll_votes (poll_id, user_id, option, ts) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(poll_id, user_id) DO UPDATE SET option = excluded.option, ts = excluded.ts "
        "WHERE excluded.ts >= poll_votes.ts",
        (poll_id, user_id, option, ts))


async def votes(db: Database, poll_id: int) -> dict[str, int]:
    """Each voter's latest choice (1-based option)."""
    rows = await db.fetchall("SELECT user_id, option FROM poll_votes WHERE poll_id = ?",
                             (poll_id,))
    return {r["user_id"]: r["option"] for r in rows}


async def extend_poll(conn: aiosqlite.Connection, poll_id: int, closes_at: datetime) -> bool:
    """Move an open poll's closing time; False if it has closed meanwhile."""
    cur = await conn.execute(
        "UPDATE polls SET closes_at = ? WHERE id = ? AND closed_at IS NULL",
        (iso(closes_at), poll_id))
    return cur.rowcount == 1


async def tally(db: Database, poll_id: int) -> dict[int, int]:
    rows = await db.fetchall(
        "SELECT option, COUNT(*) AS n FROM poll_votes WHERE poll_id = ? GROUP BY option",
        (poll_id,))
    return {r["option"]: r["n"] for r in rows}


async def close_poll(conn: aiosqlite.Connection, poll_id: int, now: datetime,
                     meeting_number: int | None) -> bool:
    cur = await conn.execute(
        "UPDATE polls SET closed_at = ?, meeting_number = ? WHERE id = ? AND closed_at IS NULL",
        (iso(now), meeting_number, poll_id))
    return cur.rowcount == 1
