"""Read the times members type ("thu 9am", "3 Dec 14:00 in Nairobi") into wall-clock times.

Meetings are stored as a wall-clock time plus a zone key, not as a UTC instant, so that a
weekly 14:00 stays at 14:00 when the clocks change. `localize` turns a wall time into an
instant once one is needed.

Choices worth knowing:

- Every supported language is read, whatever the member's setting: `words.to_english`
  turns "jueves 14:00", "mardi 9h", "la semaine prochaine" or "الخميس القادم" into the
  English forms below first. Messages follow the active language (`domain.i18n`).

- Days are read in the zone that applies: the one written in the text, else the sender's.
- "14:00" alone is today if that is still ahead, else tomorrow. "tue 14:00" is today when
  today is Tuesday and 14:00 is still ahead, else the coming Tuesday. "next tue" is always
  a Tuesday strictly after today. "next week" is the Monday of next week.
- A date without a year ("3 Dec", "18/12") is this year, or next year once it has passed.
- Numeric dates are day-first in es/fr/pt/ar ("18/12", "08/01" is 8 January). In English
  a numeric date is read only when it has one reading ("18/12", "12/18", "7/7"); "3/12" is
  refused with both readings offered. Callers that know the order (a range whose other
  end is "21/12") pass `day_first`.
- A day may be described twice, as long as both agree: "monday 14 december",
  "today, Thu 3 Dec" (what replies restate is read back the same). When they disagree
  ("monday 15 december", "tomorrow today") the text is refused, and the error's `readings`
  are texts that read each plausible day unambiguously (ISO dates), for the caller to
  offer as working commands. An impossible date ("2027-02-31") offers the nearest real
  one (the last day of that month).
- Explicit days ("today 9am", "2026-12-03 14:00") are taken literally even if already past;
  whether the past is acceptable is the caller's decision.
- "end of day" (and "al final del día", "fin de journée", "fim do dia", "نهاية اليوم") is
  23:59, so a restated due date ("Fri 4 Dec (end of day, Nairobi)") reads back the same.
- Text with a day but no time needs `default_time`, except "in 2 hours"/"in 30 minutes",
  which name an instant (seconds are dropped).
- A zone can sit anywhere in the text ("14:00 Africa/Nairobi", "thu 06:00 UTC",
  "14:00 in Nairobi"); it is resolved by `zones.resolve_zone`, whose `ZoneError` is passed
  on when the text clearly meant a zone.
- `localize` moves a time that falls into a spring-forward gap forward by the gap and says
  so in a note. A fall-back time that happens twice takes the first one (the earlier
  instant) without a note: the wall time members see is still the one they asked for.
"""

from __future__ import annotations

import calendar
import contextlib
import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from domain.errors import DomainError
from domain.i18n import N_, _, current_language
from domain.timefmt import long_date, month_name, weekday_name
from domain.words import to_english
from domain.zones import ZoneError, resolve_zone, zone_info, zone_label

__all__ = [
    "MONTH_NAMES",
    "WEEKDAY_WORDS",
    "Reading",
    "Wall",
    "WhenError",
    "localize",
    "parse_duration",
    "parse_when",
    "read_when",
]

_EXAMPLE = N_("tomorrow 15:00")
_MAX_INPUT = 100
_MAX_DAYS_AHEAD = 3660
_YEARS = range(2000, 2101)
# Monday is 0, as in `date.weekday()`; shared with recurrence rules ("every tue, thu").
WEEKDAY_WORDS: Mapping[str, int] = {
    name: day
    for day, names in enumerate(
        (
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "weds", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        )
    )
    for name in names
}
# English names spelled out, so a server locale can never change what is understood.
MONTH_NAMES: tuple[str, ...] = ("January", "February", "March", "April", "May", "June", "July",
                                 "August", "September", "October", "November", "December")
