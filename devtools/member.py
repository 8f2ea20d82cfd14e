"""A real end-to-end-encrypted Matrix client playing a member: for the demo and the tests."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nio import (
    AsyncClient,
    AsyncClientConfig,
    Event,
    InviteMemberEvent,
    JoinResponse,
    LoginResponse,
    MatrixRoom,
    MegolmEvent,
    RoomCreateResponse,
    RoomMessageNotice,
    RoomMessageText,
    RoomSendResponse,
    RoomVisibility,
)

Predicate = Callable[[Event], bool]


class MemberError(RuntimeError):
    pass


class Member:
    """Logs in once, syncs in the background, records every timeline event it sees."""

    def __init__(self, homeserver: str, user_id: str, password: str, store_dir: Path) -> None:
        store_dir.mkdir(parents=True, exist_ok=True)
        self.user_id = user_id
        self.password = password
        self.client = AsyncClient(
            homeserver, user_id, store_path=str(store_dir),
            # nio retries a lost connection itself, waiting up to 60 s by default; Element
            # probes and is back within seconds, and so is this member (the fault suite
            # times the bot's recovery, not ours).
            config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=True,
                                     max_timeout_retry_wait_time=1.0),
        )
        self.events: list[tuple[str, Event]] = []
        self.received_at: dict[str, float] = {}
        self.received_wall: dict[str, float] = {}
        self._changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self.client.add_event_callback(self._on_event, Event)
        self.client.add_event_callback(self._on_invite, InviteMemberEvent)
        self.auto_join = True

    async def start(self) -> None:
        resp = await self.client.login(self.password, device_name=f"{self.user_id} test client")
        if not isinstance(resp, LoginResponse):
            raise MemberError(f"login failed for {self.user_id}: {resp}")
        await self.client.keys_upload()
        await self.client.sync(timeout=0, full_state=True)
        self._task = asyncio.create_task(self._sync_forever())

    async def _sync_forever(self) -> None:
        while True:
            try:
                await self.client.sync_forever(timeout=10_000, full_state=True)
            except asyncio.CancelledError:
                raise
            except Exception:  # the homeserver may be down in fault tests
                await asyncio.sleep(0.5)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self.client.close()

    async def _on_event(self, room: MatrixRoom, event: Event) -> None:
        async with self._changed:
            self.received_at.setdefault(event.event_id, time.monotonic())
            self.received_wall.setdefault(event.event_id, time.time())
            self.events.append((room.room_id, event))
            self._changed.notify_all()

    async def _on_invite(self, room: MatrixRoom, event: InviteMemberEvent) -> None:
        if self.auto_join and event.state_key == self.user_id and event.membership == "invite":
            await self.client.join(room.room_id)

    # ---- acting -----------------------------------------------------------------
    async def create_room(self, *, invite: list[str], encrypted: bool = True,
                          name: str = "Minga test", room_version: str | None = None,
                          power_levels: dict[str, Any] | None = None) -> str:
        initial_state: list[dict[str, Any]] = []
        if encrypted:
            initial_state.append({"type": "m.room.encryption", "state_key": "",
                                  "content": {"algorithm": "m.megolm.v1.aes-sha2"}})
        resp = await self.client.room_create(
            visibility=RoomVisibility.private, name=name, invite=invite,
            initial_state=initial_state, room_version=room_version,
            power_level_override=power_levels,
        )
        if not isinstance(resp, RoomCreateResponse):
            raise MemberError(f"room creation failed: {resp}")
        await self.wait_until(lambda: resp.room_id in self.client.rooms, 10)
        return resp.room_id

    async def join(self, room_id: str) -> None:
        resp = await self.client.join(room_id)
        if not isinstance(resp, JoinResponse):
            raise MemberError(f"join failed: {resp}")
        await self.wait_until(lambda: room_id in self.client.rooms, 10)

    async def send(self, room_id: str, body: str, *, thread_root: str | None = None,
                   msgtype: str = "m.text", extra: dict[str, Any] | None = None) -> str:
        content: dict[str, Any] = {"msgtype": msgtype, "body": body}
        if thread_root:
            content["m.relates_to"] = {"rel_type": "m.thread", "event_id": thread_root,
                                       "is_falling_back": True,
                                       "m.in_reply_to": {"event_id": thread_root}}
        content.update(extra or {})
        resp = await self.client.room_send(room_id, "m.room.message", content,
                                           ignore_unverified_devices=True)
        if not isinstance(resp, RoomSendResponse):
            raise MemberError(f"send failed: {resp}")
        return resp.event_id

    # ---- observing ------------------------------------------------------------------
    async def wait_until(self, check: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not check():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("condition not met in time")
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(min(remaining, 0.2)):
                        await self._changed.wait()

    async def wait_for(self, room_id: str, predicate: Predicate, *, timeout: float = 15,
                       after: int = 0) -> Event:
        """The first event in `room_id` (from index `after`) matching `predicate`."""
        found: list[Event] = []

        def check() -> bool:
            for rid, event in self.events[after:]:
                if rid == room_id and predicate(event):
                    found.append(event)
                    return True
            return False

        try:
            await self.wait_until(check, timeout)
        except TimeoutError:
            raise TimeoutError(f"no matching event in {room_id} within {timeout}s") from None
        return found[0]

    async def wait_for_any(self, predicate: Callable[[str, Event], bool], *,
                           timeout: float = 20) -> tuple[str, Event]:
        """The first (room, event) anywhere matching `predicate`."""
        found: list[tuple[str, Event]] = []

        def check() -> bool:
            for rid, event in self.events:
                if predicate(rid, event):
                    found.append((rid, event))
                    return True
            return False

        await self.wait_until(check, timeout)
        return found[0]

    async def reply_to(self, room_id: str, event_id: str, *, timeout: float = 15) -> Event:
        """The bot's notice that replies to (or threads under) our event."""
        return await self.wait_for(room_id, lambda e: is_reply_to(e, event_id), timeout=timeout)

    def notices(self, room_id: str, sender: str | None = None) -> list[RoomMessageNotice]:
        return [e for rid, e in self.events if rid == room_id
                and isinstance(e, RoomMessageNotice) and (sender is None or e.sender == sender)]

    def undecrypted(self, room_id: str) -> list[MegolmEvent]:
        return [e for rid, e in self.events if rid == room_id and isinstance(e, MegolmEvent)]

    def texts(self, room_id: str) -> list[RoomMessageText]:
        return [e for rid, e in self.events if rid == room_id and isinstance(e, RoomMessageText)]


def content(event: Event) -> dict[str, Any]:
    found = event.source.get("content", {})
    return found if isinstance(found, dict) else {}


def relates_to(event: Event) -> dict[str, Any]:
    content = event.source.get("content", {})
    relates = content.get("m.relates_to")
    return relates if isinstance(relates, dict) else {}


def is_reply_to(event: Event, event_id: str) -> bool:
    if not isinstance(event, RoomMessageNotice):
        return False
    reply = relates_to(event).get("m.in_reply_to") or {}
    return reply.get("event_id") == event_id
