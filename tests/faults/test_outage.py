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
from devtools.member import is_reply_to
from tests.faults.conftest import Report
from tests.faults.recovery import send_when_possible

pytestmark = pytest.mark.faults

OUTAGE_SECONDS = 60
RECOVERY_BAR = 5.0  # s from the server's return until every queued command and reminder is in


async def test_outage(tmp_path: Path, report: Report, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot")
    caplog.set_level(logging.DEBUG, logger="bot.reconnect")  # each probe of each loop
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
        # Down until OUTAGE_SECONDS after the reminders fell due (62 s in all): with recovery
        # now within seconds, a shorter wait would put delivery right on the 60 s line past
        # which a reminder says it is late.
        await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + OUTAGE_SECONDS)
        await asyncio.to_thread(server.start)  # the bot keeps running (and probing) meanwhile
        up_at, up_wall = time.monotonic(), time.time()
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
        bot_side = max(n.server_timestamp / 1000 for n in [*alice.notices(room)]
                       if any(is_reply_to(n, e) for e in sent) or n in reminders) - up_wall
        # Each loop's requests while it was down: failed attempts, and probes between them.
        per_loop: dict[str, list[float]] = {}
        for record in caplog.records:
            message = record.getMessage()
            if record.name == "bot.reconnect" and message.endswith("probing the homeserver"):
                per_loop.setdefault(message.split(":")[0] + " probes", []).append(record.created)
            elif "failed (" in message and record.name in ("bot.client", "bot.outbox"):
                per_loop.setdefault(record.name + " failures", []).append(record.created)
        gaps = [b - a for times in per_loop.values() for a, b in itertools.pairwise(times)]
        hottest = min(gaps, default=float("inf"))
        probes = sum(len(v) for k, v in per_loop.items() if k.endswith("probes"))
        failures = sum(len(v) for k, v in per_loop.items() if k.endswith("failures"))

        passed = (all(answers[e] == 1 for e in sent) and len(reminders) == 2
                  and len(late) == 2 and hottest >= 0.95 and recovered <= RECOVERY_BAR)
        report.add(
            "3. Homeserver outage",
            f"{OUTAGE_SECONDS} s down: each command answered once, each due reminder once "
            f"(marked late), retries ≤ 1/s, all in ≤ {RECOVERY_BAR:.0f} s after the return",
            f"{len(sent)} queued commands answered {sorted(answers.values())}, "
            f"{len(reminders)} reminders ({len(late)} marked late), "
            f"{failures} failed requests and {probes} probes, closest two {hottest:.2f}s "
            f"apart, recovered {recovered:.1f}s after the server returned (the bot's last "
            f"answer reached it after {bot_side:.1f}s)",
            passed, "test_outage")
        assert passed
    finally:
        await network.close()
        server.stop()
