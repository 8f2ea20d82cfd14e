"""Bookkeeping the disk refused, kept in memory and written once space returns.

When the database's disk is full (SQLITE_FULL), a member's write is refused with a clear
reply; but the bot's own bookkeeping (this event was handled, the sync position, this
message was sent) must neither be lost nor stop the loop that writes it. Each such write
is kept here under a key (a newer write under the same key replaces an older one, e.g.
the sync token) and tried again, oldest first, whenever a loop comes round.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import aiosqlite

from storage.db import Database, is_disk_full

log = logging.getLogger(__name__)

Write = Callable[[aiosqlite.Connection], Awaitable[object]]


class DeferredWrites:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._pending: dict[str, Write] = {}
        self.deferred_total = 0
        self.written_late = 0

    def __contains__(self, key: str) -> bool:
        return key in self._pending

    def __len__(self) -> int:
        return len(self._pending)

    def keys(self, prefix: str = "") -> list[str]:
        return [key for key in self._pending if key.startswith(prefix)]

    def defer(self, key: str, write: Write) -> None:
        if not self._pending:
            log.warning("the database's disk is full: keeping the bot's bookkeeping in "
                        "memory until space returns")
        self._pending.pop(key, None)  # a newer value goes to the back of the queue
        self._pending[key] = write
        self.deferred_total += 1

    async def write(self, key: str, write: Write) -> bool:
        """Write now in its own transaction; on a full disk keep it for later (False).

        A newer write under a key that is still waiting replaces it."""
        if self._pending and key not in self._pending:
            await self.flush()
        try:
            async with self.db.transaction() as conn:
                await write(conn)
        except Exception as exc:
            if not is_disk_full(exc):
                raise
            self.defer(key, write)
            return False
        self._pending.pop(key, None)
        return True

    async def flush(self) -> bool:
        """Write what is waiting, oldest first; stop at the first refusal. True when empty."""
        for key, write in list(self._pending.items()):
            if self._pending.get(key) is not write:
                continue  # replaced or written meanwhile
            try:
                async with self.db.transaction() as conn:
                    await write(conn)
            except Exception as exc:
                if not is_disk_full(exc):
                    raise
                return False
            if self._pending.get(key) is write:
                del self._pending[key]
            self.written_late += 1
            if not self._pending:
                log.warning("the database's disk has room again: the bot's bookkeeping "
                            "is written")
        return not self._pending