_MONTHS = {name.lower()[:size]: n for n, name in enumerate(MONTH_NAMES, 1) for size in (3, None)}
_MONTHS["sept"] = 9
_FILLER = frozenset({"at", "on", "of", "the"})
_MINUTES = {"m": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1}
_MINUTES |= {"h": 60, "hr": 60, "hrs": 60, "hour": 60, "hours": 60}
_DAYS = {"d": 1, "day": 1, "days": 1, "w": 7, "week": 7, "weeks": 7}
_WORDS = frozenset(
    {"today", "tomorrow", "yesterday", "next", "in", "noon", "midnight", "eod", "am", "pm"}
    | _FILLER
    | set(WEEKDAY_WORDS)
    | set(_MONTHS)
    | set(_MINUTES)
    | set(_DAYS)
)
_NUMBERISH = re.compile(
    r"[0-9]+(?:st|nd|rd|th)?|[0-9]+[:.][0-9:.]*(?:am|pm)?|[0-9]+(?:am|pm)|[0-9]+h[0-9]*"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]+/[0-9]+(?:/[0-9]+)?|[0-9.]+[a-z]+",
    re.ASCII,
)
_CLOCK = re.compile(r"([0-9]{1,2})[:.]([0-9]{2})(?::([0-9]{2}))?", re.ASCII)
_AMPM = re.compile(r"([0-9]{1,2})(?::([0-9]{2}))?(am|pm)", re.ASCII)
_HOURS_H = re.compile(r"([0-9]{1,2})h([0-9]{2})?", re.ASCII)
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", re.ASCII)
_DAY_OF_MONTH = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th)?", re.ASCII)
_AMOUNT = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([a-z]+)", re.ASCII)
# "… and a half" after hours: "una hora y media", "2 horas e meia", "une heure et demie",
# "ساعة ونصف".
_AND_A_HALF = re.compile(r"\s+(?:y|e|et|and\s+a)\s+(?:media|meia|demie|half)\b|\s*و\s*نصف",
                         re.IGNORECASE)
_ZONEISH = re.compile(r"/|^(?:utc|gmt)|^[+-][0-9]")
_END_OF_DAY = re.compile(r"\bend\s+of\s+(?:the\s+)?day\b|\beod\b", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})(?:/([0-9]{4}|[0-9]{2}))?", re.ASCII)
_RELATIVE = {"today": 0, "tomorrow": 1, "yesterday": -1}
# Month abbreviations that are also a weekday's in Spanish and French ("mar" = martes, mardi).
_AMBIGUOUS_MONTHS = {"mar": 1}


class WhenError(DomainError):
    """A time members typed that cannot be read; the message shows a form that works.

    `readings` are texts the parser reads unambiguously, one per plausible meaning of what
    was typed (empty when there is none to offer); each replaces the whole text given.
    """

    def __init__(self, message: str, readings: Sequence[str] = (), reason: str = "") -> None:
        super().__init__(message)
        self.readings: tuple[str, ...] = tuple(readings)
        # The message without its "Try: …", for callers that offer whole commands instead.
        self.reason = reason or message


def _tried(message: str) -> str:
    """`message` and the usual example: "... Try: tomorrow 15:00"."""
    # Translators: {example} is something to type, e.g. "tomorrow 15:00".
    hint = _("Try: {example}").format(example=_(_EXAMPLE))
    return f"{message} {hint}"


def _short_date(day: date) -> str:
    """"29 Mar 2026" (month names follow the active language)."""
    # Translators: a date, e.g. "29 Mar 2026"; reorder the parts as your language writes them.
    return _("{day} {month} {year}").format(day=day.day, month=month_name(day.month),
                                             year=day.year)


@dataclass(frozen=True)
class Wall:
    """A wall-clock time in a zone: what a meeting means, independent of DST."""

    local: datetime
    zone: str


def localize(local: datetime, zone: str) -> tuple[datetime, str | None]:
    """The UTC instant of a wall time, and a note when that wall time does not exist."""
    tz = zone_info(zone)
    naive = local.replace(tzinfo=None)
    instant = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    seen = instant.astimezone(tz).replace(tzinfo=None)
    if seen == naive:
        return instant, None
    # fold=0 read the gap time with the offset from before the jump, which lands exactly
    # the gap's length later on the new clock: the moment RFC 5545 uses as well.
    # Translators: {place} is a city, e.g. "Lisbon"; {date} e.g. "29 Mar 2026".
    note = _("{time} does not exist on {date} in {place} (clocks jump forward); "
             "using {new_time}.").format(time=f"{naive:%H:%M}", date=_short_date(naive.date()),
                                         place=zone_label(zone), new_time=f"{seen:%H:%M}")
    return instant, note


