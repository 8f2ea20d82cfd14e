"""Messages Minga holds but cannot decrypt yet (table pending_decryption)."""

from __future__ import annotations

import aiosqlite


async def mark_notified(conn: aiosqlite.Connection, event_id: str) -> None:
    """The sender has been told about this message: no "couldn't decrypt" notice later."""
    await conn.execute("UPDATE pending_decryption SET notified = 1 WHERE event_id = ?",
                       (event_id,))
