"""The typed schedule contract: kinds are enums, the real router registers every one, and a
job's posts are re-prefixed once and queued through the one render-and-queue path."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FixedClock
from bot.outbox import ANSWER, OutboxWorker, queue
from bot.render import LATE_AFTER_KEY, late_marker, outgoing
from bot.scheduler import Scheduler
from commands import build_router
from commands.context import RoomView, Settings
from commands.jobs import (
    PLAN_HORIZON,
    ChangeKind,
    JobEnv,
    JobKind,
    PlannedJob,
    Post,
    Schedules,
)
from commands.reply import Msg
from commands.router import Router
from storage import Database
from storage.meetings import iso
from tests.fakes import FakeRoom

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ROOM = "!room:example.org"
ALICE = "@alice:example.org"


# ---- kinds -----------------------------------------------------------------------------------


def test_the_real_router_registers_every_kind(router: Router) -> None:
    router.schedules.check()
    assert set(router.schedules.jobs) == set(JobKind)
    assert {kind for kind, fns in router.schedules.replanners.items() if fns} == set(ChangeKind)


def test_a_kind_without_its_job_or_replanner_is_an_error() -> None:
    schedules = Schedules()
    with pytest.raises(ValueError, match="nothing registered") as found:
        schedules.check()
    assert "reminder" in str(found.value) and "checkin-summary" in str(found.value)


def test_a_kind_is_registered_once() -> None:
    schedules = Schedules()

    async def job(env: JobEnv) -> list[Post]:
        return []

    schedules.job(JobKind.DIGEST)(job)
    with pytest.raises(ValueError, match="registered twice"):
        schedules.job(JobKind.DIGEST)(job)


def test_planned_job_kind_is_checked() -> None:
    assert PlannedJob("x", NOW, "reminder", ()).kind is JobKind.REMINDER  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="reminders"):
        PlannedJob("x", NOW, "reminders", ())  # type: ignore[arg-type]


async def test_unknown_change_kind_is_an_error_not_a_silent_drop(router: Router,
                                                                 db: Database) -> None:
    async with db.transaction():
        with pytest.raises(ValueError, match="meetng"):
            await router.schedules.plan_changed(db, "meetng", 1, NOW)  # type: ignore[arg-type]
        # A known kind with nothing to plan for that id is fine: every re-planner answers.
        plans = dict(await router.schedules.plan_changed(db, ChangeKind.MEETING, 999, NOW))
        assert plans["reminder:999:"] == [] and plans["rota:999:"] == []
        assert len(plans) == len(router.schedules.replanners[ChangeKind.MEETING])


def test_one_plan_horizon() -> None:
    from commands.actions import digest, nudges
    from commands.checkins import jobs as checkin_jobs
    from commands.meetings import reminders
    from commands.rota import jobs as rota_jobs

    for module in (digest, nudges, checkin_jobs, reminders, rota_jobs):
        assert module.PLAN_HORIZON is PLAN_HORIZON, module.__name__


# ---- queueing a job's posts --------------------------------------------------------------------


async def outbox_rows(db: Database) -> list[tuple[str, str, dict[str, object], int]]:
    rows = await db.fetchall("SELECT logical_key, room_id, content, priority FROM outbox "
                             "ORDER BY id")
    return [(r[0], r[1], json.loads(r[2]), r[3]) for r in rows]


def scheduler(db: Database, schedules: Schedules, prefix: str) -> Scheduler:
    clock = FixedClock(NOW)

    async def send(item: object) -> str:
        raise AssertionError("nothing is sent in this test")

    async def room(room_id: str) -> RoomView | None:
        return FakeRoom(room_id, {ALICE: 0})

    return Scheduler(db, OutboxWorker(db, send, clock), clock, Settings(prefix=prefix), room,
                     schedules)


@pytest.mark.parametrize(("prefix", "shown"), [("!", "!rota m1 skip"), ("?", "?rota m1 skip"),
                                               ("!!", "!!rota m1 skip")])
async def test_job_posts_get_the_room_prefix_once(db: Database, prefix: str,
                                                  shown: str) -> None:
    schedules = Schedules()

    @schedules.job(JobKind.FACILITATOR_NUDGE)
    async def nudge(env: JobEnv, who: str) -> list[Post]:
        to_room = Msg(is_reply=False).text("Can't make it? ").code("!rota m1 skip")
        direct = Msg(is_reply=False, direct_to=who).text("In the room: ").code("!rota m1 skip")
        return [Post(ROOM, "nudge:room", to_room, late_after=NOW + timedelta(minutes=1)),
                Post(ROOM, "nudge:dm", direct)]

    await scheduler(db, schedules, prefix).run_job(JobKind.FACILITATOR_NUDGE, (ALICE,))
    (room_key, room_id, room_post, priority), (dm_key, dm_room, dm_post, _) = \
        await outbox_rows(db)
    assert (room_key, room_id, priority) == ("nudge:room", ROOM, 1)
    assert (dm_key, dm_room) == ("nudge:dm", f"direct:{ALICE}")
    for post in (room_post, dm_post):
        assert post["body"].endswith(f"`{shown}`")
        assert post["formatted_body"].endswith(f"<code>{shown}</code>")
    assert room_post[LATE_AFTER_KEY] == iso(NOW + timedelta(minutes=1))
    assert LATE_AFTER_KEY not in dm_post


async def test_a_failing_job_queues_nothing(db: Database) -> None:
    schedules = Schedules()

    @schedules.job(JobKind.DIGEST)
    async def digest(env: JobEnv) -> list[Post]:
        await queue(env.db.conn, Msg().text("half"), room_id=ROOM, logical_key="half", now=NOW)
        raise RuntimeError("boom")

    await scheduler(db, schedules, "!").run_job(JobKind.DIGEST, ())
    assert await outbox_rows(db) == []


async def test_queue_is_render_then_enqueue(db: Database) -> None:
    """The one path from a Msg to the outbox: what `outgoing` renders, plus the late marker."""
    answer = Msg().text("Done: ").code("!meeting show m1")
    posted = Msg(is_reply=False, direct_to=ALICE).text("Your turn")
    async with db.transaction() as conn:
        assert await queue(conn, answer, room_id=ROOM, logical_key="reply:$e:0", now=NOW,
                           in_reply_to="$e", thread_root="$root", priority=ANSWER)
        assert await queue(conn, posted, room_id=ROOM, logical_key="turn", now=NOW,
                           late_after=NOW)
        assert not await queue(conn, answer, room_id=ROOM, logical_key="reply:$e:0", now=NOW)
    rows = await outbox_rows(db)
    expected_answer = outgoing(answer, in_reply_to="$e", thread_root="$root")[1]
    expected_post = outgoing(posted)[1] | late_marker(posted, iso(NOW))
    assert rows == [("reply:$e:0", ROOM, expected_answer, 0),
                    ("turn", f"direct:{ALICE}", expected_post, 1)]


def test_real_jobs_write_commands_with_the_default_prefix() -> None:
    """The queue re-prefixes `!` code spans; a job that wrote the room's prefix itself would
    have it doubled for a prefix like "!!"."""
    import inspect

    from commands.actions import digest, nudges
    from commands.checkins import jobs as checkin_jobs
    from commands.rota import jobs as rota_jobs

    for module in (digest, nudges, checkin_jobs, rota_jobs):
        source = inspect.getsource(module)
        assert "settings.prefix" not in source and "with_prefix" not in source, module.__name__


def test_router_fixture_builds(router: Router) -> None:
    assert build_router().schedules.jobs.keys() == router.schedules.jobs.keys()
