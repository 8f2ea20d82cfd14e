"""Minga's Matrix side: one login, one device, supervised loops that are never deaf.

Start-up order matters (see shared notes): restore the saved device, do a
first sync *without* acting on anything, upload keys, and only then join
pending invites and act on events. The sync token is saved in our SQLite
database after the events of a batch are handled, and handled event ids
make a replayed batch harmless.

Staying alive (issue 21): every long-lived task runs under bot/supervisor.py;
every failed request is classified by bot/transport.py; an unreachable
homeserver is probed every couple of seconds and syncing resumes the moment it
answers (bot/reconnect.py); a heartbeat drops connections that went silent; a
watchdog restarts a sync loop that stopped making progress.
"""

from __future__ import annotations

import asyncio
import base64
import io
import logging
import random
import time
from collections.abc import Awaitable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite
from nio import (
    ErrorResponse,
    LocalProtocolError,
    RoomCreateResponse,
    RoomPreset,
    RoomSendResponse,
    SyncResponse,
    UploadFilterResponse,
    UploadResponse,
)
from nio.api import Api, PushRuleKind
from nio.exceptions import SendRetryError

from bot.backup import restore_handled, restored_from_backup
from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.crosssign import CrossSigning, IdentityError, establish, preflight
from bot.login import log_in
from bot.nio_client import SYNC_TIMEOUT_MS, MingaClient
from bot.outbox import (
    HomeserverUnreachable,
    OutboxWorker,
    Outgoing,
    PermanentSendError,
    RateLimited,
    TransientSendError,
)
from bot.reconnect import HEARTBEAT_EVERY, PROBE_TIMEOUT, Retry, describe_wait, stalled
from bot.render import DIRECT_PREFIX, FILE_EVENT, mark_late
from bot.scheduler import Scheduler
from bot.session import StoreLock, prepare_store_dir
from bot.startup import StartupError as StartupError  # re-exported: callers catch it here
from bot.startup import check_storage, tighten
from bot.supervisor import Supervisor
from bot.sync_handler import SyncHandler
from bot.transport import (
    TRANSPORT_ERRORS,
    Kind,
    classify_response,
    describe,
    is_transport_error,
    unreachable,
)
from bot.verification import Verifications
from commands import build_router
from commands.errors import where_it_broke
from commands.router import Router
from domain.i18n import warm as warm_catalogues
from storage import Database, open_database
from storage.direct import direct_room_of, set_direct_room
from storage.meetings import iso
from storage.outbox import readdress
from storage.state import LAST_SYNC_OK, SYNC_TOKEN, get_value, record_last_sync, set_value

log = logging.getLogger(__name__)
T = TypeVar("T")

# Lazy-loaded members keep syncs small in big rooms; nio fetches the full member
# list itself before it encrypts for a room.
SYNC_FILTER: dict[str, Any] = {
    "room": {
        "state": {"lazy_load_members": True},
        "timeline": {"limit": 50},
    },
    "presence": {"not_types": ["*"]},
}
# Without a stored filter (its upload failed) the upload is tried again at most this often.
FILTER_RETRY_EVERY = 60.0
# Watchdog: a sync loop without progress for 2× the long-poll plus the probe interval
# (65 s, more than nio's 45 s deadline for one long-poll) while /versions answers is stuck.
STALL_LIMIT = 2 * SYNC_TIMEOUT_MS / 1000 + 5
WATCH_EVERY = 5.0
# The last successful sync is written to the database at most this often.
LAST_SYNC_SAVE_EVERY = 30.0

PERMANENT_ERRORS = {"M_FORBIDDEN", "M_NOT_FOUND", "M_UNKNOWN_TOKEN", "M_TOO_LARGE",
                    "M_BAD_JSON", "M_NOT_JSON"}


