"""Scenario 3: the homeserver is down for 60 s while reminders fall due and commands queue up."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from devtools.devserver import DevServer
from devtools.harness import Network
from devtools.member import Member, is_reply_to
from tests.faults.conftest import Report

pytestmark = pytest.mark.faults

OUTAGE_SECONDS = 60


async def send_when_possible(member: Member, room: str, text: str) -> str:
    """A member's client keeps trying until the homeserver takes the message."""
    while True:
        try:
            return await member.send(room, text)
        except Exception:  # connection refused, or an error response, while it is down
            await asyncio.sleep(1)


async def test_outage(tmp_path: Path, report: Report, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot")
    server = DevServer(tmp_path / "synapse")
    server.start()
    network = Network(server, tmp_path)
    try:
        config = network.bot_config()
        bot = await network.start_bot(config)
        alice = await network.member("alice")
        room = await network.room(alice, [], config.matrix.user_id)
        await alice.reply_to(room, await alice.send(room, "!meeting notify on"), timeout=30)
        for title in ("Outage one", "Outage two"):
            await alice.reply_to(room, await alice.send(
                room, f'!meeting add "{title}" in 2 minutes'), timeout=30)
        for number in (1, 2):
            await alice.reply_to(room, await alice.send(
                room, f"!meeting reminders m{number} 1m"), timeout=30)

        # Go down just before the reminders fall due, so they are due while it is down.
        assert bot.db is not None
        row = await bot.db.fetchone("SELECT MIN(start_local) AS s FROM meetings")
        due = datetime.fromisoformat(row["s"]).replace(tzinfo=UTC) - timedelta(minutes=1)
        await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds() - 2))
        server.stop()
        queued = [asyncio.create_task(send_when_possible(alice, room, text))
                  for text in ("!tz", "!meetings", "!help tz", "!hours")]
        await asyncio.sleep(OUTAGE_SECONDS)
        server.start()
        up_at = time.monotonic()
        sent = await asyncio.gather(*queued)

        def settled() -> bool:
            reminders = [n for n in alice.notices(room) if "Reminder: " in n.body]
            return (all(any(is_reply_to(n, e) for n in alice.notices(room)) for e in sent)
                    and len(reminders) >= 2)

        await alice.wait_until(settled, 240)
        recovered = time.monotonic() - up_at
        await asyncio.sleep(3)
        reminders = [n for n in alice.notices(room) if "Reminder: " in n.body]
        late = [n for n in reminders if n.body.startswith("Delivered late")]
        answers = Counter(
            e for e in sent for n in alice.notices(room) if is_reply_to(n, e))
        attempts = [r.created for r in caplog.records if "retrying in" in r.getMessage()]
        per_loop: dict[str, list[float]] = {}
        for record in caplog.records:
            if "retrying in" in record.getMessage():
                per_loop.setdefault(record.name, []).append(record.created)
        gaps = [b - a for times in per_loop.values() for a, b in itertools.pairwise(times)]
        hottest = min(gaps, default=float("inf"))

        passed = (all(answers[e] == 1 for e in sent) and len(reminders) == 2
                  and len(late) == 2 and hottest >= 0.95)
        report.add(
            "3. Homeserver outage",
            f"{OUTAGE_SECONDS} s down: each command answered once, each due reminder once "
            "(marked late), retries ≤ 1/s",
            f"{len(sent)} queued commands answered {sorted(answers.values())}, "
            f"{len(reminders)} reminders ({len(late)} marked late), "
            f"{len(attempts)} retries, closest two {hottest:.2f}s apart, "
            f"recovered {recovered:.1f}s after the server returned",
            passed, "test_outage")
        assert passed
    finally:
        await network.close()
        server.stop()
