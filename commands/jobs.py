"""The contract between scheduled domain work and the bot's scheduler.

A planner returns `PlannedJob`s (when, which kind, which arguments); a job returns `Post`s.
The bot runs each job inside one transaction together with queueing its posts, so
"recorded as sent" and "queued for sending" are one atomic step; it also re-prefixes the
posts' `!command` code spans for the room, so a job writes commands with "!".

Kinds are enums: a job of a kind nobody registered, or a change nobody re-plans, is an
error (`Schedules.check`), never a silent drop.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Concatenate, Protocol, TypeVar

from commands.context import ChangeKind, Context, RoomView, Settings
from commands.reply import Msg
from domain.recurrence import Occurrence
from domain.reschedule import Carried, CarryOver
from storage.db import Database
from storage.meetings import Meeting
from storage.state import scheduler_seen

# Planners hold as jobs only what falls due this soon; the hourly re-plan brings in the rest.
PLAN_HORIZON = timedelta(hours=2)
# How far back a planner looks for work that fell due while the bot was away.
LOOK_BACK = timedelta(days=7)
# Sent this long after it was due, a scheduled message says it is late.
LATE_AFTER = timedelta(minutes=5)


async def looked_last(db: Database, now: datetime) -> datetime:
    """When the scheduler last looked at the clock (before a restart, or before the clock
    jumped forward): what fell due between then and `now` was missed. At most LOOK_BACK ago,
    never after `now` (a clock stepped back), `now` on the very first start."""
    seen = await scheduler_seen(db)
    return now if seen is None else max(min(seen, now), now - LOOK_BACK)


class JobKind(StrEnum):
    """What a scheduled job does; its value is how job ids and logs name it."""

    REMINDER = "reminder"
    ROTA_RECORD = "rota-record"
    FACILITATOR_NUDGE = "facilitator-nudge"
    ACTION_NUDGE = "action-nudge"
    DIGEST = "digest"
    POLL_CLOSE = "poll-close"
    CHECKIN_PROMPT = "checkin-prompt"
    CHECKIN_CLOSE = "checkin-close"
    CHECKIN_SUMMARY_EDIT = "checkin-summary-edit"
    RETENTION = "retention"


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
    kind: JobKind
    args: tuple[Any, ...]

    def __post_init__(self) -> None:
        # A kind given by value ("reminder") becomes the member; an unknown one raises.
        object.__setattr__(self, "kind", JobKind(self.kind))


# ---- extension points: one domain adds to another's messages -----------------------------
# Positional-only, so any parameter names fit.


class ReminderSection(Protocol):
    """Appends to a meeting reminder (the rota's role holders, carried-over actions)."""

    async def __call__(self, env: JobEnv, meeting: Meeting, original_local: datetime,
                       start_utc: datetime, lead_min: int, msg: Msg, room: RoomView, /
                       ) -> None: ...


class MeetingRoles(Protocol):
    """(role, user id) pairs: who holds which role in one occurrence (read-only)."""

    async def __call__(self, db: Database, meeting: Meeting, occurrence: Occurrence, /
                       ) -> list[tuple[str, str]]: ...


class DigestSection(Protocol):
    """Appends a section to a room's weekly digest (check-in blockers)."""

    async def __call__(self, env: JobEnv, room_id: str, msg: Msg, room: RoomView, /
                       ) -> None: ...


class AgendaSection(Protocol):
    """Appends to `!meeting agenda` (carried-over actions)."""

    async def __call__(self, ctx: Context, meeting: Meeting, occurrence: Occurrence,
                       msg: Msg, /) -> None: ...


class AfterCommand(Protocol):
    """Runs after every command, whatever its outcome (`command` is the router's `Command`,
    None for an unknown one)."""

    async def __call__(self, ctx: Context, command: object, /) -> None: ...


class SeriesChange(Protocol):
    """A series' time, days or rule changed: move this feature's per-occurrence rows with
    `carry.target(original)` and say what was kept or dropped."""

    async def __call__(self, ctx: Context, meeting: Meeting, carry: CarryOver, /
                       ) -> list[Carried]: ...


H = TypeVar("H")


class HookList(list[H]):
    def register(self, hook: H) -> H:
        """Add a hook; usable as a decorator."""
        self.append(hook)
        return hook


@dataclass
class Hooks:
    reminder: HookList[ReminderSection] = field(default_factory=HookList)
    meeting_roles: HookList[MeetingRoles] = field(default_factory=HookList)
    digest: HookList[DigestSection] = field(default_factory=HookList)
    agenda: HookList[AgendaSection] = field(default_factory=HookList)
    command: HookList[AfterCommand] = field(default_factory=HookList)
    series_change: HookList[SeriesChange] = field(default_factory=HookList)

    def include(self, other: Hooks) -> None:
        """Add another set's hooks after these (see `Schedules.include`)."""
        self.reminder.extend(other.reminder)
        self.meeting_roles.extend(other.meeting_roles)
        self.digest.extend(other.digest)
        self.agenda.extend(other.agenda)
        self.command.extend(other.command)
        self.series_change.extend(other.series_change)


@dataclass
class JobEnv:
    db: Database
    now: datetime
    settings: Settings
    room: Callable[[str], Awaitable[RoomView | None]]
    hooks: Hooks = field(default_factory=Hooks)


# A job: `(env, *the PlannedJob's args) -> posts`.
JobFn = Callable[Concatenate[JobEnv, ...], Awaitable[list[Post]]]


class Planner(Protocol):
    """Every job due within PLAN_HORIZON, derived from the DB (at start and hourly)."""

    async def __call__(self, db: Database, now: datetime, /) -> list[PlannedJob]: ...


class Replanner(Protocol):
    """After a command changed item `item_id`: (job-id prefix whose jobs to drop, new jobs)."""

    async def __call__(self, db: Database, item_id: int, now: datetime, /
                       ) -> tuple[str, list[PlannedJob]]: ...


@dataclass
class Schedules:
    """What each domain schedules, registered by its module; read by the bot's scheduler."""

    jobs: dict[JobKind, JobFn] = field(default_factory=dict)
    planners: list[Planner] = field(default_factory=list)
    replanners: dict[ChangeKind, list[Replanner]] = field(
        default_factory=lambda: defaultdict(list))
    hooks: Hooks = field(default_factory=Hooks)

    def job(self, kind: JobKind) -> Callable[[JobFn], JobFn]:
        def register(fn: JobFn) -> JobFn:
            if kind in self.jobs:
                raise ValueError(f"job kind {kind!r} registered twice")
            self.jobs[JobKind(kind)] = fn
            return fn

        return register

    def planner(self, fn: Planner) -> Planner:
        self.planners.append(fn)
        return fn

    def replanner(self, kind: ChangeKind) -> Callable[[Replanner], Replanner]:
        """Several domains may re-plan after one kind of change (a meeting moved)."""
        def register(fn: Replanner) -> Replanner:
            self.replanners[ChangeKind(kind)].append(fn)
            return fn

        return register

    def check(self) -> None:
        """Every kind has its job and every change its re-planner (once all are registered)."""
        no_job = [k.value for k in JobKind if k not in self.jobs]
        no_replanner = [k.value for k in ChangeKind if not self.replanners.get(k)]
        if no_job or no_replanner:
            raise ValueError(f"nothing registered for job kinds {no_job} / changes "
                             f"{no_replanner}")

    def include(self, other: Schedules) -> None:
        """Take over what one module declared (see `commands.router.CommandSet`)."""
        for kind, fn in other.jobs.items():
            self.job(kind)(fn)
        self.planners.extend(other.planners)
        for change, replanners in other.replanners.items():
            self.replanners[change].extend(replanners)
        self.hooks.include(other.hooks)

    async def plan_everything(self, db: Database, now: datetime) -> list[PlannedJob]:
        """All jobs due soon, derived from the DB (at start and on the hourly tick)."""
        jobs: list[PlannedJob] = []
        for planner in self.planners:
            jobs.extend(await planner(db, now))
        return jobs

    async def plan_changed(self, db: Database, kind: ChangeKind, item_id: int, now: datetime
                           ) -> list[tuple[str, list[PlannedJob]]]:
        """For each replanner of `kind`: (job-id prefix to drop, new jobs).

        A value that is no ChangeKind raises ValueError: a typo never skips a re-plan."""
        return [await fn(db, item_id, now) for fn in self.replanners.get(ChangeKind(kind), [])]
