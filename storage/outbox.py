"""Outbox identity: one logical message, one transaction id, forever."""

from __future__ import annotations

import hashlib

from storage.db import Database


def txn_id_for(logical_key: str) -> str:
    """Stable, URL-safe transaction id; the homeserver de-duplicates a resend by it."""
    return "minga-" + hashlib.sha256(logical_key.encode()).hexdigest()[:40]


async def logical_key_of(db: Database, room_id: str, event_id: str) -> str | None:
    """Which of our messages an event id is (for reactions and answers to it)."""
    row = await db.fetchone(
        "SELECT logical_key FROM outbox WHERE event_id = ? AND room_id = ?", (event_id, room_id))
    return row["logical_key"] if row else None


async def event_id_of(db: Database, logical_key: str) -> str | None:
    row = await db.fetchone(
        "SELECT event_id FROM outbox WHERE txn_id = ?", (txn_id_for(logical_key),))
    return row["event_id"] if row else None
