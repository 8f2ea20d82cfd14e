"""Regional calendars (issue 15): what they add to start-up and memory, and what they cost
the ranking. Part of `make bench`; alone: `python -m benchmarks.calendars`. Figures only.

Start-up: the bot imports `domain.calendars` (and so the `holidays` library) with the
commands; the first check-in, rota, note or suggestion then computes a year of holidays per
country its members live in. A 200-room network lives in the network's countries, so the
cost is per country, not per room. Each is measured in a fresh interpreter (import after
what the bot loads anyway: babel, dateutil, the domain) as wall time and resident memory.

Ranking: the ten-member network of `devtools/sample_network.py`, each member's hours seen
through their `CalendarView` (country week, public holidays, a day off of their own), as
`commands.meetings.people.people_of` builds them, against the same people without calendars.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from datetime import timedelta

from benchmarks.suggest import HOUR, _ms
from devtools.sample_network import ASKED_AT, NETWORK10
from domain import calendars as calendars_module
from domain.availability import Person
from domain.hours import parse_hours
from domain.suggest import suggest

# The countries of the network (issue 15): a year of holidays each.
NETWORK_ZONES = ("Asia/Amman", "Africa/Cairo", "Asia/Kathmandu", "Africa/Nairobi",
                 "Africa/Lagos", "Asia/Manila", "America/Bogota", "America/Sao_Paulo",
                 "Asia/Hebron", "America/Mexico_City", "Asia/Beirut", "Asia/Dhaka")

_PROBE = r"""
import json, sys, time
def rss():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
import babel, babel.dates, dateutil.relativedelta, domain.hours, domain.zones  # loaded anyway
base = rss(); t0 = time.perf_counter(); c0 = time.process_time()
import domain.calendars
t1 = time.perf_counter(); c1 = time.process_time(); after = rss()
from datetime import date
from domain.calendars import calendar_for
for zone in sys.argv[1].split(","):
    calendar_for(None, zone, None, None).holidays(date(2026, 1, 1), date(2026, 12, 31))
t2 = time.perf_counter(); c2 = time.process_time()
print(json.dumps({"import_ms": (t1 - t0) * 1000, "import_cpu": (c1 - c0) * 1000,
                  "import_mib": after - base, "year_ms": (t2 - t1) * 1000,
                  "year_cpu": (c2 - c1) * 1000, "year_mib": rss() - after}))
"""


def _probe() -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", _PROBE, ",".join(NETWORK_ZONES)],
                         capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout))


def _people(calendars: bool) -> list[Person]:
    from datetime import date

    from domain.calendars import CalendarView, DayOff, calendar_for

    people = []
    for index, (user, zone, typed) in enumerate(NETWORK10):
        hours = parse_hours(typed)
        if not calendars:
            people.append(Person(user, zone, hours))
            continue
        day = date(2026, 12, 7) + timedelta(days=index % 5)
        cal = calendar_for(None, zone, hours.days, True, (DayOff(day, day),))
        people.append(Person(user, zone, CalendarView(hours, cal)))
    return people


def calendars_part(out: list[str], runs: int = 5) -> None:
    probes = [_probe() for _run in range(runs)]

    def median(key: str) -> float:
        return statistics.median(p[key] for p in probes)

    out.append("\n### Regional calendars (in process)\n")
    out.append(f"Added start-up cost, each in a fresh interpreter after what the bot loads "
               f"anyway; median of {runs}, wall clock (CPU). The countries of the network "
               f"({len(NETWORK_ZONES)} zones: {', '.join(NETWORK_ZONES)}) are all a 200-room "
               f"network needs: holidays are per country, not per room.\n")
    out.append("| Work | ms | MiB RSS |")
    out.append("|---|---|---|")
    out.append(f"| import `domain.calendars` (the `holidays` library) | "
               f"{median('import_ms'):.0f} ({median('import_cpu'):.0f}) | "
               f"+{median('import_mib'):.1f} |")
    out.append(f"| first year of holidays, {len(NETWORK_ZONES)} countries | "
               f"{median('year_ms'):.0f} ({median('year_cpu'):.0f}) | "
               f"+{median('year_mib'):.1f} |")
    first = ASKED_AT + timedelta(hours=13)
    end = ASKED_AT + timedelta(days=7)
    out.append("\nRanking `!meeting suggest 60m within 7 days` for the 10 members of "
               "`devtools/sample_network.py`, through each member's calendar (week, public "
               "holidays, one day off of their own) or their hours alone. *Cold*: no working "
               "time placed and no day asked about yet (a year of holidays is computed, as "
               "after the first command); best of 5, wall clock (CPU).\n")
    out.append("| Members | cold ms | warm ms |")
    out.append("|---|---|---|")
    for label, calendars in (("10 with calendars", True), ("10, hours alone", False)):
        people = _people(calendars)

        def rank(people: list[Person] = people) -> object:
            return suggest(people, HOUR, first, end)

        def rank_cold(people: list[Person] = people) -> object:
            calendars_module._away.cache_clear()  # which dates are days off, asked afresh
            return suggest(people, HOUR, first, end)

        cold, warm = _ms(rank_cold, cold=True), _ms(rank, cold=False)
        out.append(f"| {label} | {cold[0]:.0f} ({cold[1]:.0f}) | "
                   f"{warm[0]:.0f} ({warm[1]:.0f}) |")


if __name__ == "__main__":
    lines: list[str] = []
    calendars_part(lines)
    print("\n".join(lines))
