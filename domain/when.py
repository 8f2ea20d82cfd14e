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
- A date without a year ("3 Dec") is this year, or next year once the date has passed.
- Explicit days ("today 9am", "2026-12-03 14:00") are taken literally even if already past;
  whether the past is acceptable is the caller's decision.
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
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from domain.i18n import N_, _
from domain.timefmt import month_name
from domain.words import to_english
from domain.zones import ZoneError, resolve_zone, zone_info, zone_label

__all__ = [
    "MONTH_NAMES",
    "WEEKDAY_WORDS",
    "Wall",
    "WhenError",
    "localize",
    "parse_duration",
    "parse_when",
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
    {"today", "tomorrow", "next", "in", "noon", "midnight", "am", "pm"}
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
_ZONEISH = re.compile(r"/|^(?:utc|gmt)|^[+-][0-9]")


class WhenError(ValueError):
    """A time members typed that cannot be read; the message shows a form that works."""


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
    """Meeting lengths ("90m", "1h30m", "1.5h", "2 hours"), whole minutes, at most 24 hours."""
    cleaned = to_english(text.strip(), "length").lower()
    compact = re.sub(r"\s+", "", cleaned)
    not_a_length = _('I couldn\'t read "{text}" as a length. Try: 90m or 1h30m')
    if not compact or len(compact) > 40:
        raise WhenError(not_a_length.format(text=text.strip()))
    minutes = 0.0
    position = 0
    for match in _AMOUNT.finditer(compact):
        if match.start() != position or match[2] not in _MINUTES:
            break
        minutes += float(match[1]) * _MINUTES[match[2]]
        position = match.end()
    if position != len(compact):
        raise WhenError(not_a_length.format(text=text.strip()))
    whole = round(minutes)
    if whole <= 0:
        raise WhenError(_("A meeting has to last at least a minute. Try: 60m"))
    if whole > 24 * 60:
        raise WhenError(_("A meeting can last at most 24 hours. Try: 2h"))
    return timedelta(minutes=whole)


def parse_when(
    text: str, now_utc: datetime, zone: str, *, default_time: time | None = None
) -> Wall:
    """Read a day and time; `zone` is the sender's, unless the text names another."""
    shown = " ".join(text.split())
    if not shown:
        raise WhenError(_tried(_("Give a day and a time.")))
    if len(shown) > _MAX_INPUT:
        raise WhenError(_tried(_("That is too long to be a time.")))
    tokens, zone_text = _split_zone(_tokens(to_english(shown)))
    if zone_text is not None:
        zone = resolve_zone(zone_text)
    now_local = now_utc.astimezone(zone_info(zone)).replace(tzinfo=None, second=0, microsecond=0)
    parts = _Parts(now_local.date())
    _read(tokens, parts)
    if parts.ahead is not None:
        if parts.day is not None or parts.clock is not None:
            raise WhenError(_('Use "in ..." on its own. Try: in 2 hours, or {example}').format(
                example=_(_EXAMPLE)))
        moment = (now_utc + parts.ahead).astimezone(zone_info(zone))
        return Wall(moment.replace(tzinfo=None, second=0, microsecond=0), zone)
    clock = parts.clock if parts.clock is not None else default_time
    if clock is None:
        raise WhenError(_('"{text}" needs a time of day too. Try: {text} 15:00').format(
            text=shown))
    return Wall(datetime.combine(_pick_day(parts, clock, now_local), clock), zone)


@dataclass
class _Parts:
    """What the tokens said so far; each part may be given once."""

    today: date
    day: date | None = None
    weekday: int | None = None
    strictly_after_today: bool = False
    clock: time | None = None
    ahead: timedelta | None = None
    day_text: str = ""
    clock_text: str = ""

    def set_day(self, day: date | None, said: str, weekday: int | None = None) -> None:
        if self.day_text:
            raise WhenError(_tried(_('I found two days, "{day}" and "{other_day}".').format(
                day=self.day_text, other_day=said)))
        self.day, self.weekday, self.day_text = day, weekday, said

    def set_clock(self, clock: time, said: str) -> None:
        if self.clock_text:
            raise WhenError(_tried(_('I found two times, "{time}" and "{other_time}".').format(
                time=self.clock_text, other_time=said)))
        self.clock, self.clock_text = clock, said


def _pick_day(parts: _Parts, clock: time, now_local: datetime) -> date:
    """Resolve weekday and time-only forms against now (see module doc)."""
    if parts.day is not None:
        return parts.day
    today = parts.today
    ahead_today = datetime.combine(today, clock) > now_local
    if parts.weekday is None:
        return today if ahead_today else today + timedelta(days=1)
    days = (parts.weekday - today.weekday()) % 7
    if days == 0 and (parts.strictly_after_today or not ahead_today):
        days = 7
    return today + timedelta(days=days)


def _tokens(text: str) -> list[str]:
    """Lowercase words, with "2 pm" glued to "2pm" and ISO "2026-12-03T14:00" split."""
    text = re.sub(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[tT]([0-9])", r"\1 \2", text)
    text = re.sub(r"(?i)\b(a|p)\.m\.?", r"\1m", text)
    words = [w.strip(",.") or w for w in text.replace(",", " ").split()]
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


def _split_zone(words: list[str]) -> tuple[list[str], str | None]:
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
                _check_zone(" ".join(words[a:b]))
            raise WhenError(_tried(_('I found more than one time zone in "{text}".').format(
                text=whole))) from None
    zone_text = " ".join(words[start:end])
    _check_zone(zone_text)
    if start > 0 and words[start - 1].lower() == "in":
        start -= 1
    rest = words[:start] + words[end:]
    return [w.lower() for w in rest], zone_text


def _check_zone(text: str) -> None:
    """Raise the error that helps most when `text` is neither a zone nor a day."""
    try:
        resolve_zone(text)
    except ZoneError as error:
        lowered = text.lower()
        near_word = difflib.get_close_matches(lowered, list(_WORDS), n=1, cutoff=0.75)
        if _ZONEISH.search(lowered) or (error.suggestions and not near_word):
            raise
        raise WhenError(_tried(_not_a_day(text))) from None


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
        elif word == "today":
            parts.set_day(parts.today, word)
        elif word == "tomorrow":
            parts.set_day(parts.today + timedelta(days=1), word)
        elif word == "next":
            used = 2
            if following == "week":
                monday = parts.today + timedelta(days=7 - parts.today.weekday())
                parts.set_day(monday, "next week")
            elif following in WEEKDAY_WORDS:
                parts.set_day(None, f"next {following}", WEEKDAY_WORDS[following])
                parts.strictly_after_today = True
            else:
                raise WhenError(_('"next" needs a weekday or "week". Try: next tue 14:00'))
        elif word in WEEKDAY_WORDS:
            parts.set_day(None, word, WEEKDAY_WORDS[word])
        elif word == "in":
            used = _read_ahead(words[i + 1 :], parts) + 1
        elif match := _ISO_DATE.fullmatch(word):
            year, month, day = (int(g) for g in match.groups())
            parts.set_day(_make_date(year, month, day, word, year_given=True), word)
        elif word in _MONTHS or _DAY_OF_MONTH.fullmatch(word):
            used = _read_date(words[i:], parts)
        elif re.fullmatch(r"[0-9]+/[0-9]+(?:/[0-9]+)?", word):
            raise WhenError(_('"{text}" could be read two ways. Try: 3 Dec 14:00 or 2026-12-03')
                            .format(text=word))
        else:
            raise WhenError(_tried(_not_a_day(word)))
        i += used


def _clock(word: str) -> time | None:
    """A time of day, None if the word is not shaped like one, WhenError if it is invalid."""
    if word in ("noon", "midnight"):
        return time(12) if word == "noon" else time(0)
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
    year, year_given = parts.today.year, False
    if len(words) > used and re.fullmatch(r"[0-9]{4}", words[used]):
        year, year_given = int(words[used]), True
        used += 1
    text = " ".join(words[:used])
    candidate = _make_date(year, _MONTHS[month_word], int(day_match[1]), text, year_given)
    if not year_given and candidate < parts.today:
        candidate = _make_date(year + 1, candidate.month, candidate.day, text, year_given=True)
    parts.set_day(candidate, text)
    return used


def _make_date(year: int, month: int, day: int, said: str, year_given: bool) -> date:
    if year not in _YEARS:
        raise WhenError(_('"{text}": pick a year between 2000 and 2100. Try: 3 Dec 2026 14:00')
                        .format(text=said))
    if not 1 <= month <= 12:
        raise WhenError(_('"{text}" has no month {month}. Try: 2026-12-03 14:00').format(
            text=said, month=month))
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        name = month_name(month, short=False)
        if year_given or (month == 2 and day == 29):
            # Translators: e.g. "There is no 30 February 2026."
            message = _("There is no {day} {month} {year}. Try: 3 Dec 14:00")
        else:
            # Translators: e.g. "There is no 30 February."
            message = _("There is no {day} {month}. Try: 3 Dec 14:00")
        raise WhenError(message.format(day=day, month=name, year=year))
    return date(year, month, day)
