"""The task supervisor: deaths logged at once and restarted, hopeless tasks end the process."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.supervisor import (
    DEATH_WINDOW,
    MAX_DEATHS,
    RESTART_FIRST,
    Supervisor,
)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)

    def supervisor(self) -> Supervisor:
        return Supervisor(sleep=self.sleep, now=lambda: self.now)


async def until(check: object, turns: int = 200) -> None:
    for _ in range(turns):
        if callable(check) and check():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition not reached")


async def test_a_death_is_logged_at_once_without_content_and_the_task_restarted(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.supervisor")
    clock = Clock()
    supervisor = clock.supervisor()
    runs: list[int] = []
    alive = asyncio.Event()

    async def work() -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("Alice said: meet at the safe house")
        alive.set()
        await asyncio.Event().wait()

    supervisor.start("minga-test", work)
    await asyncio.wait_for(alive.wait(), 5)
    assert len(runs) == 2
    assert clock.sleeps == [RESTART_FIRST]
    [record] = [r for r in caplog.records if "died" in r.getMessage()]
    message = record.getMessage()
    assert record.levelno == logging.ERROR
    assert "minga-test" in message and "RuntimeError" in message
    assert "test_supervisor.py:" in message  # where, as file:line
    assert "safe house" not in caplog.text  # never the exception's message
    assert supervisor.running("minga-test")
    assert supervisor.death_count == 1 and not supervisor.failed.is_set()
    await supervisor.stop()
    assert not supervisor.running("minga-test")


async def test_a_task_that_keeps_dying_fails_the_supervisor(
        caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    supervisor = clock.supervisor()
    runs = 0

    async def hopeless() -> None:
        nonlocal runs
        runs += 1
        raise OSError("disk says no")

    supervisor.start("minga-hopeless", hopeless)
    await asyncio.wait_for(supervisor.failed.wait(), 5)
    assert runs == MAX_DEATHS
    assert clock.sleeps == [Supervisor.restart_delay(n) for n in range(1, MAX_DEATHS)]
    assert clock.sleeps == [0.5, 1.5, 4.5, 13.5]
    assert supervisor.failure == f"task minga-hopeless died {MAX_DEATHS} times in 10 minutes"
    assert any(r.levelno == logging.CRITICAL for r in caplog.records)
    await asyncio.sleep(0)
    assert runs == MAX_DEATHS  # no restart after giving up
    await supervisor.stop()


async def test_deaths_far_apart_never_add_up() -> None:
    clock = Clock()
    supervisor = clock.supervisor()
    runs = 0
    done = asyncio.Event()

    async def rarely_dies() -> None:
        nonlocal runs
        runs += 1
        if runs > 2 * MAX_DEATHS:
            done.set()
            await asyncio.Event().wait()
        clock.now += DEATH_WINDOW / (MAX_DEATHS - 1)  # runs a while, then dies
        raise RuntimeError("rare")

    supervisor.start("minga-rare", rarely_dies)
    await asyncio.wait_for(done.wait(), 5)
    assert not supervisor.failed.is_set()
    assert supervisor.death_count == 2 * MAX_DEATHS
    await supervisor.stop()


async def test_a_task_that_returns_is_restarted() -> None:
    clock = Clock()
    supervisor = clock.supervisor()
    runs = 0

    async def returns() -> None:
        nonlocal runs
        runs += 1
        if runs > 1:
            await asyncio.Event().wait()

    supervisor.start("minga-returns", returns)
    await until(lambda: runs == 2)
    assert supervisor.death_count == 1
    await supervisor.stop()


async def test_restart_cancels_a_stuck_task_and_counts_it(
        caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    supervisor = clock.supervisor()
    started = 0

    async def stuck() -> None:
        nonlocal started
        started += 1
        await asyncio.Event().wait()

    supervisor.start("minga-sync", stuck)
    await until(lambda: started == 1)
    supervisor.restart("minga-sync", "stalled, restarted by the watchdog")
    await until(lambda: started == 2)
    assert supervisor.death_count == 1
    assert "stalled, restarted by the watchdog" in caplog.text
    await supervisor.stop()


async def test_start_is_once_per_name() -> None:
    supervisor = Supervisor()
    started = 0

    async def work() -> None:
        nonlocal started
        started += 1
        await asyncio.Event().wait()

    supervisor.start("minga-x", work)
    supervisor.start("minga-x", work)
    await until(lambda: started >= 1)
    await asyncio.sleep(0.01)
    assert started == 1
    await supervisor.stop()


async def test_a_one_off_failure_is_logged_at_once(caplog: pytest.LogCaptureFixture) -> None:
    supervisor = Supervisor()

    async def warm() -> None:
        raise ValueError("a catalogue line")

    supervisor.once("minga-catalogues", warm())
    await until(lambda: "minga-catalogues" in caplog.text)
    assert "ValueError" in caplog.text and "a catalogue line" not in caplog.text
    await supervisor.stop()
