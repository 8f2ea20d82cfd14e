"""Measuring tools: an echo bot (the floor), round trips, percentiles."""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from nio import AsyncClient, AsyncClientConfig, LoginResponse, MatrixRoom, RoomMessageText

from devtools.member import Member, is_reply_to


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Series:
    label: str
    samples_ms: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        return percentile(self.samples_ms, 95)

    def row(self, floor: Series | None = None) -> str:
        ratio = ""
        if floor is not None:
            ratio = f" | {self.median / floor.median:.2f}× | {self.p95 / floor.p95:.2f}×"
        return (f"| {self.label} | {len(self.samples_ms)} | {self.median:.1f} | "
                f"{self.p95:.1f}{ratio} |")


class EchoBot:
    """The floor: plain matrix-nio with E2EE, replying to `echo …` with a notice."""

    def __init__(self, homeserver: str, user_id: str, password: str, store: Path) -> None:
        store.mkdir(parents=True, exist_ok=True)
        self.client = AsyncClient(homeserver, user_id, store_path=str(store),
                                  config=AsyncClientConfig(encryption_enabled=True))
        self.password = password
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        resp = await self.client.login(self.password, device_name="echo")
        assert isinstance(resp, LoginResponse), resp
        await self.client.keys_upload()
        await self.client.sync(timeout=0, full_state=True)
        self.client.add_event_callback(self._on_message, RoomMessageText)
        self.task = asyncio.create_task(self.client.sync_forever(timeout=30_000))

    async def _on_message(self, room: MatrixRoom, event: RoomMessageText) -> None:
        if event.sender == self.client.user_id or not event.body.startswith("echo "):
            return
        await self.client.room_send(room.room_id, "m.room.message", {
            "msgtype": "m.notice", "body": event.body,
            "m.relates_to": {"m.in_reply_to": {"event_id": event.event_id}},
        }, ignore_unverified_devices=True)

    async def join(self, room_id: str) -> None:
        await self.client.join(room_id)

    async def stop(self) -> None:
        if self.task:
            self.task.cancel()
        await self.client.close()


async def round_trip(member: Member, room: str, text: str, timeout: float = 20) -> float:
    """Milliseconds from the member's send until their client has the decrypted reply."""
    after = len(member.events)
    started = time.monotonic()
    event_id = await member.send(room, text)
    reply = await member.wait_for(room, lambda e: is_reply_to(e, event_id), timeout=timeout,
                                  after=after)
    return (member.received_at[reply.event_id] - started) * 1000
