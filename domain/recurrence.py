"""Repeating meetings: rules members type, and the dates those rules produce.

Rules are RFC 5545 RRULE strings without DTSTART ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"),
expanded by dateutil over naive wall-clock times and only then turned into instants, so a
14:00 meeting stays at 14:00 local time across DST changes while its UTC time moves.

Choices worth knowing:

- Friendly rules are read in every supported language ("cada jueves", "tous les mois le
  premier jeudi", "كل أسبوعين"): `words.to_english` turns them into the English forms
  below first. `describe_rule` speaks the active language (`domain.i18n`).
- Canonical rules spell out what dateutil would otherwise take from the start (BYDAY for
  weekly, BYMONTHDAY for monthly, BYMONTH and BYMONTHDAY for yearly). This keeps a rule's
  meaning fixed when it is re-anchored, and makes the stored text say what it does.
- "every month" keeps the start's day of month; for the 29th-31st, months without that day
  are skipped (RFC 5545 behaviour), and `describe_rule` says so.
- The start only counts if it matches the rule: "every tue, thu" starting on a Wednesday
  first meets on Thursday (dateutil behaviour; the .ics export starts there too).
- Meetings repeat at most daily, and the time of day always comes from the start, so raw
  RRULEs with HOURLY and finer, or BYHOUR/BYMINUTE/BYSECOND, are refused. UNTIL must be a
  local date or time without a zone (the meeting's zone applies); a date alone includes
  that whole day.
- Alternating times ("every 2 weeks alternate 15:00") need a rule giving exactly one date
  per period (daily, or weekly on one day), so that every second date is well defined.
  More than one other time takes turns the same way: with the start's time and two others,
  occurrences 0, 3, 6... are at the start's time, 1, 4, 7... at the first other time and
  2, 5, 8... at the second (`!meeting add … rotate` chooses them).
- Overrides are keyed by an occurrence's original wall time. A moved occurrence keeps its
  index and appears at its new instant; overrides that match no occurrence are ignored.
- Daily and weekly rules skip whole cycles arithmetically, so a series started years ago
  is not walked from its start; monthly and yearly rules (at most 12 steps a year), and
  rules with COUNT or month-based filters, are walked from the start.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from types import MappingProxyType

from dateutil.rrule import rrule, rrulestr

from domain.errors import DomainError
from domain.i18n import N_, _, current_language, ngettext
from domain.timefmt import month_name, weekday_name
from domain.when import WEEKDAY_WORDS, localize
from domain.words import to_english
from domain.zones import zone_info

__all__ = [
    "NO_OVERRIDES",
    "Occurrence",
    "Override",
    "RuleError",
    "Series",
    "describe_rule",
    "next_occurrence",
    "occurrence_on",
    "occurrences",
    "occurrences_cached",
    "parse_rule",
]

_EXAMPLE = N_("Try: every 2 weeks on tue, or every month on the first thu")
_DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1}
_ORDINALS |= {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5}
# Translators: {day} is a weekday, e.g. "the first Tuesday" (of every month).
_NTH_DAY = {1: N_("the first {day}"), 2: N_("the second {day}"), 3: N_("the third {day}"),
            4: N_("the fourth {day}"), 5: N_("the fifth {day}"), -1: N_("the last {day}")}
# Translators: a day of the month, e.g. "3rd"; write just "{day}" if your language has no
# such endings.
_DAY_SUFFIX = {"st": N_("{day}st"), "nd": N_("{day}nd"), "rd": N_("{day}rd"), "th": N_("{day}th")}
_FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_KEYS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH"}
_KEYS |= {"BYYEARDAY", "BYWEEKNO", "BYSETPOS", "WKST"}
_MONTH_FILTERS = ("BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO")
_MAX_NUMBER = 1000
_MARGIN = timedelta(days=2)  # DST shifts plus an alternate time later on the same date
_FRIENDLY = re.compile(
    r"(?:(?P<n>[0-9]+|other)\s+)?(?P<unit>day|week|fortnight|month|year)s?"
    r"(?:\s+on\s+(?P<on>.+))?"
)
_MONTH_DAY = re.compile(r"(?:the\s+)?(?:(?P<last>last day)|(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?)")
_NTH_WEEKDAY = re.compile(r"(?:the\s+)?(?P<nth>[a-z0-9]+)\s+(?P<day>[a-z]+)")


class RuleError(DomainError):
    """A repeat rule that cannot be used; the message says why and shows one that works."""


@dataclass(frozen=True)
class Series:
    """A meeting and how it repeats, in wall-clock terms (see module doc)."""

    start_local: datetime
    zone: str
    rule: str | None
    duration: timedelta
    # The other times that take turns with the start's time, on the same date: with one,
    # occurrences 1, 3, 5... start at it; with two, 1, 4, 7... and 2, 5, 8... (a bare time
    # or None is accepted and kept as a tuple).
    alternate_local_times: tuple[time, ...] = ()

    def __post_init__(self) -> None:
        turns = self.alternate_local_times
        if turns is None or isinstance(turns, time):
            object.__setattr__(self, "alternate_local_times", () if turns is None else (turns,))
        if self.start_local.tzinfo is not None:
            raise RuleError("A series starts at a wall-clock time, without a zone attached.")
        if self.duration <= timedelta(0):
            raise RuleError(_("A meeting has to last a while. Try: 60m"))
        zone_info(self.zone)
        if self.alternate_local_times and not _one_per_period(self.rule):
            raise RuleError(_(
                "Alternating times need a meeting that repeats daily or on one weekday. "
                "Try: every 2 weeks alternate 15:00"
            ))


    @property
    def alternate_local_time(self) -> time | None:
        """The first other time, for callers that know only alternating pairs."""
        return self.alternate_local_times[0] if self.alternate_local_times else None

    @property
    def turn_times(self) -> tuple[time, ...]:
        """Every time of day the series takes in turn, the start's first."""
        return (self.start_local.time(), *self.alternate_local_times)

    def turn_time(self, index: int) -> time:
        """The wall time of occurrence number `index` (before any move)."""
        turns = self.turn_times
        return turns[index % len(turns)]


