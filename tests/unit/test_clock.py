"""The clock-step watch: the wall clock's progress against the monotonic clock's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import FixedClock, StepWatch


class Monotonic:
    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value


def test_steps_are_told_apart_from_time_passing() -> None:
    wall = FixedClock(datetime(2026, 12, 4, 12, 0, tzinfo=UTC))
    mono = Monotonic()
    watch = StepWatch(wall, mono)
    # Both clocks move together, even a long way (a busy loop, a long await): no step.
    wall.advance(timedelta(minutes=10))
    mono.value += 600
    assert watch.check() is None
    # Drift well under the threshold: no step.
    wall.advance(timedelta(seconds=2 + 59))
    mono.value += 2
    assert watch.check() is None
    # NTP after a suspend: the wall clock jumps an hour while 2 s pass.
    wall.advance(timedelta(hours=1, seconds=2))
    mono.value += 2
    assert watch.check() == timedelta(hours=1)
    # Back again: a negative step, measured from the last check, not the first.
    wall.advance(timedelta(hours=-1, seconds=2))
    mono.value += 2
    assert watch.check() == timedelta(hours=-1)
    mono.value += 2
    wall.advance(timedelta(seconds=2))
    assert watch.check() is None


def test_a_suspended_machine_whose_clocks_both_stopped_is_a_step_forward() -> None:
    """Linux's CLOCK_MONOTONIC does not count a suspend: the wall clock's catch-up is a step."""
    wall = FixedClock(datetime(2026, 12, 4, 12, 0, tzinfo=UTC))
    mono = Monotonic()
    watch = StepWatch(wall, mono)
    wall.advance(timedelta(hours=8))
    assert watch.check() == timedelta(hours=8)
