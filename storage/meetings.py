"""Meeting series, their overrides and agendas. Every query is scoped to one room."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import aiosqlite

from domain.recurrence import Override, Series
from storage.db import Database

DEFAULT_LEADS = (1440, 15)  # minutes: a day before and a quarter of an hour before


def iso(instant: datetime) -> str:
    """UTC instants as sortable text."""
    return instant.astimezone(UTC).isoformat(timespec="seconds")


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@dataclass(frozen=True)
class Meeting:
    id: int
    room_id: str
    number: int
    title: str
    series: Series
    link: str | None
    leads: tuple[int, ...] | None
    ping_room: bool
    created_by: str
    created_at: datetime
    updated_at: datetime
    cancelled: bool
    # As last computed by the planner; None when it must be computed again.
    next_start: datetime | None = None
    # How many times it was changed: the SEQUENCE of its .ics.
    revision: int = 0

    @property
    def ref(self) -> str:
        return f"m{self.number}"


_COLUMNS = (
    "id, room_id, number, title, start_local, zone, rule, duration_min, alternate_time, link, "
    "leads, ping_room, created_by, created_at, updated_at, cancelled_at, next_start_utc, "
    "revision"
)


def _meeting(row: aiosqlite.Row) -> Meeting:
    series = Series(
        start_local=datetime.fromisoformat(row["start_local"]),
        zone=row["zone"],
        rule=row["rule"],
        duration=timedelta(minutes=row["duration_min"]),
        alternate_local_times=turn_times_from(row["alternate_time"]),
    )
    return Meeting(
        id=row["id"], room_id=row["room_id"], number=row["number"], title=row["title"],
        series=series, link=row["link"], leads=parse_leads(row["leads"]),
        ping_room=bool(row["ping_room"]), created_by=row["created_by"],
        created_at=from_iso(row["created_at"]), updated_at=from_iso(row["updated_at"]),
        cancelled=row["cancelled_at"] is not None,
        next_start=from_iso(row["next_start_utc"]) if row["next_start_utc"] else None,
        revision=row["revision"],
    )


def turn_times_text(series: Series) -> str | None:
    """The `alternate_time` column: "15:00", or "15:00,02:00" for three times in turn."""
    times = series.alternate_local_times
    return ",".join(t.isoformat("minutes") for t in times) if times else None


def turn_times_from(text: str | None) -> tuple[time, ...]:
    return tuple(time.fromisoformat(t) for t in text.split(",")) if text else ()


def parse_leads(text: str | None) -> tuple[int, ...] | None:
    if not text:
        return None
    return tuple(int(v) for v in text.split(","))


async def next_number(conn: aiosqlite.Connection, room_id: str, kind: str) -> int:
    """Per-room short numbers (m1, m2 …; #1, #2 …), never reused."""
    await conn.execute(
        "INSERT INTO counters (room_id, kind, value) VALUES (?, ?, 1) "
        "ON CONFLICT(room_id, kind) DO UPDATE SET value = value + 1",
        (room_id, kind),
    )
    async with conn.execute(
        "SELECT value FROM counters WHERE room_id = ? AND kind = ?", (room_id, kind)
    ) as cur:
        row = await cur.fetchone()
    assert row is not None
    return int(row[0])


async def insert_meeting(conn: aiosqlite.Connection, *, room_id: str, title: str,
                         series: Series, created_by: str, now: datetime,
                         link: str | None = None) -> int:
    number = await next_number(conn, room_id, "meeting")
    alternate = turn_times_text(series)
    await conn.execute(
        "INSERT INTO meetings (room_id, number, title, start_local, zone, rule, duration_min, "
        "alternate_time, link, created_by, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (room_id, number, title, series.start_local.isoformat(timespec="minutes"), series.zone,
         series.rule, int(series.duration.total_seconds() // 60), alternate, link, created_by,
         iso(now), iso(now)),
    )
    return number


async def get_meeting(db: Database, room_id: str, number: int) -> Meeting | None:
    row = await db.fetchone(
        f"SELECT {_COLUMNS} FROM meetings WHERE room_id = ? AND number = ? "
        "AND cancelled_at IS NULL",
        (room_id, number),
    )
    return _meeting(row) if row else None


async def get_meeting_by_id(db: Database, meeting_id: int) -> Meeting | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM meetings WHERE id = ?", (meeting_id,))
    return _meeting(row) if row else None


async def room_meetings(db: Database, room_id: str) -> list[Meeting]:
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM meetings WHERE room_id = ? AND cancelled_at IS NULL "
        "ORDER BY number",
        (room_id,),
    )
    return [_meeting(r) for r in rows]


