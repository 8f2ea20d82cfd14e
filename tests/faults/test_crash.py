"""Scenario 2: kill -9 at random points during a burst of writes; nothing acknowledged is lost."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections import Counter

import pytest

from bot.process import BotProcess
from devtools.harness import Network
from devtools.member import is_reply_to, relates_to
from tests.faults.conftest import Report

pytestmark = pytest.mark.faults

KILLS = 50


async def test_crash(network: Network, report: Report) -> None:
    rng = random.Random(50)
    config = network.bot_config()
    config_path = network.write_config(config, network.workdir / "minga.toml")
    bot = BotProcess(config_path, network.workdir / "bot.log")
    await bot.start()
    alice = await network.member("alice")
    room = await network.room(alice, [], config.matrix.user_id)
    first = await alice.send(room, '!meeting add "Anchor" next mon 10:00 every week')
    await alice.reply_to(room, first, timeout=60)

    writes: dict[str, str] = {}  # command event id -> the marker that must be in the DB
    stop = asyncio.Event()

    async def burst() -> None:
        index = 0
        while not stop.is_set():
            index += 1
            marker = f"w{index:04d}"
            if index % 2:
                text = f'!meeting add "{marker}" next tue 11:00'
            else:
                text = f"!meeting agenda m1 add {marker}"
            writes[await alice.send(room, text)] = marker
            await asyncio.sleep(rng.uniform(0.05, 0.4))

    writer = asyncio.create_task(burst())
    start_times = []
    for _ in range(KILLS):
        await asyncio.sleep(rng.uniform(0.05, 1.5))
        bot.kill9()
        await bot.wait()
        start_times.append(await bot.start())
    stop.set()
    await writer

    def answered() -> bool:
        return all(any(is_reply_to(n, e) for n in alice.notices(room)) for e in writes)

    await alice.wait_until(answered, 120)
    await asyncio.sleep(2)
    await bot.stop()

    acked = {e for e in writes if any(is_reply_to(n, e) for n in alice.notices(room))}
    db = sqlite3.connect(config.storage.database)
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    titles = {r[0] for r in db.execute("SELECT title FROM meetings")}
    items = {r[0] for r in db.execute("SELECT text FROM agenda_items")}
    db.close()
    lost = [writes[e] for e in acked if writes[e] not in titles | items]
    per_command = Counter(
        (relates_to(n).get("m.in_reply_to") or {}).get("event_id") for n in alice.notices(room))
    duplicated = sum(1 for e in writes if per_command[e] > 1)

    passed = integrity == "ok" and not lost and duplicated == 0 and len(acked) == len(writes)
    report.add(
        "2. Crash (kill -9)",
        f"{KILLS} kills: every acknowledged write in the DB, integrity ok",
        f"{len(writes)} writes, {len(acked)} acknowledged, {len(lost)} lost, "
        f"{duplicated} answered twice, integrity_check={integrity}, "
        f"restart to ready median {sorted(start_times)[len(start_times) // 2]:.2f}s",
        passed, "test_crash")
    assert passed, (lost, duplicated, integrity)