@dataclass(frozen=True)
class Override:
    """One occurrence cancelled or moved, keyed by its original wall time."""

    original_local: datetime
    skipped: bool = False
    new_start_utc: datetime | None = None


@dataclass(frozen=True)
class Occurrence:
    """One meeting: `original_local` identifies it even after it has been moved."""

    index: int
    original_local: datetime
    start_utc: datetime
    end_utc: datetime
    moved: bool
    note: str | None


NO_OVERRIDES: Mapping[datetime, Override] = MappingProxyType({})


def _tried(message: str) -> str:
    """`message` and an example rule that works."""
    return f"{message} {_(_EXAMPLE)}"


def parse_rule(text: str, first_local: datetime) -> str:
    """Turn what follows "every" (or a raw RRULE) into a canonical RRULE string."""
    shown = " ".join(text.split())
    if not shown or len(shown) > 200:
        raise RuleError(_tried(_("Say how often the meeting repeats.")))
    lowered = shown.lower().removeprefix("every ").strip()
    if lowered.startswith(("rrule:", "freq=", "dtstart")):
        parts = _raw_parts(shown)
    else:
        parts = _friendly_parts(to_english(lowered, "rule"), first_local)
    rule = _as_rrule(_explicit(parts, first_local), first_local)
    if _never_fires(rule, parts, first_local):
        raise RuleError(_tried(_("This rule never produces a date.")))
    return str(rule).splitlines()[-1].removeprefix("RRULE:")


