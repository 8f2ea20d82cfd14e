"""The migration registry, and old databases (written before it) opening exactly as before."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import aiosqlite
import pytest

from storage import Database, open_database
from storage.migrations import MIGRATIONS, Migration, Registry

DATA = Path(__file__).parent / "data"
# Versions 1–12 were released before the registry: their numbers are stored in every
# deployed database and must never change.
RELEASED = 12


def restore(dump: str, path: Path) -> Path:
    """An old database file, from its SQL dump."""
    with contextlib.closing(sqlite3.connect(path)) as con:
        con.executescript((DATA / dump).read_text(encoding="utf-8"))
    return path


def schema(path: Path) -> set[tuple[str, str, str, str | None]]:
    with contextlib.closing(sqlite3.connect(path)) as con:
        return set(con.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))


async def versions(db: Database) -> list[tuple[int, str]]:
    rows = await db.fetchall("SELECT version, applied_at FROM schema_version ORDER BY 1")
    return [(r[0], r[1]) for r in rows]


# ---- the registry ----------------------------------------------------------------------------


def test_released_versions_keep_their_numbers_and_sql() -> None:
    assert [m.version for m in MIGRATIONS[:RELEASED]] == list(range(1, RELEASED + 1))
    assert all(m.statements and m.function is None for m in MIGRATIONS[:RELEASED])


def test_version_declared_twice_is_refused() -> None:
    registry = Registry()
    registry.sql(1, "a", ("CREATE TABLE a (x)",))
    with pytest.raises(ValueError, match="migration 1 is declared twice: 'a' and 'b'"):
        registry.sql(1, "b", ("CREATE TABLE b (x)",))


def test_gap_in_versions_is_refused() -> None:
    registry = Registry()
    registry.sql(1, "a", ("CREATE TABLE a (x)",))
    registry.sql(3, "c", ("CREATE TABLE c (x)",))
    with pytest.raises(ValueError, match=r"migrations \[2\] are missing"):
        registry.ordered()


def test_migration_is_sql_or_a_function() -> None:
    async def upgrade(conn: aiosqlite.Connection) -> None:
        return None

    with pytest.raises(ValueError, match="SQL statements or a function"):
        Migration(1, "neither")
    with pytest.raises(ValueError, match="SQL statements or a function"):
        Migration(1, "both", ("CREATE TABLE a (x)",), upgrade)
    with pytest.raises(ValueError, match="start at 1"):
        Registry().sql(0, "zero", ("CREATE TABLE a (x)",))


async def test_function_migration_runs_in_order_in_its_transaction(tmp_path: Path) -> None:
    registry = Registry()
    registry.sql(2, "names", ("ALTER TABLE things ADD COLUMN upper TEXT",))
    registry.sql(1, "things", ("CREATE TABLE things (name TEXT)",
                               "INSERT INTO things (name) VALUES ('ada'), ('grace')"))

    @registry.register(3, "fill a column from Python")
    async def fill(conn: aiosqlite.Connection) -> None:
        async with conn.execute("SELECT rowid, name FROM things") as cur:
            rows = list(await cur.fetchall())
        for rowid, name in rows:
            await conn.execute("UPDATE things SET upper = ? WHERE rowid = ?",
                               (name.upper(), rowid))

    @registry.register(4, "a function that fails half-way")
    async def broken(conn: aiosqlite.Connection) -> None:
        await conn.execute("UPDATE things SET upper = 'lost'")
        raise RuntimeError("half-way")

    path = tmp_path / "f.db"
    with pytest.raises(RuntimeError, match="half-way"):
        await open_database(path, registry.ordered())
    db = await open_database(path, registry.ordered()[:3])
    try:
        assert [v for v, _at in await versions(db)] == [1, 2, 3]
        rows = await db.fetchall("SELECT name, upper FROM things ORDER BY rowid")
        assert [tuple(r) for r in rows] == [("ada", "ADA"), ("grace", "GRACE")]
    finally:
        await db.close()


# ---- old databases ---------------------------------------------------------------------------


async def test_fresh_database_has_the_released_schema(tmp_path: Path) -> None:
    db = await open_database(tmp_path / "fresh.db", MIGRATIONS[:RELEASED])
    await db.close()
    released = restore("minga_v12_schema.sql", tmp_path / "released.db")
    assert schema(tmp_path / "fresh.db") == schema(released)


@pytest.mark.parametrize("dump", ["minga_v1.sql", "minga_v6.sql"])
async def test_old_database_upgrades_as_before(tmp_path: Path, dump: str) -> None:
    old_version = int(dump.removeprefix("minga_v").removesuffix(".sql"))
    path = restore(dump, tmp_path / "old.db")
    db = await open_database(path, MIGRATIONS[:RELEASED])
    try:
        found = await versions(db)
        assert [v for v, _at in found] == list(range(1, RELEASED + 1))
        # Versions it had keep their record; the new ones were applied now.
        assert all(at == "2025-03-01 09:00:00" for v, at in found if v <= old_version)
        assert all(at != "2025-03-01 09:00:00" for v, at in found if v > old_version)
        token = await db.fetchone("SELECT value FROM bot_state WHERE key = 'sync_token'")
        assert token is not None and token[0] == "s72594_4483_1934"
        member = await db.fetchone("SELECT zone, hours, lang FROM members")
        assert member is not None
        assert tuple(member) == ("Asia/Kathmandu", "09:00-17:00 0,1,2,3,4", None)
        room = await db.fetchone("SELECT default_zone, reminder_leads, lang FROM rooms")
        assert room is not None and tuple(room) == ("Africa/Nairobi", None, None)
        outbox = await db.fetchall("SELECT txn_id, sent_at IS NULL, priority FROM outbox "
                                   "ORDER BY id")
        assert [tuple(r) for r in outbox] == [("minga-aaa", 0, 1), ("minga-bbb", 1, 1)]
        if old_version >= 6:
            meeting = await db.fetchone("SELECT title, next_start_utc FROM meetings")
            assert meeting is not None and tuple(meeting) == ("Network call", None)
            logical = await db.fetchone("SELECT logical_key FROM outbox WHERE id = 1")
            assert logical is not None and logical[0] == "reply:$ev1:0"
        check = await db.fetchone("PRAGMA integrity_check")
        assert check is not None and check[0] == "ok"
        fk = await db.fetchall("PRAGMA foreign_key_check")
        assert fk == []
    finally:
        await db.close()
    released = restore("minga_v12_schema.sql", tmp_path / "released.db")
    assert schema(path) == schema(released)


@pytest.mark.parametrize("dump", ["minga_v1.sql", "minga_v6.sql", "minga_v12_schema.sql"])
async def test_old_database_opens_with_this_release(tmp_path: Path, dump: str) -> None:
    """Whatever was added since, an old file opens at the newest version."""
    db = await open_database(restore(dump, tmp_path / "old.db"))
    try:
        assert await db.schema_version() == MIGRATIONS[-1].version
        assert [v for v, _at in await versions(db)] == [m.version for m in MIGRATIONS]
    finally:
        await db.close()
