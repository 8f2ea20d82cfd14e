"""One connection factory, one transaction helper, migrations applied at open."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

from storage.migrations import MIGRATIONS, Migration

# How far a commit is on disk before COMMIT returns (and so before the member's reply is
# queued). NORMAL in WAL mode survives a process crash but can lose the last commits on an
# OS crash or a power cut, after the member saw "Saved"; FULL syncs the WAL at every commit,
# for about half a millisecond per command here (BENCHMARKS.md, "Durability"). One setting,
# one place: every connection Minga opens gets it (tests/faults/test_power_loss.py).
SYNCHRONOUS = "FULL"

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
)

# SQLite's result code for "database or disk is full" (a full file system, or the database
# at its max_page_count).
SQLITE_FULL = 13


def is_disk_full(exc: BaseException | None) -> bool:
    """Whether `exc`, or an error it was raised from, is SQLite's SQLITE_FULL.

    aiosqlite hands sqlite3's own exceptions through, so one test covers both."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, sqlite3.Error) and (
                getattr(exc, "sqlite_errorcode", None) == SQLITE_FULL
                or "database or disk is full" in str(exc)):
            return True
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return False


class DatabaseTooNew(RuntimeError):
    """The file was written by a newer Minga; opening it could corrupt data we do not know."""


class DatabaseDamaged(RuntimeError):
    """The file fails SQLite's own check, or is no database: Minga leaves it as it is."""


# What an operator does about a damaged file, said the same way everywhere.
RESTORE = ("restore the last `minga backup` copy (copy it over this file, delete {name}-wal and "
           "{name}-shm beside it), then start Minga again")
INTEGRITY_LINES = 5


class TransactionEnded(Exception):
    """SQLite itself rolled the whole transaction back after an error (SQLITE_FULL does so
    when the failing statement has no statement journal): nothing of it was saved, and no
    one inside it may go on writing (each statement would commit on its own). Raised from
    the error that ended it, so `is_disk_full` sees through it."""


@dataclass(eq=False)
class _Open:
    """A transaction some task holds: only that task may nest savepoints in it."""

    db: Database
    owner: asyncio.Task[Any] | None
    savepoints: int = 0
    closed: bool = False
    ended: bool = False  # SQLite rolled it back on its own (see TransactionEnded)


# The transactions open in this context, innermost last. A task started inside a
# transaction inherits a copy of this, which is why `_Open.owner` is checked too.
_OPEN: ContextVar[tuple[_Open, ...]] = ContextVar("minga_open_transactions", default=())


async def fetchone(conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()
                   ) -> aiosqlite.Row | None:
    """A read through a transaction's connection (for functions that also write)."""
    async with conn.execute(sql, tuple(params)) as cur:
        return await cur.fetchone()


async def fetchall(conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()
                   ) -> list[aiosqlite.Row]:
    async with conn.execute(sql, tuple(params)) as cur:
        return list(await cur.fetchall())


class Database:
    """An aiosqlite connection whose writes are grouped by `transaction()`.

    Commands, scheduled jobs and the outbox share one connection; a transaction keeps one
    logical unit of work (e.g. "record the action, mark the event handled, queue the
    reply") in one SQLite transaction. Transactions nest: inside one, `transaction()` is a
    SAVEPOINT of it, undone alone if its block fails. Only the task that opened a
    transaction nests in it; any other task (the outbox worker, a scheduled job, a task
    started from inside the block) waits for it to end, then opens its own.
    """

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self._lock = asyncio.Lock()

    def in_transaction(self) -> bool:
        """Whether the current task holds a transaction of this database."""
        return self._joinable() is not None

    def _joinable(self) -> _Open | None:
        task = asyncio.current_task()
        for opened in reversed(_OPEN.get()):
            if opened.db is self and opened.owner is task and not opened.closed:
                return opened
        return None

    @contextlib.asynccontextmanager
    async def transaction(self, name: str = "unit") -> AsyncIterator[aiosqlite.Connection]:
        """The caller's transaction as a savepoint `name`, or a new transaction.

        A block that raises undoes its own writes only (a savepoint) or everything (the
        outermost); the exception goes on either way.
        """
        if not name.isidentifier():
            raise ValueError(f"savepoint name must be an identifier: {name!r}")
        current = self._joinable()
        if current is not None:
            if current.ended:
                raise TransactionEnded("the transaction was already rolled back by SQLite")
            async with self._savepoint(current, name) as conn:
                yield conn
            return
        async with self._lock:
            opened = _Open(self, asyncio.current_task())
            token = _OPEN.set((*_OPEN.get(), opened))
            try:
                await self.conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self.conn
                except BaseException:
                    if self.conn.in_transaction:  # else SQLite has rolled it back already
                        await self.conn.rollback()
                    raise
                if opened.ended or not self.conn.in_transaction:
                    # Someone swallowed the error that ended it: committing now would claim
                    # a unit of work that was rolled back.
                    raise TransactionEnded("the transaction was rolled back by SQLite")
                try:
                    await self.conn.commit()
                except BaseException:
                    # A failed COMMIT leaves the transaction open: end it, or every later
                    # BEGIN on this connection would fail.
                    if self.conn.in_transaction:
                        await self.conn.rollback()
                    raise
            finally:
                opened.closed = True
                _OPEN.reset(token)

    def savepoint(self, name: str = "unit") -> contextlib.AbstractAsyncContextManager[
            aiosqlite.Connection]:
        """`transaction(name)`, named for where a caller expects to be inside one already."""
        return self.transaction(name)

    @contextlib.asynccontextmanager
    async def _savepoint(self, opened: _Open, name: str) -> AsyncIterator[aiosqlite.Connection]:
        opened.savepoints += 1
        label = f"{name}_{opened.savepoints}"
        try:
            await self.conn.execute(f"SAVEPOINT {label}")
            try:
                yield self.conn
            except BaseException as exc:
                if opened.ended or not self.conn.in_transaction:
                    # After SQLITE_FULL (and a few other errors) SQLite may have rolled back
                    # the whole transaction, savepoints included: ROLLBACK TO would fail with
                    # "no such savepoint" and hide the error that matters.
                    opened.ended = True
                    if isinstance(exc, Exception) and not isinstance(exc, TransactionEnded):
                        raise TransactionEnded(
                            "the transaction was rolled back by SQLite") from exc
                    raise
                await self.conn.execute(f"ROLLBACK TO {label}")
                await self.conn.execute(f"RELEASE {label}")
                raise
            await self.conn.execute(f"RELEASE {label}")
        finally:
            opened.savepoints -= 1

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        return await fetchone(self.conn, sql, params)

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        return await fetchall(self.conn, sql, params)

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
    for pragma in (*PRAGMAS, f"PRAGMA synchronous={SYNCHRONOUS}"):
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
            await migration.apply(conn)
            await conn.execute(
                "INSERT INTO schema_version (version, applied_at) VALUES (?, datetime('now'))",
                (migration.version,),
            )
    return await db.schema_version()