class MingaBot:
    def __init__(self, config: Config, *, clock: Clock | None = None,
                 router: Router | None = None, cross_sign: bool = True) -> None:
        self.config = config
        # False only to measure what members saw before cross-signing (benchmarks/trust.py).
        self.cross_sign = cross_sign
        self.clock = clock or SystemClock()
        self.router = router or build_router()
        self.store_dir = Path(config.storage.store_dir)
        self.lock = StoreLock(self.store_dir)
        self.db: Database | None = None
        self.client: MingaClient | None = None
        self.outbox: OutboxWorker | None = None
        self.scheduler: Scheduler | None = None
        self.handler: SyncHandler | None = None
        self.cross_signing: CrossSigning | None = None
        self.supervisor = Supervisor()
        self.ready = asyncio.Event()
        self.sync_failures = 0
        self.sync_retry = Retry(self._probe, name="sync")
        # Liveness, in monotonic seconds; the fault suite shortens the two limits.
        self.last_sync_ok = time.monotonic()
        self.progress = self.last_sync_ok
        self._last_sync_saved: float | None = None
        self.filter_id: str | None = None  # SYNC_FILTER as stored on the homeserver
        self._filter_tried: float | None = None
        self._key_work = asyncio.Lock()
        self.stall_limit = STALL_LIMIT
        self.watch_every = WATCH_EVERY

    # ---- start and stop -------------------------------------------------
    async def start(self) -> None:
        """Lock the store, open the database, log in (once, ever) and start the loops."""
        check_storage(self.config)
        prepare_store_dir(self.store_dir)
        self.lock.acquire()
        try:
            self.db = await open_database(self.config.storage.database)
            self.client = await self._login()
            if self.cross_sign:
                await self._check_identity()
            tighten(self.config)  # nio's crypto database now exists
            self.outbox = OutboxWorker(self.db, self._send, self.clock, probe=self._probe)
            self.handler = SyncHandler(self.config, self.client, self.db, self.router,
                                       self.outbox, self.clock)
            self.client.rate = self.handler.rate
            self.scheduler = Scheduler(self.db, self.outbox, self.clock, self.handler.settings,
                                       self.handler.room_view, self.router.schedules)
            self.handler.after_commit = self.scheduler.replan
            # The catalogues compile in a thread, off the start-up path; a reply needing one
            # before it is ready compiles that language itself (domain/i18n.py holds a lock).
            self.supervisor.once("minga-catalogues", asyncio.to_thread(warm_catalogues))
            self.supervisor.start("minga-sync", self._sync_loop)
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Stop loops and close; never log out — that would destroy the device's keys."""
        await self.supervisor.stop()
        if self.scheduler:
            self.scheduler.shutdown()
        if self.client:
            await self.client.close()
        if self.db:
            await self.db.close()
            self.db = None
        self.lock.release()

    @property
    def failed(self) -> asyncio.Event:
        """Set when a task could not be kept alive: the process should exit non-zero."""
        return self.supervisor.failed

    async def wait_ready(self, timeout: float = 60) -> None:
        await asyncio.wait_for(self.ready.wait(), timeout)

    # ---- login ------------------------------------------------------------
    async def _login(self) -> MingaClient:
        return await log_in(self.config.matrix, self.store_dir)

    async def _check_identity(self) -> None:
        """Refuse to start if the server has a cross-signing identity whose keys we lack."""
        assert self.client
        self.cross_signing = CrossSigning(self.client, self.store_dir,
                                          password=self.config.matrix.password)
        try:
            await preflight(self.cross_signing)
        except IdentityError as err:
            raise StartupError(str(err)) from None

    @property
    def device_id(self) -> str | None:
        return self.client.device_id if self.client else None

    # ---- the sync loop ------------------------------------------------------
    async def _sync_loop(self) -> None:
        """Task minga-sync (supervised). The first run starts up; a restart resumes from the
        saved token, with nio's rooms and keys still in memory."""
        assert self.db
        if not self.ready.is_set():
            await self._start_up()
        while True:
            await self._store_filter()
            since = await self._since()
            resp = await self._sync_until_ok(since=since, full_state=False,
                                             timeout_ms=SYNC_TIMEOUT_MS)
            await self._keys_maintenance()
            await self._handle_or_retry(resp, since, history=False)

    async def _since(self) -> str | None:
        """Where the next sync starts: the last batch handled (in memory while a full disk
        keeps the token from being saved), else the saved token."""
        assert self.db
        if self.handler and self.handler.unsaved_since:
            return self.handler.unsaved_since
        return await get_value(self.db, SYNC_TOKEN)

    async def _start_up(self) -> None:
        assert self.db and self.outbox and self.scheduler and self.handler
        token = await self._since()
        await self._mute_notifications()
        await self._store_filter()
        first = await self._sync_until_ok(since=token, full_state=True, timeout_ms=0)
        await self._keys_maintenance()
        if restored_from_backup(self.store_dir):
            await self._after_restore()
        # Cross-sign only now that our device keys are up, and before any invite or message.
        if self.cross_signing and await establish(self.cross_signing,
                                                  retry_prepare=self._keys_maintenance):
            self.handler.verification = Verifications(
                self.client, self.cross_signing, self.db, self.outbox, self.clock,
                self.handler.settings)
        self.supervisor.start("minga-outbox", self.outbox.run)
        await self._handle_or_retry(first, token, history=token is None)
        # Jobs start once the rooms are known, so an overdue reminder can go out at once;
        # planning runs beside the sync loop, so commands are answered meanwhile.
        handler, scheduler = self.handler, self.scheduler
        self.supervisor.start("minga-plan", lambda: scheduler.run_planner(handler))
        self.supervisor.start("minga-watchdog", self._watchdog)
        self.ready.set()
        log.info("ready")

    async def _store_filter(self) -> None:
        """Store SYNC_FILTER on the homeserver once and sync by its id, as Element does.

        Synapse checks an inline filter against its JSON schema on every sync (1.9 ms of its
        one thread each, measured with its own code), and a bot syncs after every message
        in its rooms; a stored filter is checked once. Until the upload works (tried again
        a minute later) syncs carry the filter inline, which reads the same."""
        assert self.client
        now = time.monotonic()
        if self.filter_id is not None or (
                self._filter_tried is not None and now - self._filter_tried < FILTER_RETRY_EVERY):
            return
        self._filter_tried = now
        resp = await self._optional(self.client.upload_filter(**SYNC_FILTER),
                                    "store the sync filter (syncing with it inline)")
        if isinstance(resp, UploadFilterResponse):
            self.filter_id = resp.filter_id

    async def _mute_notifications(self) -> None:
        """Turn on the account's master push rule ("notify me of nothing").

        A bot never reads its notifications, yet Synapse stores a push action for it for
        every message in its rooms and counts them into each sync it serves: measured in
        the flood scenario, 366 fewer write transactions for 300 messages, and the unread
        counts of every sync cheaper. Idempotent; a refusal only costs that work."""
        assert self.client
        await self._optional(self.client.enable_pushrule(
            "global", PushRuleKind.override, ".m.rule.master", True),
            "mute the account's notifications")

    async def _optional(self, work: Awaitable[T], what: str) -> T | None:
        """A request Minga can do without: if it fails, one warning and None."""
        try:
            resp = await self._watched(work)
        except TRANSPORT_ERRORS as err:
            log.warning("could not %s (%s); carrying on", what, type(err).__name__)
            return None
        if isinstance(resp, ErrorResponse):
            log.warning("could not %s (%s); carrying on", what, describe(resp))
            return None
        return resp

    async def _handle_or_retry(self, resp: SyncResponse, since: str | None, *,
                               history: bool) -> None:
        """Handle a batch; if that fails, fetch the same batch again and retry.

        Handled event ids make the repeat harmless. A homeserver that went away meanwhile is
        not the batch's fault: it is waited for, not counted. A batch that fails three times
        otherwise is skipped (and logged) so one poisoned event cannot stop the bot.
        """
        assert self.handler and self.client and self.db
        attempt = 0
        while attempt < 3:
            self.progress = time.monotonic()
            try:
                await self._watched(self.handler.handle(resp, history=history))
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if is_transport_error(exc):
                    log.warning("handling a sync batch was cut off (%s); fetching it again "
                                "once the homeserver answers", type(exc).__name__)
                    await self.client.reset_transport()
                    await self.sync_retry.wait(unreachable(exc))
                else:
                    attempt += 1
                    log.error("handling a sync batch failed (%s at %s), attempt %d",
                              type(exc).__name__, where_it_broke(exc), attempt,
                              exc_info=log.isEnabledFor(logging.DEBUG))
                    await asyncio.sleep(min(2**attempt, 30))
            self.client.next_batch = since  # let nio process the repeated batch again
            resp = await self._sync_until_ok(since=since, full_state=since is None,
                                             timeout_ms=0)
        log.error("skipping a sync batch that failed three times")
        token = resp.next_batch

        async def save_token(conn: aiosqlite.Connection) -> None:
            await set_value(conn, SYNC_TOKEN, token)

        if not await self.handler.deferred.write(SYNC_TOKEN, save_token):
            self.handler.unsaved_since = token

    async def _sync_until_ok(self, *, since: str | None, full_state: bool,
                             timeout_ms: int) -> SyncResponse:
        """Sync until it works: resume the moment an unreachable homeserver answers again,
        back off only from errors the server returns itself (bot/reconnect.py)."""
        assert self.client
        while True:
            self.progress = time.monotonic()
            try:
                resp = await self._watched(self.client.sync(
                    timeout=timeout_ms, since=since, full_state=full_state,
                    sync_filter=self.filter_id or SYNC_FILTER))
            except Exception as exc:
                if not is_transport_error(exc):
                    raise
                verdict = unreachable(exc)
            else:
                if isinstance(resp, SyncResponse):
                    await self._synced()
                    return resp
                verdict = classify_response(resp)
                if self.filter_id is not None and verdict.kind is Kind.REFUSED:
                    # A homeserver that lost the stored filter (its database restored from
                    # before the upload) refuses every sync naming it: inline from now on,
                    # stored again a minute later.
                    self.filter_id = None
            self.sync_failures += 1
            log.warning("sync failed (%s); %s", verdict.reason,
                        describe_wait(verdict, self.sync_retry))
            if verdict.kind is Kind.UNREACHABLE:
                await self.client.reset_transport()
            await self.sync_retry.wait(verdict, attempt_started=self.progress)
            if verdict.kind is Kind.UNREACHABLE:
                # Anything started while it was away (a send into a black hole) would wait
                # for its deadline: drop it now, it is retried at once.
                await self.client.reset_transport()

    async def _synced(self) -> None:
        assert self.db
        now = time.monotonic()
        if self.sync_failures:
            log.info("the homeserver answers again; sync resumed after %d failed attempts "
                     "(%.1fs without a sync)", self.sync_failures, now - self.last_sync_ok)
            if self.outbox:
                self.outbox.homeserver_back()
        self.sync_failures = 0
        self.sync_retry.succeeded()
        self.last_sync_ok = self.progress = now
        if self._last_sync_saved is None or now - self._last_sync_saved >= LAST_SYNC_SAVE_EVERY:
            self._last_sync_saved = now
            when = iso(self.clock.now())

            async def save(conn: aiosqlite.Connection) -> None:
                await record_last_sync(conn, when)

            if self.outbox:  # a full disk keeps it in memory, as other bookkeeping
                await self.outbox.deferred.write(LAST_SYNC_OK, save)
            else:
                async with self.db.transaction() as conn:
                    await save(conn)

    async def _keys_maintenance(self) -> None:
        """What sync_forever does between syncs: our keys up, others' keys in."""
        assert self.client
        client = self.client
        try:
            if client.should_upload_keys:
                _check(await self._watched(client.keys_upload()), "keys upload")
            if client.should_upload_fallback_key:
                _check(await self._watched(client.fallback_key_upload()), "fallback key upload")
            if client.should_query_keys:
                _check(await self._watched(client.keys_query()), "keys query")
            if client.should_claim_keys:
                _check(await self._watched(
                    client.keys_claim(client.get_users_for_key_claiming())), "keys claim")
            await self._watched(client.send_to_device_messages())
        except TRANSPORT_ERRORS as err:
            log.warning("key maintenance failed (%s); will retry after the next sync",
                        type(err).__name__)

    async def _after_restore(self) -> None:
        """New olm sessions with every device we had one with: the restored ones may be
        behind what those devices have already received (bot/backup.py)."""
        assert self.client and self.client.olm
        olm = self.client.olm
        devices = [device for device in olm.device_store
                   if device.user_id != self.client.user_id and not device.deleted
                   and olm.session_store.get(device.curve25519) is not None
                   and device not in olm.wedged_devices]
        olm.wedged_devices.extend(devices)
        # The fallback key the homeserver holds may be newer than the restored account: a
        # new one, so a client that finds no one-time key left opens a session we can read.
        self.client.unused_fallback_key_types = frozenset()
        await self._keys_maintenance()
        if any(device in olm.wedged_devices for device in devices):
            log.warning("restored from a backup: new olm sessions with %d of %d devices so "
                        "far; the rest follow", len(devices) - len(olm.wedged_devices),
                        len(devices))
        else:
            log.info("restored from a backup: new olm sessions with %d devices", len(devices))
        restore_handled(self.store_dir)

    # ---- liveness ------------------------------------------------------------
    async def _probe(self) -> bool:
        assert self.client
        return await self.client.probe(PROBE_TIMEOUT)

    async def _watched(self, work: Awaitable[T]) -> T:
        """Await network work while a heartbeat checks that the homeserver still answers."""
        beat = asyncio.create_task(self._heartbeat(), name="minga-heartbeat")
        try:
            return await work
        finally:
            beat.cancel()

    async def _heartbeat(self) -> None:
        """A server that stops answering while a request is open (a black hole, a dead peer
        that never sent a reset) would keep that request, and the long-poll, waiting for its
        deadline. Probe every few seconds; on silence drop every connection, so the work
        fails now and the sync loop's probing takes over."""
        assert self.client
        while True:
            await asyncio.sleep(HEARTBEAT_EVERY * random.uniform(0.8, 1.0))
            if not await self._probe():
                log.warning("the homeserver stopped answering; dropping open connections")
                await self.client.reset_transport()
                return

    async def _watchdog(self) -> None:
        """Task minga-watchdog (supervised): restart a sync loop that stopped making progress
        while the homeserver answers, so the process can't stay alive and deaf."""
        while True:
            await asyncio.sleep(self.watch_every)
            await self._check_liveness()

    async def _check_liveness(self) -> None:
        now = time.monotonic()
        last = max(self.progress, self.sync_retry.last_probe)
        if not stalled(now=now, last_progress=last, limit=self.stall_limit,
                       waiting_until=self.sync_retry.waiting_until):
            return
        if not await self._probe():
            return  # it is away; the sync loop's own probing brings it back
        log.error("no sync for %.0fs although the homeserver answers; restarting the sync "
                  "loop", now - self.last_sync_ok)
        self.progress = now
        self.supervisor.restart("minga-sync", "stalled, restarted by the watchdog")

    # ---- sending ----------------------------------------------------------
    async def _send(self, item: Outgoing) -> str:
        """The outbox's send: one event, with every failure said as the outbox understands it."""
        assert self.client
        event_type, content = item.event_type, mark_late(item.content, iso(self.clock.now()))
        try:
            if item.room_id.startswith(DIRECT_PREFIX):
                item = await self._resolve_direct(item)
            if event_type == FILE_EVENT:
                event_type, content = "m.room.message", await self._upload(item)
            # The outbox sends to several rooms at once; the key work (member lists, key
            # queries and claims, sharing a room key) is done one room at a time.
            async with self._key_work:
                await self._prepare_room(item.room_id)
            if event_type == "m.reaction":
                resp = await self._send_reaction(item.room_id, content, item.txn_id)
            else:
                resp = await self.client.room_send(
                    item.room_id, event_type, content, tx_id=item.txn_id,
                    ignore_unverified_devices=True,
                )
        except SendRetryError as err:  # a LocalProtocolError, but the network's doing
            raise HomeserverUnreachable(type(err).__name__) from None
        except LocalProtocolError as err:
            raise PermanentSendError(str(err)) from None
        except TRANSPORT_ERRORS as err:
            raise HomeserverUnreachable(type(err).__name__) from None
        if isinstance(resp, RoomSendResponse):
            return resp.event_id
        raise _send_error(resp)

    async def _prepare_room(self, room_id: str) -> None:
        """Before encrypting for a room: its members, their devices, and our room key.

        nio's room_send does the same, but ignores a failed member fetch and can't be told
        that sharing the room key failed (see _share_room_key); done here, room_send finds
        nothing left to do.
        """
        assert self.client
        client = self.client
        room = client.rooms.get(room_id)
        if room is None or not room.encrypted or client.olm is None:
            return
        if not room.members_synced:
            members = await client.joined_members(room_id)
            if isinstance(members, ErrorResponse):
                raise _send_error(members)
        if client.should_query_keys:
            _check(await client.keys_query(), "keys query")
        if client.olm.should_share_group_session(room_id):
            await self._share_room_key(room_id)

    async def _share_room_key(self, room_id: str) -> None:
        """Share our megolm session with the room's devices, or fail the send.

        Two nio 0.26 traps when the network fails mid-share: the to-device requests run in
        a gather(return_exceptions=True), so a lost one is swallowed and the session is
        marked shared anyway (members could not decrypt what follows); and a failed key
        claim leaves the room's "sharing" marker behind, on which every later room_send to
        the room would wait for ever. So: clear the marker, and if any request of ours
        failed meanwhile, drop the session so the retry shares a new one.
        """
        assert self.client and self.client.olm
        client = self.client
        failures = client.transport_failures
        try:
            await client.share_group_session(room_id, ignore_unverified_devices=True)
        finally:
            marker = client.sharing_session.pop(room_id, None)
            if marker is not None:
                marker.set()
        if client.transport_failures != failures:
            client.olm.outbound_group_sessions.pop(room_id, None)
            raise HomeserverUnreachable("room key not delivered to every device")

    async def _resolve_direct(self, item: Outgoing) -> Outgoing:
        """Find or open the member's encrypted direct chat, and re-address the outbox row."""
        assert self.client and self.db
        user_id = item.room_id[len(DIRECT_PREFIX):]
        known = await direct_room_of(self.db, user_id)
        room_id = known if known in self.client.rooms else None
        if room_id is None:
            resp = await self.client.room_create(
                is_direct=True, invite=[user_id], preset=RoomPreset.trusted_private_chat,
                initial_state=[{"type": "m.room.encryption", "state_key": "",
                                "content": {"algorithm": "m.megolm.v1.aes-sha2"}}],
            )
            if not isinstance(resp, RoomCreateResponse):
                raise _send_error(resp)
            room_id = resp.room_id
            async with self.db.transaction() as conn:
                await set_direct_room(conn, user_id, room_id, self.clock.now().isoformat())
            for _ in range(100):  # the next sync brings the new room into nio's state
                room = self.client.rooms.get(room_id)
                if room is not None and user_id in room.users:
                    break
                await asyncio.sleep(0.1)
            # The invitee's devices must be known before the first message is encrypted,
            # or the room key goes to nobody but us.
            if self.client.should_query_keys:
                _check(await self.client.keys_query(), "keys query")
        async with self.db.transaction() as conn:
            await readdress(conn, item.row_id, room_id)
        return replace(item, room_id=room_id)

    async def _send_reaction(self, room_id: str, content: dict[str, Any], txn_id: str
                             ) -> RoomSendResponse | ErrorResponse:
        """nio sends m.reaction in clear even in encrypted rooms; we encrypt it ourselves."""
        assert self.client and self.client.olm
        client = self.client
        room = client.rooms.get(room_id)
        if room is None:
            raise LocalProtocolError(f"not in room {room_id}")
        event_type = "m.reaction"
        if room.encrypted:  # _prepare_room has shared the room key
            event_type, content = client.encrypt(room_id, event_type, content)
        method, path, data = Api.room_send(client.access_token, room_id, event_type, content,
                                           txn_id)
        # The private _send is nio's one request path (timeouts, 429 handling, parsing).
        return await client._send(RoomSendResponse, method, path, data, (room_id,))

    async def _upload(self, item: Outgoing) -> dict[str, Any]:
        """Upload the attachment (encrypted if the room is) and return the m.file or m.image
        content (an image's body is its alt text, so its name is in `filename`)."""
        assert self.client
        content = dict(item.content)
        data = base64.b64decode(content.pop(FILE_EVENT))
        room = self.client.rooms.get(item.room_id)
        encrypt = bool(room and room.encrypted)
        resp, keys = await self.client.upload(
            lambda *_: io.BytesIO(data), content_type=content["info"]["mimetype"],
            filename=content.get("filename", content["body"]), encrypt=encrypt, filesize=len(data),
        )
        if not isinstance(resp, UploadResponse):
            raise _send_error(resp)
        if encrypt and keys:
            content["file"] = {**keys, "url": resp.content_uri}
        else:
            content["url"] = resp.content_uri
        return content


def _check(resp: object, what: str) -> None:
    if isinstance(resp, ErrorResponse):
        log.warning("%s failed: %s", what, describe(resp))


def _send_error(resp: ErrorResponse) -> Exception:
    """An error answer to a send, as the outbox's exception: wait, retry, or drop."""
    verdict = classify_response(resp)
    if verdict.kind is Kind.RATE_LIMITED:
        return RateLimited(verdict.retry_after or 0.0)
    if verdict.kind is Kind.UNREACHABLE:
        return HomeserverUnreachable(verdict.reason)
    if resp.status_code in PERMANENT_ERRORS:
        return PermanentSendError(resp.status_code or "error")
    return TransientSendError(verdict.reason)