def parse_duration(text: str) -> timedelta:
    """Meeting lengths ("90m", "1h30m", "1h30", "1.5h", "2 hours", "una hora y media",
    "ساعة ونصف"), whole minutes, at most 24 hours. "1h30" is how replies write them."""
    halved = _AND_A_HALF.sub(" 30min", text.strip())
    cleaned = to_english(halved, "length").lower()
    compact = re.sub(r"\s+", "", cleaned)
    if compact[:1].isalpha() and cleaned != halved.lower():
        compact = "1" + compact  # "une heure", "ساعة": one
    not_a_length = _('I couldn\'t read "{text}" as a length. Try: 90m or 1h30m')
    if not compact or len(compact) > 40:
        raise WhenError(not_a_length.format(text=text.strip()))
    minutes = 0.0
    position = 0
    unit = 0
    for match in _AMOUNT.finditer(compact):
        if match.start() != position or match[2] not in _MINUTES:
            break
        unit = _MINUTES[match[2]]
        minutes += float(match[1]) * unit
        position = match.end()
    tail = compact[position:]
    if unit == 60 and tail.isdigit() and int(tail) < 60:
        minutes += int(tail)  # "1h30", "1 heure 30": the minutes after the hours
        position = len(compact)
    if position != len(compact):
        raise WhenError(not_a_length.format(text=text.strip()))
    whole = round(minutes)
    if whole <= 0:
        raise WhenError(_("A meeting has to last at least a minute. Try: 60m"))
    if whole > 24 * 60:
        raise WhenError(_("A meeting can last at most 24 hours. Try: 2h"))
    return timedelta(minutes=whole)


@dataclass(frozen=True)
class Reading:
    """What `read_when` understood: the wall time, and which parts the text gave itself."""

    wall: Wall
    day_given: bool  # a day was named (else it was picked from the time of day)
    clock_given: bool  # a time of day was named (else `default_time` was used)
    floating: bool = False  # the day is the next one with a weekday (or a time) only
    rolled: bool = False  # a date without a year, taken in next year as this one's passed


def parse_when(
    text: str, now_utc: datetime, zone: str, *, default_time: time | None = None,
    day_first: bool | None = None,
) -> Wall:
    """Read a day and time; `zone` is the sender's, unless the text names another.

    `day_first` says how to read "08/01"; None follows the reader's language (see module).
    """
    return read_when(text, now_utc, zone, default_time=default_time, day_first=day_first).wall


def read_when(
    text: str, now_utc: datetime, zone: str, *, default_time: time | None = None,
    day_first: bool | None = None, quick: bool = False,
) -> Reading:
    """`parse_when`, also saying whether the day and the time were given.

    `quick`: the caller only tries whether `text` reads (many cuts of a longer text), so
    errors need not be the most helpful one, and are cheaper.
    """
    shown = " ".join(text.split())
    if not shown:
        raise WhenError(_tried(_("Give a day and a time.")))
    if len(shown) > _MAX_INPUT:
        raise WhenError(_tried(_("That is too long to be a time.")))
    tokens, zone_text = _split_zone(_tokens(to_english(shown)), quick)
    if zone_text is not None:
        zone = resolve_zone(zone_text)
    now_local = now_utc.astimezone(zone_info(zone)).replace(tzinfo=None, second=0, microsecond=0)
    if day_first is None and current_language() != "en":
        day_first = True
    parts = _Parts(now_local.date(), day_first, typed=shown)
    _read(tokens, parts)
    if parts.ahead is not None:
        if parts.days or parts.weekday is not None or parts.clock is not None:
            raise WhenError(_('Use "in ..." on its own. Try: in 2 hours, or {example}').format(
                example=_(_EXAMPLE)))
        moment = (now_utc + parts.ahead).astimezone(zone_info(zone))
        return Reading(Wall(moment.replace(tzinfo=None, second=0, microsecond=0), zone),
                       True, True)
    clock = parts.clock if parts.clock is not None else default_time
    if parts.refusal is None and clock is None:
        raise WhenError(_('"{text}" needs a time of day too. Try: {text} 15:00').format(
            text=shown))
    day = _settle_day(parts, clock, now_local)
    if parts.refusal is not None:
        message, choices = parts.refusal
        readings = [_reading_text(choice, parts.clock, zone_text) for choice in choices]
        raise WhenError(_tried_readings(message, readings), readings, message)
    assert day is not None and clock is not None
    named = bool(parts.days) or parts.weekday is not None
    return Reading(Wall(datetime.combine(day, clock), zone), named, parts.clock is not None,
                   floating=not parts.days, rolled=day in parts.unrolled)


