"""Rotas: order and fairness counters, recorded history, skips, swaps and nudges sent.

Only what must persist is stored: the counters as of `recorded_until` and who actually held
each role in occurrences that happened. Upcoming assignments are always recomputed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from domain.rotation import Pin, Rota
from storage.db import Database
from storage.meetings import from_iso, iso


@dataclass(frozen=True)
class RotaRow:
    id: int
    room_id: str
    meeting_id: int
    rota: Rota
    recorded_until: datetime
    created_by: str


@dataclass(frozen=True)
class Swap:
    id: int
    rota_id: int
    room_id: str
    occurrence_local: datetime
    start_utc: datetime
    asked_by: str
    confirmer: str
    done: bool


def _local(dt: datetime) -> str:
    return dt.isoformat(timespec="minutes")


async def _load(db: Database, row: aiosqlite.Row) -> RotaRow:
    members = await db.fetchall(
        "SELECT user_id FROM rota_members WHERE rota_id = ? ORDER BY position", (row["id"],))
    turns: dict[str, dict[str, int]] = defaultdict(dict)
    last: dict[str, dict[str, int]] = defaultdict(dict)
    for t in await db.fetchall(
            "SELECT role, user_id, turns, last_seq FROM rota_turns WHERE rota_id = ?",
            (row["id"],)):
        turns[t["role"]][t["user_id"]] = t["turns"]
        last[t["role"]][t["user_id"]] = t["last_seq"]
    rota = Rota(tuple(m["user_id"] for m in members), tuple(row["roles"].split(",")), turns,
                last, row["seq"])
    return RotaRow(row["id"], row["room_id"], row["meeting_id"], rota,
                   from_iso(row["recorded_until"]), row["created_by"])


_COLUMNS = "id, room_id, meeting_id, roles, seq, recorded_until, created_by"


async def get_rota(db: Database, meeting_id: int) -> RotaRow | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM rotas WHERE meeting_id = ?", (meeting_id,))
    return await _load(db, row) if row else None


async def get_rota_by_id(db: Database, rota_id: int) -> RotaRow | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM rotas WHERE id = ?", (rota_id,))
    return await _load(db, row) if row else None


async def room_rotas(db: Database, room_id: str) -> list[RotaRow]:
    rows = await db.fetchall(f"SELECT {_COLUMNS} FROM rotas WHERE room_id = ? ORDER BY id",
                             (room_id,))
    return [await _load(db, r) for r in rows]


async def rota_meetings_starting_before(db: Database, limit_utc: datetime) -> list[int]:
    """Meeting ids with a rota whose next start after what is recorded (as last computed)
    is before `limit_utc` (something to record or nudge soon), or unknown."""
    rows = await db.fetchall(
        "SELECT r.meeting_id FROM rotas r JOIN meetings m ON m.id = r.meeting_id "
        "WHERE m.cancelled_at IS NULL AND (r.next_start_utc IS NULL OR r.next_start_utc <= ?)",
        (iso(limit_utc),))
    return [r["meeting_id"] for r in rows]


async def room_meeting_ids(db: Database, room_id: str) -> list[int]:
    """Every meeting of a room, cancelled ones too (they may have happened before)."""
    rows = await db.fetchall("SELECT id FROM meetings WHERE room_id = ? ORDER BY number",
                             (room_id,))
    return [r["id"] for r in rows]


async def create_rota(conn: aiosqlite.Connection, *, room_id: str, meeting_id: int,
                      roles: tuple[str, ...], created_by: str, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO rotas (room_id, meeting_id, roles, recorded_until, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (room_id, meeting_id, ",".join(roles), iso(now), created_by, iso(now)))


async def save_rota(conn: aiosqlite.Connection, rota_id: int, rota: Rota) -> None:
    """Replace the order, roles and counters with `rota`'s."""
    await conn.execute("UPDATE rotas SET roles = ?, seq = ? WHERE id = ?",
                       (",".join(rota.roles), rota.seq, rota_id))
    await conn.execute("DELETE FROM rota_members WHERE rota_id = ?", (rota_id,))
    await conn.execute("DELETE FROM rota_turns WHERE rota_id = ?", (rota_id,))
    await conn.executemany(
        "INSERT INTO rota_members (rota_id, user_id, position) VALUES (?, ?, ?)",
        [(rota_id, member, index) for index, member in enumerate(rota.order)])
    await conn.executemany(
        "INSERT INTO rota_turns (rota_id, role, user_id, turns, last_seq) VALUES (?, ?, ?, ?, ?)",
        [(rota_id, role, member, count, rota.last[role][member])
         for role, counts in rota.turns.items() for member, count in counts.items()])


