"""The contract between scheduled domain work and the bot's scheduler.

A planner returns `PlannedJob`s (when, which kind, which arguments); a job
returns `Post`s. The bot runs each job inside one transaction together with
queueing its posts, so "recorded as sent" and "queued for sending" are one
atomic step.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
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


JobFn = Callable[..., Awaitable[list[Post]]]
