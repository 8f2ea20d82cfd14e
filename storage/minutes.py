"""Meeting minutes (tagged lines, attendees) and the weekly digest's per-room schedule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import aiosqlite

from storage.db import Database
from storage.meetings import from_iso, iso

# Minutes left open longer than this stop recording: someone forgot `!meeting end`.
MAX_OPEN = timedelta(hours=8)


@dataclass(frozen=True)
class Minutes:
    id: int
    room_id: str
    meeting_id: int | None
    occurrence_local: datetime | None
    started_by: str
    started_at: datetime
    ended_at: datetime | None


_COLUMNS = "id, room_id, meeting_id, occurrence_local, started_by, started_at, ended_at"


def _minutes(row: aiosqlite.Row) -> Minutes:
    occurrence = row["occurrence_local"]
    return Minutes(row["id"], row["room_id"], row["meeting_id"],
                   datetime.fromisoformat(occurrence) if occurrence else None,
                   row["started_by"], from_iso(row["started_at"]),
                   from_iso(row["ended_at"]) if row["ended_at"] else None)


async def unended_minutes(db: Database, room_id: str) -> Minutes | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM minutes WHERE room_id = ? AND ended_at "
                            "IS NULL ORDER BY started_at DESC, id DESC LIMIT 1", (room_id,))
    return _minutes(row) if row else None


async def open_minutes(db: Database, room_id: str, now: datetime) -> Minutes | None:
    """The minutes being recorded now, if any (forgotten ones expire after MAX_OPEN)."""
    found = await unended_minutes(db, room_id)
    return found if found and now - found.started_at <= MAX_OPEN else None


async def start_minutes(conn: aiosqlite.Connection, *, room_id: str, meeting_id: int | None,
                        occurrence_local: datetime | None, user_id: str, now: datetime) -> int:
    occurrence = occurrence_local.isoformat(timespec="minutes") if occurrence_local else None
    cur = await conn.execute(
        "INSERT INTO minutes (room_id, meeting_id, occurrence_local, started_by, started_at) "
        "VALUES (?, ?, ?, ?, ?)", (room_id, meeting_id, occurrence, user_id, iso(now)))
    assert cur.lastrowid is not None
    await attend(conn, cur.lastrowid, user_id, now)
    return cur.lastrowid


async def end_minutes(conn: aiosqlite.Connection, minutes_id: int, when: datetime) -> None:
    await conn.execute("UPDATE minutes SET ended_at = ? WHERE id = ?", (iso(when), minutes_id))


async def attend(conn: aiosqlite.Connection, minutes_id: int, user_id: str,
                 now: datetime) -> None:
    await conn.execute("INSERT OR IGNORE INTO minutes_attendees (minutes_id, user_id, first_seen)"
                       " VALUES (?, ?, ?)", (minutes_id, user_id, iso(now)))


async def attendees(db: Database, minutes_id: int) -> list[str]:
    rows = await db.fetchall("SELECT user_id FROM minutes_attendees WHERE minutes_id = ? "
                             "ORDER BY first_seen, user_id", (minutes_id,))
    return [r["user_id"] for r in rows]


async def add_line(conn: aiosqlite.Connection, minutes_id: int, kind: str, text: str,
                   user_id: str, now: datetime) -> None:
    await conn.execute("INSERT INTO minutes_lines (minutes_id, kind, text, user_id, added_at) "
                       "VALUES (?, ?, ?, ?, ?)", (minutes_id, kind, text, user_id, iso(now)))


async def lines(db: Database, minutes_id: int) -> list[tuple[str, str, str]]:
    """(kind, text, who) in the order they were said."""
    rows = await db.fetchall("SELECT kind, text, user_id FROM minutes_lines "
                             "WHERE minutes_id = ? ORDER BY id", (minutes_id,))
    return [(r["kind"], r["text"], r["user_id"]) for r in rows]


async def last_minutes(db: Database, room_id: str, meeting_id: int | None = None
                       ) -> Minutes | None:
    """The room's (or one series') most recent minutes, ended or still open."""
    params: list[object]
    where, params = "room_id = ?", [room_id]
    if meeting_id is not None:
        where, params = where + " AND meeting_id = ?", [room_id, meeting_id]
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM minutes WHERE {where} "
                            "ORDER BY started_at DESC, id DESC LIMIT 1", params)
    return _minutes(row) if row else None


# ---- weekly digest schedule --------------------------------------------------------------


@dataclass(frozen=True)
class DigestSettings:
    id: int | None  # None: the room never chose, so it gets the default
    room_id: str
    enabled: bool
    weekday: int  # Monday = 0
    at: time
    zone: str | None  # None: the room's default zone
    updated_at: datetime | None


DEFAULT_WEEKDAY, DEFAULT_TIME = 0, time(9, 0)


def _settings(row: aiosqlite.Row) -> DigestSettings:
    return DigestSettings(row["id"], row["room_id"], bool(row["enabled"]), row["weekday"],
                          time.fromisoformat(row["at_time"]), row["zone"],
                          from_iso(row["updated_at"]))


def default_settings(room_id: str) -> DigestSettings:
    return DigestSettings(None, room_id, True, DEFAULT_WEEKDAY, DEFAULT_TIME, None, None)


async def get_digest_settings(db: Database, room_id: str) -> DigestSettings:
    row = await db.fetchone("SELECT * FROM digest_settings WHERE room_id = ?", (room_id,))
    return _settings(row) if row else default_settings(room_id)


async def get_digest_settings_by_id(db: Database, settings_id: int) -> DigestSettings | None:
    row = await db.fetchone("SELECT * FROM digest_settings WHERE id = ?", (settings_id,))
    return _settings(row) if row else None


async def put_digest_settings(conn: aiosqlite.Connection, room_id: str, *, enabled: bool,
                              weekday: int, at: time, zone: str | None, now: datetime) -> int:
    await conn.execute(
        "INSERT INTO digest_settings (room_id, enabled, weekday, at_time, zone, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(room_id) DO UPDATE SET enabled = excluded.enabled,"
        " weekday = excluded.weekday, at_time = excluded.at_time, zone = excluded.zone, "
        "updated_at = excluded.updated_at",
        (room_id, int(enabled), weekday, at.isoformat("minutes"), zone, iso(now)))
    async with conn.execute("SELECT id FROM digest_settings WHERE room_id = ?",
                            (room_id,)) as cur:
        row = await cur.fetchone()
    assert row is not None
    return int(row[0])


async def digest_done(db: Database, key: str) -> bool:
    return await db.fetchone("SELECT 1 FROM digests_sent WHERE key = ?", (key,)) is not None


async def record_digest(conn: aiosqlite.Connection, key: str, room_id: str, now: datetime,
                        *, skipped: bool = False) -> bool:
    cur = await conn.execute("INSERT OR IGNORE INTO digests_sent (key, room_id, sent_at, skipped)"
                             " VALUES (?, ?, ?, ?)", (key, room_id, iso(now), int(skipped)))
    return cur.rowcount == 1