def describe_rule(
    rule: str | None, first_local: datetime, alternate_local_time: time | None = None
) -> str:
    """Words for listings in the active language, e.g. "every 2 weeks on Thursday at 06:00"."""
    if rule is None:
        # Translators: how often a meeting happens: only once.
        return _("once")
    parts = _parse_parts(rule)
    # Translators: the time of a repeating meeting, e.g. "at 14:00".
    at = _("at {time}").format(time=f"{first_local:%H:%M}")
    if alternate_local_time is not None:
        # Translators: a meeting whose time alternates, e.g. "alternating 06:00 and 15:00".
        at = _("alternating {time} and {other_time}").format(
            time=f"{first_local:%H:%M}", other_time=f"{alternate_local_time:%H:%M}")
    freq, n = parts["FREQ"], int(parts.get("INTERVAL", "1"))
    days = parts["BYDAY"].split(",") if "BYDAY" in parts else []
    plain_days = all(day in _DAY_CODES for day in days)
    known = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYDAY", "BYMONTHDAY", "BYMONTH"}
    if set(parts) - known:
        text = _raw_rule(rule, at)
    elif freq in ("DAILY", "WEEKLY") and plain_days and not set(parts) & set(_MONTH_FILTERS):
        text = _describe_days(freq, n, days, at)
    elif freq == "MONTHLY" and "BYMONTH" not in parts and len(days) == 1 and not plain_days:
        nth, code = int(days[0][:-2]), days[0][-2:]
        if nth in _NTH_DAY:
            nth_day = _(_NTH_DAY[nth]).format(day=_day_name(code))
        else:
            # Translators: {nth} is a number (counted from the end if negative), {day} a weekday.
            nth_day = _("the {nth} {day}").format(nth=nth, day=_day_name(code))
        text = _of_every_month(n, nth_day, at)
    elif freq == "MONTHLY" and set(parts) & {"BYDAY", "BYMONTH"} == set():
        text = _describe_month_day(parts.get("BYMONTHDAY", str(first_local.day)), n, at)
    elif freq == "YEARLY" and not days and {"BYMONTH", "BYMONTHDAY"} <= set(parts):
        month, day = parts["BYMONTH"], parts["BYMONTHDAY"]
        if month.isdigit() and day.isdigit() and 1 <= int(month) <= 12:
            # Translators: a day of the year, e.g. "3 December".
            on = _("{day} {month}").format(day=day, month=month_name(int(month), short=False))
            if n == 1:
                # Translators: e.g. "every year on 3 December at 14:00".
                text = _("every year on {date} {at}").format(date=on, at=at)
            else:
                text = ngettext("every {count} year on {date} {at}",
                                "every {count} years on {date} {at}", n).format(
                    count=n, date=on, at=at)
        else:
            text = _raw_rule(rule, at)
    else:
        text = _raw_rule(rule, at)
    if "COUNT" in parts:
        count = int(parts["COUNT"]) if parts["COUNT"].isdigit() else 0
        # Translators: a repeating meeting that stops after a number of times, e.g.
        # "every Thursday at 14:00, 10 times".
        text = ngettext("{schedule}, {count} time", "{schedule}, {count} times", count).format(
            schedule=text, count=parts["COUNT"])
    if "UNTIL" in parts:
        until = datetime.strptime(parts["UNTIL"][:8], "%Y%m%d")
        # Translators: e.g. "every Thursday at 14:00, until 31 Dec 2026".
        text = _("{schedule}, until {date}").format(schedule=text, date=_short_date(until))
    return text


def occurrences(
    series: Series,
    after_utc: datetime,
    before_utc: datetime,
    overrides: Mapping[datetime, Override] = NO_OVERRIDES,
    limit: int = 500,
) -> list[Occurrence]:
    """Occurrences starting in [after_utc, before_utc), overrides applied, in time order."""
    if before_utc <= after_utc or limit <= 0:
        return []
    tz = zone_info(series.zone)
    lo = after_utc.astimezone(tz).replace(tzinfo=None) - _MARGIN
    hi = before_utc.astimezone(tz).replace(tzinfo=None) + _MARGIN
    found: list[Occurrence] = []
    for index, original in _originals(series, lo, hi):
        override = overrides.get(original)
        if override is not None and (override.skipped or override.new_start_utc is not None):
            continue
        occurrence = _regular(series, index, original)
        if after_utc <= occurrence.start_utc < before_utc:
            found.append(occurrence)
            if len(found) >= limit:
                break
    found += [m for m in _moved(series, overrides) if after_utc <= m.start_utc < before_utc]
    found.sort(key=lambda o: (o.start_utc, o.index))
    return found[:limit]