async def room_meetings_before(db: Database, room_id: str, end_utc: datetime,
                               now: datetime) -> list[Meeting]:
    """A room's series that may start before `end_utc`: unknown or stale next starts first,
    then by next start, so a listing can stop early."""
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM meetings WHERE room_id = ? AND cancelled_at IS NULL "
        "AND (next_start_utc IS NULL OR next_start_utc < ?) "
        "ORDER BY (next_start_utc IS NULL OR next_start_utc <= ?) DESC, next_start_utc, number",
        (room_id, iso(end_utc), iso(now)),
    )
    return [_meeting(r) for r in rows]


async def meetings_starting_before(db: Database, limit_utc: datetime) -> list[Meeting]:
    """Series whose next start (as last computed) is before `limit_utc`, or never computed."""
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM meetings WHERE cancelled_at IS NULL "
        "AND (next_start_utc IS NULL OR next_start_utc <= ?)",
        (iso(limit_utc),),
    )
    return [_meeting(r) for r in rows]


async def set_next_start(conn: aiosqlite.Connection, meeting_id: int,
                         next_start: datetime | None) -> None:
    # A finished series gets a far-future marker so it is never expanded again.
    value = iso(next_start) if next_start else "9999-12-31T00:00:00+00:00"
    await conn.execute("UPDATE meetings SET next_start_utc = ? WHERE id = ?", (value, meeting_id))


async def set_next_starts(conn: aiosqlite.Connection,
                          starts: list[tuple[int, datetime | None]]) -> None:
    await conn.executemany(
        "UPDATE meetings SET next_start_utc = ? WHERE id = ?",
        [(iso(s) if s else "9999-12-31T00:00:00+00:00", mid) for mid, s in starts])


async def overrides_for_many(db: Database, meeting_ids: list[int]
                             ) -> dict[int, dict[datetime, Override]]:
    result: dict[int, dict[datetime, Override]] = {}
    for start in range(0, len(meeting_ids), 500):
        chunk = meeting_ids[start:start + 500]
        rows = await db.fetchall(
            "SELECT meeting_id, original_local, skipped, new_start_utc FROM meeting_overrides "
            f"WHERE meeting_id IN ({','.join('?' * len(chunk))})", chunk)
        for row in rows:
            original = datetime.fromisoformat(row["original_local"])
            result.setdefault(row["meeting_id"], {})[original] = Override(
                original, bool(row["skipped"]),
                from_iso(row["new_start_utc"]) if row["new_start_utc"] else None)
    return result


async def all_room_leads(db: Database) -> dict[str, tuple[int, ...]]:
    rows = await db.fetchall(
        "SELECT room_id, reminder_leads FROM rooms WHERE reminder_leads IS NOT NULL")
    return {r["room_id"]: parse_leads(r["reminder_leads"]) or DEFAULT_LEADS for r in rows}


async def recent_reminder_keys(db: Database, now: datetime,
                               meeting_id: int | None = None) -> set[str]:
    """Keys of reminders sent lately: a reminder due in the planning window was sent
    less than MAX_LEAD ago, if at all."""
    since = iso(now - timedelta(days=8))
    if meeting_id is None:
        rows = await db.fetchall("SELECT key FROM reminders_sent WHERE sent_at >= ?", (since,))
    else:
        rows = await db.fetchall(
            "SELECT key FROM reminders_sent WHERE meeting_id = ? AND sent_at >= ?",
            (meeting_id, since))
    return {r["key"] for r in rows}


async def overrides_for(db: Database, meeting_id: int) -> dict[datetime, Override]:
    rows = await db.fetchall(
        "SELECT original_local, skipped, new_start_utc FROM meeting_overrides "
        "WHERE meeting_id = ?",
        (meeting_id,),
    )
    result: dict[datetime, Override] = {}
    for row in rows:
        original = datetime.fromisoformat(row["original_local"])
        result[original] = Override(
            original, bool(row["skipped"]),
            from_iso(row["new_start_utc"]) if row["new_start_utc"] else None,
        )
    return result


async def put_override(conn: aiosqlite.Connection, meeting_id: int, original_local: datetime,
                       *, skipped: bool = False, new_start: datetime | None = None) -> None:
    await conn.execute(
        "INSERT INTO meeting_overrides (meeting_id, original_local, skipped, new_start_utc) "
        "VALUES (?, ?, ?, ?) ON CONFLICT(meeting_id, original_local) DO UPDATE SET "
        "skipped = excluded.skipped, new_start_utc = excluded.new_start_utc",
        (meeting_id, original_local.isoformat(timespec="minutes"), int(skipped),
         iso(new_start) if new_start else None),
    )


