"""The cost of languages, in process: compiling catalogues, reading dates typed in five
languages, and writing dates for five languages. Run by `make bench`; figures only."""

from __future__ import annotations

import subprocess
import sys
import timeit
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TYPED = ("thu 14:00", "jueves 14:00", "mardi 9h", "próxima semana", "quinta-feira 10h",
         "الخميس ١٤:٠٠", "el próximo jueves a las 10", "tous les mois le premier jeudi")
COMPILE = ("import time; t = time.perf_counter(); from domain.i18n import warm; warm(); "
           "print((time.perf_counter() - t) * 1000)")


def _per_call_us(statement: str, setup: str, number: int = 20_000) -> float:
    return min(timeit.repeat(statement, setup, repeat=3, number=number)) / number * 1e6


def i18n_part(out: list[str]) -> None:
    compile_ms = [float(subprocess.run([sys.executable, "-c", COMPILE], cwd=ROOT, check=True,
                                       capture_output=True, text=True).stdout)
                  for _run in range(3)]
    out.append("\n### Languages (in process)\n")
    out.append(f"Compiling all four catalogues from .po (fresh process, done in a thread "
               f"during the first sync): {min(compile_ms):.0f} ms (best of 3).\n")
    out.append("| Work | µs per call |")
    out.append("|---|---|")
    # to_english remembers what it read; a member's text is new, so the cache is emptied
    # before each call (clearing an empty cache costs well under 0.1 µs).
    setup = "from domain.words import to_english, _rewritten"
    for text in TYPED:
        cost = _per_call_us(f"_rewritten.cache_clear(); to_english({text!r})", setup)
        out.append(f"| read `{text}` (first time) | {cost:.1f} |")
    when = datetime(2026, 12, 3, 11, tzinfo=UTC)
    for lang in ("en", "es", "fr", "pt", "ar"):
        setup = ("from domain.timefmt import format_local\n"
                 "from domain.i18n import use_language\n"
                 "from datetime import datetime\n"
                 f"w = datetime.fromisoformat({when.isoformat()!r})\n"
                 f"ctx = use_language({lang!r}); ctx.__enter__()\n"
                 "format_local(w, 'Africa/Nairobi')")
        cost = _per_call_us("format_local(w, 'Africa/Nairobi')", setup)
        out.append(f"| write a date and time in `{lang}` | {cost:.1f} |")
    setup = ("from domain.i18n import _, use_language\nctx = use_language('es'); "
             "ctx.__enter__()")
    lookup = _per_call_us('_("Examples:")', setup)
    out.append(f"| look up one message (`es`) | {lookup:.2f} |")
    setup = ("from datetime import datetime\nfrom domain.recurrence import parse_rule\n"
             "from domain.errors import DomainError\n"
             "def refuse():\n    try:\n"
             "        parse_rule('RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31',\n"
             "                   datetime(2026, 12, 3, 14))\n"
             "    except DomainError:\n        pass")
    never = _per_call_us("refuse()", setup, number=5) / 1000
    out.append(f"| refuse a rule that never fires (31 Feb, daily) | {never:.0f} ms |")
    setup = ("from datetime import UTC, datetime, timedelta\n"
             "from domain.recurrence import Series, next_occurrence\n"
             "s = Series(datetime(2000, 1, 6, 14), 'Europe/Lisbon', 'FREQ=DAILY',\n"
             "           timedelta(hours=1))\n"
             "now = datetime(2026, 11, 25, 9, tzinfo=UTC)")
    old = _per_call_us("next_occurrence(s, now)", setup, number=200) / 1000
    out.append(f"| next occurrence of a daily series started in 2000 | {old:.2f} ms |")


if __name__ == "__main__":
    lines: list[str] = []
    i18n_part(lines)
    print("\n".join(lines))
