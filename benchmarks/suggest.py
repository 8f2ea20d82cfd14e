"""The cost of fair times, in process: ranking suggestions, choosing turns, and costing a
room's planned meetings, for the ten-member network of `devtools.sample_network`.

Run by `make bench`, or alone: `python -m benchmarks.suggest`. Figures only; nothing here is
asserted (timing belongs in benchmarks, not in unit tests).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta

from devtools.sample_network import ASKED_AT, NETWORK10
from domain import availability
from domain.availability import Person, Scorer
from domain.hours import parse_hours
from domain.spread import spread_times
from domain.suggest import suggest

HOUR = timedelta(hours=1)


def _people() -> list[Person]:
    return [Person(user, zone, parse_hours(hours)) for user, zone, hours in NETWORK10]


def _ms(work: Callable[[], object], *, cold: bool, repeat: int = 5) -> tuple[float, float]:
    """Best of `repeat` runs, (wall ms, CPU ms); `cold` forgets placed working time first.
    CPU time is what a busy shared machine inflates least."""
    wall = cpu = float("inf")
    for _run in range(repeat):
        if cold:
            availability._TIMELINES.clear()
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    return wall * 1000, cpu * 1000


def suggest_part(out: list[str]) -> None:
    people = _people()
    first = ASKED_AT + timedelta(hours=13)  # after the 12 h poll window and an hour

    def week() -> object:
        return suggest(people, HOUR, first, ASKED_AT + timedelta(days=7))

    def three_weeks() -> object:
        return suggest(people, HOUR, first, ASKED_AT + timedelta(days=21))

    def turns() -> object:
        return spread_times(people, HOUR, date(2026, 12, 10), "Africa/Nairobi",
                            after_utc=ASKED_AT)

    def planned() -> object:
        scorer = Scorer(people)  # a weekly meeting over 90 days, as `!fairness` costs it
        return [scorer.costs(ASKED_AT + timedelta(days=7 * k), HOUR) for k in range(13)]

    found = week()
    slots = getattr(found, "slots", 0)
    out.append("\n### Fair times (in process, 10 members)\n")
    out.append("The ten-member network of `devtools/sample_network.py` (Bogotá to Manila, "
               "Sun–Thu and Sun–Fri weeks, a quarter-hour zone). *Cold*: nobody's working "
               "time placed yet (the first command after a start); *warm*: placed by an "
               "earlier command. Best of 5, wall clock (CPU).\n")
    out.append("| Work | cold ms | warm ms |")
    out.append("|---|---|---|")
    rows = (
        (f"rank `!meeting suggest 60m within 7 days` ({slots} starts)", week),
        ("rank `… within 21 days`", three_weeks),
        ("choose turns for `!meeting add … rotate`", turns),
        ("cost a weekly meeting's next 90 days (`!fairness`)", planned),
    )
    for label, work in rows:
        cold, warm = _ms(work, cold=True), _ms(work, cold=False)
        out.append(f"| {label} | {cold[0]:.0f} ({cold[1]:.0f}) | {warm[0]:.0f} ({warm[1]:.0f}) |")


if __name__ == "__main__":
    lines: list[str] = []
    suggest_part(lines)
    print("\n".join(lines))