def occurrences_cached(
    series: Series,
    after_utc: datetime,
    before_utc: datetime,
    overrides: Mapping[datetime, Override] = NO_OVERRIDES,
    limit: int = 500,
) -> list[Occurrence]:
    """`occurrences`, remembered per hour: listings and digests don't re-expand the same
    series on every command. The key holds the series and its overrides, so any change
    to either is a new entry; nothing needs invalidating."""
    lo = after_utc.replace(minute=0, second=0, microsecond=0)
    hi = before_utc.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    found = _hourly(series, tuple(sorted(overrides.items())), lo, hi, limit + 4,
                    current_language())
    return [o for o in found if after_utc <= o.start_utc < before_utc][:limit]


@functools.lru_cache(maxsize=8192)
def _hourly(series: Series, overrides: tuple[tuple[datetime, Override], ...], lo: datetime,
            hi: datetime, limit: int, lang: str) -> list[Occurrence]:
    """`lang` is part of the key because an occurrence's DST note is worded in it."""
    return occurrences(series, lo, hi, dict(overrides), limit)


def next_occurrence(
    series: Series, after_utc: datetime, overrides: Mapping[datetime, Override] = NO_OVERRIDES
) -> Occurrence | None:
    """The first occurrence starting strictly after `after_utc`, looking up to 100 years on."""
    start = after_utc + timedelta(microseconds=1)
    found = occurrences(series, start, after_utc + timedelta(days=36525), overrides, limit=1)
    return found[0] if found else None


def occurrence_on(
    series: Series, local_date: date, overrides: Mapping[datetime, Override] = NO_OVERRIDES
) -> Occurrence | None:
    """The occurrence originally on that local date, as moved; None if none or skipped."""
    lo, hi = datetime.combine(local_date, time.min), datetime.combine(local_date, time.max)
    for index, original in _originals(series, lo, hi):
        override = overrides.get(original)
        if override is not None and override.skipped:
            return None
        if override is not None and override.new_start_utc is not None:
            return _moved_one(series, index, override.new_start_utc, original)
        return _regular(series, index, original)
    return None


# --- expansion ---------------------------------------------------------------------------


def _regular(series: Series, index: int, original: datetime) -> Occurrence:
    wall = original
    if series.alternate_local_times and index % len(series.turn_times):
        wall = datetime.combine(original.date(), series.turn_time(index))
    start, note = localize(wall, series.zone)
    return Occurrence(index, original, start, start + series.duration, False, note)


def _moved_one(series: Series, index: int, new_start: datetime, original: datetime) -> Occurrence:
    return Occurrence(index, original, new_start, new_start + series.duration, True, None)


def _moved(series: Series, overrides: Mapping[datetime, Override]) -> Iterator[Occurrence]:
    """Moved occurrences whose original is a real occurrence of the series."""
    for original, override in overrides.items():
        if override.skipped or override.new_start_utc is None:
            continue
        for index, found in _originals(series, original, original):
            if found == original:
                yield _moved_one(series, index, override.new_start_utc, original)


def _originals(series: Series, lo: datetime, hi: datetime) -> Iterator[tuple[int, datetime]]:
    """(index, original wall time) for each occurrence with lo <= original <= hi, in order."""
    if series.rule is None:
        if lo <= series.start_local <= hi:
            yield 0, series.start_local
        return
    rule, index = _cursor(series.rule, series.start_local, lo)
    for original in rule:
        if original > hi:
            return
        if original >= lo:
            yield index, original
        index += 1


