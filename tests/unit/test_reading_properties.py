"""Properties of reading dates, spans and hours, over generated input in five languages.

- Whatever `!away`, `due` or `!hours set` accepts, restated in the reply's words and read
  again, is the very same value (the reply never shows a reading that means another).
- Nothing accepted leaves a date word in the free text after it (an absence's reason),
  and a reason typed after a date is kept exactly.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.due import format_due, parse_due
from domain.hours import Shift, WorkingHours, parse_hours, read_hours
from domain.i18n import use_language
from domain.ranges import describe_span, parse_span
from domain.timefmt import month_name, weekday_name
from domain.when import WhenError, starts_like_a_date
from domain.zones import ZoneError

NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
ZONES = ["America/Bogota", "Africa/Nairobi", "Asia/Kathmandu", "Asia/Beirut", "UTC",
         "America/Mexico_City", "Europe/Lisbon"]
LANGS = ["en", "es", "fr", "pt", "ar"]
TO = {"en": ["to", "-", "–", "until"], "es": ["a", "al", "hasta", "-"],
      "fr": ["au", "à", "jusqu'au", "-"], "pt": ["a", "ao", "até", "-"],
      "ar": ["إلى", "حتى", "-"]}
FROM = {"en": ["", "from"], "es": ["", "del", "de", "desde el"], "fr": ["", "du"],
        "pt": ["", "de", "do dia"], "ar": ["", "من"]}
TODAY = {"en": "today", "es": "hoy", "fr": "aujourd'hui", "pt": "hoje", "ar": "اليوم"}
TOMORROW = {"en": "tomorrow", "es": "mañana", "fr": "demain", "pt": "amanhã", "ar": "غدا"}
# Reasons: words that are no date in any of the five languages.
REASONS = ["", "holidays", "conference", "family", "vacaciones", "médico", "congé", "formation",
           "férias", "viagem", "سفر", "إجازة", "workshop in Lagos", "mission terrain",
           "curso de formación"]
# Free text that does start like a date: it must never be accepted as a reason.
DATEY = ["sat holiday", "15 dic fiesta", "14:00 dentist", "18/12 trip", "mardi 15", "hier soir",
         "tomorrow too", "next week"]


def say_date(lang: str, day: date, form: int, with_year: bool) -> str:
    """`day` written the way members of `lang` write dates (several forms)."""
    with use_language(lang):
        wide, short = month_name(day.month, short=False), month_name(day.month)
        weekday = weekday_name(day.weekday(), short=False)
    year = f" {day.year}" if with_year else ""
    if form == 0:
        return day.isoformat()
    if form == 1:
        return f"{day.day} {short}{year}" if lang != "pt" else f"{day.day} de {wide}{year}"
    if form == 2:
        joined = {"es": f"{day.day} de {wide}", "pt": f"{day.day} de {wide}"}
        return joined.get(lang, f"{day.day} {wide}") + year
    if form == 3:
        return f"{weekday} {day.day} {wide}{year}" if lang not in ("es", "pt") else \
            f"{weekday} {day.day} de {wide}{year}"
    # day-first numbers outside English; in English only when the day makes them unambiguous
    if lang == "en" and day.day <= 12 and day.day != day.month:
        return day.isoformat()
    return f"{day.day}/{day.month}" + (f"/{day.year}" if with_year else "")


@st.composite
def dates(draw: st.DrawFn, lang: str) -> tuple[str, date]:
    """A date in the next 400 days, written in `lang`, and the date it means."""
    offset = draw(st.integers(0, 400))
    day = (NOW - timedelta(hours=12)).date() + timedelta(days=offset)
    if offset in (0, 1) and draw(st.booleans()):
        return (TODAY if offset == 0 else TOMORROW)[lang], day
    # Without a year a date is this year's, or next year's once passed; past 365 days, say it.
    return say_date(lang, day, draw(st.integers(0, 4)), offset > 300 or draw(st.booleans())), day


@st.composite
def away_inputs(draw: st.DrawFn) -> tuple[str, str, str, str]:
    lang = draw(st.sampled_from(LANGS))
    first, first_day = draw(dates(lang))
    reason = draw(st.sampled_from(REASONS + DATEY))
    if draw(st.booleans()):
        last, last_day = draw(dates(lang))
        if last_day < first_day:
            first, last = last, first
        lead = draw(st.sampled_from(FROM[lang]))
        text = " ".join(p for p in (lead, first, draw(st.sampled_from(TO[lang])), last) if p)
    else:
        text = first
    return lang, draw(st.sampled_from(ZONES)), f"{text} {reason}".strip(), reason


@settings(max_examples=200, deadline=None)
@given(away_inputs())
def test_an_accepted_span_reads_back_the_same_and_keeps_its_reason(
        given_input: tuple[str, str, str, str]) -> None:
    lang, zone, text, reason = given_input
    with use_language(lang):
        try:
            span = parse_span(text, NOW, zone)
        except (WhenError, ZoneError):
            return
        # No date word is left in the free text, and a real reason is kept exactly.
        assert not starts_like_a_date(span.rest), (text, span.rest)
        if reason not in DATEY:
            assert span.rest == reason, (text, span)
        restated = describe_span(span, NOW)
        again = parse_span(restated, NOW, span.zone)
    assert (again.start, again.end, again.whole_days, again.rest) == (
        span.start, span.end, span.whole_days, ""), (text, restated)


@st.composite
def due_inputs(draw: st.DrawFn) -> tuple[str, str, str]:
    lang = draw(st.sampled_from(LANGS))
    text, _day = draw(dates(lang))
    if draw(st.booleans()):
        text += f" {draw(st.integers(0, 23)):02d}:{draw(st.sampled_from([0, 15, 30, 45])):02d}"
    return lang, draw(st.sampled_from(ZONES)), text


@settings(max_examples=200, deadline=None)
@given(due_inputs())
def test_an_accepted_due_date_reads_back_the_same(given_input: tuple[str, str, str]) -> None:
    lang, zone, text = given_input
    with use_language(lang):
        try:
            due = parse_due(text, NOW, zone)
        except (WhenError, ZoneError, ValueError):
            return
        restated = format_due(due.instant, zone, NOW)
        assert parse_due(restated, NOW, zone).instant == due.instant, (text, restated)




@st.composite
def hours_inputs(draw: st.DrawFn) -> tuple[str, WorkingHours]:
    """One to three shifts a day on some days, typed as a member of some language would."""
    lang = draw(st.sampled_from(LANGS))
    starts = sorted(draw(st.sets(st.integers(0, 22), min_size=1, max_size=3)))
    shifts = []
    for n, hour in enumerate(starts):
        # Up to the next shift; the last may end at midnight, unless it began at midnight.
        limit = starts[n + 1] if n + 1 < len(starts) else (24 if hour else 23)
        end = draw(st.integers(hour + 1, limit))
        shifts.append((time(hour), time(end % 24)))
    days = draw(st.frozensets(st.integers(0, 6), min_size=1))
    hours = WorkingHours(shifts=[Shift(a, b, days) for a, b in shifts])
    with use_language(lang):
        names = [weekday_name(d, short=draw(st.booleans())) for d in sorted(days)]
    ranges = " ".join(f"{a:%H:%M}-{b:%H:%M}" if b != time(0) else f"{a:%H:%M}-24:00"
                      for a, b in shifts)
    return lang, f"{ranges} {', '.join(names)}", hours


@settings(max_examples=200, deadline=None)
@given(hours_inputs())
def test_accepted_hours_read_back_the_same(given_input: tuple[str, str, WorkingHours]) -> None:
    lang, text, expected = given_input
    with use_language(lang):
        read, notes = read_hours(text)
        assert read == expected and notes == (), (text, read.describe())
        assert parse_hours(read.describe()) == read, (text, read.describe())
        assert WorkingHours.from_storage(read.to_storage()) == read


SOUP = ["del", "al", "a", "to", "-", "–", "du", "au", "من", "إلى", "entre", "y", "and", "hasta",
        "jusqu'à", "14", "15", "31", "9", "13h", "14:00", "18/12", "3/12", "2026-12-20", "dic",
        "décembre", "ديسمبر", "lundi", "mar", "fri", "sat", "mañana", "hoy", "ayer", "next",
        "week", "in", "Lagos", "EST", "pet", "vacaciones", "12am", "noon", "feb", "29", "٣٠",
        "fin de journée", "every", "9-5", "", " "]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(LANGS), st.one_of(
    st.text(max_size=60), st.lists(st.sampled_from(SOUP), max_size=7).map(" ".join)))
def test_spans_only_refuse_with_value_errors(lang: str, text: str) -> None:
    """Whatever is typed, `!away` either reads a span that restates the same, or says why."""
    with use_language(lang):
        try:
            span = parse_span(text, NOW, "Asia/Kathmandu")
        except (WhenError, ZoneError):
            return
        assert not starts_like_a_date(span.rest), (text, span.rest)
        again = parse_span(describe_span(span, NOW), NOW, span.zone)
    assert (again.start, again.end, again.whole_days) == (span.start, span.end, span.whole_days)
