"""`minga status`: health read from the database, without touching the running bot.

The running bot notes its last successful sync and its next job in the database; this
reads them, with the outbox backlog and room count, on a read-only connection. A last
sync older than the limit is unhealthy (exit 1): that is what a container HEALTHCHECK
or a monitoring probe acts on.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from storage.db import open_readonly
from storage.health import Backlog, last_sync_at, next_job, outbox_backlog, room_count

DEFAULT_MAX_SYNC_AGE = 600  # seconds: the sync long-polls 30 s, backs off up to 5 min


def version() -> str:
    try:
        return importlib.metadata.version("minga")
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed)"


@dataclass(frozen=True)
class Status:
    last_sync: datetime | None
    backlog: Backlog
    next_job: tuple[str, datetime] | None
    rooms: int
    db_bytes: int


async def read_status(database: Path) -> Status:
    db = await open_readonly(database)
    try:
        return Status(await last_sync_at(db), await outbox_backlog(db), await next_job(db),
                      await room_count(db), _size(database))
    finally:
        await db.close()


def _size(database: Path) -> int:
    parts = (database, Path(f"{database}-wal"))
    return sum(p.stat().st_size for p in parts if p.exists())


def ago(delta: timedelta) -> str:
    """A short human duration: 45 s, 12 min, 3 h 05 min, 2 d 4 h."""
    seconds = int(abs(delta.total_seconds()))
    if seconds < 90:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S UTC")


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB"


def render(status: Status, database: Path, now: datetime, max_age: timedelta
           ) -> tuple[list[str], bool]:
    """The lines to print and whether the bot is healthy."""
    if status.last_sync is None:
        verdict, healthy = "UNHEALTHY: no successful sync recorded yet", False
        sync = "never (not started yet, or still starting)"
    else:
        age = now - status.last_sync
        healthy = age <= max_age
        verdict = "healthy" if healthy else (
            f"UNHEALTHY: last successful sync {ago(age)} ago (limit {ago(max_age)}); "
            "is the bot running and its homeserver reachable? see its log")
        sync = f"{_stamp(status.last_sync)} ({ago(age)} ago)"
    backlog = status.backlog
    outbox = "empty" if not backlog.waiting else (
        f"{backlog.waiting} waiting, the oldest queued {ago(now - backlog.oldest)} ago"
        if backlog.oldest else f"{backlog.waiting} waiting")
    if status.next_job is None:
        job = "none planned (jobs are planned up to two hours ahead)"
    else:
        kind, when = status.next_job
        job = f"{kind} at {_stamp(when)} (" + (
            f"in {ago(when - now)})" if when >= now else f"due {ago(now - when)} ago)")
    lines = [
        f"Minga {version()}: {verdict}",
        f"  last successful sync: {sync}",
        f"  outbox: {outbox}",
        f"  next scheduled job: {job}",
        f"  rooms: {status.rooms}",
        f"  database: {database} ({_mib(status.db_bytes)})",
    ]
    return lines, healthy
