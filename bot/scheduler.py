"""APScheduler, fed from the database: the DB is the truth, jobs are derived from it.

Planners (commands.schedules) turn DB rows into one-shot UTC date jobs at
start, hourly, and right after a command changes something. A job runs in
one transaction with the queueing of what it says, and records what it sent
under a unique key, so a job run twice, or late after a restart, never
sends twice.

The host's clock can step (NTP after a suspend). APScheduler's timers run on the loop's
monotonic clock while it reads the wall clock to decide what is due, so a step leaves it
waiting on stale timers, and an interval job's next run an hour away after a step back. The
planner task watches for steps (`bot.clock.StepWatch`): on one it restarts the interval jobs,
wakes APScheduler to look at what is due now, and plans everything again. It also notes in
the database when it last looked (`storage.state.SCHEDULER_SEEN`), so planners can tell what
fell due while the bot was down or the clock jumped past it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock, StepWatch
from bot.outbox import OutboxWorker, queue
from commands.context import ChangeKind, RoomView, Settings
from commands.errors import where_it_broke
from commands.jobs import JobEnv, JobKind, PlannedJob, Schedules
from commands.reply import with_prefix
from storage.db import Database, is_disk_full
from storage.health import set_next_job
from storage.state import record_scheduler_seen

log = logging.getLogger(__name__)

Job = Callable[..., Awaitable[None]]
RoomLookup = Callable[[str], Awaitable[RoomView | None]]
REPLAN_SECONDS = 3600
# A job the full disk refused is planned again after this long (its "sent" key decides).
DISK_FULL_RETRY = 30.0
STEP_CHECK_SECONDS = 2.0  # how often the planner task looks for a clock step
SEEN_SECONDS = 60.0  # how often it notes in the database that it is alive


class PendingChecker(Protocol):
    async def check_pending(self) -> None: ...


class Scheduler:
    def __init__(self, db: Database, outbox: OutboxWorker, clock: Clock, settings: Settings,
                 room: RoomLookup, schedules: Schedules) -> None:
        self.schedules = schedules
        self.db = db
        self.outbox = outbox
        self.clock = clock
        self.settings = settings
        self.room = room
        self.jobs_run = 0
        self._replan_now = asyncio.Event()
        self._noted: tuple[str, datetime] | None = None
        self._intervals: dict[str, tuple[float, Job, tuple[Any, ...]]] = {}
        self._seen_at = 0.0
        self.steps: list[timedelta] = []  # clock steps noticed, for `minga status` and tests
        self.aps = AsyncIOScheduler(
            timezone=UTC,
            # Missed jobs still run (late is better than never); idempotency keys decide.
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )

    async def run_planner(self, pending: PendingChecker) -> None:
        """The planner task (supervised): plan everything now, then hourly and after a
        clock step, for ever.

        Restarted after a failure, it plans everything again; job ids make that harmless.
        """
        if not self.aps.running:
            self.aps.start()
        self.every("undecryptable-check", 5, pending.check_pending)
        watch = StepWatch(self.clock)
        loop = asyncio.get_running_loop()
        while True:
            self._replan_now.clear()
            # Planners read when the bot last looked (before a restart or a step) first.
            await self.replan_all()
            await self._note_seen(loop.time())
            next_plan = loop.time() + REPLAN_SECONDS
            while not self._replan_now.is_set() and loop.time() < next_plan:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(STEP_CHECK_SECONDS):
                        await self._replan_now.wait()
                step = watch.check()
                if step is not None:
                    self.clock_stepped(step)
                    break
                if loop.time() - self._seen_at >= SEEN_SECONDS:
                    await self._note_seen(loop.time())

    def clock_stepped(self, step: timedelta) -> None:
        """Restart the interval jobs and make APScheduler look at what is due now; the
        caller then plans everything again (late jobs planned for "now" before a step back
        would otherwise wait for that old "now" to come round again)."""
        self.steps.append(step)
        log.warning("the clock stepped %s by %d s: re-planning",
                    "forward" if step > timedelta(0) else "back", abs(step.total_seconds()))
        for job_id, (seconds, func, args) in self._intervals.items():
            self.aps.add_job(func, IntervalTrigger(seconds=seconds), args=args, id=job_id,
                             replace_existing=True)
        if self.aps.running:
            self.aps.wakeup()

    async def _note_seen(self, at: float) -> None:
        """Bookkeeping only: a failed write (a full disk) is logged and tried again in a
        minute, never a reason to stop planning."""
        self._seen_at = at
        try:
            async with self.db.transaction() as conn:
                await record_scheduler_seen(conn, self.clock.now())
        except sqlite3.Error as exc:
            log.warning("could not note the scheduler's time: %s", type(exc).__name__)

    def request_replan(self) -> None:
        """Plan everything again now rather than at the next hour."""
        self._replan_now.set()

    async def replan_all(self) -> None:
        """Each planner in its own transaction, so commands get the database in between."""
        count = 0
        for planner in self.schedules.planners:
            async with self.db.transaction():
                jobs = await planner(self.db, self.clock.now())
            self._add(jobs)
            count += len(jobs)
        log.info("planned %d jobs", count)
        await self.note_next_job()

    async def replan(self, changed: set[tuple[ChangeKind, int]]) -> None:
        for kind, item_id in sorted(changed):
            async with self.db.transaction():
                plans = await self.schedules.plan_changed(self.db, kind, item_id,
                                                          self.clock.now())
            for prefix, jobs in plans:
                for job_id in self.job_ids(prefix):
                    self.cancel(job_id)
                self._add(jobs)
        await self.note_next_job()

    def _add(self, jobs: list[PlannedJob]) -> None:
        for job in jobs:
            self.at(job.job_id, job.fire_at, self.run_job, job.kind, job.args)

    async def run_job(self, kind: JobKind, args: tuple[Any, ...]) -> None:
        try:
            async with self.db.transaction() as conn:
                now = self.clock.now()
                env = JobEnv(self.db, now, self.settings, self.room, self.schedules.hooks)
                posts = await self.schedules.jobs[kind](env, *args)
                for post in posts:
                    # Jobs write commands as "!…"; shown with the room's prefix, once, here.
                    with_prefix(post.msg, self.settings.prefix)
                    await queue(conn, post.msg, room_id=post.room_id,
                                logical_key=post.logical_key, now=now,
                                late_after=post.late_after)
        except Exception as exc:
            if is_disk_full(exc):  # nothing was sent or recorded: plan it again shortly
                log.warning("scheduled %s job postponed: the database's disk is full", kind)
                asyncio.get_running_loop().call_later(DISK_FULL_RETRY, self.request_replan)
                return
            log.error("scheduled %s job failed with %s at %s", kind, type(exc).__name__,
                      where_it_broke(exc))
            return
        self.jobs_run += 1
        if posts:
            self.outbox.kick()
        await self.note_next_job()

    async def note_next_job(self) -> None:
        """Write the next one-shot job to the database, where `minga status` reads it."""
        upcoming = sorted(
            (job.next_run_time, str(job.args[0]) if job.args else job.id)
            for job in self.aps.get_jobs()
            if isinstance(job.trigger, DateTrigger) and job.next_run_time is not None)
        nearest = (upcoming[0][1], upcoming[0][0].astimezone(UTC)) if upcoming else None
        if nearest == self._noted:
            return
        self._noted = nearest
        try:
            async with self.db.transaction() as conn:
                await set_next_job(conn, nearest)
        except Exception as exc:
            if not is_disk_full(exc):
                raise
            self._noted = None  # for `minga status` only: written again next time

    def at(self, job_id: str, when: datetime, func: Job, *args: Any) -> None:
        """A one-shot job; a time already past runs at once."""
        run_at = max(when.astimezone(UTC), self.clock.now())
        self.aps.add_job(func, DateTrigger(run_at), args=args, id=job_id,
                         replace_existing=True)

    def every(self, job_id: str, seconds: float, func: Job, *args: Any) -> None:
        self._intervals[job_id] = (seconds, func, args)
        self.aps.add_job(func, IntervalTrigger(seconds=seconds), args=args, id=job_id,
                         replace_existing=True)

    def cancel(self, job_id: str) -> None:
        self._intervals.pop(job_id, None)
        if self.aps.get_job(job_id):
            self.aps.remove_job(job_id)

    def job_ids(self, prefix: str = "") -> list[str]:
        return [job.id for job in self.aps.get_jobs() if job.id.startswith(prefix)]

    def shutdown(self) -> None:
        if self.aps.running:
            self.aps.shutdown(wait=False)