async def touch(conn: aiosqlite.Connection, meeting_id: int, now: datetime, **changes: object
                ) -> None:
    """Update columns and `updated_at`, count the change (the .ics SEQUENCE), and force the
    next start to be recomputed."""
    sets = ", ".join(f"{column} = ?" for column in changes)
    values = [*changes.values(), iso(now), meeting_id]
    prefix = f"{sets}, " if sets else ""
    await conn.execute(
        f"UPDATE meetings SET {prefix}updated_at = ?, revision = revision + 1, "
        "next_start_utc = NULL WHERE id = ?",
        values,
    )


async def add_agenda(conn: aiosqlite.Connection, meeting_id: int, occurrence_local: datetime,
                     text: str, user_id: str, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO agenda_items (meeting_id, occurrence_local, text, added_by, added_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (meeting_id, occurrence_local.isoformat(timespec="minutes"), text, user_id, iso(now)),
    )


async def agenda(db: Database, meeting_id: int, occurrence_local: datetime
                 ) -> list[tuple[str, str]]:
    rows = await db.fetchall(
        "SELECT text, added_by FROM agenda_items WHERE meeting_id = ? AND occurrence_local = ? "
        "ORDER BY id",
        (meeting_id, occurrence_local.isoformat(timespec="minutes")),
    )
    return [(r["text"], r["added_by"]) for r in rows]


async def room_leads(db: Database, room_id: str) -> tuple[int, ...]:
    row = await db.fetchone("SELECT reminder_leads FROM rooms WHERE room_id = ?", (room_id,))
    return parse_leads(row["reminder_leads"] if row else None) or DEFAULT_LEADS


async def notify_list(db: Database, room_id: str) -> list[str]:
    rows = await db.fetchall("SELECT user_id FROM meeting_notify WHERE room_id = ?", (room_id,))
    return [r["user_id"] for r in rows]


async def agenda_counts(db: Database, meeting_id: int) -> dict[datetime, int]:
    """How many agenda items each occurrence has, by its original wall time."""
    rows = await db.fetchall(
        "SELECT occurrence_local, COUNT(*) AS n FROM agenda_items WHERE meeting_id = ? "
        "GROUP BY occurrence_local", (meeting_id,))
    return {datetime.fromisoformat(r["occurrence_local"]): r["n"] for r in rows}


async def remap_occurrences(conn: aiosqlite.Connection, meeting_id: int,
                            moves: dict[datetime, datetime | None]) -> None:
    """After a series changed: overrides and agenda items follow their occurrence to its new
    original wall time; those whose occurrence is gone (None) are deleted. Keys may swap
    places (A→B while B→C), so rows are moved out of the way first."""
    if not moves:
        return
    keys = [old.isoformat(timespec="minutes") for old in moves]
    marks = ",".join("?" * len(keys))
    rows = await (await conn.execute(
        "SELECT original_local, skipped, new_start_utc FROM meeting_overrides "
        f"WHERE meeting_id = ? AND original_local IN ({marks})", (meeting_id, *keys)
    )).fetchall()
    await conn.execute(f"DELETE FROM meeting_overrides WHERE meeting_id = ? AND original_local "
                       f"IN ({marks})", (meeting_id, *keys))
    for row in rows:
        new = moves[datetime.fromisoformat(row["original_local"])]
        if new is not None:
            await conn.execute(
                "INSERT OR REPLACE INTO meeting_overrides (meeting_id, original_local, skipped, "
                "new_start_utc) VALUES (?, ?, ?, ?)",
                (meeting_id, new.isoformat(timespec="minutes"), row["skipped"],
                 row["new_start_utc"]))
    for old, new in moves.items():
        key = old.isoformat(timespec="minutes")
        if new is None:
            await conn.execute("DELETE FROM agenda_items WHERE meeting_id = ? "
                               "AND occurrence_local = ?", (meeting_id, key))
        else:
            await conn.execute("UPDATE agenda_items SET occurrence_local = ? WHERE "
                               "meeting_id = ? AND occurrence_local = ?",
                               ("moving:" + new.isoformat(timespec="minutes"), meeting_id, key))
    await conn.execute("UPDATE agenda_items SET occurrence_local = substr(occurrence_local, 8) "
                       "WHERE meeting_id = ? AND occurrence_local LIKE 'moving:%'", (meeting_id,))
