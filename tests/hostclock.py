"""A host clock for tests: the wall clock steps, the monotonic clock does not.

On a real host NTP steps the wall clock after a suspend (or the machine comes back days
later); `time.monotonic()` and the event loop's timers carry on as if nothing happened. The
bot reads the wall clock through its `Clock`; APScheduler reads it with `datetime.now`. A
`HostClock` is the bot's clock, and `seen_by_apscheduler` makes APScheduler read the same
one, so a step moves both while the monotonic clock stays the machine's own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta, tzinfo

import apscheduler.executors.base
import apscheduler.schedulers.base
import apscheduler.triggers.date
import apscheduler.triggers.interval

from bot.clock import OffsetClock

_MODULES = (apscheduler.schedulers.base, apscheduler.triggers.interval,
            apscheduler.triggers.date, apscheduler.executors.base)


class HostClock(OffsetClock):
    """The host's wall clock: real time plus the steps taken so far."""

    def step(self, delta: timedelta) -> None:
        """NTP (or a return after days away) moves the wall clock by `delta` at once."""
        self.offset += delta


@contextlib.contextmanager
def seen_by_apscheduler(clock: HostClock) -> Iterator[None]:
    """APScheduler's `datetime.now` reads `clock` while inside (its other uses unchanged)."""

    class HostDatetime(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> HostDatetime:  # type: ignore[override]
            return cls.fromtimestamp(clock.now().timestamp(), tz)

    saved = [(module, module.datetime) for module in _MODULES]  # type: ignore[attr-defined]
    for module, _original in saved:
        module.datetime = HostDatetime  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module, original in saved:
            module.datetime = original  # type: ignore[attr-defined]

