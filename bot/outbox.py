"""Every message Minga sends goes through this SQLite outbox.

A message is written in the same transaction as the change it reports, so
nothing acknowledged is lost; its transaction id is derived from the logical
message, so a send retried after a crash is de-duplicated by the homeserver.
A single worker sends in order, waits out rate limits (Retry-After), retries
as soon as an unreachable homeserver answers again, and backs off from one
that answers with errors (bot/reconnect.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiosqlite

from bot.clock import Clock
from bot.reconnect import Probe, Retry, Sleep, describe_wait
from bot.transport import Kind, Verdict
from storage.db import Database
from storage.outbox import txn_id_for

log = logging.getLogger(__name__)


class RateLimited(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after:.1f}s")
        self.retry_after = retry_after


class TransientSendError(Exception):
    """Network trouble or a 5xx: try again later."""


class HomeserverUnreachable(TransientSendError):
    """No answer came back (or a gateway's 502–504): retry as soon as the server answers."""


class PermanentSendError(Exception):
    """The homeserver refused for good (not in the room, forbidden)."""


@dataclass(frozen=True)
class Outgoing:
    row_id: int
    txn_id: str
    room_id: str
    event_type: str
    content: dict[str, Any]


SendFn = Callable[[Outgoing], Awaitable[str]]


async def enqueue(
    conn: aiosqlite.Connection,
    *,
    logical_key: str,
    room_id: str,
    content: dict[str, Any],
    now_iso: str,
    event_type: str = "m.room.message",
    priority: int = 1,
) -> bool:
    """Queue inside the caller's transaction. False if that logical message was queued before."""
    cur = await conn.execute(
        "INSERT OR IGNORE INTO outbox (txn_id, logical_key, room_id, event_type, content, "
        "created_at, priority) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (txn_id_for(logical_key), logical_key, room_id, event_type, json.dumps(content),
         now_iso, priority),
    )
    return cur.rowcount == 1


class OutboxWorker:
    def __init__(self, db: Database, send: SendFn, clock: Clock, *, probe: Probe | None = None,
                 sleep: Sleep = asyncio.sleep) -> None:
        self.db = db
        self.send = send
        self.clock = clock
        self.retry = Retry(probe, name="outbox", sleep=sleep)
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._homeserver_back = asyncio.Event()
        self.sent_count = 0

    def kick(self) -> None:
        self._wake.set()

    async def wait_idle(self) -> None:
        """For tests and shutdown: until everything queued so far is sent or failed."""
        self.kick()
        while True:
            self._idle.clear()
            if not await self._pending(limit=1):
                return
            await self._idle.wait()

    async def _pending(self, limit: int = 50) -> list[Outgoing]:
        rows = await self.db.fetchall(
            "SELECT id, txn_id, room_id, event_type, content FROM outbox "
            "WHERE sent_at IS NULL AND failed IS NULL ORDER BY priority, id LIMIT ?",
            (limit,),
        )
        return [
            Outgoing(r["id"], r["txn_id"], r["room_id"], r["event_type"], json.loads(r["content"]))
            for r in rows
        ]

    async def run(self) -> None:
        while True:
            # One at a time: an answer queued meanwhile goes before the rest of a batch.
            batch = await self._pending(limit=1)
            if not batch:
                self._idle.set()
                self._wake.clear()
                # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancel
                # that lands as the event fires, and stop() would wait forever.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(30):
                        await self._wake.wait()
                continue
            for item in batch:
                try:
                    event_id = await self.send(item)
                except asyncio.CancelledError:
                    raise
                except RateLimited as limited:
                    log.info("rate limited; waiting %.1fs", limited.retry_after)
                    await asyncio.sleep(max(limited.retry_after, 0.05))
                    break
                except PermanentSendError as err:
                    where = "a direct chat" if item.room_id.startswith("direct:") else item.room_id
                    log.warning("dropping message %s for %s: %s", item.txn_id, where, err)
                    await self._mark(item, failed=str(err)[:200])
                    continue
                except Exception as err:  # transient, or unknown: never let the worker die
                    kind = (Kind.UNREACHABLE if isinstance(err, HomeserverUnreachable)
                            else Kind.SERVER_ERROR)
                    verdict = Verdict(kind, type(err).__name__)
                    log.warning("send failed (%s); %s", type(err).__name__,
                                describe_wait(verdict, self.retry))
                    await self._mark_attempt(item)
                    await self._pause(verdict)
                    break
                self.retry.succeeded()
                await self._mark(item, event_id=event_id)
                self.sent_count += 1

    async def _pause(self, verdict: Verdict) -> None:
        """Wait as the failure deserves, but wake early when the sync loop hears the
        homeserver is back."""
        self._wake.clear()
        self._homeserver_back.clear()
        waiting = asyncio.ensure_future(self.retry.wait(verdict))
        back = asyncio.ensure_future(self._homeserver_back.wait())
        try:
            await asyncio.wait({waiting, back}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiting.cancel()
            back.cancel()

    def homeserver_back(self) -> None:
        """The sync loop got through after failures: retry sends now."""
        self._homeserver_back.set()

    async def _mark(self, item: Outgoing, *, event_id: str | None = None,
                    failed: str | None = None) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET sent_at = ?, event_id = ?, failed = ?, attempts = attempts + 1 "
                "WHERE id = ?",
                (self.clock.now().isoformat() if failed is None else None, event_id, failed,
                 item.row_id),
            )

    async def _mark_attempt(self, item: Outgoing) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?",
                               (item.row_id,))