def _cursor(rule_text: str, start: datetime, lo: datetime) -> tuple[rrule, int]:
    """A rule re-anchored shortly before `lo`, and the index of its first occurrence.

    Daily and weekly rules without month-based filters repeat the same pattern every
    INTERVAL weeks, so whole cycles can be counted instead of walked.
    """
    base = _rrule(rule_text, start)
    parts = _parse_parts(rule_text)
    periodic = parts["FREQ"] in ("DAILY", "WEEKLY") and "COUNT" not in parts
    if not periodic or set(parts) & set(_MONTH_FILTERS):
        return base, 0
    step = timedelta(weeks=int(parts.get("INTERVAL", "1")))
    anchor = start  # the first period's start: the day itself, or its week's first day
    if parts["FREQ"] == "WEEKLY":
        week_start = _DAY_CODES.index(parts.get("WKST", "MO"))
        anchor = start - timedelta(days=(start.weekday() - week_start) % 7)
    cycles = (lo - anchor) // step
    if cycles < 2:
        return base, 0
    second = anchor + step
    in_first = _count(base, start, second)
    per_cycle = _count(base.replace(dtstart=second, until=None), second, second + step)
    return base.replace(dtstart=anchor + cycles * step), in_first + (cycles - 1) * per_cycle


def _count(rule: rrule, lo: datetime, hi: datetime) -> int:
    return len(rule.between(lo, hi - timedelta(microseconds=1), inc=True))


@functools.lru_cache(maxsize=256)
def _rrule(rule_text: str, start: datetime) -> rrule:
    return _as_rrule(_explicit(_parse_parts(rule_text), start), start)


