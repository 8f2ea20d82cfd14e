"""Scenario 15: the host's wall clock steps forward 1 h and back 1 h (NTP after a suspend).

A real Synapse, an encrypted room, the bot's own scheduler (APScheduler reads the same
stepped wall clock as the bot: `tests.hostclock`; timers and the monotonic clock
keep the machine's time). Two reminders of m1 and the weekly digest fall due inside the
forward step; m2's reminder falls due an hour and three quarters after the start, so the
step forward brings it near but not past, and the step back takes it away again; a last
step forward takes the clock just past it. Everything sent is read back from the room and
the bot's records: no reminder twice, none lost, none before its time, the digest once.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.triggers.interval import IntervalTrigger

from bot.client import MingaBot
from devtools.harness import Network
from devtools.member import Member, relates_to
from storage.meetings import Reminded
from tests.faults.conftest import Report
from tests.faults.roomtools import ask
from tests.hostclock import HostClock, seen_by_apscheduler

pytestmark = pytest.mark.faults

STEP = timedelta(hours=1)
SETTLE = 8.0  # s to wait for anything the bot should NOT send after a step
REACT_BAR = 10.0  # s from a step until what it made due is in the room
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def minute(instant: datetime) -> datetime:
    return instant.replace(second=0, microsecond=0)


def stamp(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


async def wait_steps(bot: MingaBot, count: int, timeout: float = 15) -> float:
    """Seconds until the bot has noticed `count` clock steps (inf if it never does)."""
    assert bot.scheduler is not None
    started = time.monotonic()
    while len(bot.scheduler.steps) < count:
        if time.monotonic() - started > timeout:
            return float("inf")
        await asyncio.sleep(0.1)
    return time.monotonic() - started


async def react(member: Member, check: Callable[[], bool], timeout: float = 30) -> float:
    """Seconds until `check` holds for what `member` sees (inf if it never does)."""
    started = time.monotonic()
    with contextlib.suppress(TimeoutError):
        await member.wait_until(check, timeout)
        return time.monotonic() - started
    return float("inf")


def tally(member: Member, room: str, bot_id: str) -> Counter[str]:
    """What the bot posted in the room on its own: reminders per meeting, digests."""
    seen: Counter[str] = Counter()
    for notice in member.notices(room, bot_id):
        if relates_to(notice):
            continue  # an answer to a command, not something the scheduler posted
        body = notice.body
        if "Reminder: " in body:
            seen["m1" if "(m1)" in body else "m2" if "(m2)" in body else "other"] += 1
        elif body.lstrip("\u200f").split("\n", 1)[0].startswith("Weekly digest") or (
                "\nWeekly digest" in body):
            seen["digest"] += 1
    return seen


async def test_clock_jumps(drained: Network, report: Report) -> None:
    network = drained
    clock = HostClock()
    config = network.bot_config()
    with seen_by_apscheduler(clock):
        bot = await network.start_bot(config, clock=clock)
        assert bot.db is not None and bot.scheduler is not None
        me = config.matrix.user_id
        alice = await network.member("alice")
        room = await network.room(alice, [], me)
        start = minute(clock.now()) + timedelta(minutes=1)
        m1_at, m2_at = start + timedelta(minutes=70), start + timedelta(minutes=120)
        digest_at = start + timedelta(minutes=30)
        await ask(alice, room, "!meeting notify on", me)
        await ask(alice, room, f'!meeting add "Jump one" {stamp(m1_at)} in UTC', me)
        await ask(alice, room, f'!meeting add "Jump two" {stamp(m2_at)} in UTC', me)
        await ask(alice, room, "!meeting reminders m1 60m 15m", me)
        await ask(alice, room, "!meeting reminders m2 15m", me)
        await ask(alice, room, f"!digest schedule {WEEKDAYS[digest_at.weekday()]} "
                               f"{digest_at:%H:%M} UTC", me)
        m2_due = m2_at - timedelta(minutes=15)
        assert tally(alice, room, me) == Counter(), "nothing is due before the first step"

        def settled(expect: Counter[str]) -> Callable[[], bool]:
            return lambda: tally(alice, room, me) == expect

        # 1. Forward 1 h: m1's two reminders and the digest are due now.
        clock.step(STEP)
        after_forward = Counter({"m1": 2, "digest": 1})
        forward_react, noticed_forward = await asyncio.gather(
            react(alice, settled(after_forward)), wait_steps(bot, 1))
        await asyncio.sleep(SETTLE)
        seen_forward = tally(alice, room, me)

        # 2. Back 1 h: nothing again, nothing early; the interval job is not an hour away.
        clock.step(-STEP)
        noticed_back = await wait_steps(bot, 2)
        await asyncio.sleep(SETTLE)
        seen_back = tally(alice, room, me)
        check = bot.scheduler.aps.get_job("undecryptable-check")
        assert check is not None and isinstance(check.trigger, IntervalTrigger)
        interval_gap = (check.next_run_time - clock.now()).total_seconds()

        # 3. Forward again, just past m2's reminder: it comes, once, on time.
        clock.step(m2_due - clock.now() + timedelta(seconds=3))
        after_last = Counter({"m1": 2, "m2": 1, "digest": 1})
        last_react, noticed_last = await asyncio.gather(
            react(alice, settled(after_last)), wait_steps(bot, 3))
        await asyncio.sleep(SETTLE)
        seen_last = tally(alice, room, me)

    rows = await bot.db.fetchall(
        "SELECT r.key, r.sent_at, r.late, m.number FROM reminders_sent r "
        "JOIN meetings m ON m.id = r.meeting_id")
    starts = {1: m1_at, 2: m2_at}
    early = [r["key"] for r in rows if datetime.fromisoformat(r["sent_at"]) < (
        starts[r["number"]] - timedelta(minutes=int(r["key"].rsplit(":", 1)[1])))]
    keys = Counter(r["key"] for r in rows)
    outcomes = Counter(Reminded(r["late"]).name.lower() for r in rows)
    digests = await bot.db.fetchall("SELECT key FROM digests_sent")
    notices = alice.notices(room, me)
    late_m1 = sum(1 for n in notices if "(m1)" in n.body and n.body.startswith("Late reminder"))
    late_m2 = sum(1 for n in notices if "(m2)" in n.body and n.body.startswith("Late"))
    digest_late = any(n.body.startswith("Late — I was offline") for n in notices
                      if "Weekly digest" in n.body)

    passed = (seen_forward == after_forward and seen_back == after_forward
              and seen_last == after_last and not early and len(rows) == 3
              and all(v == 1 for v in keys.values()) and late_m1 == 2 and late_m2 == 0
              and len(digests) == 1 and digest_late and interval_gap <= 6
              and max(forward_react, last_react, noticed_forward, noticed_back,
                      noticed_last) <= REACT_BAR)
    report.add(
        "15. Clock jumps",
        "wall clock +1 h, −1 h, then to the next reminder: no reminder twice, none lost, "
        f"none early; the digest once; each step noticed and acted on in ≤ {REACT_BAR:.0f} s",
        f"+1 h: {seen_forward['m1']} m1 reminders ({late_m1} marked late) and "
        f"{seen_forward['digest']} digest ({'marked late' if digest_late else 'not marked'}) "
        f"in {forward_react:.1f} s, m2 {seen_forward['m2']}; −1 h: "
        f"{sum(seen_back.values()) - sum(seen_forward.values())} more, the 5 s interval job "
        f"next in {interval_gap:.0f} s; to m2's time: m2 {seen_last['m2']} "
        f"({'on time' if late_m2 == 0 else 'late'}) in {last_react:.1f} s; "
        f"{len(rows)} reminders recorded ({dict(outcomes)}), {len(early)} before their time, "
        f"{sum(1 for v in keys.values() if v > 1)} twice, digests {len(digests)}; steps "
        f"noticed in {noticed_forward:.1f}/{noticed_back:.1f}/{noticed_last:.1f} s",
        passed, "test_clock_jumps")
    assert passed
