"""The contract between scheduled domain work and the bot's scheduler.

A planner returns `PlannedJob`s (when, which kind, which arguments); a job
returns `Post`s. The bot runs each job inside one transaction together with
queueing its posts, so "recorded as sent" and "queued for sending" are one
atomic step.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from commands.context import RoomView, Settings
from commands.reply import Msg
from storage.db import Database


@dataclass(frozen=True)
class Post:
    room_id: str
    logical_key: str
    msg: Msg
    # If the homeserver only takes it after this moment, the message says it is late.
    late_after: datetime | None = None


@dataclass(frozen=True)
class PlannedJob:
    job_id: str
    fire_at: datetime
    kind: str
    args: tuple[Any, ...]


@dataclass
class JobEnv:
    db: Database
    now: datetime
    settings: Settings
    room: Callable[[str], Awaitable[RoomView | None]]
    hooks: dict[str, list[Callable[..., Any]]] = field(default_factory=dict)


JobFn = Callable[..., Awaitable[list[Post]]]
Planner = Callable[[Database, datetime], Awaitable[list[PlannedJob]]]
# (job-id prefix whose jobs to drop, the new jobs) after a command changed one item.
Replanner = Callable[[Database, int, datetime], Awaitable[tuple[str, list[PlannedJob]]]]


@dataclass
class Schedules:
    """What each domain schedules, registered by its module; read by the bot's scheduler."""

    jobs: dict[str, JobFn] = field(default_factory=dict)
    planners: list[Planner] = field(default_factory=list)
    replanners: dict[str, list[Replanner]] = field(default_factory=lambda: defaultdict(list))
    # Named extension points (see docs/ARCHITECTURE.md), e.g. "reminder" sections.
    hooks: dict[str, list[Callable[..., Any]]] = field(default_factory=lambda: defaultdict(list))

    def job(self, kind: str) -> Callable[[JobFn], JobFn]:
        def register(fn: JobFn) -> JobFn:
            if kind in self.jobs:
                raise ValueError(f"job kind {kind!r} registered twice")
            self.jobs[kind] = fn
            return fn

        return register

    def planner(self, fn: Planner) -> Planner:
        self.planners.append(fn)
        return fn

    def replanner(self, kind: str) -> Callable[[Replanner], Replanner]:
        """Several domains may re-plan after one kind of change (a meeting moved)."""
        def register(fn: Replanner) -> Replanner:
            self.replanners[kind].append(fn)
            return fn

        return register

    def hook(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            self.hooks[name].append(fn)
            return fn

        return register

    def include(self, other: Schedules) -> None:
        """Take over what one module declared (see `commands.router.CommandSet`)."""
        for kind, fn in other.jobs.items():
            self.job(kind)(fn)
        self.planners.extend(other.planners)
        for kind, replanners in other.replanners.items():
            self.replanners[kind].extend(replanners)
        for name, hooks in other.hooks.items():
            self.hooks[name].extend(hooks)

    async def plan_everything(self, db: Database, now: datetime) -> list[PlannedJob]:
        """All jobs due soon, derived from the DB (at start and on the hourly tick)."""
        jobs: list[PlannedJob] = []
        for planner in self.planners:
            jobs.extend(await planner(db, now))
        return jobs

    async def plan_changed(self, db: Database, kind: str, item_id: int, now: datetime
                           ) -> list[tuple[str, list[PlannedJob]]]:
        """For each replanner of `kind`: (job-id prefix to drop, new jobs)."""
        return [await fn(db, item_id, now) for fn in self.replanners.get(kind, [])]
