"""Check-ins in SQL: settings per room, members' choices, cycles, prompts and answers.

Answers are members' own words: they live only in this database. Writes take the caller's
connection (a handler's or a job's transaction); reads go through the `Database`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import aiosqlite

from domain.checkin import DEFAULT_QUESTIONS, Schedule
from storage.db import Database, fetchone
from storage.meetings import from_iso, iso


@dataclass(frozen=True)
class CheckinSettings:
    id: int
    room_id: str
    schedule: Schedule | None
    fallback_zone: str
    questions: tuple[str, ...]
    window: timedelta
    schedule_updated_at: datetime


@dataclass(frozen=True)
class Cycle:
    id: int
    settings_id: int
    room_id: str
    key: str
    label: str
    at: time | None  # snapshot of the schedule's time; None: started by hand (!checkin now)
    zone: str | None  # snapshot: the room's zone, None for each member's own
    questions: tuple[str, ...]
    window: timedelta
    created_at: datetime
    closes_at: datetime
    void: bool
    room_prompts: int
    summary_at: datetime | None
    summary_edits: int
    summary_edits_sent: int


@dataclass(frozen=True)
class Prompt:
    cycle_id: int
    user_id: str
    due: datetime
    status: str  # planned | sent | skipped
    reason: str | None
    via: str | None  # room | dm
    prompt_key: str | None
    name: str | None
    sent_at: datetime | None


@dataclass(frozen=True)
class Answer:
    id: int
    cycle_id: int
    user_id: str
    name: str | None
    event_id: str
    text: str
    late: bool


def _schedule(days: str | None, at: str | None, zone: str | None) -> Schedule | None:
    if not days or not at:
        return None
    return Schedule(frozenset(int(d) for d in days.split(",")), time.fromisoformat(at), zone)


def _settings(row: aiosqlite.Row) -> CheckinSettings:
    questions = tuple(json.loads(row["questions"])) if row["questions"] else DEFAULT_QUESTIONS
    return CheckinSettings(row["id"], row["room_id"],
                           _schedule(row["days"], row["at_local"], row["zone"]),
                           row["fallback_zone"], questions,
                           timedelta(minutes=row["window_minutes"]),
                           from_iso(row["schedule_updated_at"]))


def _cycle(row: aiosqlite.Row) -> Cycle:
    return Cycle(row["id"], row["settings_id"], row["room_id"], row["cycle_key"], row["label"],
                 time.fromisoformat(row["at_local"]) if row["at_local"] else None, row["zone"],
                 tuple(json.loads(row["questions"])), timedelta(minutes=row["window_minutes"]),
                 from_iso(row["created_at"]), from_iso(row["closes_at"]), bool(row["void"]),
                 row["room_prompts"],
                 from_iso(row["summary_at"]) if row["summary_at"] else None,
                 row["summary_edits"], row["summary_edits_sent"])


def _prompt(row: aiosqlite.Row) -> Prompt:
    return Prompt(row["cycle_id"], row["user_id"], from_iso(row["due_utc"]), row["status"],
                  row["reason"], row["via"], row["prompt_key"], row["name"],
                  from_iso(row["sent_at"]) if row["sent_at"] else None)


# ---- settings ------------------------------------------------------------------------------
async def get_settings(db: Database, room_id: str) -> CheckinSettings | None:
    row = await db.fetchone("SELECT * FROM checkin_settings WHERE room_id = ?", (room_id,))
    return _settings(row) if row else None


async def get_settings_by_id(db: Database, settings_id: int) -> CheckinSettings | None:
    row = await db.fetchone("SELECT * FROM checkin_settings WHERE id = ?", (settings_id,))
    return _settings(row) if row else None


async def ensure_settings(conn: aiosqlite.Connection, room_id: str, fallback_zone: str,
                          now: datetime) -> CheckinSettings:
    await conn.execute(
        "INSERT OR IGNORE INTO checkin_settings (room_id, fallback_zone, schedule_updated_at, "
        "updated_at) VALUES (?, ?, ?, ?)", (room_id, fallback_zone, iso(now), iso(now)))
    found = await fetchone(conn, "SELECT * FROM checkin_settings WHERE room_id = ?", (room_id,))
    assert found is not None
    return _settings(found)


async def set_schedule(conn: aiosqlite.Connection, settings_id: int, schedule: Schedule | None,
                       fallback_zone: str, by: str, now: datetime) -> None:
    days = schedule.days_text() if schedule else None
    at = f"{schedule.at:%H:%M}" if schedule else None
    await conn.execute(
        "UPDATE checkin_settings SET days = ?, at_local = ?, zone = ?, fallback_zone = ?, "
        "schedule_updated_at = ?, updated_by = ?, updated_at = ? WHERE id = ?",
        (days, at, schedule.zone if schedule else None, fallback_zone, iso(now), by, iso(now),
         settings_id))


async def set_questions(conn: aiosqlite.Connection, settings_id: int,
                        questions: tuple[str, ...] | None, by: str, now: datetime) -> None:
    await conn.execute(
        "UPDATE checkin_settings SET questions = ?, updated_by = ?, updated_at = ? WHERE id = ?",
        (json.dumps(list(questions)) if questions else None, by, iso(now), settings_id))


async def set_window(conn: aiosqlite.Connection, settings_id: int, window: timedelta, by: str,
                     now: datetime) -> None:
    await conn.execute(
        "UPDATE checkin_settings SET window_minutes = ?, updated_by = ?, updated_at = ? "
        "WHERE id = ?", (int(window.total_seconds() // 60), by, iso(now), settings_id))


async def scheduled_settings(db: Database) -> list[CheckinSettings]:
    rows = await db.fetchall("SELECT * FROM checkin_settings WHERE days IS NOT NULL")
    return [_settings(r) for r in rows]


async def known_zones(db: Database) -> set[str]:
    """Every zone a member or room uses: where a local-time prompt can fall."""
    rows = await db.fetchall(
        "SELECT zone FROM members WHERE zone IS NOT NULL UNION "
        "SELECT default_zone FROM rooms WHERE default_zone IS NOT NULL UNION "
        "SELECT fallback_zone FROM checkin_settings")
    return {r[0] for r in rows}


# ---- members' choices ------------------------------------------------------------------------
async def member_choices(db: Database, room_id: str, user_ids: Iterable[str]
                         ) -> dict[str, tuple[bool, bool]]:
    """(muted, prefers DM) per member; members without a row get (False, False)."""
    ids = list(dict.fromkeys(user_ids))
    found = {uid: (False, False) for uid in ids}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for row in await db.fetchall(
                f"SELECT user_id, muted, dm FROM checkin_members WHERE room_id = ? "
                f"AND user_id IN ({marks})", (room_id, *chunk)):
            found[row["user_id"]] = (bool(row["muted"]), bool(row["dm"]))
    return found


async def set_choice(conn: aiosqlite.Connection, room_id: str, user_id: str, now: datetime, *,
                     muted: bool | None = None, dm: bool | None = None) -> None:
    await conn.execute(
        "INSERT INTO checkin_members (room_id, user_id, muted, dm, updated_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(room_id, user_id) DO UPDATE SET "
        "muted = COALESCE(?, muted), dm = COALESCE(?, dm), updated_at = excluded.updated_at",
        (room_id, user_id, int(bool(muted)), int(bool(dm)), iso(now),
         None if muted is None else int(muted), None if dm is None else int(dm)))


# ---- cycles ----------------------------------------------------------------------------------
async def _cycles(db: Database, where: str, params: tuple[object, ...]) -> list[Cycle]:
    rows = await db.fetchall(
        f"SELECT c.* FROM checkin_cycles c WHERE {where}", params)
    return [_cycle(r) for r in rows]


async def get_cycle(db: Database, cycle_id: int) -> Cycle | None:
    found = await _cycles(db, "c.id = ?", (cycle_id,))
    return found[0] if found else None


async def cycle_by_key(db: Database, room_id: str, key: str) -> Cycle | None:
    found = await _cycles(db, "c.room_id = ? AND c.cycle_key = ?", (room_id, key))
    return found[0] if found else None


async def open_cycles(db: Database, room_id: str | None = None) -> list[Cycle]:
    """Cycles whose summary is not posted yet (void ones excluded), oldest first."""
    where = "c.summary_at IS NULL AND c.void = 0"
    if room_id is None:
        return await _cycles(db, where + " ORDER BY c.id", ())
    return await _cycles(db, where + " AND c.room_id = ? ORDER BY c.id", (room_id,))


async def last_summarised(db: Database, room_id: str) -> Cycle | None:
    found = await _cycles(db, "c.room_id = ? AND c.summary_at IS NOT NULL "
                              "ORDER BY c.summary_at DESC, c.id DESC LIMIT 1", (room_id,))
    return found[0] if found else None


async def insert_cycle(conn: aiosqlite.Connection, *, settings_id: int, room_id: str, key: str,
                       label: str, schedule: Schedule | None, questions: tuple[str, ...],
                       window: timedelta, now: datetime, closes_at: datetime,
                       void: bool = False) -> int:
    cur = await conn.execute(
        "INSERT INTO checkin_cycles (settings_id, room_id, cycle_key, label, at_local, zone, "
        "questions, window_minutes, created_at, closes_at, void) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (settings_id, room_id, key, label, f"{schedule.at:%H:%M}" if schedule else None,
         schedule.zone if schedule else None, json.dumps(list(questions)),
         int(window.total_seconds() // 60), iso(now), iso(closes_at), int(void)))
    assert cur.lastrowid is not None
    return cur.lastrowid


async def update_cycle(conn: aiosqlite.Connection, cycle_id: int, **changes: object) -> None:
    allowed = {"closes_at", "room_prompts", "summary_at", "summary_edits_sent"}
    assert set(changes) <= allowed, changes
    values = [iso(v) if isinstance(v, datetime) else v for v in changes.values()]
    sets = ", ".join(f"{name} = ?" for name in changes)
    await conn.execute(f"UPDATE checkin_cycles SET {sets} WHERE id = ?", (*values, cycle_id))


async def want_summary_edit(conn: aiosqlite.Connection, cycle_id: int) -> None:
    """A late answer or an edit: the posted summary needs one more edit."""
    await conn.execute("UPDATE checkin_cycles SET summary_edits = summary_edits + 1 "
                       "WHERE id = ?", (cycle_id,))


async def summaries_to_edit(db: Database) -> list[Cycle]:
    return await _cycles(db, "c.summary_at IS NOT NULL AND c.summary_edits > c.summary_edits_sent",
                         ())


# ---- prompts ---------------------------------------------------------------------------------
async def plan_prompt(conn: aiosqlite.Connection, cycle_id: int, user_id: str, due: datetime
                      ) -> None:
    await conn.execute(
        "INSERT OR IGNORE INTO checkin_prompts (cycle_id, user_id, due_utc) VALUES (?, ?, ?)",
        (cycle_id, user_id, iso(due)))


async def prompts_of(db: Database, cycle_id: int) -> list[Prompt]:
    rows = await db.fetchall("SELECT * FROM checkin_prompts WHERE cycle_id = ? "
                             "ORDER BY due_utc, user_id", (cycle_id,))
    return [_prompt(r) for r in rows]


async def mark_sent(conn: aiosqlite.Connection, cycle_id: int, user_id: str, *, via: str,
                    key: str, name: str, now: datetime) -> bool:
    """Planned → sent; False if it was not planned any more (sent or skipped already)."""
    cur = await conn.execute(
        "UPDATE checkin_prompts SET status = 'sent', via = ?, prompt_key = ?, name = ?, "
        "sent_at = ? WHERE cycle_id = ? AND user_id = ? AND status = 'planned'",
        (via, key, name, iso(now), cycle_id, user_id))
    return cur.rowcount == 1


async def mark_skipped(conn: aiosqlite.Connection, cycle_id: int, user_id: str, reason: str
                       ) -> None:
    await conn.execute(
        "UPDATE checkin_prompts SET status = 'skipped', reason = ? "
        "WHERE cycle_id = ? AND user_id = ? AND status = 'planned'", (reason, cycle_id, user_id))


async def cancel_planned(conn: aiosqlite.Connection, room_id: str, reason: str) -> int:
    cur = await conn.execute(
        "UPDATE checkin_prompts SET status = 'skipped', reason = ? WHERE status = 'planned' "
        "AND cycle_id IN (SELECT id FROM checkin_cycles WHERE room_id = ? "
        "AND summary_at IS NULL)", (reason, room_id))
    return cur.rowcount


async def dm_prompted_cycles(db: Database, user_id: str, since: datetime) -> list[Cycle]:
    """Cycles that prompted this member by direct message since `since`, newest first."""
    return await _cycles(
        db, "c.void = 0 AND c.id IN (SELECT cycle_id FROM checkin_prompts WHERE user_id = ? "
            "AND status = 'sent' AND via = 'dm' AND sent_at >= ?) ORDER BY c.created_at DESC",
        (user_id, iso(since)))


# ---- answers ---------------------------------------------------------------------------------
async def add_answer(conn: aiosqlite.Connection, *, cycle_id: int, user_id: str,
                     name: str | None, event_id: str, text: str, late: bool, now: datetime
                     ) -> bool:
    cur = await conn.execute(
        "INSERT OR IGNORE INTO checkin_answers (cycle_id, user_id, name, event_id, text, late, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (cycle_id, user_id, name, event_id, text, int(late), iso(now), iso(now)))
    return cur.rowcount == 1


async def answer_by_event(db: Database, event_id: str) -> Answer | None:
    row = await db.fetchone("SELECT * FROM checkin_answers WHERE event_id = ?", (event_id,))
    if row is None:
        return None
    return Answer(row["id"], row["cycle_id"], row["user_id"], row["name"], row["event_id"],
                  row["text"], bool(row["late"]))


async def edit_answer(conn: aiosqlite.Connection, answer_id: int, text: str, now: datetime
                      ) -> None:
    await conn.execute("UPDATE checkin_answers SET text = ?, updated_at = ? WHERE id = ?",
                       (text, iso(now), answer_id))


async def answers_of(db: Database, cycle_id: int) -> list[Answer]:
    rows = await db.fetchall("SELECT * FROM checkin_answers WHERE cycle_id = ? ORDER BY id",
                             (cycle_id,))
    return [Answer(r["id"], r["cycle_id"], r["user_id"], r["name"], r["event_id"], r["text"],
                   bool(r["late"])) for r in rows]
