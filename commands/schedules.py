"""Every kind of scheduled work Minga does, in one registry the bot's scheduler reads."""

from __future__ import annotations

from datetime import datetime

from commands import meeting_suggest, reminders
from commands.jobs import JobFn, PlannedJob
from storage.db import Database
from storage.meetings import get_meeting_by_id

JOBS: dict[str, JobFn] = {
    "reminder": reminders.fire_reminder,
    "poll-close": meeting_suggest.close_due_poll,
}


async def plan_everything(db: Database, now: datetime) -> list[PlannedJob]:
    """All jobs due soon, derived from the DB (at start and on the hourly tick)."""
    return [*await reminders.plan_all(db, now), *await meeting_suggest.plan_polls(db)]


async def plan_changed(db: Database, kind: str, item_id: int, now: datetime
                       ) -> tuple[str, list[PlannedJob]]:
    """(job-id prefix to drop, new jobs) after a command changed one item."""
    if kind == "meeting":
        meeting = await get_meeting_by_id(db, item_id)
        jobs = await reminders.plan_meeting(db, meeting, now) if meeting else []
        return reminders.job_prefix(item_id), jobs
    if kind == "poll":
        return f"poll:{item_id}", await meeting_suggest.plan_polls(db, item_id)
    raise ValueError(f"unknown schedule kind {kind!r}")
