"""Regional calendars (issue 15): what they add to start-up and memory, and what they cost
the ranking. Run: `.venv/bin/python -m benchmarks.calendars`.

Start-up: the bot imports `domain.calendars` (and so `holidays`) with the commands; the
first check-in, rota or suggestion then computes a year per country. Both are measured in
a fresh interpreter each, as resident memory (VmRSS) and wall time. The ranking: 10
members in the network's zones, each with their calendar (week, holidays, a day off), over
the 7-day window `!meeting suggest` uses by default.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

NETWORK = ("Asia/Amman", "Africa/Cairo", "Asia/Kathmandu", "Africa/Nairobi", "Africa/Lagos",
           "Asia/Manila", "America/Bogota", "America/Sao_Paulo", "Asia/Hebron",
           "America/Mexico_City")

_PROBE = r"""
import json, sys, time
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
base = rss(); t0 = time.perf_counter()
import commands  # the command layer without calendars' own import would be measured alike
t1 = time.perf_counter(); after_commands = rss()
from datetime import date
from domain.calendars import calendar_for
zones = sys.argv[1].split(",")
t2 = time.perf_counter()
for zone in zones:
    calendar_for(None, zone, None, None).holidays(date(2026, 1, 1), date(2026, 12, 31))
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "rss_commands": after_commands - base,
                  "years_s": t3 - t2, "rss_years": rss() - after_commands}))
"""

_HOLIDAYS_ONLY = r"""
import json, time
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
base = rss(); t0 = time.perf_counter()
import holidays, domain.calendars
print(json.dumps({"import_s": time.perf_counter() - t0, "rss": rss() - base}))
"""


def probe(code: str, *args: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def rank_ms(rounds: int = 20) -> tuple[float, float]:
    """(median, max) ms to rank 10 members with calendars, calendars built each time."""
    from domain.calendars import DayOff, calendar_for
    from domain.hours import WorkingHours
    from domain.suggest import Person, rank_slots

    now = datetime(2026, 3, 16, 8, tzinfo=UTC)  # the week of Eid al-Fitr 2026
    times = []
    for _round in range(rounds):
        start = time.perf_counter()
        today = now.date()
        people = []
        for index, zone in enumerate(NETWORK):
            own = (DayOff(today + timedelta(days=index % 5), today + timedelta(days=index % 5)),)
            cal = calendar_for(None, zone, None, None, own)
            hours = WorkingHours(datetime.min.time().replace(hour=9),
                                 datetime.min.time().replace(hour=17), cal.working_days(today))
            people.append(Person(f"@m{index}:x", zone, hours,
                                 cal.days_off(today - timedelta(days=2),
                                              today + timedelta(days=9))))
        rank_slots(people, timedelta(hours=1), now + timedelta(hours=1), now + timedelta(days=7))
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    imports = [probe(_HOLIDAYS_ONLY) for _ in range(5)]
    # 200 rooms of the network's members live in these ten countries: a year each.
    first = [probe(_PROBE, ",".join(NETWORK)) for _ in range(5)]
    median, worst = rank_ms()
    print(f"import holidays + domain.calendars: "
          f"{statistics.median(i['import_s'] for i in imports) * 1000:.0f} ms, "
          f"+{statistics.median(i['rss'] for i in imports):.1f} MiB RSS (median of 5)")
    print(f"first year of holidays for the network's 10 countries: "
          f"{statistics.median(f['years_s'] for f in first) * 1000:.0f} ms, "
          f"+{statistics.median(f['rss_years'] for f in first):.1f} MiB RSS")
    print(f"rank suggestions, 10 members with calendars, 7-day window: "
          f"median {median:.1f} ms, max {worst:.1f} ms (20 rounds)")


if __name__ == "__main__":
    main()