async def record(conn: aiosqlite.Connection, rota_id: int, occurrence_local: datetime,
                 start_utc: datetime, holders: dict[str, str | None]) -> None:
    """Who held each role in an occurrence that happened; a second record is ignored."""
    await conn.executemany(
        "INSERT OR IGNORE INTO rota_history (rota_id, occurrence_local, start_utc, role, "
        "user_id) VALUES (?, ?, ?, ?, ?)",
        [(rota_id, _local(occurrence_local), iso(start_utc), role, member)
         for role, member in holders.items()])


async def set_recorded_until(conn: aiosqlite.Connection, rota_id: int, when: datetime,
                             next_start: datetime | None) -> None:
    # A finished series gets a far-future marker so the planner never picks it again.
    upcoming = iso(next_start) if next_start else "9999-12-31T00:00:00+00:00"
    await conn.execute("UPDATE rotas SET recorded_until = ?, next_start_utc = ? WHERE id = ?",
                       (iso(when), upcoming, rota_id))


async def history_at(db: Database, rota_id: int, occurrence_local: datetime
                     ) -> dict[str, str | None] | None:
    rows = await db.fetchall(
        "SELECT role, user_id FROM rota_history WHERE rota_id = ? AND occurrence_local = ?",
        (rota_id, _local(occurrence_local)))
    return {r["role"]: r["user_id"] for r in rows} if rows else None


async def turns_held(db: Database, room_id: str, since: datetime | None, until: datetime,
                     rota_id: int | None = None) -> dict[str, dict[str, int]]:
    """member → role → turns actually held (recorded history) in a room or one rota."""
    sql = ("SELECT h.user_id, h.role, COUNT(*) AS n FROM rota_history h "
           "JOIN rotas r ON r.id = h.rota_id WHERE r.room_id = ? AND h.user_id IS NOT NULL "
           "AND h.start_utc <= ?")
    params: list[object] = [room_id, iso(until)]
    if since is not None:
        sql += " AND h.start_utc >= ?"
        params.append(iso(since))
    if rota_id is not None:
        sql += " AND h.rota_id = ?"
        params.append(rota_id)
    held: dict[str, dict[str, int]] = defaultdict(dict)
    for row in await db.fetchall(sql + " GROUP BY h.user_id, h.role", params):
        held[row["user_id"]][row["role"]] = row["n"]
    return dict(held)


async def skips_for(db: Database, rota_id: int) -> dict[datetime, set[str]]:
    found: dict[datetime, set[str]] = defaultdict(set)
    for row in await db.fetchall(
            "SELECT occurrence_local, user_id FROM rota_skips WHERE rota_id = ?", (rota_id,)):
        found[datetime.fromisoformat(row["occurrence_local"])].add(row["user_id"])
    return dict(found)


async def add_skip(conn: aiosqlite.Connection, rota_id: int, occurrence_local: datetime,
                   user_id: str, added_by: str, now: datetime) -> None:
    await conn.execute(
        "INSERT OR IGNORE INTO rota_skips (rota_id, occurrence_local, user_id, added_by, "
        "added_at) VALUES (?, ?, ?, ?, ?)",
        (rota_id, _local(occurrence_local), user_id, added_by, iso(now)))


async def pins_for(db: Database, rota_id: int) -> dict[datetime, dict[str, Pin]]:
    found: dict[datetime, dict[str, Pin]] = defaultdict(dict)
    for row in await db.fetchall(
            "SELECT occurrence_local, role, user_id, instead_of FROM rota_pins "
            "WHERE rota_id = ?", (rota_id,)):
        found[datetime.fromisoformat(row["occurrence_local"])][row["role"]] = Pin(
            row["user_id"], row["instead_of"])
    return dict(found)


async def put_pin(conn: aiosqlite.Connection, rota_id: int, occurrence_local: datetime,
                  role: str, pin: Pin) -> None:
    await conn.execute(
        "INSERT INTO rota_pins (rota_id, occurrence_local, role, user_id, instead_of) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (rota_id, occurrence_local, role) DO UPDATE SET "
        "user_id = excluded.user_id, instead_of = excluded.instead_of",
        (rota_id, _local(occurrence_local), role, pin.member, pin.instead_of))


def _swap(row: aiosqlite.Row) -> Swap:
    return Swap(row["id"], row["rota_id"], row["room_id"],
                datetime.fromisoformat(row["occurrence_local"]), from_iso(row["start_utc"]),
                row["asked_by"], row["confirmer"], row["done_at"] is not None)


