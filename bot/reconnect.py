"""When to try the homeserver again: back within seconds, patient only when asked to be.

While the homeserver is unreachable, waiting longer and longer only delays the
moment Minga hears it is back: a one-minute outage used to cost 40 s more of
deafness. So an unreachable server is probed (`GET /_matrix/client/versions`,
unauthenticated and cheap) every PROBE_EVERY seconds at most, and work resumes
the moment it answers. The long backoff is kept for answers the server gives
itself: a 5xx (it is up but failing; hammering it does not help) and a 429
(it said how long to wait).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot.transport import Kind, Verdict

log = logging.getLogger(__name__)

# The bound is "every ≤ 5 s"; 2 s jittered down to 1 s puts the first answer after a
# return ~1.5 s away on average, costs one tiny request a second or two, and never retries
# faster than once a second.
PROBE_EVERY = 2.0
# A probe unanswered this long counts as "away": a black hole accepts and never answers.
# /versions is answered from memory, so 3 s of silence is not a busy server.
PROBE_TIMEOUT = 3.0
# While a request is open, how often to check the server still answers (see bot.client):
# a connection that went silent is then dropped within ~8 s instead of at its deadline.
HEARTBEAT_EVERY = 5.0
# Network failures retried as soon as the server answers again; more in a row while
# /versions answers means it is not the network, so the backoff below takes over.
FAST_RETRIES = 3
MIN_BACKOFF = 1.0
MAX_BACKOFF = 300.0
# Gentler than doubling: 1, 1.5, 2.3, 3.4 … 5 min after ~15 failures.
BACKOFF_FACTOR = 1.5

Sleep = Callable[[float], Awaitable[None]]
Probe = Callable[[], Awaitable[bool]]


def jittered(seconds: float, rng: random.Random | None = None, low: float = 0.5) -> float:
    """`seconds` scaled by a random factor in [low, 1]: loops that failed together
    (the sync loop, the outbox) don't retry in lock step."""
    return seconds * (rng or random).uniform(low, 1.0)


class Retry:
    """One loop's waiting between attempts (the sync loop's, the outbox's).

    `sleep`, `probe` and `rng` are injected so the policy is tested without waiting.
    """

    def __init__(self, probe: Probe | None, *, name: str = "retry", sleep: Sleep = asyncio.sleep,
                 rng: random.Random | None = None, probe_every: float = PROBE_EVERY,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self.probe = probe
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.probe_every = probe_every
        self.clock = clock
        self.failures = 0  # in a row
        self.probes = 0  # sent while waiting, for figures and tests
        # For the watchdog: a deliberate wait is not a stall, and each probe is progress.
        self.waiting_until: float | None = None
        self.last_probe = float("-inf")

    def succeeded(self) -> None:
        self.failures = 0

    def backoff(self, failures: int) -> float:
        """The long wait after the n-th failure in a row: 1 s growing ×1.5 to 5 min."""
        delay = min(MIN_BACKOFF * BACKOFF_FACTOR ** max(failures - 1, 0), MAX_BACKOFF)
        return max(delay * self.rng.uniform(0.8, 1.0), MIN_BACKOFF)

    def plan(self, verdict: Verdict) -> tuple[float, bool]:
        """Count a failure; (seconds to sleep first, then probe until the server answers?)."""
        self.failures += 1
        if verdict.kind is Kind.RATE_LIMITED:
            return max(verdict.retry_after or 0.0, 0.05), False
        if verdict.kind is Kind.UNREACHABLE and self.probe is not None:
            if self.failures <= FAST_RETRIES:
                return 0.0, True
            return self.backoff(self.failures - FAST_RETRIES), True
        return self.backoff(self.failures), False

    async def wait(self, verdict: Verdict, *, attempt_started: float | None = None) -> None:
        """Wait as the failure deserves; return when it is worth trying again.

        `attempt_started` (on `clock`): an attempt that took a while to fail (a request lost
        in a black hole, dropped by the heartbeat) already spaced the requests out, so the
        first probe goes at once; one refused at once waits a probe interval first.
        """
        delay, probe = self.plan(verdict)
        if delay:
            self.waiting_until = self.clock() + delay
            try:
                await self.sleep(delay)
            finally:
                self.waiting_until = None
        if probe:
            took = self.clock() - attempt_started if attempt_started is not None else 0.0
            await self.until_answered(first_gap_less=took if not delay else 0.0)

    async def until_answered(self, first_gap_less: float = 0.0) -> None:
        """Probe every PROBE_EVERY (jittered, never more than once a second) until the
        homeserver answers. Never gives up: an outage may last hours.

        Probes overlap: one lost in a black hole waits out its timeout while the next one
        starts on time, so the return is heard within one interval, not interval + timeout.
        """
        assert self.probe is not None
        probes: set[asyncio.Future[bool]] = set()
        shorten = first_gap_less
        try:
            while True:
                gap = max(jittered(self.probe_every, self.rng), 1.0) - shorten
                shorten = 0.0
                pause = asyncio.ensure_future(self.sleep(max(gap, 0.0)))
                try:
                    while not pause.done():
                        waiting: set[asyncio.Future[Any]] = {pause, *probes}
                        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                        if _answered(probes):
                            return
                finally:
                    pause.cancel()
                self.probes += 1
                self.last_probe = self.clock()
                log.debug("%s: probing the homeserver", self.name)
                probes.add(asyncio.ensure_future(self.probe()))
                await asyncio.sleep(0)  # an instant answer is seen before the next pause
                if _answered(probes):
                    return
        finally:
            for probe in probes:
                probe.cancel()


def _answered(probes: set[asyncio.Future[bool]]) -> bool:
    """Drop finished probes; True if one of them got an answer."""
    for probe in [p for p in probes if p.done()]:
        probes.discard(probe)
        if not probe.cancelled() and probe.exception() is None and probe.result():
            return True
    return False


def describe_wait(verdict: Verdict, retry: Retry) -> str:
    """For the log line after a failure: what the loop will do next."""
    if verdict.kind is Kind.RATE_LIMITED:
        return f"waiting {verdict.retry_after or 0:.1f}s as asked"
    if verdict.kind is Kind.UNREACHABLE and retry.probe is not None:
        return f"retrying as soon as it answers (probing every ~{retry.probe_every:.0f}s)"
    return "retrying after a backoff"


# ---- liveness watchdog ------------------------------------------------------------------
def stalled(*, now: float, last_progress: float, limit: float,
            waiting_until: float | None) -> bool:
    """Has the sync loop been stuck too long? (The caller then asks /versions.)

    Progress is a successful sync or the start of a new attempt after a wait; a loop that
    waits out a 5xx or 429 on purpose (`waiting_until`) is not stuck until that has passed.
    """
    if waiting_until is not None and now < waiting_until:
        return False
    since = max(last_progress, waiting_until or last_progress)
    return now - since >= limit
