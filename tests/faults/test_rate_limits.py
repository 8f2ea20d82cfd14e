"""Scenario 4: Synapse's default rc_message (0.2/s, burst 10) and 40 messages due at once."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from devtools.devserver import DevServer
from devtools.harness import Network
from tests.faults.conftest import Report

pytestmark = pytest.mark.faults

COUNT = 40
RATE, BURST = 0.2, 10  # Synapse's defaults for rc_message


def add_meetings(db_path: Path, room_id: str, creator: str, start: datetime) -> None:
    """40 one-off meetings whose 1-minute reminders all fall due at the same second."""
    db = sqlite3.connect(db_path)
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="seconds")
    for number in range(1, COUNT + 1):
        db.execute(
            "INSERT INTO meetings (room_id, number, title, start_local, zone, duration_min, "
            "leads, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, 'UTC', 30, '1', "
            "?, ?, ?)",
            (room_id, number, f"Limit {number:02d}", start.replace(tzinfo=None).isoformat(),
             creator, past, past))
    db.execute("INSERT INTO counters (room_id, kind, value) VALUES (?, 'meeting', ?)",
               (room_id, COUNT))
    db.commit()
    db.close()


async def test_rate_limits(tmp_path: Path, report: Report) -> None:
    server = DevServer(tmp_path / "synapse", rate_limited=True)
    server.start()
    network = Network(server, tmp_path)
    try:
        config = network.bot_config()
        bot = await network.start_bot(config)
        alice = await network.member("alice")
        room = await network.room(alice, [], config.matrix.user_id)
        await network.stop_bot(bot)
        due = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=15)
        add_meetings(config.storage.database, room, alice.user_id, due + timedelta(minutes=1))
        bot = await network.start_bot(config)

        def reminders() -> list[str]:
            return [n.body.split("\n")[0] for n in alice.notices(room)
                    if "Reminder: Limit" in n.body]

        await alice.wait_until(lambda: len(reminders()) >= COUNT, 400)
        delivered = time.time()
        took = delivered - due.timestamp()
        allowed = max(0, COUNT - BURST) / RATE
        titles = reminders()
        received = [n.event_id for n in alice.notices(room)
                    if "Reminder: Limit" in n.body]
        db = sqlite3.connect(config.storage.database)
        queued = [r[0] for r in db.execute(
            "SELECT event_id FROM outbox WHERE logical_key LIKE 'reminder:%' ORDER BY id")]
        db.close()
        order_ok = received == queued
        passed = len(titles) == COUNT and len(set(titles)) == COUNT and order_ok and (
            took <= allowed * 1.2)
        report.add(
            "4. Rate limits",
            f"{COUNT} due at once under rc_message {RATE}/s burst {BURST}: all delivered, "
            "in order, within 20 % of the limit",
            f"{len(set(titles))}/{COUNT} delivered, in order: {order_ok}, "
            f"{took:.0f}s vs {allowed:.0f}s the limit allows ({took / allowed:.2f}×)",
            passed, "test_rate_limits")
        assert passed
    finally:
        await network.close()
        server.stop()
