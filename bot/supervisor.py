"""Keeps Minga's long-lived tasks alive, and gives up loudly when it cannot.

A task that dies is logged at once (its name, the exception's type and where it
was raised, never its message, which may quote a member) and started again
after a short, growing pause. A task that dies MAX_DEATHS times within
DEATH_WINDOW will not be saved by one more restart in this process: the
supervisor then sets `failed`, and `minga run` exits non-zero so that systemd
or the container runtime starts a fresh one. A live process that is silently
deaf is what this module exists to rule out.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from commands.errors import where_it_broke

log = logging.getLogger(__name__)

# Five deaths of one task in ten minutes: one or two are a bug met once (logged, restarted),
# five in a row is a state only a fresh process clears (nio's or aiohttp's, a stuck lock).
# Ten minutes is long enough to catch a crash every couple of minutes and short enough that
# rare crashes over days never add up to an exit.
MAX_DEATHS = 5
DEATH_WINDOW = 600.0
# Restart pauses 0.5, 1.5, 4.5, 13.5 s: the first restart is within a second, and a task that
# dies at once every time exits the process after ~20 s, slow enough that systemd's default
# start limit (5 starts in 10 s) never trips, fast enough that the bot is back within a minute.
RESTART_FIRST = 0.5
RESTART_FACTOR = 3.0
RESTART_MAX = 60.0
# Shutdown waits this long for tasks to finish their cancellation.
STOP_TIMEOUT = 10.0

Factory = Callable[[], Coroutine[Any, Any, None]]
Sleep = Callable[[float], Awaitable[None]]


class Supervisor:
    def __init__(self, *, sleep: Sleep = asyncio.sleep, now: Callable[[], float] = time.monotonic,
                 max_deaths: int = MAX_DEATHS, window: float = DEATH_WINDOW) -> None:
        self.sleep = sleep
        self.now = now
        self.max_deaths = max_deaths
        self.window = window
        self.failed = asyncio.Event()
        self.failure: str | None = None
        self.deaths: dict[str, list[float]] = {}
        self.death_count = 0
        self.started: dict[str, list[float]] = {}  # wall-clock start times, for the fault suite
        self._keepers: dict[str, asyncio.Task[None]] = {}
        self._current: dict[str, asyncio.Task[None]] = {}
        self._restart_reason: dict[str, str] = {}
        self._once: set[asyncio.Task[Any]] = set()

    # ---- starting ---------------------------------------------------------------
    def start(self, name: str, factory: Factory) -> None:
        """Run `factory()` as task `name` for as long as the supervisor runs; once per name."""
        keeper = self._keepers.get(name)
        if keeper is not None and not keeper.done():
            return
        self._keepers[name] = asyncio.create_task(self._keep(name, factory),
                                                  name=f"{name}-supervisor")

    def once(self, name: str, work: Awaitable[Any]) -> None:
        """A one-off job: not restarted, but a failure is logged the moment it happens."""
        task = asyncio.ensure_future(work)
        task.set_name(name)
        self._once.add(task)
        task.add_done_callback(self._once_done)

    def _once_done(self, task: asyncio.Task[Any]) -> None:
        self._once.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            assert exc is not None
            log.error("task %s failed: %s at %s", task.get_name(), type(exc).__name__,
                      where_it_broke(exc))

    def running(self, name: str) -> bool:
        task = self._current.get(name)
        return task is not None and not task.done()

    def task(self, name: str) -> asyncio.Task[None] | None:
        return self._current.get(name)

    def restart(self, name: str, reason: str) -> None:
        """Cancel a live but stuck task (the watchdog's verdict); it counts as a death."""
        task = self._current.get(name)
        if task is not None and not task.done():
            self._restart_reason[name] = reason
            task.cancel()

    # ---- keeping alive ------------------------------------------------------------
    async def _keep(self, name: str, factory: Factory) -> None:
        while True:
            task = asyncio.create_task(factory(), name=name)
            self._current[name] = task
            self.started.setdefault(name, []).append(time.time())
            try:
                await asyncio.wait({task})
            except asyncio.CancelledError:
                task.cancel()
                raise
            why = self._cause(name, task)
            if not self._count_death(name, why):
                log.error("task %s died: %s", name, why)
                log.critical("%s; giving up so that the service manager starts a fresh "
                             "process", self.failure)
                self.failed.set()
                return
            delay = self.restart_delay(len(self.deaths[name]))
            log.error("task %s died: %s; restarting in %.1fs", name, why, delay)
            await self.sleep(delay)

    def _cause(self, name: str, task: asyncio.Task[None]) -> str:
        if task.cancelled():
            return self._restart_reason.pop(name, "cancelled")
        exc = task.exception()
        if exc is None:
            return "returned, but it should run for ever"
        return f"{type(exc).__name__} at {where_it_broke(exc)}"

    def _count_death(self, name: str, why: str) -> bool:
        """Record a death; False when the task is beyond saving."""
        now = self.now()
        recent = [t for t in self.deaths.get(name, []) if now - t < self.window] + [now]
        self.deaths[name] = recent
        self.death_count += 1
        if len(recent) < self.max_deaths:
            return True
        self.failure = f"task {name} died {len(recent)} times in {self.window / 60:.0f} minutes"
        return False

    @staticmethod
    def restart_delay(deaths: int) -> float:
        """Pause before restarting after the n-th recent death: 0.5, 1.5, 4.5, 13.5 … 60 s."""
        return min(RESTART_FIRST * RESTART_FACTOR ** max(deaths - 1, 0), RESTART_MAX)

    # ---- stopping -------------------------------------------------------------------
    async def stop(self) -> None:
        """Cancel everything; bounded, so a task that ignores its cancel can't hang shutdown."""
        keepers = [k for k in self._keepers.values() if not k.done()]
        tasks = [t for t in self._current.values() if not t.done()] + list(self._once)
        for task in [*keepers, *tasks]:
            task.cancel()
        everything = keepers + tasks
        if everything:
            _done, stuck = await asyncio.wait(everything, timeout=STOP_TIMEOUT)
            for task in stuck:
                log.warning("task %s did not stop in time", task.get_name())
        self._keepers.clear()
        self._current.clear()
