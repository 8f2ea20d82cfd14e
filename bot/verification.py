"""Members verify Minga by emoji, the way they verify a person in Element.

Element's "Verify" on Minga's profile sends an in-room `m.key.verification.request`
in a direct chat; "Verify session" sends it to Minga's device. Minga answers `ready`,
accepts the member's `start` (emoji), exchanges keys and posts the seven emoji in the
chat, so the member compares them with their screen. Minga cannot see that screen: it
confirms only when the member does, which the member's MAC proves (Element sends it only
after "They match"), and only if that MAC checks out against the member's device and
master keys from the homeserver. Then Minga sends its own MAC (over its device *and*
master key, so the member's client trusts the user, not just one device) and `done`,
and after the member's `done` signs the member's master key with its user-signing key.
A mismatch, a bad MAC or a timeout trusts nothing.

Flows live in memory: a restart forgets a half-done verification, which the member
then simply starts again.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from nio import AsyncClient, ToDeviceError
from nio.event_builders import ToDeviceMessage

from bot.clock import Clock
from bot.crosssign import (
    REQUEST_ERRORS,
    CrossSigning,
    HomeserverError,
    KeysApi,
    public_key_of,
    verify_json,
)
from bot.outbox import OutboxWorker, enqueue
from bot.render import DIRECT_PREFIX, message_content
from bot.sas import SAS_METHOD, Party, SasError, SasFlow
from commands.common import member_lang
from commands.context import Settings
from commands.reply import Msg
from domain.i18n import N_, _, use_language
from storage.db import Database

log = logging.getLogger(__name__)

PREFIX = "m.key.verification."
REQUEST = PREFIX + "request"
# The spec: ignore requests older than 10 minutes or more than 5 minutes ahead.
REQUEST_MAX_AGE_MS = 10 * 60 * 1000
REQUEST_MAX_SKEW_MS = 5 * 60 * 1000
FLOW_LIFETIME_S = 10 * 60

COMPARE = N_(
    "To verify me, compare these emoji with the ones on your screen: {emoji}. "
    "Press “They match” only if all seven are the same, in the same order. I can't see your "
    "screen, so I confirm when you do."
)
VERIFIED = N_(
    "Verified: your app now trusts me, and I have signed your identity. Encrypted messages "
    "between us work even with “Never send encrypted messages to unverified sessions” on."
)
MISMATCH = N_(
    "Verification stopped: the emoji did not match, so nothing was trusted. Someone may be "
    "between us. Try again, and tell your network's admin if it happens twice."
)


def is_verification(event_type: str, msgtype: str | None = None) -> bool:
    return event_type.startswith(PREFIX) or (event_type == "m.room.message"
                                             and msgtype == REQUEST)


@dataclass
class Flow:
    flow_id: str
    user_id: str
    device_id: str
    room_id: str | None  # None: to-device
    started: float = field(default_factory=time.monotonic)
    sas: SasFlow | None = None
    proved: list[str] = field(default_factory=list)
    their_master: dict[str, Any] | None = None
    mac_sent: bool = False


class Verifications:
    def __init__(self, client: AsyncClient, cross_signing: CrossSigning, db: Database,
                 outbox: OutboxWorker, clock: Clock, settings: Settings) -> None:
        self.client = client
        self.cross_signing = cross_signing
        self.api = KeysApi(client)
        self.db = db
        self.outbox = outbox
        self.clock = clock
        self.settings = settings
        self.flows: dict[str, Flow] = {}
        self.completed = 0

    @property
    def us(self) -> Party:
        return Party(str(self.client.user_id), str(self.client.device_id))

    # ---- entry points ------------------------------------------------------------------
    async def on_to_device(self, sender: str, event_type: str, content: dict[str, Any]) -> None:
        flow_id = content.get("transaction_id")
        if not isinstance(flow_id, str) or sender == self.us.user_id:
            return
        # nio's olm machine made its own Sas for this start; we run the flow, so drop it
        # (else nio would answer the member's key with a key of its own).
        self.client.key_verifications.pop(flow_id, None)
        await self._on(sender, event_type, content, flow_id, room_id=None,
                       sent_ms=content.get("timestamp"))

    async def on_room_event(self, room_id: str, sender: str, event_id: str, event_type: str,
                            content: dict[str, Any], server_ts: int) -> None:
        if sender == self.us.user_id:
            return
        if event_type == "m.room.message":  # the request itself
            if content.get("to") != self.us.user_id:
                return
            await self._on(sender, REQUEST, content, event_id, room_id=room_id,
                           sent_ms=server_ts)
            return
        relates = content.get("m.relates_to") or {}
        flow_id = relates.get("event_id")
        if relates.get("rel_type") == "m.reference" and isinstance(flow_id, str):
            await self._on(sender, event_type, content, flow_id, room_id=room_id,
                           sent_ms=server_ts)

    # ---- the flow ------------------------------------------------------------------------
    async def _on(self, sender: str, event_type: str, content: dict[str, Any], flow_id: str,
                  *, room_id: str | None, sent_ms: object) -> None:
        self._forget_old()
        step = event_type.removeprefix(PREFIX)
        flow = self.flows.get(flow_id)
        if step == "request":
            await self._request(sender, content, flow_id, room_id, sent_ms)
            return
        if step == "start" and flow is None and room_id is None:
            flow = self._new_flow(sender, content, flow_id, None)  # a start without a request
        if flow is None or flow.user_id != sender or flow.room_id != room_id:
            return
        try:
            if step == "start":
                await self._start(flow, content)
            elif step == "key":
                await self._key(flow, content)
            elif step == "mac":
                await self._mac(flow, content)
            elif step == "done":
                await self._done(flow)
            elif step == "cancel":
                self.flows.pop(flow_id, None)
                log.info("verification %s cancelled by the member (%s)", flow_id,
                         content.get("code"))
                if content.get("code") in ("m.mismatched_sas", "m.key_mismatch"):
                    await self._tell(flow, MISMATCH, "mismatch")
        except SasError as err:
            await self._cancel(flow, err)
        except REQUEST_ERRORS as err:
            log.warning("verification %s failed (%s)", flow_id, err or type(err).__name__)
            await self._cancel(flow, SasError("m.user", "Minga could not reach its homeserver"))

    async def _request(self, sender: str, content: dict[str, Any], flow_id: str,
                       room_id: str | None, sent_ms: object) -> None:
        now_ms = int(self.clock.now().timestamp() * 1000)
        if not isinstance(sent_ms, int) or not (
                now_ms - REQUEST_MAX_AGE_MS <= sent_ms <= now_ms + REQUEST_MAX_SKEW_MS):
            return  # stale (a replayed timeline) or from the future
        if flow_id in self.flows:
            return
        flow = self._new_flow(sender, content, flow_id, room_id)
        if flow is None:
            return
        if SAS_METHOD not in (content.get("methods") or []):
            await self._cancel(flow, SasError("m.unknown_method", "Minga verifies by emoji only"))
            return
        log.info("verification %s requested", flow_id)
        await self._send(flow, "ready", {"from_device": self.us.device_id,
                                         "methods": [SAS_METHOD]})

    def _new_flow(self, sender: str, content: dict[str, Any], flow_id: str,
                  room_id: str | None) -> Flow | None:
        device = content.get("from_device")
        if not isinstance(device, str):
            return None
        flow = Flow(flow_id, sender, device, room_id)
        self.flows[flow_id] = flow
        return flow

    async def _start(self, flow: Flow, content: dict[str, Any]) -> None:
        if flow.sas is not None or content.get("from_device") != flow.device_id:
            raise SasError("m.unexpected_message", "unexpected start")
        flow.sas = SasFlow(flow.flow_id, self.us, Party(flow.user_id, flow.device_id))
        await self._send(flow, "accept", flow.sas.accept(content))

    async def _key(self, flow: Flow, content: dict[str, Any]) -> None:
        if flow.sas is None or not isinstance(content.get("key"), str):
            raise SasError("m.unexpected_message", "key before start")
        ours = flow.sas.receive_key(content["key"])
        await self._send(flow, "key", ours)
        await self._tell(flow, COMPARE, "emoji", emoji=" ".join(flow.sas.emoji()))

    async def _mac(self, flow: Flow, content: dict[str, Any]) -> None:
        """The member pressed "They match": check their MAC, then send ours and done."""
        if flow.sas is None or flow.mac_sent:
            raise SasError("m.unexpected_message", "unexpected MAC")
        theirs = await self.api.query(flow.user_id)
        known = self._their_keys(flow, theirs.devices.get(flow.device_id))
        master = public_key_of(theirs.master)
        if master:
            known[f"ed25519:{master}"] = master
        flow.proved = flow.sas.check_mac(content, known)
        if master and f"ed25519:{master}" in flow.proved:
            flow.their_master = theirs.master
        identity = self.cross_signing.identity
        if identity is None:
            raise SasError("m.user", "Minga has no cross-signing identity")
        ours = {f"ed25519:{self.us.device_id}": self._own_device_key(),
                identity.master.key_id: identity.master.public}
        await self._send(flow, "mac", flow.sas.mac(ours))
        flow.mac_sent = True
        await self._send(flow, "done", {})

    async def _done(self, flow: Flow) -> None:
        if not flow.mac_sent:
            raise SasError("m.unexpected_message", "done before MACs")
        self.flows.pop(flow.flow_id, None)
        if flow.their_master is not None:
            await self.cross_signing.sign_master_key(flow.user_id, flow.their_master)
        self.completed += 1
        log.info("verification %s done (their master key %s)", flow.flow_id,
                 "signed" if flow.their_master else "absent: device only")
        await self._tell(flow, VERIFIED, "verified")

    def _their_keys(self, flow: Flow, device: dict[str, Any] | None) -> dict[str, str]:
        """Their device's Ed25519 key from the homeserver, if the device signed it itself."""
        key_id = f"ed25519:{flow.device_id}"
        public = ((device or {}).get("keys") or {}).get(key_id)
        if not isinstance(public, str) or device is None or not verify_json(
                device, flow.user_id, key_id, public):
            raise SasError("m.key_mismatch", "their device keys are unknown or unsigned")
        return {key_id: public}

    def _own_device_key(self) -> str:
        assert self.client.olm is not None
        return str(self.client.olm.account.identity_keys["ed25519"])

    # ---- sending -------------------------------------------------------------------------
    async def _send(self, flow: Flow, step: str, content: dict[str, Any]) -> None:
        event_type = PREFIX + step
        if flow.room_id is None:
            message = ToDeviceMessage(event_type, flow.user_id, flow.device_id,
                                      {**content, "transaction_id": flow.flow_id})
            resp = await self.client.to_device(message)
            if isinstance(resp, ToDeviceError):
                raise HomeserverError(500, {"errcode": resp.status_code or "error",
                                            "error": resp.message or ""}, event_type)
            return
        relates = {"rel_type": "m.reference", "event_id": flow.flow_id}
        async with self.db.transaction() as conn:
            await enqueue(conn, logical_key=f"verify:{flow.flow_id}:{step}",
                          room_id=flow.room_id, content={**content, "m.relates_to": relates},
                          now_iso=self.clock.now().isoformat(), event_type=event_type,
                          priority=0)
        self.outbox.kick()

    async def _cancel(self, flow: Flow, err: SasError) -> None:
        self.flows.pop(flow.flow_id, None)
        log.info("verification %s cancelled: %s", flow.flow_id, err.code)
        try:
            await self._send(flow, "cancel", {"code": err.code, "reason": err.reason})
        except REQUEST_ERRORS:
            log.warning("could not send the cancel of verification %s", flow.flow_id)
        if err.code in ("m.key_mismatch", "m.mismatched_sas", "m.mismatched_commitment"):
            await self._tell(flow, MISMATCH, "mismatch")

    async def _tell(self, flow: Flow, text: str, step: str, **values: str) -> None:
        """A notice to the member: in the verification's room, else in their direct chat."""
        room = flow.room_id or ""
        with use_language(await member_lang(self.db, flow.user_id, room, self.settings)):
            msg = Msg().text(_(text).format(**values))
        async with self.db.transaction() as conn:
            await enqueue(conn, logical_key=f"verify:{flow.flow_id}:{step}:notice",
                          room_id=flow.room_id or DIRECT_PREFIX + flow.user_id,
                          content=message_content(msg), now_iso=self.clock.now().isoformat(),
                          priority=0)
        self.outbox.kick()

    def _forget_old(self) -> None:
        cutoff = time.monotonic() - FLOW_LIFETIME_S
        for flow_id in [f for f, flow in self.flows.items() if flow.started < cutoff]:
            del self.flows[flow_id]
