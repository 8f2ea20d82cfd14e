"""A member on Element's own crypto stack, for the tests: matrix-js-sdk + Rust crypto in Node.

Element is what members read Minga in, and its Rust crypto is stricter than nio (device
isolation, withheld keys, shields), so the trust features are tested against it, not
against another nio client. The Node program lives in `tests/element/` (`npm ci` there,
done by `make test-deps`); this class starts it and speaks its line protocol.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ELEMENT_DIR = Path(__file__).resolve().parent.parent / "tests" / "element"


class ElementMemberError(RuntimeError):
    pass


@dataclass
class SeenEvent:
    """A timeline event as the Element member's client sees it (latest decryption state)."""

    room_id: str
    event_id: str
    sender: str
    type: str
    content: dict[str, Any]
    encrypted: bool
    failure: str | None
    shield: dict[str, Any] | None = field(default=None)
    wire_relates: dict[str, Any] | None = field(default=None)

    @property
    def body(self) -> str:
        body = self.content.get("body")
        return body if isinstance(body, str) else ""

    @property
    def decrypted(self) -> bool:
        return self.failure is None and self.type != "m.room.encrypted"

    def replies_to(self, event_id: str) -> bool:
        """Also for an event this client could not decrypt (relations travel in clear)."""
        relates = self.content.get("m.relates_to") or self.wire_relates or {}
        return (relates.get("m.in_reply_to") or {}).get("event_id") == event_id


def ensure_installed() -> None:
    if not (ELEMENT_DIR / "node_modules" / "matrix-js-sdk").exists():
        raise ElementMemberError(
            f"matrix-js-sdk is not installed in {ELEMENT_DIR}: run `make test-deps` "
            "(it runs `npm ci` there)")
    if shutil.which("node") is None:
        raise ElementMemberError("node is not on PATH (Node 20 or newer runs the Element member)")


class ElementMember:
    def __init__(self, homeserver: str, user_id: str, password: str, log_path: Path) -> None:
        self.homeserver = homeserver
        self.user_id = user_id
        self.password = password
        self.log_path = log_path
        self.device_id: str | None = None
        self.events: dict[str, SeenEvent] = {}
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._waiting: dict[int, asyncio.Future[Any]] = {}
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()

    async def start(self, *, cross_signing: bool = True) -> None:
        ensure_installed()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._proc = await asyncio.create_subprocess_exec(
                "node", str(ELEMENT_DIR / "member.mjs"), cwd=ELEMENT_DIR,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=log,
                limit=2**22)
        self._reader = asyncio.create_task(self._read())
        started = await self.call("start", base_url=self.homeserver, user_id=self.user_id,
                                  password=self.password, device_name="Element test member",
                                  cross_signing=cross_signing, timeout=90)
        self.device_id = started["device_id"]

    async def stop(self) -> None:
        if self._proc and self._proc.returncode is None:
            with contextlib.suppress(Exception):
                await self.call("stop", timeout=5)
            with contextlib.suppress(ProcessLookupError):
                self._proc.terminate()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5):
                    await self._proc.wait()
        if self._reader:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def _read(self) -> None:
        assert self._proc and self._proc.stdout
        while line := await self._proc.stdout.readline():
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if "event" in message:
                seen = SeenEvent(**message["event"])
                async with self._changed:
                    self.events[seen.event_id] = seen
                    self._changed.notify_all()
            elif (future := self._waiting.pop(message.get("id"), None)) and not future.done():
                if "error" in message:
                    future.set_exception(ElementMemberError(message["error"]))
                else:
                    future.set_result(message.get("result"))
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(ElementMemberError(
                    f"the Element member exited; see {self.log_path}"))

    async def call(self, cmd: str, *, timeout: float = 30, **args: Any) -> Any:
        assert self._proc and self._proc.stdin
        ident = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[ident] = future
        self._proc.stdin.write(json.dumps({"id": ident, "cmd": cmd, **args}).encode() + b"\n")
        await self._proc.stdin.drain()
        async with asyncio.timeout(timeout):
            return await future

    # ---- acting ----------------------------------------------------------------------
    async def create_room(self, *, invite: list[str], encrypted: bool = True,
                          name: str = "Minga test", is_direct: bool = False) -> str:
        made = await self.call("create_room", invite=invite, encrypted=encrypted, name=name,
                               is_direct=is_direct)
        return str(made["room_id"])

    async def wait_joined(self, room_id: str, users: list[str], timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            members = await self.call("members", room_id=room_id)
            if all(members.get(u) == "join" for u in users):
                return
            await asyncio.sleep(0.2)
        raise TimeoutError(f"not everyone joined {room_id}")

    async def send(self, room_id: str, body: str) -> str:
        return str((await self.call("send", room_id=room_id, body=body))["event_id"])

    async def set_trust(self, *, isolation: str = "all", blacklist_unverified: bool = False
                        ) -> None:
        """`only_signed` is Element's "exclude insecure devices"; blacklisting is "never send
        encrypted messages to unverified sessions"."""
        await self.call("set_trust", isolation=isolation,
                        blacklist_unverified=blacklist_unverified)

    async def shield(self, room_id: str, event_id: str) -> dict[str, Any]:
        return dict(await self.call("shield", room_id=room_id, event_id=event_id))

    async def user_status(self, user_id: str) -> dict[str, Any]:
        return dict(await self.call("user_status", user_id=user_id))

    async def device_status(self, user_id: str, device_id: str) -> dict[str, Any] | None:
        found = await self.call("device_status", user_id=user_id, device_id=device_id)
        return dict(found) if found else None

    async def verify_start(self, user_id: str, *, room_id: str | None = None,
                           device_id: str | None = None) -> dict[str, Any]:
        """Ask to verify `user_id` and return the emoji once both sides have them."""
        return dict(await self.call("verify_start", user_id=user_id, room_id=room_id,
                                    device_id=device_id, timeout=60))

    async def verify_confirm(self, *, match: bool = True) -> dict[str, Any]:
        """Press "They match" (or "They don't match") and wait for the end of the flow."""
        return dict(await self.call("verify_confirm", match=match, timeout=60))

    # ---- observing ---------------------------------------------------------------------
    async def wait_for(self, predicate: Callable[[SeenEvent], bool], *, timeout: float = 20
                       ) -> SeenEvent:
        deadline = time.monotonic() + timeout
        async with self._changed:
            while True:
                for seen in self.events.values():
                    if predicate(seen):
                        return seen
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("no matching event seen by the Element member")
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(min(remaining, 0.5)):
                        await self._changed.wait()

    async def reply_to(self, room_id: str, event_id: str, *, timeout: float = 20) -> SeenEvent:
        """The bot's reply to our event, once this client has decrypted it."""
        return await self.wait_for(lambda e: e.room_id == room_id and e.replies_to(event_id)
                                   and e.decrypted, timeout=timeout)

    def in_room(self, room_id: str) -> list[SeenEvent]:
        return [e for e in self.events.values() if e.room_id == room_id]