def _header_truncated(path: Path) -> tuple[int, int] | None:
    """(bytes the header promises, bytes there are) when the file is shorter than its header
    says; only meaningful without a -wal file (pages may still be there)."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        header = fh.read(100)
    if len(header) < 100 or not header.startswith(b"SQLite format 3\0"):
        return None
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count is valid only when the change counter matches "version-valid-for".
    if header[24:28] != header[92:96] or not pages:
        return None
    return (pages * page_size, size) if pages * page_size > size else None


def _inspect(path: Path) -> tuple[list[str], int | None]:
    """PRAGMA quick_check (then integrity_check if damaged): first lines, and the schema
    version, reading only.

    Without a -wal file the database is opened `immutable=1`: SQLite reads it and creates
    nothing beside it (`mode=ro` would create -wal and -shm). With one (a crash left it),
    its pages are part of the database, and even a read-only connection rewrites the -shm
    index: the check then runs on a private copy of the file and its -wal. If there is no
    room for a copy (a full disk), it reads the file itself `mode=ro`: SQLite then touches
    only the -shm, an index it rebuilds from the -wal anyway.
    """
    wal = Path(f"{path}-wal")
    with contextlib.ExitStack() as stack:
        target, query = path, "immutable=1"
        if wal.exists():
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="minga-check-")))
            target, query = folder / "minga.db", "mode=ro"
            try:
                shutil.copyfile(path, target)
                shutil.copyfile(wal, f"{target}-wal")
            except OSError:
                target = path
        uri = f"{target.resolve().as_uri()}?{query}"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        try:
            # quick_check reads every page in O(N) (0.3 s for 257 MiB here, against 3.2 s for
            # integrity_check, which also matches every index against its table): it runs at
            # every start. Only a file it finds damaged gets the full check, whose words the
            # refusal quotes.
            quick = [str(r[0]) for r in conn.execute(f"PRAGMA quick_check({INTEGRITY_LINES})")]
            if quick != ["ok"]:
                lines = [str(r[0]) for r in conn.execute(
                    f"PRAGMA integrity_check({INTEGRITY_LINES})")]
                return (lines if lines != ["ok"] else quick), None
            lines = quick
            has_versions = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
            ).fetchone()
            row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone() \
                if has_versions else None
            return lines, int(row[0] or 0) if row else 0
        finally:
            conn.close()


def check_existing(path: str | os.PathLike[str],
                   migrations: tuple[Migration, ...] = MIGRATIONS) -> None:
    """Refuse, before anything writes, a database that is damaged or newer than this code.

    Nothing is written to the file or beside it: a damaged database stays exactly as it was
    found, for a restore or a closer look, and is never "repaired" into an empty one. A
    missing file is fine (a first start creates it).
    """
    file = Path(path)
    if str(path) == ":memory:" or not file.exists() or file.is_dir():
        return
    if file.stat().st_size == 0 and not Path(f"{file}-wal").exists():
        return  # how `connect` makes a new database (0600 before SQLite writes to it)
    restore = RESTORE.format(name=file.name)
    truncated = None if Path(f"{file}-wal").exists() else _header_truncated(file)
    try:
        lines, version = _inspect(file)
    except sqlite3.DatabaseError as err:
        lines, version = [str(err)], None
    if lines != ["ok"]:
        found = "; ".join(" ".join(line.split()) for line in lines)
        if len(found) > 300:
            found = found[:300] + "…"
        cut = (f", truncated: {truncated[1]} of the {truncated[0]} bytes its header counts"
               if truncated else "")
        raise DatabaseDamaged(
            f"{file} is damaged{cut} (PRAGMA integrity_check: {found}) and Minga has not "
            f"changed it: {restore}")
    latest = migrations[-1].version if migrations else 0
    if version is not None and version > latest:
        raise DatabaseTooNew(
            f"{file} was written by a newer Minga: database schema version {version} is newer "
            f"than this Minga knows ({latest}) and Minga has not changed it: run that newer "
            f"Minga again, or restore a `minga backup` copy made before the upgrade")


async def open_database(
    path: str | os.PathLike[str], migrations: tuple[Migration, ...] = MIGRATIONS
) -> Database:
    """Check an existing file first (reading only), then connect and migrate."""
    await asyncio.to_thread(check_existing, path, migrations)
    db = Database(await connect(path))
    try:
        await migrate(db, migrations)
    except BaseException:
        await db.close()
        raise
    return db
