"""Time as a dependency, so domain code and tests can use a fixed "now"."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware UTC datetime."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta


class OffsetClock:
    """Real time moved forward by `offset`: tests make a later hour "now" for the bot."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


# A wall clock that moved this much more (or less) than the monotonic clock stepped: NTP after
# a suspend, an operator's `date -s`. Slower drift is slewed by NTP and never gets this far.
STEP_THRESHOLD = timedelta(seconds=60)


class StepWatch:
    """Notices the wall clock stepping, by comparing its progress with the monotonic clock's.

    APScheduler waits on the event loop's monotonic clock but reads the wall clock to decide
    what is due, and an interval job's next run is a wall time: after a step back its next run
    is an hour away, after a step forward due jobs wait for the old timer. The scheduler asks
    `check()` every few seconds and re-plans when it answers with a step.
    """

    def __init__(self, clock: Clock, monotonic: Callable[[], float] = time.monotonic,
                 threshold: timedelta = STEP_THRESHOLD) -> None:
        self.clock = clock
        self.monotonic = monotonic
        self.threshold = threshold
        self._wall = clock.now()
        self._mono = monotonic()

    def check(self) -> timedelta | None:
        """The step since the last check (positive: forward), or None if there was none."""
        wall, mono = self.clock.now(), self.monotonic()
        step = (wall - self._wall) - timedelta(seconds=mono - self._mono)
        self._wall, self._mono = wall, mono
        return step if abs(step) > self.threshold else None