def _reading_text(day: date, clock: time | None, zone_text: str | None) -> str:
    """What to type for one reading: an ISO date, the time if one was given, the zone."""
    words = [day.isoformat()]
    if clock is not None:
        words.append(f"{clock:%H:%M}")
    if zone_text:
        words.append(zone_text)
    return " ".join(words)


def _tried_readings(message: str, readings: Sequence[str]) -> str:
    """`message` and "Try: 2026-12-14 or 2026-12-15"."""
    if not readings:
        return _tried(message)
    hint = _("Try: {example}").format(example=_(" or ").join(readings))
    return f"{message} {hint}"


def clock_only(text: str) -> time | None:
    """The time of day when `text` says nothing else ("16:00", "4 pm", "16h"), so what it
    changes keeps its day (a series its days); None when it names a day, a zone or more."""
    try:
        words, zone_text = _split_zone(_tokens(to_english(" ".join(text.split()))), True)
        parts = _Parts(date(2000, 1, 3))
        _read(words, parts)
    except ValueError:
        return None
    named_day = parts.days or parts.weekday is not None or parts.refusal is not None
    if zone_text is not None or named_day or parts.ahead is not None:
        return None
    return parts.clock


@dataclass
class _Parts:
    """What the tokens said so far: named days (which must agree), a weekday, a time."""

    today: date
    day_first: bool | None = None
    typed: str = ""  # the text as the member wrote it, for messages
    days: list[tuple[date, str]] = field(default_factory=list)
    weekday: int | None = None
    weekday_text: str = ""
    strictly_after_today: bool = False
    next_week: bool = False
    clock: time | None = None
    ahead: timedelta | None = None
    clock_text: str = ""
    # The first reason to refuse, with the days it could have meant; parsing goes on so
    # that each reading keeps the time and zone that were typed.
    refusal: tuple[str, list[date]] | None = None
    # Dates without a year taken in next year, and this year's date they would otherwise be.
    unrolled: dict[date, date] = field(default_factory=dict)

    def set_day(self, day: date, said: str) -> None:
        self.days.append((day, said))

    def set_weekday(self, weekday: int, said: str, strictly_after_today: bool = False) -> None:
        if self.weekday is not None and weekday != self.weekday:
            raise WhenError(_tried(_('I found two days, "{day}" and "{other_day}".').format(
                day=self.weekday_text, other_day=said)))
        self.weekday, self.weekday_text = weekday, said
        self.strictly_after_today |= strictly_after_today

    def refuse(self, message: str, choices: list[date]) -> None:
        if self.refusal is None:
            self.refusal = (message, choices)

    def set_clock(self, clock: time, said: str) -> None:
        if self.clock_text:
            raise WhenError(_tried(_('I found two times, "{time}" and "{other_time}".').format(
                time=self.clock_text, other_time=said)))
        self.clock, self.clock_text = clock, said


