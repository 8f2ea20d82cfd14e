"""What `minga status` reads (from a read-only connection), and the one note the running
bot leaves for it besides the last sync (`storage.state.LAST_SYNC_OK`): its next job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import aiosqlite

from storage.db import Database
from storage.state import get_value, last_sync, set_value

# The next job the scheduler holds ("kind UTC-ISO"). Jobs live in memory, derived from the
# database, so the running bot writes the nearest one here whenever it changes.
NEXT_JOB = "next_job"


@dataclass(frozen=True)
class Backlog:
    waiting: int
    oldest: datetime | None


async def outbox_backlog(db: Database) -> Backlog:
    """Messages queued and neither sent nor given up on (the outbox_pending index)."""
    row = await db.fetchone(
        "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox "
        "WHERE sent_at IS NULL AND failed IS NULL")
    assert row is not None
    oldest = datetime.fromisoformat(row["oldest"]).astimezone(UTC) if row["oldest"] else None
    return Backlog(int(row["n"]), oldest)


async def room_count(db: Database) -> int:
    row = await db.fetchone("SELECT COUNT(*) FROM rooms")
    return int(row[0]) if row else 0


async def last_sync_at(db: Database) -> datetime | None:
    value = await last_sync(db)
    return datetime.fromisoformat(value).astimezone(UTC) if value else None


async def next_job(db: Database) -> tuple[str, datetime] | None:
    value = await get_value(db, NEXT_JOB)
    if not value:
        return None
    kind, _, when = value.partition(" ")
    return kind, datetime.fromisoformat(when).astimezone(UTC)


async def set_next_job(conn: aiosqlite.Connection, job: tuple[str, datetime] | None) -> None:
    value = f"{job[0]} {job[1].astimezone(UTC).isoformat()}" if job else ""
    await set_value(conn, NEXT_JOB, value)
