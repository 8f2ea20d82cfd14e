"""Minga's Matrix side: one login, one device, a supervised sync loop.

Start-up order matters (see shared notes): restore the saved device, do a
first sync *without* acting on anything, upload keys, and only then join
pending invites and act on events. The sync token is saved in our SQLite
database after the events of a batch are handled, and handled event ids
make a replayed batch harmless.
"""

from __future__ import annotations

import asyncio
import base64
import io
import logging
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

from nio import (
    AsyncClient,
    AsyncClientConfig,
    ErrorResponse,
    LocalProtocolError,
    LoginResponse,
    RoomCreateResponse,
    RoomPreset,
    RoomSendResponse,
    SyncResponse,
    UploadResponse,
    WhoamiResponse,
)
from nio.api import Api
from nio.exceptions import SendRetryError

from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.crosssign import CrossSigning, IdentityError, establish, preflight
from bot.outbox import (
    OutboxWorker,
    Outgoing,
    PermanentSendError,
    RateLimited,
    TransientSendError,
)
from bot.render import DIRECT_PREFIX, FILE_EVENT, mark_late
from bot.scheduler import Scheduler
from bot.session import SavedSession, StoreLock, load_session, prepare_store_dir, save_session
from bot.sync_handler import SyncHandler
from bot.verification import Verifications
from commands import build_router
from commands.router import Router
from domain.i18n import warm as warm_catalogues
from storage import Database, open_database
from storage.meetings import iso
from storage.state import SYNC_TOKEN, get_value, set_value

log = logging.getLogger(__name__)

# Lazy-loaded members keep syncs small in big rooms; nio fetches the full member
# list itself before it encrypts for a room.
SYNC_FILTER: dict[str, Any] = {
    "room": {
        "state": {"lazy_load_members": True},
        "timeline": {"limit": 50},
    },
    "presence": {"not_types": ["*"]},
}
SYNC_TIMEOUT_MS = 30_000
MAX_BACKOFF = 300.0
# Gentler than doubling: after a one-minute outage the next try is ~20 s away, not ~60 s.
BACKOFF_FACTOR = 1.5

PERMANENT_ERRORS = {"M_FORBIDDEN", "M_NOT_FOUND", "M_UNKNOWN_TOKEN", "M_TOO_LARGE",
                    "M_BAD_JSON", "M_NOT_JSON"}