def _settle_day(parts: _Parts, clock: time | None, now_local: datetime) -> date | None:
    """The one day the text names; disagreeing descriptions become a refusal."""
    if parts.refusal is not None:
        return None
    named = list(dict.fromkeys(day for day, _said in parts.days))
    if parts.unrolled:
        # "yesterday, Wed 2 Dec", "Tue 1 Dec": a passed date without a year is this year's
        # when that is what makes the descriptions agree.
        unrolled = list(dict.fromkeys(parts.unrolled.get(day, day) for day in named))
        disagree = len(named) > 1 or (parts.weekday is not None and not parts.next_week
                                      and named[0].weekday() != parts.weekday)
        if disagree and len(unrolled) == 1 and (
                parts.weekday is None or parts.next_week
                or unrolled[0].weekday() == parts.weekday):
            named = unrolled
    if len(named) > 1:
        first, other = parts.days[0][1], next(s for d, s in parts.days if d != named[0])
        if f"{first} " in f"{parts.typed.lower()} " and other in parts.typed.lower():
            message = _('I found two days, "{day}" and "{other_day}".').format(
                day=first, other_day=other)
        else:  # typed in another language: quote it as typed
            # Translators: {text} is what was typed; {one} and {other} are dates, e.g.
            # "3 December 2026" and "4 December 2026".
            message = _('"{text}" names two days: {one} and {other}.').format(
                text=parts.typed, one=long_date(named[0]), other=long_date(named[1]))
        parts.refuse(message, named)
        return None
    if parts.weekday is None:
        if named:
            return named[0]
        if clock is None:
            return None
        ahead_today = datetime.combine(parts.today, clock) > now_local
        return parts.today if ahead_today else parts.today + timedelta(days=1)
    if parts.next_week and len(parts.days) == 1:
        # "thu next week": that weekday in the week after this one.
        return named[0] + timedelta(days=parts.weekday)
    if named:
        day = named[0]
        if day.weekday() == parts.weekday:
            return day
        parts.refuse(weekday_mismatch(parts.typed, day, parts.weekday).reason,
                     sorted({nearest_weekday(day, parts.weekday), day}))
        return None
    if clock is None:
        return None
    today = parts.today
    ahead_today = datetime.combine(today, clock) > now_local
    days = (parts.weekday - today.weekday()) % 7
    if days == 0 and (parts.strictly_after_today or not ahead_today):
        days = 7
    return today + timedelta(days=days)


def refused(message: str, days: Sequence[date]) -> WhenError:
    """A refusal whose readings are `days` (ISO dates), for readers of other forms."""
    readings = [day.isoformat() for day in days]
    return WhenError(_tried_readings(message, readings), readings, message)


def weekday_mismatch(typed: str, day: date, weekday: int) -> WhenError:
    """"monday 15 december": refused, with the nearest Monday and the 15th offered."""
    # Translators: {text} is what was typed, e.g. "monday 15 december"; {date} e.g.
    # "15 December 2026"; {weekday} e.g. "Tuesday".
    message = _('"{text}": {date} is a {weekday}.').format(
        text=typed, date=long_date(day), weekday=weekday_name(day.weekday(), short=False))
    return refused(message, sorted({nearest_weekday(day, weekday), day}))


def nearest_weekday(day: date, weekday: int) -> date:
    """The date closest to `day` that falls on `weekday` (never more than 3 days away)."""
    forward = (weekday - day.weekday()) % 7
    return day + timedelta(days=forward) if forward <= 3 else day - timedelta(days=7 - forward)


