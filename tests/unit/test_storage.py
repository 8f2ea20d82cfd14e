"""SQLite storage: pragmas, migrations, transactions, savepoints, file modes and backups."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.cli import backup_database
from storage import Database, DatabaseTooNew, open_database
from storage.migrations import MIGRATIONS, Migration

V1 = Migration(1, "things", (
    "CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
    "CREATE INDEX things_name ON things (name)",
))
V2 = Migration(2, "colour", (
    "ALTER TABLE things ADD COLUMN colour TEXT NOT NULL DEFAULT 'red'",
    "CREATE TABLE extras (thing_id INTEGER REFERENCES things (id))",
))
V3_BROKEN = Migration(3, "broken", (
    "CREATE TABLE half_done (x INTEGER)",
    "INSERT INTO things (name) VALUES ('from broken migration')",
    "INSERT INTO no_such_table VALUES (1)",
))
FAKE = (V1, V2)


class Boom(Exception):
    pass


async def tables(db: Database) -> set[str]:
    rows = await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {r["name"] for r in rows}


async def versions(db: Database) -> list[int]:
    return [r[0] for r in await db.fetchall("SELECT version FROM schema_version ORDER BY 1")]


async def names(db: Database) -> list[str]:
    return [r["name"] for r in await db.fetchall("SELECT name FROM things ORDER BY id")]


# ---- the real schema -----------------------------------------------------------------------


def test_migrations_are_numbered_in_order() -> None:
    numbers = [m.version for m in MIGRATIONS]
    assert numbers == list(range(1, len(MIGRATIONS) + 1))
    assert all(m.statements and m.description for m in MIGRATIONS)


async def test_fresh_database_gets_every_migration(db: Database) -> None:
    assert await db.schema_version() == MIGRATIONS[-1].version
    assert await versions(db) == [m.version for m in MIGRATIONS]
    found = await tables(db)
    assert {"schema_version", "bot_state", "handled_events", "outbox", "rooms", "members",
            "pending_decryption"} <= found
    for migration in MIGRATIONS:
        for statement in migration.statements:
            words = statement.split()
            if words[:2] == ["CREATE", "TABLE"]:
                assert words[2] in found
    row = await db.fetchone("PRAGMA integrity_check")
    assert row is not None and row[0] == "ok"


async def test_pragmas_are_set(db: Database) -> None:
    async def pragma(name: str) -> object:
        row = await db.fetchone(f"PRAGMA {name}")
        assert row is not None
        return row[0]

    assert await pragma("journal_mode") == "wal"
    assert await pragma("foreign_keys") == 1
    assert await pragma("busy_timeout") == 5000
    assert await pragma("synchronous") == 2  # FULL: the WAL is synced at every commit


async def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    db = await open_database(tmp_path / "fk.db", FAKE)
    try:
        with pytest.raises(sqlite3.IntegrityError):
            await db.conn.execute("INSERT INTO extras (thing_id) VALUES (42)")
    finally:
        await db.close()


async def test_reopening_is_a_no_op(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    first = await open_database(path)
    await first.conn.execute(
        "INSERT INTO members (user_id, zone, updated_at) VALUES ('@a:x', 'UTC', 'now')"
    )
    before = await versions(first)
    await first.close()
    second = await open_database(path)
    try:
        assert await versions(second) == before
        row = await second.fetchone("SELECT zone FROM members WHERE user_id = '@a:x'")
        assert row is not None and row["zone"] == "UTC"
    finally:
        await second.close()


# ---- upgrades with a fake schema ---------------------------------------------------------


async def test_upgrade_keeps_data_and_advances_version(tmp_path: Path) -> None:
    path = tmp_path / "up.db"
    old = await open_database(path, FAKE[:1])
    assert await old.schema_version() == 1
    assert "extras" not in await tables(old)
    async with old.transaction() as conn:
        await conn.execute("INSERT INTO things (name) VALUES ('kept')")
    await old.close()

    new = await open_database(path, FAKE)
    try:
        assert await new.schema_version() == 2
        assert await versions(new) == [1, 2]
        assert "extras" in await tables(new)
        rows = await new.fetchall("SELECT name, colour FROM things")
        assert [(r["name"], r["colour"]) for r in rows] == [("kept", "red")]
    finally:
        await new.close()


async def test_applied_at_is_recorded(tmp_path: Path) -> None:
    db = await open_database(tmp_path / "t.db", FAKE)
    try:
        rows = await db.fetchall("SELECT applied_at FROM schema_version")
        assert len(rows) == 2
        assert all(r["applied_at"] for r in rows)
    finally:
        await db.close()


async def test_database_newer_than_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    db = await open_database(path, FAKE)
    await db.close()
    with pytest.raises(DatabaseTooNew, match="2 is newer than this Minga knows \\(1\\)"):
        await open_database(path, FAKE[:1])
    with pytest.raises(DatabaseTooNew):
        await open_database(path, ())
    # Nothing was touched: the right code still opens it.
    db = await open_database(path, FAKE)
    try:
        assert await versions(db) == [1, 2]
    finally:
        await db.close()


async def test_failing_migration_rolls_back(tmp_path: Path) -> None:
    path = tmp_path / "broken.db"
    db = await open_database(path, FAKE)
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO things (name) VALUES ('before')")
    await db.close()

    with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
        await open_database(path, (*FAKE, V3_BROKEN))

    db = await open_database(path, FAKE)
    try:
        assert await db.schema_version() == 2
        assert 3 not in await versions(db)
        found = await tables(db)
        assert "half_done" not in found
        assert {"things", "extras"} <= found
        assert await names(db) == ["before"]
    finally:
        await db.close()


async def test_failing_first_migration_leaves_nothing(tmp_path: Path) -> None:
    broken = Migration(1, "broken", ("CREATE TABLE a (x)", "THIS IS NOT SQL"))
    path = tmp_path / "b.db"
    with pytest.raises(sqlite3.OperationalError):
        await open_database(path, (broken,))
    db = await open_database(path, ())
    try:
        assert await db.schema_version() == 0
        assert "a" not in await tables(db)
    finally:
        await db.close()


# ---- transactions and savepoints -----------------------------------------------------------


@pytest.fixture
async def fake_db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_database(tmp_path / "fake.db", FAKE)
    try:
        yield database
    finally:
        await database.close()


async def test_transaction_commits(fake_db: Database, tmp_path: Path) -> None:
    async with fake_db.transaction() as conn:
        await conn.execute("INSERT INTO things (name) VALUES ('a')")
        assert fake_db.conn.in_transaction
    assert not fake_db.conn.in_transaction
    # Visible to a second connection: it was really committed.
    with contextlib.closing(sqlite3.connect(tmp_path / "fake.db")) as other:
        assert other.execute("SELECT name FROM things").fetchall() == [("a",)]


async def test_transaction_rolls_back_on_exception(fake_db: Database) -> None:
    with pytest.raises(Boom):
        async with fake_db.transaction() as conn:
            await conn.execute("INSERT INTO things (name) VALUES ('a')")
            await conn.execute("INSERT INTO things (name) VALUES ('b')")
            raise Boom
    assert await names(fake_db) == []
    assert not fake_db.conn.in_transaction
    # The lock was released: the next transaction works.
    async with fake_db.transaction() as conn:
        await conn.execute("INSERT INTO things (name) VALUES ('c')")
    assert await names(fake_db) == ["c"]


async def test_transaction_rolls_back_on_sql_error(fake_db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        async with fake_db.transaction() as conn:
            await conn.execute("INSERT INTO things (name) VALUES ('a')")
            await conn.execute("INSERT INTO things (name) VALUES (NULL)")
    assert await names(fake_db) == []


async def test_savepoint_inside_transaction_undoes_only_its_writes(fake_db: Database) -> None:
    async with fake_db.transaction() as conn:
        await conn.execute("INSERT INTO things (name) VALUES ('outer-before')")
        with pytest.raises(Boom):
            async with fake_db.savepoint("inner"):
                await conn.execute("INSERT INTO things (name) VALUES ('inner')")
                assert "inner" in await names(fake_db)
                raise Boom
        assert fake_db.conn.in_transaction
        async with fake_db.savepoint("kept"):
            await conn.execute("INSERT INTO things (name) VALUES ('kept')")
        await conn.execute("INSERT INTO things (name) VALUES ('outer-after')")
    assert await names(fake_db) == ["outer-before", "kept", "outer-after"]


async def test_nested_savepoints(fake_db: Database) -> None:
    async with fake_db.transaction() as conn, fake_db.savepoint("a"):
        await conn.execute("INSERT INTO things (name) VALUES ('a')")
        with pytest.raises(Boom):
            async with fake_db.savepoint("b"):
                await conn.execute("INSERT INTO things (name) VALUES ('b')")
                raise Boom
    assert await names(fake_db) == ["a"]


async def test_outer_rollback_undoes_released_savepoint(fake_db: Database) -> None:
    with pytest.raises(Boom):
        async with fake_db.transaction() as conn:
            async with fake_db.savepoint():
                await conn.execute("INSERT INTO things (name) VALUES ('x')")
            raise Boom
    assert await names(fake_db) == []


async def test_savepoint_outside_transaction_commits_on_success(fake_db: Database) -> None:
    async with fake_db.savepoint() as conn:
        await conn.execute("INSERT INTO things (name) VALUES ('alone')")
    assert not fake_db.conn.in_transaction
    with pytest.raises(Boom):
        async with fake_db.savepoint() as conn:
            await conn.execute("INSERT INTO things (name) VALUES ('undone')")
            raise Boom
    assert not fake_db.conn.in_transaction
    assert await names(fake_db) == ["alone"]


# ---- files -------------------------------------------------------------------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_database_file_is_private(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        path = tmp_path / "nested" / "dir" / "t.db"
        db = await open_database(path)
        try:
            await db.conn.execute(
                "INSERT INTO bot_state (key, value) VALUES ('k', 'v')"
            )
            assert mode(path) == 0o600
            assert mode(path.parent) == 0o700
            wal = path.with_name(path.name + "-wal")
            assert wal.exists()
            assert mode(wal) == 0o600
        finally:
            await db.close()
    finally:
        os.umask(old_umask)


async def test_backup_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "live.db"
    db = await open_database(source)
    try:
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO members (user_id, zone, updated_at) "
                "VALUES ('@a:x', 'Asia/Kolkata', 'n')"
            )
        # Backed up while the bot still holds its connection (data may sit in the WAL).
        target = tmp_path / "backups" / "copy.db"
        assert backup_database(source, target) == 0
    finally:
        await db.close()
    assert f"backed up {source} to {target}" in capsys.readouterr().out
    assert mode(target) == 0o600
    with contextlib.closing(sqlite3.connect(target)) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT zone FROM members WHERE user_id = '@a:x'").fetchone() == (
            "Asia/Kolkata",
        )
        assert copy.execute("SELECT MAX(version) FROM schema_version").fetchone() == (
            MIGRATIONS[-1].version,
        )
    # The copy opens as a Minga database.
    restored = await open_database(target)
    try:
        assert await restored.schema_version() == MIGRATIONS[-1].version
    finally:
        await restored.close()


def test_backup_without_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "copy.db"
    assert backup_database(tmp_path / "missing.db", target) == 2
    assert "no database at" in capsys.readouterr().err
    assert not target.exists()


async def test_last_successful_sync_is_kept_for_status(db: Database) -> None:
    from storage.state import SYNC_TOKEN, get_value, last_sync, record_last_sync

    assert await last_sync(db) is None
    async with db.transaction() as conn:
        await record_last_sync(conn, "2026-12-03T10:00:00+00:00")
        await record_last_sync(conn, "2026-12-03T10:00:30+00:00")
    assert await last_sync(db) == "2026-12-03T10:00:30+00:00"
    assert await get_value(db, SYNC_TOKEN) is None  # a key of its own


async def test_damaged_file_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    from storage import DatabaseDamaged

    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(DatabaseDamaged, match=r"integrity_check.*minga backup"):
        await open_database(junk, FAKE)
    assert junk.read_bytes() == b"not a database at all" * 100
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.db"]
