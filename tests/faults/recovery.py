"""Shared by the never-deaf scenarios (issue 21): ask after a fault, time the answer, count."""

from __future__ import annotations

import asyncio
import contextlib
import statistics
from collections import Counter
from typing import Any

from bot.client import MingaBot
from devtools.member import Member
from tests.faults.roomtools import answers, bot_events

SUPERVISED = ("minga-sync", "minga-outbox", "minga-plan", "minga-watchdog")


async def send_when_possible(member: Member, room: str, text: str) -> str:
    """A member's client keeps trying until the homeserver takes the message."""
    while True:
        try:
            return await member.send(room, text)
        except Exception:  # connection refused, or an error response, while it is down
            await asyncio.sleep(0.5)


async def answered_after(member: Member, room: str, bot_id: str, back_wall: float, *,
                         body: str = "!tz", timeout: float = 30) -> tuple[str, float]:
    """Ask once the server is back: (the command's id, seconds from the return until the
    bot's answer reached the homeserver, by its origin_server_ts)."""
    sent = await send_when_possible(member, room, body)
    answer = await member.wait_for(room, lambda e: e.sender == bot_id and answers(e, sent),
                                   timeout=timeout)
    return sent, answer.server_timestamp / 1000 - back_wall


def answer_counts(member: Member, room: str, bot_id: str, commands: list[str]) -> Counter[str]:
    """How many bot events answer each command (a reply, or a reaction on it)."""
    counts: Counter[str] = Counter({command: 0 for command in commands})
    for event in bot_events(member, room, bot_id):
        for command in commands:
            if answers(event, command):
                counts[command] += 1
    return counts


async def all_answered(member: Member, room: str, bot_id: str, commands: list[str],
                       timeout: float = 60) -> None:
    def done() -> bool:
        counts = answer_counts(member, room, bot_id, commands)
        return all(counts[c] >= 1 for c in commands)

    with contextlib.suppress(TimeoutError):  # the caller counts what is missing
        await member.wait_until(done, timeout)


def median_worst(seconds: list[float]) -> tuple[float, float]:
    return statistics.median(seconds), max(seconds)


def tasks_alive(bot: MingaBot) -> bool:
    return all(bot.supervisor.running(name) for name in SUPERVISED)


class RequestSpy:
    """Signals when the bot starts a request whose path contains a marker (then the test
    kills the server: the request is in flight)."""

    def __init__(self, bot: MingaBot) -> None:
        assert bot.client is not None
        self.client = bot.client
        self.original = bot.client._send
        self.marker: str | None = None
        self.hit = asyncio.Event()
        bot.client._send = self._send  # type: ignore[method-assign]

    def arm(self, marker: str) -> None:
        self.hit.clear()
        self.marker = marker

    async def _send(self, response_class: type, method: str, path: str, *args: Any,
                    **kwargs: Any) -> Any:
        if self.marker is not None and self.marker in path:
            self.marker = None
            self.hit.set()
        return await self.original(response_class, method, path, *args, **kwargs)
