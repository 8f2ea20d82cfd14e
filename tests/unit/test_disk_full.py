"""A full disk (SQLITE_FULL, made honestly with PRAGMA max_page_count): recognised through
every wrapper, a transaction SQLite ended on its own is not "rolled back to" a savepoint that
no longer exists, a write is refused with one clear reply, and bookkeeping waits in memory."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import pytest

from bot.clock import FixedClock
from bot.deferred import DeferredWrites, Write
from bot.outbox import OutboxWorker, queue, render_held
from commands.context import Context, Settings
from commands.middleware import DISK_FULL
from commands.reply import Msg
from commands.router import Arg, Router
from domain.i18n import _, use_language
from storage import Database, open_database
from storage.db import TransactionEnded, is_disk_full
from storage.migrations import Migration
from storage.outbox import Outgoing, txn_id_for, unsent
from tests.fakes import FakeRoom, reply_text

THINGS = (Migration(1, "things", ("CREATE TABLE things (name TEXT NOT NULL)",)),)
BIG = "x" * 20_000  # needs overflow pages: a new page, whatever room the last one has


@pytest.fixture
async def things(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_database(tmp_path / "things.db", THINGS)
    try:
        yield database
    finally:
        await database.close()


async def disk_full(db: Database) -> None:
    """No page beyond the ones the file has now (SQLite will not go below that)."""
    await db.conn.execute("PRAGMA max_page_count = 1")


async def space_returns(db: Database) -> None:
    await db.conn.execute("PRAGMA max_page_count = 1073741823")


def committed(path: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(path)) as other:
        return [r[0][:10] for r in other.execute("SELECT name FROM things ORDER BY rowid")]


# ---- the recogniser ---------------------------------------------------------------------


async def test_sqlite_full_is_recognised_through_aiosqlite(things: Database) -> None:
    await disk_full(things)
    with pytest.raises(sqlite3.OperationalError) as caught:
        await things.conn.execute("INSERT INTO things (name) VALUES (?)", (BIG,))
    assert is_disk_full(caught.value)
    assert caught.value.sqlite_errorcode == 13


def test_the_recogniser_sees_through_a_chain() -> None:
    full = sqlite3.OperationalError("database or disk is full")
    try:
        try:
            raise full
        except sqlite3.OperationalError as exc:
            raise TransactionEnded("ended") from exc
    except TransactionEnded as ended:
        assert is_disk_full(ended)
    try:
        try:
            raise full
        except sqlite3.OperationalError:
            raise ValueError("while handling it") from None
    except ValueError as other:
        assert not is_disk_full(other)  # `from None` says it is not about the disk


@pytest.mark.parametrize("exc", [
    sqlite3.OperationalError("database is locked"),
    sqlite3.IntegrityError("UNIQUE constraint failed: things.name"),
    sqlite3.OperationalError("no such savepoint: unit_1"),
    OSError(28, "No space left on device"),  # not SQLite's: the caller did not write to it
    ValueError("database or disk is full"),
    None,
])
def test_other_errors_are_not_a_full_disk(exc: BaseException | None) -> None:
    assert not is_disk_full(exc)


# ---- a transaction SQLite ended on its own ------------------------------------------------


async def test_savepoint_after_sqlite_ended_the_transaction(things: Database,
                                                            tmp_path: Path) -> None:
    """A one-row INSERT has no statement journal: on SQLITE_FULL SQLite rolls back the whole
    transaction, savepoints included. The caller gets the disk-full error (as
    TransactionEnded), not "no such savepoint", and nothing of the transaction is saved."""
    async with things.transaction() as conn:
        await conn.execute("INSERT INTO things (name) VALUES ('before')")
    await disk_full(things)
    with pytest.raises(TransactionEnded) as caught:
        async with things.transaction() as conn:
            await conn.execute("INSERT INTO things (name) VALUES ('small, fits')")
            async with things.savepoint("command") as inner:
                await inner.execute("INSERT INTO things (name) VALUES (?)", (BIG,))
    assert is_disk_full(caught.value)
    assert "no such savepoint" not in repr(caught.value.__cause__)
    assert not things.conn.in_transaction
    assert committed(tmp_path / "things.db") == ["before"]
    # The connection is usable: reads now, and writes once space returns, no reopening.
    assert [r["name"] for r in await things.fetchall("SELECT name FROM things")] == ["before"]
    await space_returns(things)
    async with things.transaction() as conn:
        await conn.execute("INSERT INTO things (name) VALUES (?)", (BIG,))
    assert committed(tmp_path / "things.db") == ["before", BIG[:10]]


async def test_an_ended_transaction_cannot_be_continued(things: Database,
                                                        tmp_path: Path) -> None:
    """Whoever swallows the error inside: no later savepoint opens, the outer block does not
    "commit" (its statements would each have committed on their own), and says so."""
    await disk_full(things)
    with pytest.raises(TransactionEnded):
        async with things.transaction():
            with contextlib.suppress(TransactionEnded):
                async with things.savepoint("first") as conn:
                    await conn.execute("INSERT INTO things (name) VALUES (?)", (BIG,))
            async with things.savepoint("second") as conn:
                await conn.execute("INSERT INTO things (name) VALUES ('after')")
    with pytest.raises(TransactionEnded):
        async with things.transaction():
            with contextlib.suppress(sqlite3.OperationalError):
                await things.conn.execute("INSERT INTO things (name) VALUES (?)", (BIG,))
    assert committed(tmp_path / "things.db") == []


async def test_a_failed_savepoint_still_rolls_back_alone(things: Database,
                                                         tmp_path: Path) -> None:
    """The ordinary case is unchanged: an error that leaves the transaction open undoes the
    savepoint only."""
    async with things.transaction() as conn:
        await conn.execute("INSERT INTO things (name) VALUES ('kept')")
        with contextlib.suppress(ZeroDivisionError):
            async with things.savepoint() as inner:
                await inner.execute("INSERT INTO things (name) VALUES ('undone')")
                raise ZeroDivisionError
    assert committed(tmp_path / "things.db") == ["kept"]


# ---- a command on a full disk --------------------------------------------------------------


def writing_router(*, one_row: bool) -> Router:
    """`!note` writes a big row: alone (no statement journal: SQLite ends the transaction on
    SQLITE_FULL) or as an INSERT … SELECT, which may fail half-way, so SQLite keeps a
    statement journal and undoes only the statement."""
    router = Router()
    sql = ("INSERT INTO things (name) VALUES (?)" if one_row else
           "INSERT INTO things (name) SELECT ? FROM (SELECT 1 UNION ALL SELECT 2)")

    @router.command("note", summary="x", usage="!note <text>", args=(Arg("text", rest=True),))
    async def note(ctx: Context, text: str) -> None:
        await ctx.db.conn.execute(sql, (text * 5000,))
        ctx.reply(Msg().text("Saved."))

    @router.command("count", summary="x", usage="!count")
    async def count(ctx: Context) -> None:
        row = await ctx.db.fetchone("SELECT COUNT(*) FROM things")
        ctx.reply(Msg().text(f"{row[0] if row else 0} things."))

    return router


async def test_a_write_on_a_full_disk_gets_one_clear_reply(tmp_path: Path) -> None:
    """A statement SQLite undoes alone (the transaction stays open): the command is refused
    in the reader's language with the disk-full reply, not the generic apology."""
    db = await open_database(tmp_path / "t.db")
    try:
        await db.conn.execute("CREATE TABLE things (name TEXT NOT NULL)")
        router = writing_router(one_row=True)
        room = FakeRoom("!room:example.org", {"@alice:example.org": 0})
        now = datetime(2026, 6, 1, 12, tzinfo=UTC)
        ctx = Context(room, "@alice:example.org", "$e", now, db, Settings(language="es"))
        await disk_full(db)
        async with db.transaction():
            await writing_router(one_row=False).dispatch(ctx, "note", "hello")
            assert db.conn.in_transaction
        with use_language("es"):
            expected = _(DISK_FULL)
        assert reply_text(ctx) == expected
        assert expected != DISK_FULL  # translated
        # SQLite ended the whole transaction (a one-row INSERT): the error goes up to the
        # transaction's owner (the sync handler), nobody writes on in autocommit.
        ctx = Context(room, "@alice:example.org", "$f", now, db, Settings())
        with pytest.raises(TransactionEnded):
            async with db.transaction():
                await router.dispatch(ctx, "note", "hello")
        ctx = Context(room, "@alice:example.org", "$g", now, db, Settings())
        async with db.transaction():
            await router.dispatch(ctx, "count", "")
        assert reply_text(ctx) == "0 things."
    finally:
        await db.close()


