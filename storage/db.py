"""One connection factory, one transaction helper, migrations applied at open."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import aiosqlite

from storage.migrations import MIGRATIONS, Migration

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
    "PRAGMA synchronous=NORMAL",
)


class DatabaseTooNew(RuntimeError):
    """The file was written by a newer Minga; opening it could corrupt data we do not know."""


class Database:
    """An aiosqlite connection whose writes are serialised through `transaction()`.

    Commands and scheduled jobs share one connection; the lock keeps one
    logical unit of work (e.g. "record the action, mark the event handled,
    queue the reply") in one SQLite transaction.
    """

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self._lock = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.rollback()
                raise
            else:
                await self.conn.commit()

    @contextlib.asynccontextmanager
    async def savepoint(self, name: str = "unit") -> AsyncIterator[aiosqlite.Connection]:
        """A nested unit inside the caller's transaction: undone alone if it fails."""
        await self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield self.conn
        except BaseException:
            await self.conn.execute(f"ROLLBACK TO {name}")
            await self.conn.execute(f"RELEASE {name}")
            raise
        else:
            await self.conn.execute(f"RELEASE {name}")

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        async with self.conn.execute(sql, tuple(params)) as cur:
            return await cur.fetchone()

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self.conn.execute(sql, tuple(params)) as cur:
            return list(await cur.fetchall())

    async def schema_version(self) -> int:
        row = await self.fetchone("SELECT MAX(version) FROM schema_version")
        return int(row[0] or 0) if row else 0

    async def close(self) -> None:
        await self.conn.close()


async def connect(path: str | os.PathLike[str]) -> aiosqlite.Connection:
    """Every connection gets the same pragmas; WAL and busy_timeout are per connection."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not Path(path).exists():
            Path(path).touch(mode=0o600)
        # A file made by an older version, a copy or a restore may be readable by others;
        # SQLite gives the -wal and -shm files the database's own mode.
        for part in (Path(path), Path(f"{path}-wal"), Path(f"{path}-shm")):
            if part.exists() and part.stat().st_mode & 0o077:
                part.chmod(0o600)
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    conn.row_factory = aiosqlite.Row
    for pragma in PRAGMAS:
        await conn.execute(pragma)
    return conn


async def open_readonly(path: str | os.PathLike[str]) -> Database:
    """Read without writing anything, beside a running bot (WAL readers never block it)."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    conn = await aiosqlite.connect(uri, uri=True, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    await conn.execute("PRAGMA busy_timeout=5000")
    await conn.execute("PRAGMA query_only=ON")
    return Database(conn)


async def migrate(db: Database, migrations: tuple[Migration, ...] = MIGRATIONS) -> int:
    """Apply pending migrations, each in its own transaction; refuse a newer database."""
    await db.conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT)"
    )
    current = await db.schema_version()
    latest = migrations[-1].version if migrations else 0
    if current > latest:
        raise DatabaseTooNew(
            f"database schema version {current} is newer than this Minga knows ({latest}); "
            "upgrade Minga or restore a backup"
        )
    for migration in migrations:
        if migration.version <= current:
            continue
        async with db.transaction() as conn:
            for statement in migration.statements:
                await conn.execute(statement)
            await conn.execute(
                "INSERT INTO schema_version (version, applied_at) VALUES (?, datetime('now'))",
                (migration.version,),
            )
    return await db.schema_version()


async def open_database(
    path: str | os.PathLike[str], migrations: tuple[Migration, ...] = MIGRATIONS
) -> Database:
    db = Database(await connect(path))
    try:
        await migrate(db, migrations)
    except BaseException:
        await db.close()
        raise
    return db
