"""Action items, their owners, notes and overdue nudges. Every query is scoped to one room."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from storage.db import Database
from storage.meetings import from_iso, iso, next_number


@dataclass(frozen=True)
class Action:
    id: int
    room_id: str
    number: int
    text: str
    due: datetime | None
    owners: tuple[str, ...]
    created_by: str
    created_at: datetime
    closed_at: datetime | None
    closed_by: str | None
    dropped_at: datetime | None
    minutes_id: int | None
    meeting_id: int | None
    occurrence_local: datetime | None

    @property
    def ref(self) -> str:
        return f"#{self.number}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None and self.dropped_at is None

    def overdue(self, now: datetime) -> bool:
        return self.is_open and self.due is not None and self.due <= now


_COLUMNS = ("id, room_id, number, text, due_utc, created_by, created_at, closed_at, closed_by, "
            "dropped_at, minutes_id, meeting_id, occurrence_local")
_OPEN = "closed_at IS NULL AND dropped_at IS NULL"


def _opt(text: str | None) -> datetime | None:
    return from_iso(text) if text else None


def _action(row: aiosqlite.Row, owners: tuple[str, ...]) -> Action:
    occurrence = row["occurrence_local"]
    return Action(
        id=row["id"], room_id=row["room_id"], number=row["number"], text=row["text"],
        due=_opt(row["due_utc"]), owners=owners, created_by=row["created_by"],
        created_at=from_iso(row["created_at"]), closed_at=_opt(row["closed_at"]),
        closed_by=row["closed_by"], dropped_at=_opt(row["dropped_at"]),
        minutes_id=row["minutes_id"], meeting_id=row["meeting_id"],
        occurrence_local=datetime.fromisoformat(occurrence) if occurrence else None,
    )


async def _with_owners(db: Database, rows: Sequence[aiosqlite.Row]) -> list[Action]:
    """Attach owners to many rows with one query per 500 items."""
    owners: dict[int, list[str]] = {r["id"]: [] for r in rows}
    ids = list(owners)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for row in await db.fetchall(
                f"SELECT action_id, user_id FROM action_owners WHERE action_id IN ({marks}) "
                "ORDER BY action_id, position", chunk):
            owners[row["action_id"]].append(row["user_id"])
    return [_action(r, tuple(owners[r["id"]])) for r in rows]


async def _select(db: Database, where: str, params: Sequence[Any],
                  order: str = "number") -> list[Action]:
    rows = await db.fetchall(f"SELECT {_COLUMNS} FROM actions WHERE {where} ORDER BY {order}",
                             params)
    return await _with_owners(db, rows)


async def insert_action(conn: aiosqlite.Connection, *, room_id: str, text: str,
                        owners: Sequence[str], due: datetime | None, created_by: str,
                        now: datetime, minutes_id: int | None = None,
                        meeting_id: int | None = None,
                        occurrence_local: datetime | None = None) -> tuple[int, int]:
    """Returns (id, per-room number)."""
    number = await next_number(conn, room_id, "action")
    occurrence = occurrence_local.isoformat(timespec="minutes") if occurrence_local else None
    cur = await conn.execute(
        "INSERT INTO actions (room_id, number, text, due_utc, created_by, created_at, "
        "updated_at, minutes_id, meeting_id, occurrence_local) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (room_id, number, text, iso(due) if due else None, created_by, iso(now), iso(now),
         minutes_id, meeting_id, occurrence))
    assert cur.lastrowid is not None
    await set_owners(conn, cur.lastrowid, owners)
    return cur.lastrowid, number


async def set_owners(conn: aiosqlite.Connection, action_id: int, owners: Sequence[str]) -> None:
    await conn.execute("DELETE FROM action_owners WHERE action_id = ?", (action_id,))
    await conn.executemany(
        "INSERT INTO action_owners (action_id, user_id, position) VALUES (?, ?, ?)",
        [(action_id, user, index) for index, user in enumerate(dict.fromkeys(owners))])


async def update_action(conn: aiosqlite.Connection, action_id: int, now: datetime,
                        **changes: object) -> None:
    sets = "".join(f"{column} = ?, " for column in changes)
    await conn.execute(f"UPDATE actions SET {sets}updated_at = ? WHERE id = ?",
                       (*changes.values(), iso(now), action_id))


async def get_action(db: Database, room_id: str, number: int) -> Action | None:
    found = await _select(db, "room_id = ? AND number = ?", (room_id, number))
    return found[0] if found else None


async def get_action_by_id(db: Database, action_id: int) -> Action | None:
    found = await _select(db, "id = ?", (action_id,))
    return found[0] if found else None


async def open_actions(db: Database, room_id: str, owner: str | None = None) -> list[Action]:
    if owner is None:
        return await _select(db, f"room_id = ? AND {_OPEN}", (room_id,))
    return await _select(
        db, f"room_id = ? AND {_OPEN} AND id IN "
        "(SELECT action_id FROM action_owners WHERE user_id = ?)", (room_id, owner))


async def open_page(db: Database, room_id: str, owner: str | None, now: datetime,
                    *, overdue_only: bool, limit: int) -> tuple[list[Action], int, int]:
    """(the first `limit` open items in list order, how many match, how many are overdue).

    Ordered and counted in SQL, so a room with thousands of open items costs the same
    to list as one with fifty. Order: by due date (so overdue first), undated last.
    """
    where = f"room_id = ? AND {_OPEN}"
    params: list[Any] = [room_id]
    if owner is not None:
        where += " AND id IN (SELECT action_id FROM action_owners WHERE user_id = ?)"
        params.append(owner)
    if overdue_only:
        where += " AND due_utc IS NOT NULL AND due_utc <= ?"
        params.append(iso(now))
    counts = await db.fetchone(
        f"SELECT COUNT(*) AS n, COALESCE(SUM(due_utc IS NOT NULL AND due_utc <= ?), 0) AS late "
        f"FROM actions WHERE {where}", [iso(now), *params])
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM actions WHERE {where} "
        "ORDER BY due_utc IS NULL, due_utc, number LIMIT ?", [*params, limit])
    total, late = (int(counts["n"]), int(counts["late"])) if counts else (0, 0)
    return await _with_owners(db, rows), total, late


async def closed_since(db: Database, room_id: str, since: datetime) -> list[Action]:
    return await _select(db, "room_id = ? AND closed_at >= ? AND dropped_at IS NULL",
                         (room_id, iso(since)), order="closed_at, number")


async def minutes_actions(db: Database, minutes_id: int) -> list[Action]:
    return await _select(db, "minutes_id = ? AND dropped_at IS NULL", (minutes_id,))


async def carried_actions(db: Database, meeting_id: int, before_local: datetime
                          ) -> list[Action]:
    """Open actions recorded at earlier occurrences of a series: the next agenda's first item."""
    return await _select(
        db, f"meeting_id = ? AND occurrence_local < ? AND {_OPEN}",
        (meeting_id, before_local.isoformat(timespec="minutes")))


