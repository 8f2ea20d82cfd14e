"""Outbox identity: one logical message, one transaction id, forever."""

from __future__ import annotations

import hashlib


def txn_id_for(logical_key: str) -> str:
    """Stable, URL-safe transaction id; the homeserver de-duplicates a resend by it."""
    return "minga-" + hashlib.sha256(logical_key.encode()).hexdigest()[:40]