# ---- bookkeeping that waits in memory ------------------------------------------------------


async def test_deferred_writes_wait_for_space_and_keep_the_newest(things: Database,
                                                                  tmp_path: Path) -> None:
    deferred = DeferredWrites(things)

    def insert(name: str) -> Write:
        async def write(conn: aiosqlite.Connection) -> None:
            await conn.execute("INSERT INTO things (name) VALUES (?)", (name,))
        return write

    await disk_full(things)
    assert not await deferred.write("token", insert("A" + BIG))
    assert not await deferred.write("handled", insert("H" + BIG))
    assert not await deferred.write("token", insert("B" + BIG))
    assert "token" in deferred and len(deferred) == 2
    assert not await deferred.flush()
    assert committed(tmp_path / "things.db") == []
    await space_returns(things)
    assert await deferred.flush()
    # Oldest first, and the newer token replaced the older one.
    assert committed(tmp_path / "things.db") == ["H" + BIG[:9], "B" + BIG[:9]]
    assert await deferred.write("token", insert("C"))
    assert len(deferred) == 0


# ---- the outbox on a full disk -------------------------------------------------------------


async def test_outbox_keeps_sending_and_never_resends_on_a_full_disk(db: Database) -> None:
    """A sent mark the disk refuses waits in memory (the row is not sent again); an answer
    that could not even be queued is held in memory and sent first; once space returns the
    marks are written."""
    sent: list[str] = []

    async def send(item: Outgoing) -> str:
        sent.append(item.txn_id)
        return f"$ev{len(sent)}"

    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    worker = OutboxWorker(db, send, FixedClock(now))
    async with db.transaction() as conn:
        for n in range(3):
            await queue(conn, Msg().text(f"queued {n} " + "x" * 3000), room_id="!r:x",
                        logical_key=f"queued:{n}", now=now)
    # Fill the last pages, so that recording a send needs a page the disk no longer has.
    await disk_full(db)
    with contextlib.suppress(sqlite3.OperationalError):
        for i in range(1000):
            async with db.transaction() as conn:
                await conn.execute("INSERT INTO bot_state (key, value) VALUES (?, 'x')",
                                   (f"pad{i}",))
    worker.hold(render_held(Msg().text("held"), room_id="!r:x", logical_key="held:1"))
    task = asyncio.create_task(worker.run())
    try:
        async with asyncio.timeout(5):
            await worker.wait_idle()
        assert sent[0] == txn_id_for("held:1")  # the held answer first
        assert sorted(sent[1:]) == sorted(txn_id_for(f"queued:{n}") for n in range(3))
        waiting = len(worker.deferred)
        assert len(sent) == 4  # nothing sent twice, though marks may wait in memory
        await space_returns(db)
        worker.kick()
        for _ in range(50):
            if not len(worker.deferred):
                break
            await asyncio.sleep(0.05)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert waiting >= 1  # the full disk did refuse some marks
    assert len(worker.deferred) == 0
    assert not await unsent(db, 10)
