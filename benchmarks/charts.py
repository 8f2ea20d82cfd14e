"""The cost of charts: render time and PNG size for 10 members, peak memory, and what the
first chart adds to a reply (matplotlib's import and font set-up). Figures only.

`python -m benchmarks.charts --save DIR` also writes the sample charts (English and Arabic)
for looking at them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import perf_counter

ROOT = Path(__file__).resolve().parents[1]
# Ten members from Bogotá to Manila, names in four scripts; Fri–Sat and Sat-only weekends.
NETWORK = (
    ("Camila", "America/Bogota", "09:00-17:00 mon-fri"),
    ("Luis", "America/Mexico_City", "09:00-17:00 mon-fri"),
    ("Chidi", "Africa/Lagos", "08:00-16:00 mon-fri"),
    ("Amina · أمينة", "Africa/Cairo", "09:00-17:00 sun-thu"),
    ("Yousef يوسف", "Asia/Amman", "09:00-17:00 sun-thu"),
    ("Wanjiru", "Africa/Nairobi", "08:30-17:00 mon-fri"),
    ("प्रिया Priya", "Asia/Kolkata", "10:00-18:00 mon-fri"),
    ("Bishnu", "Asia/Kathmandu", "10:00-17:00 sun-fri"),
    ("Thảo", "Asia/Ho_Chi_Minh", "08:00-17:00 mon-fri"),
    ("Ligaya", "Asia/Manila", "09:00-18:00 mon-fri"),
)
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def sample_charts(lang: str) -> dict[str, bytes]:
    """The overlap and fairness charts of the sample network, labelled in `lang`."""
    from commands.charts import day_title, fairness_picture, overlap_picture
    from domain.availability import Person
    from domain.charts import (
        ChartMember,
        ChartOption,
        fairness_chart,
        overlap_chart,
    )
    from domain.hours import parse_hours
    from domain.i18n import _, use_language
    from domain.suggest import suggest
    from domain.zones import zone_label

    async def run() -> dict[str, bytes]:
        with use_language(lang):
            people = [Person(f"@m{i}:x", zone, parse_hours(hours))
                      for i, (_name, zone, hours) in enumerate(NETWORK)]
            members = [ChartMember(p.user_id, name, zone_label(p.zone), p.zone, p.view)
                       for p, (name, _z, _h) in zip(people, NETWORK, strict=True)]
            found = suggest(people, timedelta(hours=1), NOW, NOW + timedelta(days=7))
            options = [ChartOption(i, o.start_utc, timedelta(hours=1),
                                   frozenset(c.user_id for c in o.outside))
                       for i, o in enumerate(found.options, 1)]
            chart = overlap_chart(members, options, "America/Bogota")
            title = _("Options for “{title}”, {day}").format(
                title="Budget", day=day_title(chart.day))
            overlap = await overlap_picture(chart, title, title, lang)
            outside = {m.user_id: {"early": i % 4, "late": (i * 3) % 5, "off": i % 2}
                       for i, m in enumerate(members)}
            turns = {m.user_id: {"facilitator": i % 3, "notetaker": (i + 1) % 3}
                     for i, m in enumerate(members)}
            fair = fairness_chart(12, 90, ["facilitator", "notetaker"],
                                  [(m.user_id, m.name) for m in members], outside, turns)
            assert fair is not None
            heading = _("Fairness in this room, all time")
            fairness = await fairness_picture(fair, heading, heading,
                                              ("facilitator", "notetaker"), lang)
            assert overlap and overlap.image and fairness and fairness.image
            return {"overlap": overlap.image.data, "fairness": fairness.image.data}

    return asyncio.run(run())


def _fresh_process() -> dict[str, float]:
    """In this (fresh) process: first chart (import included), then steady renders."""
    started = perf_counter()
    first = sample_charts("en")
    first_s = perf_counter() - started
    times = []
    for _round in range(5):
        started = perf_counter()
        charts = sample_charts("en")
        times.append((perf_counter() - started) / 2)
    arabic = sample_charts("ar")
    return {"first_s": first_s, "render_s": min(times), "overlap_kb": len(first["overlap"]) / 1024,
            "fairness_kb": len(charts["fairness"]) / 1024,
            "overlap_ar_kb": len(arabic["overlap"]) / 1024,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _baseline_peak() -> float:
    """Peak memory of the same imports without drawing, for comparison."""
    code = ("import resource, domain.suggest, commands.charts; "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")
    return float(subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                                capture_output=True, text=True).stdout)


def charts_part(out: list[str]) -> None:
    code = "import json; from benchmarks.charts import _fresh_process as f; print(json.dumps(f()))"
    result = json.loads(subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                                       capture_output=True, text=True).stdout)
    base = _baseline_peak()
    out.append("\n### Charts (in process, 10 members, 1152×648)\n")
    out.append("| Figure | Value |")
    out.append("|---|---|")
    out.append(f"| First chart in a fresh process (matplotlib import, fonts, render) | "
               f"{result['first_s'] * 1000:.0f} ms |")
    out.append(f"| One chart after that (best of 5) | {result['render_s'] * 1000:.0f} ms |")
    out.append(f"| Overlap chart PNG (64 colours), English / Arabic | "
               f"{result['overlap_kb']:.0f} KB / {result['overlap_ar_kb']:.0f} KB |")
    out.append(f"| Fairness chart PNG | {result['fairness_kb']:.0f} KB |")
    out.append(f"| Peak memory (RSS) with charts / without drawing | "
               f"{result['peak_mb']:.0f} MB / {base:.0f} MB |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--save", type=Path, help="write the sample charts here")
    args = parser.parse_args()
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
        for lang in ("en", "ar", "es"):
            for name, data in sample_charts(lang).items():
                (args.save / f"{name}-{lang}.png").write_bytes(data)
        print(f"written to {args.save}")
        return
    out: list[str] = []
    started = time.perf_counter()
    charts_part(out)
    print("\n".join(out))
    print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