async def add_swap(conn: aiosqlite.Connection, *, rota_id: int, room_id: str,
                   occurrence_local: datetime, start_utc: datetime, asked_by: str,
                   confirmer: str, now: datetime) -> int:
    cur = await conn.execute(
        "INSERT INTO rota_swaps (rota_id, room_id, occurrence_local, start_utc, asked_by, "
        "confirmer, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (rota_id, room_id, _local(occurrence_local), iso(start_utc), asked_by, confirmer,
         iso(now)))
    assert cur.lastrowid is not None
    return cur.lastrowid


async def get_swap(db: Database, swap_id: int) -> Swap | None:
    row = await db.fetchone("SELECT * FROM rota_swaps WHERE id = ?", (swap_id,))
    return _swap(row) if row else None


async def pending_swaps(db: Database, room_id: str, confirmer: str, now: datetime
                        ) -> list[Swap]:
    """Swaps waiting for `confirmer` whose occurrence is still ahead, newest first."""
    rows = await db.fetchall(
        "SELECT * FROM rota_swaps WHERE room_id = ? AND confirmer = ? AND done_at IS NULL "
        "AND start_utc > ? ORDER BY id DESC", (room_id, confirmer, iso(now)))
    return [_swap(r) for r in rows]


async def close_swap(conn: aiosqlite.Connection, swap_id: int, now: datetime) -> None:
    await conn.execute("UPDATE rota_swaps SET done_at = ? WHERE id = ?", (iso(now), swap_id))


async def nudge_sent_for(db: Database, rota_id: int, occurrence_local: datetime,
                         start_utc: datetime) -> bool:
    row = await db.fetchone(
        "SELECT 1 FROM rota_nudges_sent WHERE rota_id = ? AND occurrence_local = ? "
        "AND start_utc = ?", (rota_id, _local(occurrence_local), iso(start_utc)))
    return row is not None


async def mark_nudged(conn: aiosqlite.Connection, key: str, rota_id: int,
                      occurrence_local: datetime, start_utc: datetime, now: datetime) -> bool:
    """Record a nudge as sent; False if it already was (so it is never sent twice)."""
    cur = await conn.execute(
        "INSERT OR IGNORE INTO rota_nudges_sent (key, rota_id, occurrence_local, start_utc, "
        "sent_at) VALUES (?, ?, ?, ?, ?)",
        (key, rota_id, _local(occurrence_local), iso(start_utc), iso(now)))
    return cur.rowcount > 0


async def swaps_waiting(db: Database, rota_id: int, now: datetime) -> list[Swap]:
    """A rota's swap requests not yet confirmed whose occurrence is still ahead."""
    rows = await db.fetchall(
        "SELECT * FROM rota_swaps WHERE rota_id = ? AND done_at IS NULL AND start_utc > ? "
        "ORDER BY id", (rota_id, iso(now)))
    return [_swap(r) for r in rows]


async def remap_rota(conn: aiosqlite.Connection, rota_id: int,
                     moves: dict[datetime, tuple[datetime, datetime] | None],
                     now: datetime) -> None:
    """After the series changed: skips, agreed swaps (pins) and waiting swap requests follow
    their occurrence to (its new original wall time, its new start); those whose occurrence
    is gone (None) are deleted, and a waiting request is closed. Keys may swap places
    (A→B while B→C), so rows are moved out of the way first."""
    if not moves:
        return
    keys = [_local(old) for old in moves]
    marks = ",".join("?" * len(keys))
    for table, open_only in (("rota_skips", ""), ("rota_pins", ""),
                             ("rota_swaps", " AND done_at IS NULL")):
        await conn.execute(f"UPDATE {table} SET occurrence_local = 'moving:' || occurrence_local "
                           f"WHERE rota_id = ? AND occurrence_local IN ({marks}){open_only}",
                           (rota_id, *keys))
    for old, target in moves.items():
        moving = "moving:" + _local(old)
        if target is None:
            for table in ("rota_skips", "rota_pins"):
                await conn.execute(f"DELETE FROM {table} WHERE rota_id = ? AND "
                                   "occurrence_local = ?", (rota_id, moving))
            await conn.execute("UPDATE rota_swaps SET occurrence_local = ?, done_at = ? "
                               "WHERE rota_id = ? AND occurrence_local = ?",
                               (_local(old), iso(now), rota_id, moving))
            continue
        for table in ("rota_skips", "rota_pins"):
            await conn.execute(f"UPDATE OR REPLACE {table} SET occurrence_local = ? "
                               "WHERE rota_id = ? AND occurrence_local = ?",
                               (_local(target[0]), rota_id, moving))
        await conn.execute("UPDATE rota_swaps SET occurrence_local = ?, start_utc = ? "
                           "WHERE rota_id = ? AND occurrence_local = ?",
                           (_local(target[0]), iso(target[1]), rota_id, moving))
