"""What `minga status` reads: a few counts, from a read-only connection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from storage.db import Database


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
