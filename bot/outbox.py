"""Every message Minga sends goes through this SQLite outbox.

A message is written in the same transaction as the change it reports, so
nothing acknowledged is lost; its transaction id is derived from the logical
message, so a send retried after a crash is de-duplicated by the homeserver.
A single worker sends each room's messages in order and takes the rooms in turn
(answers before scheduled posts), so one busy room can't starve the others. It waits
out rate limits (Retry-After), retries as soon as an unreachable homeserver answers
again, and backs off from one that answers with errors (bot/reconnect.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

import aiosqlite

from bot.clock import Clock
from bot.deferred import DeferredWrites
from bot.reconnect import Probe, Retry, Sleep, describe_wait
from bot.render import destination, late_marker, outgoing
from bot.transport import Kind, Verdict
from commands.reply import Msg
from storage.db import Database, is_disk_full
from storage.meetings import iso
from storage.outbox import (
    Head,
    Outgoing,
    count_attempt,
    enqueue,
    mark_failed,
    mark_sent,
    txn_id_for,
    unsent,
    unsent_heads,
)

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


SendFn = Callable[[Outgoing], Awaitable[str]]

# Outbox priorities: a member waiting for an answer goes before a batch of scheduled posts.
ANSWER, SCHEDULED = 0, 1
# The row id of a message held in memory (no outbox row could be written for it).
HELD = 0
# Rooms whose sends may be in flight at once (one send per room at a time).
PARALLEL = 4


async def queue(conn: aiosqlite.Connection, msg: Msg, *, room_id: str, logical_key: str,
                now: datetime, in_reply_to: str | None = None, thread_root: str | None = None,
                late_after: datetime | None = None, priority: int = SCHEDULED) -> bool:
    """Render one message and queue it in the caller's transaction (False: queued before).

    The one path from a `Msg` to the outbox: answers, scheduled posts and notices alike.
    `late_after`: delivered after that moment, the message says it is late."""
    event_type, content = outgoing(msg, in_reply_to=in_reply_to, thread_root=thread_root)
    if late_after is not None:
        content.update(late_marker(msg, iso(late_after)))
    return await enqueue(conn, logical_key=logical_key, room_id=destination(room_id, msg),
                         content=content, now_iso=now.isoformat(), event_type=event_type,
                         priority=priority)


def render_held(msg: Msg, *, room_id: str, logical_key: str, in_reply_to: str | None = None,
                thread_root: str | None = None) -> Outgoing:
    """A message rendered as `queue` would, for a worker to hold in memory (row id 0):
    when the disk is full and even the outbox row cannot be written, the answer is still
    sent, with the transaction id its row would have had."""
    event_type, content = outgoing(msg, in_reply_to=in_reply_to, thread_root=thread_root)
    return Outgoing(HELD, txn_id_for(logical_key), destination(room_id, msg), event_type,
                    content)


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
        # Round-robin across rooms with something queued: when each was last served.
        self._served: dict[str, int] = {}
        self._turn = 0
        self._open = asyncio.Event()  # cleared while a failed send's wait is on
        self._open.set()
        self._holds = 0
        # What the disk refused: "sent" marks kept in memory (those rows are not sent
        # again), and answers that could not even be queued (sent from memory, first).
        self.deferred = DeferredWrites(db)
        self._held: list[Outgoing] = []
        self.held_total = 0

    def hold(self, item: Outgoing) -> None:
        """Send an answer no outbox row could be written for (the disk is full)."""
        self._held.append(item)
        self.held_total += 1
        self.kick()

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
        if self._held:
            return self._held[:limit]
        recorded_later = {int(key.split(":", 1)[1]) for key in self.deferred.keys("sent:")}
        rows = await unsent(self.db, limit + len(recorded_later))
        return [row for row in rows if row.row_id not in recorded_later][:limit]

    async def next_item(self, busy: frozenset[str] = frozenset()) -> Outgoing | None:
        """The next message: of the rooms whose next message has the best priority, the
        one served least recently (a room that had nothing queued first, then the oldest
        message). Rooms in `busy` have a send in flight: their next waits for it.
        Answers held in memory (the disk was full) go first; a row whose "sent" mark waits
        in memory is not sent again."""
        held = [item for item in self._held if item.room_id not in busy]
        if held:
            return held[0]
        recorded_later = {int(key.split(":", 1)[1]) for key in self.deferred.keys("sent:")}
        heads = await unsent_heads(self.db, exclude=recorded_later)
        queued = {head.item.room_id for head in heads}
        self._served = {room: turn for room, turn in self._served.items() if room in queued}
        heads = [head for head in heads if head.item.room_id not in busy]
        if not heads:
            return None
        best = min(head.priority for head in heads)

        def turn(head: Head) -> tuple[int, int]:
            return (self._served.get(head.item.room_id, -1), head.item.row_id)

        chosen = min((head for head in heads if head.priority == best), key=turn).item
        self._turn += 1
        self._served[chosen.room_id] = self._turn
        return chosen

    async def run(self) -> None:
        """Send, rooms in turn; up to PARALLEL rooms at once, one send per room at a time
        (so each room's messages keep their order, and a busy room's send in flight does
        not hold up a quiet room's answer). A failure stops new sends until it is waited
        out."""
        inflight: dict[str, asyncio.Task[None]] = {}
        try:
            while True:
                await self._open.wait()
                if len(self.deferred):
                    await self.deferred.flush()
                # Cleared before looking, so a kick while we look is not lost.
                self._wake.clear()
                item = None
                if len(inflight) < PARALLEL:
                    item = await self.next_item(frozenset(inflight))
                if item is not None:
                    inflight[item.room_id] = asyncio.create_task(
                        self._send_one(item), name="minga-outbox-send")
                    continue
                if not inflight:
                    self._idle.set()
                    # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancel
                    # that lands as the event fires, and stop() would wait forever.
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(30):
                            await self._wake.wait()
                    continue
                woken = asyncio.ensure_future(self._wake.wait())
                try:
                    await asyncio.wait({*inflight.values(), woken},
                                       return_when=asyncio.FIRST_COMPLETED)
                finally:
                    woken.cancel()
                for room_id, task in list(inflight.items()):
                    if task.done():
                        del inflight[room_id]
                        task.result()  # an unexpected error ends the worker (supervised)
        finally:
            for task in inflight.values():
                task.cancel()
            await asyncio.gather(*inflight.values(), return_exceptions=True)

    async def _send_one(self, item: Outgoing) -> None:
        try:
            event_id = await self.send(item)
        except asyncio.CancelledError:
            raise
        except RateLimited as limited:
            log.info("rate limited; waiting %.1fs", limited.retry_after)
            await self._hold(asyncio.sleep(max(limited.retry_after, 0.05)))
            return
        except PermanentSendError as err:
            where = "a direct chat" if item.room_id.startswith("direct:") else item.room_id
            log.warning("dropping message %s for %s: %s", item.txn_id, where, err)
            await self._mark_failed(item, str(err)[:200])
            return
        except Exception as err:  # transient, or unknown: never let the worker die
            kind = (Kind.UNREACHABLE if isinstance(err, HomeserverUnreachable)
                    else Kind.SERVER_ERROR)
            verdict = Verdict(kind, type(err).__name__)
            log.warning("send failed (%s); %s", type(err).__name__,
                        describe_wait(verdict, self.retry))
            await self._mark_attempt(item)
            await self._hold(self._pause(verdict))
            return
        self.retry.succeeded()
        await self._mark_sent(item, event_id)
        self.sent_count += 1

    async def _hold(self, waiting: Awaitable[None]) -> None:
        """No new send starts until this wait is over (every send's, if several fail)."""
        self._holds += 1
        self._open.clear()
        try:
            await waiting
        finally:
            self._holds -= 1
            if not self._holds:
                self._open.set()
                self._wake.set()

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

    async def _mark_sent(self, item: Outgoing, event_id: str) -> None:
        if item.row_id == HELD:
            self._held.remove(item)
            return
        now_iso = self.clock.now().isoformat()

        async def write(conn: aiosqlite.Connection) -> None:
            await mark_sent(conn, item.row_id, event_id, now_iso)

        # On a full disk the mark waits in memory, and the row is not sent again meanwhile.
        await self.deferred.write(f"sent:{item.row_id}", write)

    async def _mark_failed(self, item: Outgoing, reason: str) -> None:
        if item.row_id == HELD:
            self._held.remove(item)
            return

        async def write(conn: aiosqlite.Connection) -> None:
            await mark_failed(conn, item.row_id, reason)

        await self.deferred.write(f"sent:{item.row_id}", write)

    async def _mark_attempt(self, item: Outgoing) -> None:
        if item.row_id == HELD:
            return
        try:
            async with self.db.transaction() as conn:
                await count_attempt(conn, item.row_id)
        except Exception as exc:  # a counter: not worth keeping when the disk is full
            if not is_disk_full(exc):
                raise