def _tokens(text: str) -> list[str]:
    """Words, with "2 pm" glued to "2pm" and ISO "2026-12-03T14:00" split."""
    text = re.sub(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[tT]([0-9])", r"\1 \2", text)
    text = re.sub(r"(?i)\b(a|p)\.m\.?", r"\1m", text)
    text = re.sub(r"[(),;]", " ", text)  # "Thu 3 Dec, 14:00 (Nairobi)", as replies restate
    text = _END_OF_DAY.sub("eod", text)  # "Fri 4 Dec (end of day, Nairobi)"
    words = [w.strip(".") or w for w in text.split()]
    merged: list[str] = []
    for word in words:
        if word.lower() in ("am", "pm") and merged and re.fullmatch(r"[0-9:]+", merged[-1]):
            merged[-1] += word.lower()
        else:
            merged.append(word)
    return merged


def _is_when_word(word: str) -> bool:
    lowered = word.lower()
    return lowered in _WORDS or bool(_NUMBERISH.fullmatch(lowered))


def _split_zone(words: list[str], quick: bool = False) -> tuple[list[str], str | None]:
    """Separate the words that are not about days and times; they must name one zone."""
    runs: list[tuple[int, int]] = []
    for i, word in enumerate(words):
        if _is_when_word(word):
            continue
        if runs and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    if not runs:
        return [w.lower() for w in words], None
    start, end = runs[0][0], runs[-1][1]
    if len(runs) > 1:
        # "Port of Spain": a zone may contain filler words; otherwise blame the first bad run.
        whole = " ".join(words[start:end])
        try:
            resolve_zone(whole)
        except ZoneError:
            for a, b in runs:
                _check_zone(" ".join(words[a:b]), quick)
            raise WhenError(_tried(_('I found more than one time zone in "{text}".').format(
                text=whole))) from None
    zone_text = " ".join(words[start:end])
    _check_zone(zone_text, quick)
    if start > 0 and words[start - 1].lower() == "in":
        start -= 1
    rest = words[:start] + words[end:]
    return [w.lower() for w in rest], zone_text


def _check_zone(text: str, quick: bool = False) -> None:
    """Raise the error that helps most when `text` is neither a zone nor a day (`quick`:
    any error will do, the caller only tries whether the text reads)."""
    try:
        resolve_zone(text)
    except ZoneError as error:
        lowered = text.lower()
        if _ZONEISH.search(lowered):
            raise
        if quick or difflib.get_close_matches(lowered, list(_WORDS), n=1, cutoff=0.75) \
                or not error.suggestions:
            raise WhenError(_tried(_not_a_day(text))) from None
        raise


def _not_a_day(word: str) -> str:
    return _('I couldn\'t read "{word}" as a day.').format(word=word)


def _read(words: list[str], parts: _Parts) -> None:
    """Walk the words left to right, filling `parts`."""
    i = 0
    while i < len(words):
        word = words[i]
        following = words[i + 1] if i + 1 < len(words) else ""
        used = 1
        if word in _FILLER:
            pass
        elif (clock := _clock(word)) is not None:
            parts.set_clock(clock, word)
        elif word in _RELATIVE:
            parts.set_day(parts.today + timedelta(days=_RELATIVE[word]), word)
        elif word == "next":
            used = 2
            if following == "week":
                monday = parts.today + timedelta(days=7 - parts.today.weekday())
                parts.set_day(monday, "next week")
                parts.next_week = True
            elif following in WEEKDAY_WORDS:
                parts.set_weekday(WEEKDAY_WORDS[following], f"next {following}", True)
            else:
                raise WhenError(_('"next" needs a weekday or "week". Try: next tue 14:00'))
        elif word in WEEKDAY_WORDS:
            parts.set_weekday(WEEKDAY_WORDS[word], word)
        elif word in _AMBIGUOUS_MONTHS and _dated(words[i + 1:]):
            # "mar 15 dic" (Spanish, French): a month cannot be followed by a date, so "mar"
            # is the Tuesday of the restated form.
            parts.set_weekday(_AMBIGUOUS_MONTHS[word], word)
        elif word == "in":
            used = _read_ahead(words[i + 1 :], parts) + 1
        elif match := _ISO_DATE.fullmatch(word):
            year, month, day = (int(g) for g in match.groups())
            _set_date(parts, year, month, day, word, year_given=True)
        elif word in _MONTHS or _DAY_OF_MONTH.fullmatch(word):
            used = _read_date(words[i:], parts)
        elif match := _NUMERIC_DATE.fullmatch(word):
            _read_numeric(match, word, parts)
        else:
            raise WhenError(_tried(_not_a_day(word)))
        i += used


def _dated(words: list[str]) -> bool:
    """The words start with a day of the month and a month ("15 dec")."""
    return (len(words) >= 2 and bool(_DAY_OF_MONTH.fullmatch(words[0]))
            and words[1] in _MONTHS)


def _clock(word: str) -> time | None:
    """A time of day, None if the word is not shaped like one, WhenError if it is invalid."""
    if word in ("noon", "midnight", "eod"):
        # "end of day" is the last minute of it, as due dates without a time mean.
        return {"noon": time(12), "midnight": time(0), "eod": time(23, 59)}[word]
    hour = minute = second = -1
    if match := _CLOCK.fullmatch(word):
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    elif match := _AMPM.fullmatch(word):
        hour, minute, second = int(match[1]), int(match[2] or 0), 0
        hour = hour % 12 + (12 if match[3] == "pm" else 0) if 1 <= hour <= 12 else 99
    elif match := _HOURS_H.fullmatch(word):
        hour, minute, second = int(match[1]), int(match[2] or 0), 0
    elif re.fullmatch(r"[0-9]+[:.][0-9:.]*(?:am|pm)?|[0-9]+(?:am|pm)", word):
        hour = 99
    else:
        return None
    if not (0 <= hour <= 23 and 0 <= minute <= 59 and 0 <= second <= 59):
        raise WhenError(_('"{text}" is not a time of day. Try: 14:00 or 2pm').format(text=word))
    return time(hour, minute, second)


def _read_ahead(words: list[str], parts: _Parts) -> int:
    """Read "in 3 days", "in 2 hours", "in 90min"; returns how many words were used."""
    glued = "".join(words[:2])
    for count in (1, 2):
        match = _AMOUNT.fullmatch("".join(words[:count]))
        if match and match[1].isdigit():
            break
    else:
        raise WhenError(_cannot_read_in(glued))
    amount, unit = int(match[1]), match[2]
    if unit in _DAYS:
        days = amount * _DAYS[unit]
        if days > _MAX_DAYS_AHEAD:
            raise WhenError(_tried(_("That is too far ahead.")))
        parts.set_day(parts.today + timedelta(days=days), f"in {amount} {match[2]}")
    elif unit in _MINUTES:
        minutes = amount * _MINUTES[unit]
        if minutes > _MAX_DAYS_AHEAD * 24 * 60:
            raise WhenError(_tried(_("That is too far ahead.")))
        if parts.ahead is not None:
            raise WhenError(_tried(_('Give one amount after "in".')))
        parts.ahead = timedelta(minutes=minutes)
    else:
        raise WhenError(_cannot_read_in(glued))
    return count


def _cannot_read_in(text: str) -> str:
    return _('I couldn\'t read "in {text}". Try: in 3 days 15:00 or in 2 hours').format(
        text=text)


def _read_date(words: list[str], parts: _Parts) -> int:
    """Read "3 Dec", "3rd of December 2026", "Dec 3", "Dec 3 2026"; returns words used."""
    if words[0] in _MONTHS:
        month_word, day_word, used = words[0], words[1] if len(words) > 1 else "", 2
    else:
        month_at = 2 if len(words) > 2 and words[1] == "of" else 1
        month_word = words[month_at] if len(words) > month_at else ""
        day_word, used = words[0], month_at + 1
        if month_word not in _MONTHS:
            raise WhenError(_('I couldn\'t read "{word}" as a day. Try: 3 Dec 14:00').format(
                word=words[0]))
    day_match = _DAY_OF_MONTH.fullmatch(day_word)
    if day_match is None:
        raise WhenError(_('"{word}" needs a day of the month. Try: 3 Dec 14:00').format(
            word=words[0]))
    year: int | None = None
    if len(words) > used and re.fullmatch(r"[0-9]{4}", words[used]):
        year = int(words[used])
        used += 1
    text = " ".join(words[:used])
    _set_date(parts, year, _MONTHS[month_word], int(day_match[1]), text,
              year_given=year is not None)
    return used


def _read_numeric(match: re.Match[str], word: str, parts: _Parts) -> None:
    """"18/12", "08/01/2027", "12/18/26": day-first or month-first, when only one fits."""
    first, second = int(match[1]), int(match[2])
    year: int | None = None
    if match[3] is not None:
        year = int(match[3]) + (2000 if len(match[3]) == 2 else 0)
    day_month = 1 <= second <= 12 and 1 <= first <= 31
    month_day = 1 <= first <= 12 and 1 <= second <= 31
    if day_month and month_day and first != second and parts.day_first is None:
        choices = [_plain_date(parts, year, second, first), _plain_date(parts, year, first,
                                                                        second)]
        real = [choice for choice in choices if choice is not None]
        if len(real) == 2:
            # Translators: {text} is what was typed, e.g. "3/12"; {one} and {other} are
            # dates, e.g. "3 December 2026" and "12 March 2027".
            parts.refuse(_('"{text}" could be {one} or {other}.').format(
                text=word, one=long_date(real[0]), other=long_date(real[1])), real)
            return
    if day_month and (parts.day_first is not False or not month_day):
        _set_date(parts, year, second, first, word, year_given=year is not None)
    elif month_day:
        _set_date(parts, year, first, second, word, year_given=year is not None)
    else:
        raise WhenError(_('"{text}" is not a date. Try: 2026-12-03 14:00').format(text=word))


def _plain_date(parts: _Parts, year: int | None, month: int, day: int) -> date | None:
    """The date a day and month mean now (see module doc), or None if there is none."""
    try:
        return _resolve_year(parts, year, month, day, "")
    except WhenError:
        return None


def _set_date(parts: _Parts, year: int | None, month: int, day: int, said: str,
              year_given: bool) -> None:
    try:
        resolved = _resolve_year(parts, year, month, day, said)
        parts.set_day(resolved, said)
        if year is None and resolved.year > parts.today.year:
            with contextlib.suppress(ValueError):  # 29 February
                parts.unrolled[resolved] = resolved.replace(year=parts.today.year)
    except _NoSuchDay as missing:
        parts.refuse(str(missing), [missing.nearest])


def _resolve_year(parts: _Parts, year: int | None, month: int, day: int, said: str) -> date:
    """A date from its parts; without a year, this year's unless it has passed."""
    if year is not None:
        return _make_date(year, month, day, said, year_given=True)
    year = parts.today.year + ((month, day) < (parts.today.month, parts.today.day))
    # "29 Feb" names the year it is missing from.
    return _make_date(year, month, day, said, year_given=(month, day) == (2, 29))


class _NoSuchDay(WhenError):
    """A day the month does not have ("31 February"); `nearest` is the month's last day."""

    def __init__(self, message: str, nearest: date) -> None:
        super().__init__(message)
        self.nearest = nearest


def _make_date(year: int, month: int, day: int, said: str, year_given: bool) -> date:
    if year not in _YEARS:
        raise WhenError(_('"{text}": pick a year between 2000 and 2100. Try: 3 Dec 2026 14:00')
                        .format(text=said))
    if not 1 <= month <= 12:
        raise WhenError(_('"{text}" has no month {month}. Try: 2026-12-03 14:00').format(
            text=said, month=month))
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        name = month_name(month, short=False)
        if year_given:
            # Translators: e.g. "There is no 30 February 2026."
            message = _("There is no {day} {month} {year}.")
        else:
            # Translators: e.g. "There is no 30 February."
            message = _("There is no {day} {month}.")
        nearest = date(year, month, min(max(day, 1), last))
        raise _NoSuchDay(message.format(day=day, month=name, year=year), nearest)
    return date(year, month, day)


def starts_like_a_date(text: str) -> bool:
    """Whether `text` begins with a date or time word ("sat", "15 dic", "14:00", "18/12").

    Free text that follows a date (a reason, a title) must not start so: that is a part of
    the date the parser could not fit, and it would be silently dropped from the reading.
    """
    words = [w.lower() for w in _tokens(to_english(" ".join(text.split()[:4])))]
    while words and words[0] in ("at", "on", "the", "of", "to", "and", "until", "till"):
        words.pop(0)  # "al 20", "à 14h": a link word, then the date
    if not words:
        return False
    first = words[0]
    following = words[1] if len(words) > 1 else ""
    if first == "in":
        return following[:1].isdigit()
    if first in _RELATIVE or first in WEEKDAY_WORDS or first in _MONTHS or first == "next":
        return True
    if _ISO_DATE.fullmatch(first) or _NUMERIC_DATE.fullmatch(first):
        return True
    try:
        if _clock(first) is not None and not first.isdigit():
            return True
    except WhenError:
        return True  # "25:61": meant as a time, even if not a valid one
    return bool(_DAY_OF_MONTH.fullmatch(first)) and following in _MONTHS
