"""The retry policy and the watchdog's verdict, on a simulated clock: no real waiting."""

from __future__ import annotations

import asyncio
import itertools
import random

import pytest

from bot.reconnect import (
    BACKOFF_FACTOR,
    FAST_RETRIES,
    MAX_BACKOFF,
    PROBE_EVERY,
    Retry,
    stalled,
)
from bot.transport import Kind, Verdict

AWAY = Verdict(Kind.UNREACHABLE, "ServerDisconnectedError")
FAILING = Verdict(Kind.SERVER_ERROR, "HTTP 500")


class World:
    """A simulated clock, a sleep that moves it, and a server that is back at `back_at`."""

    def __init__(self, back_at: float = 0.0) -> None:
        self.now = 0.0
        self.back_at = back_at
        self.sleeps: list[float] = []
        self.probe_times: list[float] = []
        self.waiting_seen: list[float | None] = []
        self.retry: Retry | None = None

    async def sleep(self, seconds: float) -> None:
        if self.retry is not None:
            self.waiting_seen.append(self.retry.waiting_until)
        self.sleeps.append(seconds)
        self.now += seconds

    async def probe(self) -> bool:
        self.probe_times.append(self.now)
        return self.now >= self.back_at

    def make(self, *, probing: bool = True) -> Retry:
        self.retry = Retry(self.probe if probing else None, sleep=self.sleep,
                           rng=random.Random(21), clock=lambda: self.now)
        return self.retry


@pytest.mark.parametrize("outage", [5.0, 30.0, 60.0, 120.0, 3600.0])
async def test_an_unreachable_server_is_heard_within_one_probe_interval(outage: float) -> None:
    world = World(back_at=outage)
    retry = world.make()
    await retry.wait(AWAY)
    assert world.now >= outage  # it did not resume before the server was back...
    assert world.now - outage <= PROBE_EVERY  # ...and not more than one probe after
    assert all(1.0 <= s <= PROBE_EVERY for s in world.sleeps)  # ≤ 5 s, never faster than 1/s
    assert len(world.probe_times) == len(world.sleeps)


async def test_a_probe_lost_in_a_black_hole_does_not_delay_the_next() -> None:
    world = World(back_at=30)
    hung: list[asyncio.Event] = []
    abandoned = 0

    async def probe() -> bool:
        nonlocal abandoned
        world.probe_times.append(world.now)
        if world.now < world.back_at:  # accepted and never answered
            hung.append(asyncio.Event())
            try:
                await hung[-1].wait()
            except asyncio.CancelledError:
                abandoned += 1
                raise
        return True

    retry = Retry(probe, sleep=world.sleep, rng=random.Random(5), clock=lambda: world.now)
    await retry.wait(AWAY)
    assert world.now - world.back_at <= PROBE_EVERY
    assert all(b - a <= PROBE_EVERY for a, b in itertools.pairwise(world.probe_times))
    assert len(hung) >= 10
    await asyncio.sleep(0)
    assert abandoned == len(hung)  # the lost probes were cancelled, not left running


async def test_a_slow_failure_is_probed_at_once_a_quick_one_after_a_pause() -> None:
    world = World(back_at=0)
    retry = world.make()
    world.now = 40.0  # a black-holed long-poll, dropped by the heartbeat after 40 s
    await retry.wait(AWAY, attempt_started=0.0)
    assert world.sleeps == [0.0]  # the server already answers: back at once
    retry.succeeded()
    world.sleeps.clear()
    started = world.now
    world.now += 0.01  # refused at once
    await retry.wait(AWAY, attempt_started=started)
    assert len(world.sleeps) == 1 and world.sleeps[0] >= 1.0 - 0.01  # ≥ 1 s between tries


async def test_probes_are_jittered() -> None:
    world = World(back_at=60)
    await world.make().wait(AWAY)
    assert len(set(world.sleeps)) > 10


async def test_network_failures_while_the_server_answers_fall_back_to_the_long_backoff(
) -> None:
    world = World(back_at=0)  # /versions answers, yet the request keeps failing
    retry = world.make()
    for _ in range(FAST_RETRIES):
        world.sleeps.clear()
        await retry.wait(AWAY)
        assert len(world.sleeps) == 1  # one probe interval, then straight back
    waits = []
    for _ in range(4):
        world.sleeps.clear()
        await retry.wait(AWAY)
        waits.append(world.sleeps[0])  # the backoff before probing
    assert waits == sorted(waits) and waits[-1] > waits[0]
    retry.succeeded()
    world.sleeps.clear()
    await retry.wait(AWAY)
    assert len(world.sleeps) == 1  # a success resets the count


async def test_server_errors_back_off_to_five_minutes_without_probing() -> None:
    world = World()
    retry = world.make()
    for _ in range(30):
        await retry.wait(FAILING)
    assert world.probe_times == []
    for index, slept in enumerate(world.sleeps):  # 1 s ×1.5 each time, jittered down ≤ 20 %
        nominal = min(BACKOFF_FACTOR ** index, MAX_BACKOFF)
        assert max(0.8 * nominal, 1.0) <= slept <= max(nominal, 1.0)
    assert world.sleeps[-1] >= 0.8 * MAX_BACKOFF


async def test_rate_limits_wait_exactly_as_asked() -> None:
    world = World()
    retry = world.make()
    await retry.wait(Verdict(Kind.RATE_LIMITED, "429", retry_after=7.5))
    assert world.sleeps == [7.5]
    assert world.probe_times == []


async def test_without_a_probe_an_unreachable_server_gets_the_backoff() -> None:
    world = World()
    retry = world.make(probing=False)
    await retry.wait(AWAY)
    await retry.wait(AWAY)
    assert world.probe_times == [] and len(world.sleeps) == 2


async def test_a_deliberate_wait_is_visible_to_the_watchdog() -> None:
    world = World()
    retry = world.make()
    await retry.wait(FAILING)
    assert world.waiting_seen == [world.sleeps[0]]  # set during the sleep (the clock was 0)
    assert retry.waiting_until is None  # and cleared after it


async def test_probing_counts_as_progress() -> None:
    world = World(back_at=10)
    retry = world.make()
    await retry.wait(AWAY)
    assert retry.last_probe == world.probe_times[-1] == world.now


def test_stalled() -> None:
    limit = 65.0
    assert not stalled(now=60, last_progress=0, limit=limit, waiting_until=None)
    assert stalled(now=65, last_progress=0, limit=limit, waiting_until=None)
    # waiting out a 5xx for five minutes is not a stall...
    assert not stalled(now=200, last_progress=0, limit=limit, waiting_until=300)
    # ...but the loop must make progress within the limit once the wait is over.
    assert not stalled(now=310, last_progress=0, limit=limit, waiting_until=300)
    assert stalled(now=366, last_progress=0, limit=limit, waiting_until=300)