class StartupError(RuntimeError):
    """Start-up cannot continue; the message says what to do."""


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
        self.client: AsyncClient | None = None
        self.outbox: OutboxWorker | None = None
        self.scheduler: Scheduler | None = None
        self.handler: SyncHandler | None = None
        self.cross_signing: CrossSigning | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.ready = asyncio.Event()
        self.sync_failures = 0

    # ---- start and stop -------------------------------------------------
    async def start(self) -> None:
        """Lock the store, open the database, log in (once, ever) and start the loops."""
        prepare_store_dir(self.store_dir)
        self.lock.acquire()
        try:
            self.db = await open_database(self.config.storage.database)
            self.client = await self._login()
            if self.cross_sign:
                await self._check_identity()
            self.outbox = OutboxWorker(self.db, self._send, self.clock)
            self.handler = SyncHandler(self.config, self.client, self.db, self.router,
                                       self.outbox, self.clock)
            self.scheduler = Scheduler(self.db, self.outbox, self.clock, self.handler.settings,
                                       self.handler.room_view, self.router.schedules)
            self.handler.after_commit = self.scheduler.replan
            self._tasks.append(asyncio.create_task(self._run(), name="minga-sync"))
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Stop loops and close; never log out — that would destroy the device's keys."""
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            # Bounded: a task that ignores its cancel must not hang shutdown.
            done, stuck = await asyncio.wait(self._tasks, timeout=10)
            for task in done:
                if not task.cancelled() and task.exception() is not None:
                    log.warning("task %s had failed: %s", task.get_name(),
                                type(task.exception()).__name__)
            for task in stuck:
                log.warning("task %s did not stop in time", task.get_name())
        self._tasks.clear()
        if self.scheduler:
            self.scheduler.shutdown()
        if self.client:
            await self.client.close()
        if self.db:
            await self.db.close()
            self.db = None
        self.lock.release()

    async def wait_ready(self, timeout: float = 60) -> None:
        await asyncio.wait_for(self.ready.wait(), timeout)

    # ---- login ------------------------------------------------------------
    async def _login(self) -> AsyncClient:
        cfg = self.config.matrix
        client = AsyncClient(
            cfg.homeserver,
            cfg.user_id,
            store_path=str(self.store_dir),
            config=AsyncClientConfig(
                encryption_enabled=True,
                store_sync_tokens=False,  # our own SQLite keeps the position
                max_limit_exceeded=0,  # we honour Retry-After ourselves
                max_timeouts=0,  # the supervisors back off, not nio
                request_timeout=60,
            ),
        )
        saved = load_session(self.store_dir)
        if saved and (saved.user_id != cfg.user_id or saved.homeserver != cfg.homeserver):
            await client.close()
            raise StartupError(
                f"the store {self.store_dir} belongs to {saved.user_id} on {saved.homeserver}; "
                "use another storage.store_dir for this account"
            )
        if saved:
            client.restore_login(saved.user_id, saved.device_id, saved.access_token)
            log.info("restored device %s", saved.device_id)
            return client
        if cfg.access_token:
            client.access_token = cfg.access_token
            who = await client.whoami()
            if not isinstance(who, WhoamiResponse) or not who.device_id:
                await client.close()
                raise StartupError(f"matrix.access_token was rejected: {_describe(who)}")
            session = SavedSession(cfg.homeserver, who.user_id, who.device_id, cfg.access_token)
        else:
            resp = await client.login(password=cfg.password, device_name=cfg.device_name)
            if not isinstance(resp, LoginResponse):
                await client.close()
                raise StartupError(f"login as {cfg.user_id} failed: {_describe(resp)}")
            session = SavedSession(cfg.homeserver, resp.user_id, resp.device_id,
                                   resp.access_token)
        save_session(self.store_dir, session)
        client.restore_login(session.user_id, session.device_id, session.access_token)
        log.info("logged in as %s, new device %s", session.user_id, session.device_id)
        return client

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

    # ---- sync supervisor --------------------------------------------------
    async def _run(self) -> None:
        assert self.db and self.client and self.handler and self.outbox
        token = await get_value(self.db, SYNC_TOKEN)
        # The catalogues compile in a thread, off the start-up path; a reply needing one
        # before it is ready compiles that language itself (domain/i18n.py holds a lock).
        self._tasks.append(asyncio.create_task(asyncio.to_thread(warm_catalogues),
                                               name="minga-catalogues"))
        first = await self._sync_until_ok(since=token, full_state=True, timeout_ms=0)
        await self._keys_maintenance()
        # Cross-sign only now that our device keys are up, and before any invite or message.
        if self.cross_signing and await establish(self.cross_signing,
                                                  retry_prepare=self._keys_maintenance):
            self.handler.verification = Verifications(
                self.client, self.cross_signing, self.db, self.outbox, self.clock,
                self.handler.settings)
        self._tasks.append(asyncio.create_task(self.outbox.run(), name="minga-outbox"))
        await self._handle_or_retry(first, token, history=token is None)
        # Jobs start once the rooms are known, so an overdue reminder can go out at once;
        # planning runs beside the sync loop, so commands are answered meanwhile.
        assert self.scheduler
        self._tasks.append(asyncio.create_task(self.scheduler.start(self.handler),
                                               name="minga-plan"))
        self.ready.set()
        log.info("ready")
        while True:
            since = await get_value(self.db, SYNC_TOKEN)
            resp = await self._sync_until_ok(since=since, full_state=False,
                                             timeout_ms=SYNC_TIMEOUT_MS)
            await self._keys_maintenance()
            await self._handle_or_retry(resp, since, history=False)

    async def _handle_or_retry(self, resp: SyncResponse, since: str | None, *,
                               history: bool) -> None:
        """Handle a batch; if that fails, back off and fetch the same batch again.

        Handled event ids make the repeat harmless. A batch that fails three
        times is skipped (and logged) so one poisoned event cannot stop the bot.
        """
        assert self.handler and self.client and self.db
        for attempt in range(1, 4):
            try:
                await self.handler.handle(resp, history=history)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.error("handling a sync batch failed (%s), attempt %d",
                          type(exc).__name__, attempt, exc_info=log.isEnabledFor(logging.DEBUG))
                await asyncio.sleep(min(2**attempt, 30))
                self.client.next_batch = since  # let nio process the repeated batch again
                resp = await self._sync_until_ok(since=since, full_state=since is None,
                                                 timeout_ms=0)
        log.error("skipping a sync batch that failed three times")
        async with self.db.transaction() as conn:
            await set_value(conn, SYNC_TOKEN, resp.next_batch)

    async def _sync_until_ok(self, *, since: str | None, full_state: bool,
                             timeout_ms: int) -> SyncResponse:
        """Sync, backing off with jitter from 1 s up to 5 min while the homeserver is down."""
        assert self.client
        delay = 1.0
        while True:
            try:
                resp = await self.client.sync(timeout=timeout_ms, since=since,
                                              full_state=full_state, sync_filter=SYNC_FILTER)
            except (OSError, TimeoutError) as err:
                resp = None
                reason = type(err).__name__
            else:
                if isinstance(resp, SyncResponse):
                    if self.sync_failures and self.outbox:
                        self.outbox.homeserver_back()
                    self.sync_failures = 0
                    return resp
                reason = _describe(resp)
            self.sync_failures += 1
            wait = delay * random.uniform(0.8, 1.0)
            log.warning("sync failed (%s); retrying in %.1fs", reason, max(wait, 1.0))
            await asyncio.sleep(max(wait, 1.0))
            delay = min(delay * BACKOFF_FACTOR, MAX_BACKOFF)

    async def _keys_maintenance(self) -> None:
        """What sync_forever does between syncs: our keys up, others' keys in."""
        assert self.client
        client = self.client
        try:
            if client.should_upload_keys:
                _check(await client.keys_upload(), "keys upload")
            if client.should_query_keys:
                _check(await client.keys_query(), "keys query")
            if client.should_claim_keys:
                _check(await client.keys_claim(client.get_users_for_key_claiming()),
                       "keys claim")
            await client.send_to_device_messages()
        except (OSError, TimeoutError) as err:
            log.warning("key maintenance failed (%s); will retry after the next sync",
                        type(err).__name__)

    # ---- sending ----------------------------------------------------------
    async def _send(self, item: Outgoing) -> str:
        assert self.client
        event_type, content = item.event_type, mark_late(item.content, iso(self.clock.now()))
        if item.room_id.startswith(DIRECT_PREFIX):
            item = await self._resolve_direct(item)
        try:
            if event_type == FILE_EVENT:
                event_type, content = "m.room.message", await self._upload(item)
            if event_type == "m.reaction":
                resp = await self._send_reaction(item.room_id, content, item.txn_id)
            else:
                resp = await self.client.room_send(
                    item.room_id, event_type, content, tx_id=item.txn_id,
                    ignore_unverified_devices=True,
                )
        except LocalProtocolError as err:
            raise PermanentSendError(str(err)) from None
        except (SendRetryError, OSError, TimeoutError) as err:
            raise TransientSendError(type(err).__name__) from None
        if isinstance(resp, RoomSendResponse):
            return resp.event_id
        if resp.status_code == "M_LIMIT_EXCEEDED" or _http_status(resp) == 429:
            raise RateLimited(_retry_after(resp))
        if resp.status_code in PERMANENT_ERRORS:
            raise PermanentSendError(resp.status_code or "error")
        raise TransientSendError(_describe(resp))


    async def _resolve_direct(self, item: Outgoing) -> Outgoing:
        """Find or open the member's encrypted direct chat, and re-address the outbox row."""
        assert self.client and self.db
        user_id = item.room_id[len(DIRECT_PREFIX):]
        row = await self.db.fetchone("SELECT room_id FROM direct_rooms WHERE user_id = ?",
                                     (user_id,))
        room_id = row["room_id"] if row and row["room_id"] in self.client.rooms else None
        if room_id is None:
            resp = await self.client.room_create(
                is_direct=True, invite=[user_id], preset=RoomPreset.trusted_private_chat,
                initial_state=[{"type": "m.room.encryption", "state_key": "",
                                "content": {"algorithm": "m.megolm.v1.aes-sha2"}}],
            )
            if not isinstance(resp, RoomCreateResponse):
                raise TransientSendError(_describe(resp))
            room_id = resp.room_id
            async with self.db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO direct_rooms (user_id, room_id, created_at) VALUES (?, ?, ?) "
                    "ON CONFLICT(user_id) DO UPDATE SET room_id = excluded.room_id",
                    (user_id, room_id, self.clock.now().isoformat()))
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
            await conn.execute("UPDATE outbox SET room_id = ? WHERE id = ?", (room_id, item.row_id))
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
        if room.encrypted:
            if not room.members_synced:
                await client.joined_members(room_id)
            if client.olm.should_share_group_session(room_id):
                await client.share_group_session(room_id, ignore_unverified_devices=True)
            event_type, content = client.encrypt(room_id, event_type, content)
        method, path, data = Api.room_send(client.access_token, room_id, event_type, content,
                                           txn_id)
        # The private _send is nio's one request path (timeouts, 429 handling, parsing).
        return await client._send(RoomSendResponse, method, path, data, (room_id,))

    async def _upload(self, item: Outgoing) -> dict[str, Any]:
        """Upload the attachment (encrypted if the room is) and return the m.file content."""
        assert self.client
        content = dict(item.content)
        data = base64.b64decode(content.pop(FILE_EVENT))
        room = self.client.rooms.get(item.room_id)
        encrypt = bool(room and room.encrypted)
        resp, keys = await self.client.upload(
            lambda *_: io.BytesIO(data), content_type=content["info"]["mimetype"],
            filename=content["body"], encrypt=encrypt, filesize=len(data),
        )
        if not isinstance(resp, UploadResponse):
            if getattr(resp, "status_code", None) == "M_LIMIT_EXCEEDED":
                raise RateLimited(_retry_after(resp))
            raise TransientSendError(_describe(resp))
        if encrypt and keys:
            content["file"] = {**keys, "url": resp.content_uri}
        else:
            content["url"] = resp.content_uri
        return content


def _check(resp: object, what: str) -> None:
    if isinstance(resp, ErrorResponse):
        log.warning("%s failed: %s", what, _describe(resp))


def _describe(resp: object) -> str:
    if isinstance(resp, ErrorResponse):
        return f"{resp.status_code or ''} {resp.message or ''}".strip()
    return type(resp).__name__


def _http_status(resp: ErrorResponse) -> int | None:
    transport = getattr(resp, "transport_response", None)
    return getattr(transport, "status", None)


def _retry_after(resp: ErrorResponse) -> float:
    """How long the homeserver asks us to wait.

    retry_after_ms (deprecated since v1.10, still sent by Synapse) is exact; the
    Retry-After header is whole seconds, so waiting by it alone often earns a
    second 429. Take the precise one when both are there.
    """
    ms = getattr(resp, "retry_after_ms", None)
    if ms:
        return ms / 1000
    transport = getattr(resp, "transport_response", None)
    header = transport.headers.get("Retry-After") if transport is not None else None
    if header:
        try:
            return float(header)
        except ValueError:
            pass
    return 5.0
