"""Nested transactions: one per task, savepoints inside it, other tasks wait their turn."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from commands.context import Context, Settings
from commands.errors import UserError
from commands.reply import Msg
from commands.router import Arg, Router
from storage import Database, open_database
from storage.migrations import Migration
from tests.fakes import FakeRoom, reply_text

THINGS = (Migration(1, "things", ("CREATE TABLE things (name TEXT NOT NULL)",)),)


class Boom(Exception):
    pass


@pytest.fixture
async def things(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_database(tmp_path / "things.db", THINGS)
    try:
        yield database
    finally:
        await database.close()


async def names(db: Database) -> list[str]:
    return [r["name"] for r in await db.fetchall("SELECT name FROM things ORDER BY rowid")]


async def add(db: Database, name: str) -> None:
    """A write that does not know whether its caller holds a transaction."""
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO things (name) VALUES (?)", (name,))


def committed(path: Path) -> list[str]:
    """What another connection sees: only what was really committed."""
    with contextlib.closing(sqlite3.connect(path)) as other:
        return [r[0] for r in other.execute("SELECT name FROM things ORDER BY rowid")]


# ---- nesting in one task -------------------------------------------------------------------


async def test_inner_transaction_joins_the_outer_one(things: Database, tmp_path: Path) -> None:
    async with things.transaction():
        await add(things, "inner")
        assert things.conn.in_transaction  # the inner block did not commit on its own
        assert committed(tmp_path / "things.db") == []
    assert committed(tmp_path / "things.db") == ["inner"]


async def test_failed_inner_block_undoes_only_itself(things: Database) -> None:
    async with things.transaction():
        await add(things, "before")
        with pytest.raises(Boom):
            async with things.transaction() as conn:
                await conn.execute("INSERT INTO things (name) VALUES ('undone')")
                await add(things, "undone too")  # a third level, released into the second
                raise Boom
        await add(things, "after")
    assert await names(things) == ["before", "after"]


async def test_failed_outer_block_undoes_released_inner_blocks(things: Database) -> None:
    with pytest.raises(Boom):
        async with things.transaction():
            await add(things, "inner")
            raise Boom
    assert await names(things) == []
    assert not things.conn.in_transaction


async def test_sequential_transactions_are_separate(things: Database, tmp_path: Path) -> None:
    await add(things, "first")
    assert not things.in_transaction()
    assert committed(tmp_path / "things.db") == ["first"]
    with pytest.raises(Boom):
        async with things.transaction():
            await add(things, "second")
            raise Boom
    assert committed(tmp_path / "things.db") == ["first"]


async def test_in_transaction_is_per_task(things: Database) -> None:
    seen: list[bool] = []

    async def other_task() -> None:
        seen.append(things.in_transaction())

    assert not things.in_transaction()
    async with things.transaction():
        assert things.in_transaction()
        other = asyncio.create_task(other_task())
        await asyncio.sleep(0)
        await other
    assert seen == [False]
    assert not things.in_transaction()


async def test_savepoint_names_must_be_identifiers(things: Database) -> None:
    with pytest.raises(ValueError, match="identifier"):
        async with things.transaction("x; DROP TABLE things"):
            pass
    assert await names(things) == []


# ---- concurrent tasks never share a transaction ----------------------------------------------


async def test_another_task_waits_instead_of_joining(things: Database, tmp_path: Path) -> None:
    """Two tasks, one inside a transaction: the other's block starts only after it ends,
    and is its own transaction (the first one's rollback does not undo it)."""
    order: list[str] = []
    holding = asyncio.Event()
    release = asyncio.Event()

    async def first() -> None:
        with pytest.raises(Boom):
            async with things.transaction() as conn:
                await conn.execute("INSERT INTO things (name) VALUES ('first')")
                order.append("first in")
                holding.set()
                await release.wait()
                order.append("first out")
                raise Boom

    async def second() -> None:
        await holding.wait()
        order.append("second asks")
        async with things.transaction() as conn:
            order.append("second in")
            assert await names(things) == []  # the first one's write is gone: rolled back
            await conn.execute("INSERT INTO things (name) VALUES ('second')")

    tasks = [asyncio.create_task(first()), asyncio.create_task(second())]
    await holding.wait()
    for _ in range(20):  # plenty of turns for `second` to get in, if it could
        await asyncio.sleep(0)
    assert order == ["first in", "second asks"]
    release.set()
    await asyncio.gather(*tasks)
    assert order == ["first in", "second asks", "first out", "second in"]
    assert committed(tmp_path / "things.db") == ["second"]


async def test_task_started_inside_a_transaction_does_not_join_it(things: Database,
                                                                  tmp_path: Path) -> None:
    """A task created in the block inherits the context (and so the open transaction's
    record); it still waits for its own transaction."""
    order: list[str] = []

    async def child() -> None:
        order.append("child asks")
        await add(things, "child")
        order.append("child done")

    with pytest.raises(Boom):
        async with things.transaction():
            await add(things, "parent")
            task = asyncio.create_task(child())
            for _ in range(20):
                await asyncio.sleep(0)
            assert order == ["child asks"]
            raise Boom
    await task
    assert order == ["child asks", "child done"]
    assert committed(tmp_path / "things.db") == ["child"]


async def test_concurrent_writers_each_commit_alone(things: Database) -> None:
    """Many tasks writing at once: each write is its own transaction, none is lost."""
    async def writer(n: int) -> None:
        for i in range(5):
            async with things.transaction() as conn:
                await conn.execute("INSERT INTO things (name) VALUES (?)", (f"{n}.{i}",))
                await asyncio.sleep(0)
                await add(things, f"{n}.{i} nested")

    await asyncio.gather(*(writer(n) for n in range(4)))
    found = await names(things)
    assert len(found) == 40
    for n in range(4):  # each task's writes in its own order, nested right after outer
        mine = [name for name in found if name.startswith(f"{n}.")]
        assert mine == [f"{n}.{i}{suffix}" for i in range(5) for suffix in ("", " nested")]


# ---- a handler may open a transaction ----------------------------------------------------------


def nesting_router() -> Router:
    router = Router()

    @router.command("nest", summary="x", usage="!nest <how>", args=(Arg("how"),))
    async def nest(ctx: Context, how: str) -> None:
        async with ctx.db.transaction() as conn:
            await conn.execute("INSERT INTO members (user_id, updated_at) VALUES (?, 'n')",
                               (f"@{how}:example.org",))
        if how == "refused":
            raise UserError("Refused.", "!nest ok")
        ctx.reply(Msg().text("nested"))

    return router


async def test_handler_opening_a_transaction_joins_the_command(db: Database) -> None:
    """What the sync handler does (one transaction per event, the command inside it) with a
    handler that opens its own: no deadlock, and a refused command leaves nothing."""
    router = nesting_router()
    room = FakeRoom("!room:example.org", {"@alice:example.org": 0})
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)

    def ctx() -> Context:
        return Context(room, "@alice:example.org", "$e", now, db, Settings())

    # asyncio.timeout, not wait_for: wait_for runs the command in a task of its own, which
    # (rightly) waits for this transaction instead of joining it.
    async with asyncio.timeout(5), db.transaction():
        ok, refused = ctx(), ctx()
        await router.dispatch(ok, "nest", "ok")
        await router.dispatch(refused, "nest", "refused")
    assert reply_text(ok) == "nested"
    assert "Refused." in reply_text(refused)
    rows = await db.fetchall("SELECT user_id FROM members")
    assert [r["user_id"] for r in rows] == ["@ok:example.org"]
