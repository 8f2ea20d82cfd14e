"""nio's AsyncClient with every request bounded in time, a cheap probe, and a reset.

nio passes aiohttp `timeout=0` for uploads, downloads and zero-timeout or
full-state syncs, which aiohttp reads as "no limit at all": a connection that
is accepted but never answered would hang them for ever. Here no request can
take longer than UNBOUNDED_CAP. Long-poll syncs keep nio's own deadline (the
long-poll plus 15 s), and every other request `request_timeout`.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from aiohttp import ClientResponse
from nio import (
    AsyncClient,
    KeysUploadError,
    KeysUploadResponse,
    MatrixRoom,
    MegolmEvent,
    SyncResponse,
)
from nio.api import Api

from bot.fallback_key import ALGORITHM, needs_new, new_fallback_keys, unused_types
from bot.flood import MemberRate, Verdict
from bot.transport import TRANSPORT_ERRORS

log = logging.getLogger(__name__)

# The /sync long-poll: how long the server may hold a sync open when nothing happens.
SYNC_TIMEOUT_MS = 30_000
# nio gives a long-poll /sync its own client deadline, the long-poll + 15 s (45 s), and a
# zero-timeout or full-state sync none at all (capped below). Every other request gets
# request_timeout: longer than the long-poll, so a sync made with nio's default (which uses
# request_timeout as the long-poll too) would not be cut before the server answers, but bounded.
REQUEST_TIMEOUT = SYNC_TIMEOUT_MS / 1000 + 15
# Generous for what Minga uploads (a few KiB of .ics) and for a first full-state sync of a
# bot in dozens of rooms, yet finite.
UNBOUNDED_CAP = 120.0
VERSIONS_PATH = "/_matrix/client/versions"
# Our own device list is asked for again at most this often when a sync says it changed.
OWN_KEYS_EVERY = 60.0


class MingaClient(AsyncClient):
    """Counts transport failures, so a caller can tell nio swallowed one (see bot.client)."""

    transport_failures = 0
    client_session: Any  # nio's aiohttp session, made on first use (None after a reset)
    # Set by the bot: a member over the rate has their encrypted events left undecrypted.
    rate: MemberRate | None = None
    own_keys_asked: float | None = None  # monotonic time of our last own-keys query
    own_keys_skipped = 0  # own-keys queries not made (counted for tests)
    # The fallback-key algorithms the homeserver holds unused for our device, as the last
    # sync said (None until one says; bot/fallback_key.py).
    unused_fallback_key_types: frozenset[str] | None = None

    def _handle_olm_events(self, response: SyncResponse) -> None:
        """Synapse lists our own user as "changed" in the sync after about half of our own
        messages (measured: 49 of 93 batches with a reply of ours, no device changed), and
        nio then asks for our keys each time: one more request per reply, made before the
        batch's commands are read. Our own other devices only ever need our room keys, so
        asking once a minute is soon enough; everybody else's changes are asked at once."""
        olm = self.olm
        asked_before = olm is not None and self.user_id in olm.users_for_key_query
        super()._handle_olm_events(response)
        if olm is None or asked_before or self.user_id not in olm.users_for_key_query:
            return
        now = time.monotonic()
        if self.own_keys_asked is not None and now - self.own_keys_asked < OWN_KEYS_EVERY:
            olm.users_for_key_query.discard(self.user_id)
            self.own_keys_skipped += 1
        else:
            self.own_keys_asked = now

    def _handle_timeline_event(self, event: Any, room_id: str, room: MatrixRoom,
                               encrypted_rooms: set[str]) -> Any:
        """nio decrypts each timeline event here; an event from a member over the rate is
        judged on its clear envelope first and, if skipped, left encrypted (the sync
        handler knows it by its verdict and neither answers it nor waits for its key)."""
        if (self.rate is not None and isinstance(event, MegolmEvent)
                and event.sender != self.user_id
                and self.rate.judge(room_id, event.sender, event.event_id,
                                event.server_timestamp) is Verdict.SKIP):
            event.room_id = room_id
            return None
        return super()._handle_timeline_event(event, room_id, room, encrypted_rooms)

    async def _send(
        self,
        response_class: type,
        method: str,
        path: str,
        data: Any = None,
        response_data: tuple[Any, ...] | None = None,
        content_type: str | None = None,
        trace_context: Any | None = None,
        data_provider: Any = None,
        timeout: float | None = None,
        content_length: int | None = None,
        save_to: os.PathLike[str] | None = None,
    ) -> Any:
        if timeout == 0:
            timeout = UNBOUNDED_CAP
        try:
            return await super()._send(
                response_class, method, path, data, response_data, content_type,
                trace_context, data_provider, timeout, content_length, save_to)
        except TRANSPORT_ERRORS:
            self.transport_failures += 1
            raise

    async def parse_body(self, transport_response: ClientResponse) -> dict[Any, Any]:
        """nio drops the sync's `device_unused_fallback_key_types`; note it on the way."""
        body: dict[Any, Any] = await super().parse_body(transport_response)
        unused = unused_types(body) if isinstance(body, dict) else None
        if unused is not None:
            self.unused_fallback_key_types = unused
        return body

    @property
    def should_upload_fallback_key(self) -> bool:
        return self.olm is not None and needs_new(self.unused_fallback_key_types)

    async def fallback_key_upload(self) -> KeysUploadResponse | KeysUploadError:
        """Put a new fallback key up. nio takes the answer as for its own key uploads: the
        keys are marked published and the account saved with the new key in it."""
        olm = self.olm
        assert olm is not None and self.user_id and self.device_id
        # nio's OlmAccount has no fallback-key methods; its vodozemac account has.
        keys = new_fallback_keys(olm.account._account, olm.sign_json, self.user_id,
                                 self.device_id)
        method, path, data = Api.keys_upload(self.access_token, {"fallback_keys": keys})
        resp: KeysUploadResponse | KeysUploadError = await self._send(
            KeysUploadResponse, method, path, data)
        if isinstance(resp, KeysUploadResponse):
            # Until the next sync says so itself (start-up runs key maintenance twice).
            held = self.unused_fallback_key_types or frozenset()
            self.unused_fallback_key_types = held | {ALGORITHM}
            log.info("uploaded a new fallback key (the homeserver held no unused one)")
        return resp

    def load_store(self) -> None:
        """nio writes the set of newly encrypted rooms to its store after every sync, and
        looks up its account first even when the set is empty (a peewee query per sync, each
        of a flood's many): only a non-empty set is written."""
        super().load_store()
        store = self.store
        if store is None:
            return
        save = store.save_encrypted_rooms

        def save_if_any(rooms: set[str]) -> None:
            if rooms:
                save(rooms)

        store.save_encrypted_rooms = save_if_any

    async def probe(self, timeout: float) -> bool:
        """Does the homeserver answer `GET /_matrix/client/versions` within `timeout`?

        Unauthenticated and served from memory by Synapse: the cheapest question there is.
        """
        try:
            resp = await self.send("GET", VERSIONS_PATH, timeout=timeout)
            try:
                await resp.read()
                return resp.status == 200
            finally:
                resp.release()
        except TRANSPORT_ERRORS as err:
            log.debug("probe: no answer (%s)", type(err).__name__)
            return False

    async def reset_transport(self) -> None:
        """Drop every open connection: requests stuck on a dead one fail now, not at their
        deadline. The next request opens a fresh session (nio makes one when there is none).
        """
        session, self.client_session = self.client_session, None
        if session is not None:
            await session.close()
