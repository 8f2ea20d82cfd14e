"""Scenario 17: one member floods a room with commands; another room must not feel it.

Member A sends 300 commands in 30 s in room 1, from its own process (tests/faults/flooder.py);
member B, in room 2, asks `!help` once a second from this process; the bot runs in its own
process too. B's latency is measured quiet (15 s before the flood and 15 s after it, so a
drift of the machine's load touches both figures) and during the flood.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import sqlite3
import sys
import time

import pytest

from bot.flood import BURST, NOTICE_EVERY, PER_MINUTE, PER_SECOND
from bot.process import BotProcess
from devtools.harness import Network
from devtools.member import Member, is_reply_to
from tests.faults.conftest import ROOT, Report

pytestmark = pytest.mark.faults

FLOOD = 300
FLOOD_SECONDS = 30.0
LINGER = 5.0
QUIET_SAMPLES = 15  # before the flood, and as many after it
RATIO_BAR = 1.5
# The control: the same flood in a room the bot is not in, to see what the machine alone does
# to B's latency (MINGA_FLOOD_CONTROL=1; figures printed, no row written).
CONTROL = os.environ.get("MINGA_FLOOD_CONTROL") == "1"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


async def round_trip(member: Member, room: str) -> float:
    """Milliseconds from B's send until B's client has the decrypted answer."""
    started = time.monotonic()
    event_id = await member.send(room, "!help")
    reply = await member.wait_for(room, lambda e: is_reply_to(e, event_id), timeout=30)
    return (member.received_at[reply.event_id] - started) * 1000


async def once_a_second(member: Member, room: str, count: int) -> list[float]:
    """`count` commands on a fixed one-second beat, whatever the answers' delays."""
    started = time.monotonic()
    tasks = []
    for index in range(count):
        await asyncio.sleep(max(0.0, started + index - time.monotonic()))
        tasks.append(asyncio.create_task(round_trip(member, room)))
    return list(await asyncio.gather(*tasks))


async def read_json(stream: asyncio.StreamReader, timeout: float) -> dict[str, object]:
    line = await asyncio.wait_for(stream.readline(), timeout)
    if not line:
        raise RuntimeError("the flooder exited early (see flooder.log)")
    found = json.loads(line)
    assert isinstance(found, dict)
    return found


async def test_flood(network: Network, report: Report) -> None:
    started = time.monotonic()
    # The product's own rate (the harness opens it for the other tests).
    config = network.bot_config(member_burst=BURST, member_per_minute=PER_MINUTE)
    bot_id = config.matrix.user_id
    bot = BotProcess(network.write_config(config, network.workdir / "minga.toml"),
                     network.workdir / "bot.log")
    await bot.start()
    flooder_id, password = network.register("flooder")
    flooder_log = open(network.workdir / "flooder.log", "wb")  # noqa: SIM115, ASYNC230
    flooder = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.faults.flooder", network.server.url, flooder_id, password,
        str(network.workdir / "flooder-store"), bot_id, *(["--no-bot"] if CONTROL else []),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=flooder_log,
        cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    flooder_log.close()
    assert flooder.stdin and flooder.stdout
    try:
        room1 = str((await read_json(flooder.stdout, 90))["room"])
        bee = await network.member("bee")
        room2 = await network.room(bee, [], bot_id)
        for _ in range(3):  # warm up: keys shared both ways, catalogues loaded
            await round_trip(bee, room2)

        quiet = await once_a_second(bee, room2, QUIET_SAMPLES)
        plan = {"count": FLOOD, "seconds": FLOOD_SECONDS, "linger": LINGER}
        flooder.stdin.write((json.dumps(plan) + "\n").encode())
        await flooder.stdin.drain()
        during = await once_a_second(bee, room2, int(FLOOD_SECONDS))
        outcome = await read_json(flooder.stdout, FLOOD_SECONDS + LINGER + 60)
        quiet += await once_a_second(bee, room2, QUIET_SAMPLES)
        await asyncio.wait_for(flooder.wait(), 30)
    finally:
        if flooder.returncode is None:
            flooder.kill()
            await flooder.wait()
        await bot.stop()

    q50, q95 = percentile(quiet, 50), percentile(quiet, 95)
    f50, f95 = percentile(during, 50), percentile(during, 95)
    ratio = f95 / q95
    if CONTROL:
        print(f"\n[control] bot not in the flooded room: quiet p50/p95 {q50:.0f}/{q95:.0f} ms, "
              f"during the flood {f50:.0f}/{f95:.0f} ms: p95 ×{ratio:.2f}")
        assert outcome["sent"] == FLOOD
        return
    db = sqlite3.connect(config.storage.database)
    sent_rows = db.execute(
        "SELECT logical_key FROM outbox WHERE room_id = ? AND sent_at IS NOT NULL",
        (room1,)).fetchall()
    db.close()
    flood_ids = set(outcome["event_ids"])  # type: ignore[arg-type]
    answered = sum(1 for (key,) in sent_rows
                   if key.startswith("reply:") and key.split(":")[1] in flood_ids)
    notices = sum(1 for (key,) in sent_rows if key.startswith("slow-down:"))
    flood_seconds = float(outcome["flood_seconds"])  # type: ignore[arg-type]
    # Over the rate from about the burst's end to the flood's end (plus what was still queued).
    allowed_notices = max(1, math.ceil((flood_seconds + LINGER) / NOTICE_EVERY))
    most_answers = BURST + PER_SECOND * (flood_seconds + LINGER) + 1

    rate_kept = (1 <= notices <= allowed_notices and BURST <= answered <= most_answers
                 and outcome["sent"] == FLOOD)
    fast_enough = ratio <= RATIO_BAR
    report.add(
        "17. Flood",
        f"other room's p95 ≤ {RATIO_BAR}× quiet; flooder's room ≤ 1 slow-down notice a minute "
        "beyond the rate",
        f"{outcome['sent']} commands in {flood_seconds:.0f}s: {answered} answered "
        f"(rate {BURST} then {PER_SECOND:g}/s), {notices} slow-down notice(s) "
        f"(seen by the flooder: {outcome['answers_seen']} answers, "
        f"{outcome['notices_seen']} notices); other room's !help quiet p50/p95 "
        f"{q50:.0f}/{q95:.0f} ms (n={len(quiet)}), during the flood {f50:.0f}/{f95:.0f} ms "
        f"(n={len(during)}): p95 ×{ratio:.2f}"
        + ("" if fast_enough else " — latency bar not met (known; blocked in issue 19 on "
           "the homeserver: runs range ×1.3–2.0 here, ×1.1–1.3 with the bot out of the "
           "flooded room, ×1.4–1.6 with the bot filtering the flooder out of its syncs, "
           "×1.4–1.7 on PostgreSQL; the bot's own handling time is unchanged by the flood "
           "and the machine stays under half busy: Synapse computes a sync for each member "
           "of the room on every flood message, and its default rc_message would refuse "
           "this flood)")
        + f"; took {time.monotonic() - started:.0f}s",
        rate_kept and fast_enough, "test_flood")
    # The rate and the notices are the product's own promise: they must hold every run.
    assert rate_kept, (notices, answered, outcome["sent"])
    # The latency bar is not met reliably on a 2-core machine shared with Synapse; the row
    # says so ("no") and the run is marked as the known failure it is, not hidden.
    if not fast_enough:
        pytest.xfail(f"other room's p95 ×{ratio:.2f} quiet, bar ×{RATIO_BAR} (issue 19)")
