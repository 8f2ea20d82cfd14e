"""Shared by the action, minutes and digest tests: one room, members in four zones, a DB."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from commands.context import Context, RoomView, Settings
from commands.jobs import JobEnv, PlannedJob, Post
from commands.reply import Msg
from commands.router import Interaction, Router
from storage import Database
from tests.fakes import FakeRoom, dispatch, seed

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday; 13:00 in Nairobi
ROOM = "!a:example.org"
OTHER_ROOM = "!b:example.org"
ALICE = "@alice:example.org"  # Africa/Nairobi (UTC+3)
BOB = "@bob:example.org"  # Asia/Kolkata (UTC+5:30)
CAROL = "@carol:example.org"  # America/Bogota (UTC-5)
DAN = "@dan:example.org"  # no zone set
MOD = "@mod:example.org"  # Asia/Kolkata, power 50 = state_default
ZONES = {ALICE: "Africa/Nairobi", BOB: "Asia/Kolkata", CAROL: "America/Bogota",
         MOD: "Asia/Kolkata"}


def room_view(room_id: str = ROOM, members: Sequence[str] | None = None,
              **kwargs: Any) -> FakeRoom:
    """A RoomView: state_default and notifications.room both need power level 50."""
    levels = {u: 0 for u in (members or (ALICE, BOB, CAROL, DAN))} | {MOD: 50}
    return FakeRoom(room_id, levels, **kwargs)


# The database these tests start from (the `db` fixture, when a module returns it as `db_seed`).
SEED = seed(ROOM, OTHER_ROOM, zones=ZONES, at=NOW)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0,
        second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def context(db: Database, *, sender: str = ALICE, room: str = ROOM, now: datetime = NOW,
            mentioned: tuple[str, ...] = (), event_id: str = "$event:example.org",
            pills: dict[str, str] | None = None) -> Context:
    return Context(room_view(room), sender, event_id, now, db,
                   Settings(prefix="!", default_zone="UTC"), mentioned=mentioned,
                   pills=pills or {})


async def run(router: Router, db: Database, line: str, **kwargs: Any) -> Context:
    """Dispatch `name args` inside one transaction, as the sync handler does."""
    ctx = await dispatch(router, context(db, **kwargs), line)
    assert ctx.replies, line
    return ctx


async def say(router: Router, db: Database, line: str, **kwargs: Any) -> str:
    ctx = await run(router, db, line, **kwargs)
    return "\n".join(m.plain() for m in ctx.replies)


async def react(router: Router, db: Database, key: str, emoji: str = "✅",
                **kwargs: Any) -> tuple[bool, Context]:
    ctx = context(db, **kwargs)
    async with db.transaction():
        taken = await router.interact(ctx, Interaction("reaction", key, "$r:example.org",
                                                       "$target:example.org", emoji))
    return taken, ctx


def env_at(db: Database, now: datetime, router: Router | None = None,
           rooms: dict[str, RoomView] | None = None) -> JobEnv:
    views = rooms if rooms is not None else {ROOM: room_view(), OTHER_ROOM: room_view(OTHER_ROOM)}

    async def lookup(room_id: str) -> RoomView | None:
        return views.get(room_id)

    hooks = dict(router.schedules.hooks) if router else {}
    return JobEnv(db, now, Settings(default_zone="UTC"), lookup, hooks)


async def fire(router: Router, db: Database, job: PlannedJob, now: datetime,
               rooms: dict[str, RoomView] | None = None) -> list[Post]:
    async with db.transaction():
        return await router.schedules.jobs[job.kind](env_at(db, now, router, rooms), *job.args)


async def plan(db: Database, planner: Callable[..., Any], now: datetime) -> list[PlannedJob]:
    async with db.transaction():
        return list(await planner(db, now))


def texts(msgs: Sequence[Msg]) -> str:
    return "\n".join(m.plain() for m in msgs)