async def add_note(conn: aiosqlite.Connection, action_id: int, text: str, user_id: str,
                   now: datetime) -> None:
    await conn.execute(
        "INSERT INTO action_notes (action_id, text, added_by, added_at) VALUES (?, ?, ?, ?)",
        (action_id, text, user_id, iso(now)))


async def notes(db: Database, action_id: int) -> list[tuple[str, str, datetime]]:
    rows = await db.fetchall("SELECT text, added_by, added_at FROM action_notes "
                             "WHERE action_id = ? ORDER BY id", (action_id,))
    return [(r["text"], r["added_by"], from_iso(r["added_at"])) for r in rows]


def nudge_key(action: Action) -> str:
    """A nudge is about one due instant: a new due date earns a new nudge, nothing else does."""
    assert action.due is not None
    return f"{action.id}:{iso(action.due)}"


async def nudge_candidates(db: Database, due_before: datetime) -> list[Action]:
    """Open items due before `due_before` whose current due date was not nudged yet."""
    return await _select(
        db, f"{_OPEN} AND due_utc IS NOT NULL AND due_utc <= ? AND NOT EXISTS "
        "(SELECT 1 FROM action_nudges n WHERE n.key = actions.id || ':' || actions.due_utc)",
        (iso(due_before),), order="due_utc")


async def record_nudge(conn: aiosqlite.Connection, key: str, action_id: int,
                       now: datetime) -> bool:
    cur = await conn.execute(
        "INSERT OR IGNORE INTO action_nudges (key, action_id, sent_at) VALUES (?, ?, ?)",
        (key, action_id, iso(now)))
    return cur.rowcount == 1


async def room_activity_start(db: Database, room_id: str) -> datetime | None:
    """When the room first had an action or a meeting: the default digest starts from there."""
    row = await db.fetchone(
        "SELECT MIN(t) AS first FROM (SELECT MIN(created_at) AS t FROM actions WHERE room_id = ? "
        "UNION ALL SELECT MIN(created_at) FROM meetings WHERE room_id = ? "
        "AND cancelled_at IS NULL)", (room_id, room_id))
    return from_iso(row["first"]) if row and row["first"] else None
