"""Scenario 1: 20 restarts at random moments while members send commands and reminders fall due."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import pytest
from nio import RoomMessageNotice

from devtools.harness import Network
from devtools.member import Member, relates_to
from tests.faults.conftest import Report

pytestmark = pytest.mark.faults

RESTARTS = 20
COMMANDS = ("!tz", "!help tz", "!meetings", "!hours", "!away", "!tz find kolk")


def reply_target(event: RoomMessageNotice) -> str | None:
    reply = relates_to(event).get("m.in_reply_to") or {}
    return reply.get("event_id")


async def test_restarts(network: Network, report: Report) -> None:
    rng = random.Random(20261125)
    config = network.bot_config()
    bot = await network.start_bot(config)
    alice = await network.member("alice")
    bob = await network.member("bob")
    room = await network.room(alice, [bob], config.matrix.user_id)
    await alice.reply_to(room, await alice.send(room, "!meeting notify on"), timeout=30)
    for title in ("Alpha", "Beta", "Gamma"):
        asked = await alice.send(room, f'!meeting add "{title}" in 2 minutes')
        await alice.reply_to(room, asked, timeout=30)
    for number in (1, 2, 3):
        asked = await alice.send(room, f"!meeting reminders m{number} 1m")
        await alice.reply_to(room, asked, timeout=30)

    sent: list[str] = []
    stop_sending = asyncio.Event()

    async def chatter(member: Member) -> None:
        while not stop_sending.is_set():
            sent.append(await member.send(room, rng.choice(COMMANDS)))
            await asyncio.sleep(rng.uniform(0.2, 1.5))

    senders = [asyncio.create_task(chatter(m)) for m in (alice, bob)]
    for _ in range(RESTARTS):
        await asyncio.sleep(rng.uniform(0.3, 3.0))
        await network.stop_bot(bot)
        await asyncio.sleep(rng.uniform(0.0, 1.0))
        bot = await network.start_bot(config)
    stop_sending.set()
    await asyncio.gather(*senders)

    def reminders() -> list[RoomMessageNotice]:
        return [n for n in alice.notices(room) if n.body.startswith("Reminder: ")]

    # Every command answered, and every reminder delivered (they fall due within 2 minutes).
    def settled() -> bool:
        answered = {reply_target(n) for n in alice.notices(room)}
        return all(e in answered for e in sent) and len(reminders()) >= 3

    await alice.wait_until(settled, 150)
    await asyncio.sleep(3)  # let any duplicate arrive before counting

    per_command = Counter(reply_target(n) for n in alice.notices(room))
    unanswered = sum(1 for e in sent if per_command[e] == 0)
    replayed = sum(1 for e in sent if per_command[e] > 1)
    bodies = Counter((reply_target(n), n.body) for n in alice.notices(room))
    duplicates = sum(count - 1 for count in bodies.values() if count > 1)
    reminder_titles = Counter(n.body.split(" (m")[0] for n in reminders())
    duplicate_reminders = sum(c - 1 for c in reminder_titles.values())

    passed = unanswered == 0 and replayed == 0 and duplicates == 0 and duplicate_reminders == 0
    report.add(
        "1. Restarts",
        f"{RESTARTS} restarts: 0 replayed, 0 duplicates, 0 unanswered",
        f"{len(sent)} commands, {len(reminders())} reminders: {replayed} replayed, "
        f"{duplicates + duplicate_reminders} duplicates, {unanswered} unanswered",
        passed, "test_restarts")
    assert passed
