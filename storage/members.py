"""Members' personal settings. They live only here, never in room state or account data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import aiosqlite

from storage.db import Database


@dataclass(frozen=True)
class MemberSettings:
    user_id: str
    zone: str | None
    hours: str | None


async def get_member(db: Database, user_id: str) -> MemberSettings:
    row = await db.fetchone("SELECT zone, hours FROM members WHERE user_id = ?", (user_id,))
    if row is None:
        return MemberSettings(user_id, None, None)
    return MemberSettings(user_id, row["zone"], row["hours"])


async def get_members(db: Database, user_ids: Iterable[str]) -> dict[str, MemberSettings]:
    ids = list(dict.fromkeys(user_ids))
    found = {uid: MemberSettings(uid, None, None) for uid in ids}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in await db.fetchall(
            f"SELECT user_id, zone, hours FROM members WHERE user_id IN ({marks})", chunk
        ):
            found[row["user_id"]] = MemberSettings(row["user_id"], row["zone"], row["hours"])
    return found


async def set_zone(conn: aiosqlite.Connection, user_id: str, zone: str, now_iso: str) -> None:
    await conn.execute(
        "INSERT INTO members (user_id, zone, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT(user_id) DO UPDATE SET zone = excluded.zone, updated_at = excluded.updated_at",
        (user_id, zone, now_iso),
    )


async def set_hours(conn: aiosqlite.Connection, user_id: str, hours: str, now_iso: str) -> None:
    await conn.execute(
        "INSERT INTO members (user_id, hours, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT(user_id) DO UPDATE SET hours = excluded.hours, "
        "updated_at = excluded.updated_at",
        (user_id, hours, now_iso),
    )
