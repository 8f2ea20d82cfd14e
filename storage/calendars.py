"""Members' calendars: a chosen country, personal days off and worked holidays.

Personal data, like zones: only in this database, never in room state. Days off are local
dates in the member's own calendar (ISO text), not instants.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import aiosqlite

from domain.calendars import DayOff
from storage.db import Database


async def set_calendar(conn: aiosqlite.Connection, user_id: str, region: str | None,
                       now_iso: str) -> None:
    """`region`: "JO", "IN-KA"; "" for none; None to infer it from the zone again."""
    await conn.execute(
        "INSERT INTO members (user_id, calendar, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT(user_id) DO UPDATE SET calendar = excluded.calendar, "
        "updated_at = excluded.updated_at",
        (user_id, region, now_iso),
    )


async def set_days_named(conn: aiosqlite.Connection, user_id: str, named: bool) -> None:
    """Whether the member's `!hours` named their working days (else the country's week)."""
    await conn.execute("UPDATE members SET hours_days_named = ? WHERE user_id = ?",
                       (int(named), user_id))


async def add_day_off(conn: aiosqlite.Connection, user_id: str, first: date, last: date,
                      note: str | None, now_iso: str, *, worked: bool = False) -> None:
    await conn.execute(
        "INSERT INTO days_off (user_id, first_day, last_day, worked, note, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (user_id, first.isoformat(), last.isoformat(), int(worked), note, now_iso))


async def days_off_of(db: Database, user_ids: Iterable[str], since: date
                      ) -> dict[str, tuple[DayOff, ...]]:
    """Every member's days off (and worked days) that end on or after `since`."""
    ids = list(dict.fromkeys(user_ids))
    found: dict[str, list[DayOff]] = {uid: [] for uid in ids}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in await db.fetchall(
            f"SELECT user_id, first_day, last_day, worked, note FROM days_off "
            f"WHERE user_id IN ({marks}) AND last_day >= ? ORDER BY first_day, id",
            (*chunk, since.isoformat()),
        ):
            found[row["user_id"]].append(DayOff(
                date.fromisoformat(row["first_day"]), date.fromisoformat(row["last_day"]),
                row["note"], bool(row["worked"])))
    return {uid: tuple(days) for uid, days in found.items()}


async def remove_days_off_on(conn: aiosqlite.Connection, user_id: str, day: date) -> int:
    """`!calendar on` a single personal day off: that entry goes (ranges stay, overridden)."""
    cur = await conn.execute(
        "DELETE FROM days_off WHERE user_id = ? AND worked = 0 AND first_day = ? "
        "AND last_day = ?", (user_id, day.isoformat(), day.isoformat()))
    return cur.rowcount