def _one_per_period(rule_text: str | None) -> bool:
    if rule_text is None:
        return False
    parts = _parse_parts(rule_text)
    if parts["FREQ"] == "DAILY":
        return set(parts) <= {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST"}
    allowed = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYDAY"}
    one_day = parts.get("BYDAY", "MO") in _DAY_CODES
    return parts["FREQ"] == "WEEKLY" and set(parts) <= allowed and one_day


# --- parsing -------------------------------------------------------------------------------


def _parse_parts(rule_text: str) -> dict[str, str]:
    """Split "FREQ=WEEKLY;BYDAY=TH" into a dict, refusing anything we do not expand."""
    parts: dict[str, str] = {}
    for item in rule_text.strip().upper().removeprefix("RRULE:").split(";"):
        key, sep, value = item.strip().partition("=")
        if key.startswith("DTSTART"):
            raise RuleError(_tried(_("Leave DTSTART out; the meeting's start sets it.")))
        if key in ("BYHOUR", "BYMINUTE", "BYSECOND"):
            # Translators: {key} is a part of an RRULE, e.g. BYHOUR; keep it as is.
            raise RuleError(_tried(_("Leave {key} out; the time comes from the meeting.")
                                   .format(key=key)))
        if not sep or not value or key not in _KEYS or key in parts:
            raise RuleError(_tried(_('I couldn\'t read "{text}" in that RRULE.').format(
                text=item.strip())))
        parts[key] = value.strip()
    if parts.get("FREQ") not in _FREQS:
        raise RuleError(_tried(_("A meeting repeats daily at most often.")))
    return parts


def _raw_parts(text: str) -> dict[str, str]:
    parts = _parse_parts(text)
    for key in ("INTERVAL", "COUNT"):
        if key in parts and not (parts[key].isdigit() and 1 <= int(parts[key]) <= _MAX_NUMBER):
            # Translators: {key} is INTERVAL or COUNT; keep it as is.
            raise RuleError(_("{key} must be a whole number from 1 to {most}.").format(
                key=key, most=_MAX_NUMBER))
    until = parts.get("UNTIL", "")
    if until and "COUNT" in parts:
        raise RuleError(_("Use COUNT or UNTIL, not both. Try: RRULE:FREQ=WEEKLY;COUNT=10"))
    if until and not re.fullmatch(r"[0-9]{8}(T[0-9]{6})?", until):
        raise RuleError(_("Write UNTIL as a local date or time without a zone, e.g. 20261231."))
    if len(until) == 8:
        parts["UNTIL"] = until + "T235959"  # a date alone includes that whole day
    return parts


def _friendly_parts(text: str, first: datetime) -> dict[str, str]:
    """Read "2 weeks on tue", "weekday", "month on the last friday", "mon, wed and fri"."""
    if text in ("weekday", "weekdays"):
        return {"FREQ": "WEEKLY", "BYDAY": ",".join(_DAY_CODES[:5])}
    if text in ("day", "daily"):
        return {"FREQ": "DAILY"}
    match = _FRIENDLY.fullmatch(text)
    if match is None:
        return {"FREQ": "WEEKLY", "BYDAY": _day_list(text)}
    interval = 2 if match["n"] == "other" else int(match["n"] or 1)
    if match["unit"] == "fortnight":
        interval *= 2
    if not 1 <= interval <= _MAX_NUMBER:
        raise RuleError(_tried(_("Repeat every 1 to {most} periods.").format(most=_MAX_NUMBER)))
    unit, on = ("week" if match["unit"] == "fortnight" else match["unit"]), match["on"]
    parts = {"FREQ": {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY"}.get(unit, "YEARLY")}
    if interval > 1:
        parts["INTERVAL"] = str(interval)
    if on is not None and unit == "week":
        parts["BYDAY"] = _day_list(on)
    elif on is not None and unit == "month":
        parts |= _month_position(on)
    elif on is not None:
        raise RuleError(_tried(_('"on ..." works with weeks and months only.')))
    return parts


def _day_list(text: str) -> str:
    words = [w for w in re.split(r"\s*(?:,|&|\band\b|\s)\s*", text) if w]
    if not words or any(w not in WEEKDAY_WORDS for w in words):
        raise RuleError(_tried(_('I couldn\'t read "{text}" as how often.').format(text=text)))
    days = sorted({WEEKDAY_WORDS[w] for w in words})
    return ",".join(_DAY_CODES[d] for d in days)


def _month_position(text: str) -> dict[str, str]:
    if match := _MONTH_DAY.fullmatch(text):
        day = -1 if match["last"] else int(match["day"])
        if day == 0 or day > 31:
            raise RuleError(_tried(_('There is no day "{text}" in a month.').format(text=text)))
        return {"BYMONTHDAY": str(day)}
    match = _NTH_WEEKDAY.fullmatch(text)
    if match is None or match["nth"] not in _ORDINALS or match["day"] not in WEEKDAY_WORDS:
        raise RuleError(_tried(_('I couldn\'t read "on {text}".').format(text=text)))
    return {"BYDAY": f"{_ORDINALS[match['nth']]:+d}{_DAY_CODES[WEEKDAY_WORDS[match['day']]]}"}


def _explicit(parts: dict[str, str], first: datetime) -> str:
    """Spell out the defaults dateutil would take from the start (see module doc)."""
    parts = dict(parts)
    if not set(parts) & {"BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO"}:
        if parts["FREQ"] == "WEEKLY":
            parts["BYDAY"] = _DAY_CODES[first.weekday()]
        elif parts["FREQ"] == "MONTHLY":
            parts["BYMONTHDAY"] = str(first.day)
        elif parts["FREQ"] == "YEARLY":
            parts.setdefault("BYMONTH", str(first.month))
            parts["BYMONTHDAY"] = str(first.day)
    return ";".join(f"{key}={value}" for key, value in parts.items())


def _as_rrule(text: str, first: datetime) -> rrule:
    try:
        rule = rrulestr(text, dtstart=first)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as error:
        raise RuleError(_cannot_use(error)) from None
    if not isinstance(rule, rrule):
        raise RuleError(_tried(_("Give one rule only.")))
    return rule


def _never_fires(rule: rrule, parts: dict[str, str], first: datetime) -> bool:
    """True if no date ever comes; a cheap yearly superset is tried first.

    dateutil walks every period up to year 9999 before giving up, which for a daily rule
    takes seconds. Every date the real rule can produce matches the filters below taken
    yearly, without positions or nth-weekday numbers, so if that finds nothing, neither
    does the real rule.
    """
    probe = {"FREQ": "YEARLY", "BYDAY": ",".join(_DAY_CODES)}
    probe |= {k: v for k, v in parts.items() if k in (*_MONTH_FILTERS, "UNTIL", "BYDAY")}
    probe["BYDAY"] = re.sub(r"[+-]?[0-9]+", "", probe["BYDAY"])
    try:
        if _as_rrule(_explicit(probe, first), first).after(first, inc=True) is None:
            return True
        return rule.after(first, inc=True) is None
    except (ValueError, OverflowError) as error:
        raise RuleError(_cannot_use(error)) from None


def _cannot_use(error: Exception) -> str:
    # Translators: {error} is dateutil's own explanation, in English.
    return _tried(_("I couldn't use that rule ({error}).").format(error=error))


# --- describing -----------------------------------------------------------------------------


def _day_name(code: str) -> str:
    return weekday_name(_DAY_CODES.index(code), short=False)


def _short_date(day: date) -> str:
    # Translators: a date, e.g. "31 Dec 2026"; reorder the parts as your language writes them.
    return _("{day} {month} {year}").format(day=day.day, month=month_name(day.month),
                                             year=day.year)


def _raw_rule(rule: str, at: str) -> str:
    # Translators: {rule} is an RFC 5545 RRULE, {at} e.g. "at 14:00".
    return _("following the rule {rule} {at}").format(rule=rule, at=at)


def _join(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    # Translators: the last of several weekdays, e.g. "Monday, Wednesday and Friday".
    return _("{days} and {last_day}").format(days=", ".join(names[:-1]), last_day=names[-1])


def _describe_days(freq: str, n: int, days: list[str], at: str) -> str:
    daily = freq == "DAILY"
    if not days:
        if n == 1:
            return (_("every day {at}") if daily else _("every week {at}")).format(at=at)
        if daily:
            return ngettext("every {count} day {at}", "every {count} days {at}", n).format(
                count=n, at=at)
        return ngettext("every {count} week {at}", "every {count} weeks {at}", n).format(
            count=n, at=at)
    if n == 1 and sorted(days, key=_DAY_CODES.index) == list(_DAY_CODES[:5]):
        # Translators: Monday to Friday; {at} e.g. "at 09:00".
        return _("every weekday {at}").format(at=at)
    names = _join([_day_name(d) for d in sorted(days, key=_DAY_CODES.index)])
    if n == 1:
        # Translators: {days} are weekdays, e.g. "Tuesday and Thursday"; {at} e.g. "at 14:00".
        return _("every {days} {at}").format(days=names, at=at)
    if daily:
        return ngettext("every {count} day on {days} {at}", "every {count} days on {days} {at}",
                        n).format(count=n, days=names, at=at)
    # Translators: e.g. "every 2 weeks on Thursday at 06:00".
    return ngettext("every {count} week on {days} {at}", "every {count} weeks on {days} {at}",
                    n).format(count=n, days=names, at=at)


def _of_every_month(n: int, which: str, at: str) -> str:
    """"on {which} of every month {at}"; `which` is e.g. "the first Tuesday" or "the 3rd"."""
    if n == 1:
        # Translators: {which} is e.g. "the first Tuesday", "the 3rd" or "the last day".
        return _("on {which} of every month {at}").format(which=which, at=at)
    return ngettext("on {which} of every {count} month {at}",
                    "on {which} of every {count} months {at}", n).format(
        which=which, count=n, at=at)


def _describe_month_day(value: str, n: int, at: str) -> str:
    if value == "-1":
        return _of_every_month(n, _("the last day"), at)
    if not value.isdigit():
        return _days_of_month(value, n, at)
    day = int(value)
    suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    nth = _(_DAY_SUFFIX[suffix]).format(day=day)
    # Translators: {nth} is a day of the month, e.g. "3rd".
    text = _of_every_month(n, _("the {nth}").format(nth=nth), at)
    if day >= 29:
        # Translators: e.g. "(months without a 31st are skipped)".
        text += " " + _("(months without a {nth} are skipped)").format(nth=nth)
    return text


def _days_of_month(value: str, n: int, at: str) -> str:
    if n == 1:
        # Translators: {days} are days of the month as written in the rule, e.g. "1,15".
        return _("on days {days} of every month {at}").format(days=value, at=at)
    return ngettext("on days {days} of every {count} month {at}",
                    "on days {days} of every {count} months {at}", n).format(
        days=value, count=n, at=at)
