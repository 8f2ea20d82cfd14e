"""Members' personal settings. They live only here, never in room state or account data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import aiosqlite

from storage.db import Database

_COLUMNS = "user_id, zone, hours, calendar, hours_days_named"


@dataclass(frozen=True)
class MemberSettings:
    user_id: str
    zone: str | None
    hours: str | None
    # NULL: inferred from the zone; "": none; else "JO" or "IN-KA" (see storage.calendars).
    calendar: str | None = None
    # Whether `!hours` named the days; None for hours saved before calendars existed.
    days_named: bool | None = None


def _settings(row: Any) -> MemberSettings:
    named = row["hours_days_named"]
    return MemberSettings(row["user_id"], row["zone"], row["hours"], row["calendar"],
                          None if named is None else bool(named))


async def get_member(db: Database, user_id: str) -> MemberSettings:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM members WHERE user_id = ?", (user_id,))
    if row is None:
        return MemberSettings(user_id, None, None)
    return _settings(row)


async def get_members(db: Database, user_ids: Iterable[str]) -> dict[str, MemberSettings]:
    ids = list(dict.fromkeys(user_ids))
    found = {uid: MemberSettings(uid, None, None) for uid in ids}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in await db.fetchall(
            f"SELECT {_COLUMNS} FROM members WHERE user_id IN ({marks})", chunk
        ):
            found[row["user_id"]] = _settings(row)
    return found


async def set_zone(conn: aiosqlite.Connection, user_id: str, zone: str, now_iso: str) -> None:
    await conn.execute(
        "INSERT INTO members (user_id, zone, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT(user_id) DO UPDATE SET zone = excluded.zone, updated_at = excluded.updated_at",
        (user_id, zone, now_iso),
    )


async def set_hours(conn: aiosqlite.Connection, user_id: str, hours: str, now_iso: str,
                    days_named: bool | None = None) -> None:
    """`days_named`: whether the member typed their days (else their country's week)."""
    await conn.execute(
        "INSERT INTO members (user_id, hours, hours_days_named, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(user_id) DO UPDATE SET hours = excluded.hours, "
        "hours_days_named = excluded.hours_days_named, updated_at = excluded.updated_at",
        (user_id, hours, None if days_named is None else int(days_named), now_iso),
    )
