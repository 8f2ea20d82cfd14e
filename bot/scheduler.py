"""APScheduler, fed from the database: the DB is the truth, jobs are derived from it.

Each domain that schedules anything supplies a planner; at start (and when
its data changes) the planner re-creates one-shot UTC date jobs. Jobs are
idempotent: each records what it sent under a unique key, so a job that
runs twice, or late after a restart, never sends twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock
from bot.outbox import OutboxWorker
from storage.db import Database

log = logging.getLogger(__name__)

Job = Callable[..., Awaitable[None]]


class Planner(Protocol):
    async def plan(self, scheduler: Scheduler) -> None: ...


class PendingChecker(Protocol):
    async def check_pending(self) -> None: ...


class Scheduler:
    def __init__(self, db: Database, outbox: OutboxWorker, clock: Clock) -> None:
        self.db = db
        self.outbox = outbox
        self.clock = clock
        self.planners: list[Planner] = []
        self.aps = AsyncIOScheduler(
            timezone=UTC,
            # Missed jobs still run (late is better than never); idempotency keys decide.
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )

    async def start(self, pending: PendingChecker) -> None:
        self.aps.start()
        self.every("undecryptable-check", 5, pending.check_pending)
        for planner in self.planners:
            await planner.plan(self)

    def at(self, job_id: str, when: datetime, func: Job, *args: Any) -> None:
        """A one-shot job; a time already past runs at once."""
        run_at = max(when.astimezone(UTC), self.clock.now())
        self.aps.add_job(func, DateTrigger(run_at), args=args, id=job_id,
                         replace_existing=True)

    def every(self, job_id: str, seconds: float, func: Job, *args: Any) -> None:
        self.aps.add_job(func, IntervalTrigger(seconds=seconds), args=args, id=job_id,
                         replace_existing=True)

    def cancel(self, job_id: str) -> None:
        if self.aps.get_job(job_id):
            self.aps.remove_job(job_id)

    def job_ids(self, prefix: str = "") -> list[str]:
        return [job.id for job in self.aps.get_jobs() if job.id.startswith(prefix)]

    def shutdown(self) -> None:
        if self.aps.running:
            self.aps.shutdown(wait=False)
