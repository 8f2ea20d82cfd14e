"""Members' working hours: parsing what they type, and checking meetings against them.

Times are local wall-clock times in the member's own zone. A shift whose end is at or before
its start runs overnight ("22:00-06:00") and belongs to the day it starts on: "22:00-06:00
Mon" covers Monday 22:00 to Tuesday 06:00.

Hours are read in every supported language ("lun-vie 9-17", "de 9h à 17h du lundi au
vendredi", "seg-sex 09:00-18:00", "الأحد-الخميس 9-17"): `words.to_english` turns them into
the English forms below first. Descriptions follow the active language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from domain.errors import DomainError
from domain.i18n import N_, _
from domain.timefmt import weekday_name
from domain.words import to_english

__all__ = ["HoursError", "WorkingHours", "describe_days", "minutes_outside", "parse_hours",
           "parse_hours_and_days"]

_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAYS = frozenset(range(5))
_ALL_DAYS = frozenset(range(7))
_DAY_WORDS = {
    "weekdays": _WEEKDAYS,
    "weekday": _WEEKDAYS,
    "weekends": frozenset({5, 6}),
    "weekend": frozenset({5, 6}),
    "daily": _ALL_DAYS,
    "everyday": _ALL_DAYS,
}
_TIME_TOKEN = r"[0-9][0-9:.]*\s*(?:[ap]\.?m\.?)?"
_RANGE = re.compile(rf"(?<![\w:.])({_TIME_TOKEN})\s*-\s*({_TIME_TOKEN})(?![\w:.])")
_TIME = re.compile(r"([0-9]{1,2})(?:[:.]([0-9]{2}))?(am|pm)?")
_EXAMPLE = N_('"09:00-17:00 Mon-Fri"')
_MAX_INPUT = 200


class HoursError(DomainError):
    """Working hours that cannot be understood; the message names the offending part."""


@dataclass(frozen=True)
class WorkingHours:
    """When a member is happy to meet, in their local wall-clock time."""

    start: time
    end: time
    days: frozenset[int]  # 0=Mon..6=Sun; the day each shift starts on

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise HoursError(_("Start and end are both {time}; hours need a length.").format(
                time=f"{self.start:%H:%M}"))
        if not self.days or not self.days <= _ALL_DAYS:
            raise HoursError(_("Working days must be some of Mon..Sun."))

    @property
    def overnight(self) -> bool:
        """True when the shift crosses midnight."""
        return self.end <= self.start

    def contains(self, local: datetime) -> bool:
        """Whether a local wall-clock moment is inside a shift (end is exclusive)."""
        now, weekday = local.time().replace(tzinfo=None), local.weekday()
        if not self.overnight:
            return weekday in self.days and self.start <= now < self.end
        started_today = weekday in self.days and now >= self.start
        started_yesterday = (weekday - 1) % 7 in self.days and now < self.end
        return started_today or started_yesterday

    def describe(self) -> str:
        """Human form, e.g. "09:00–17:00 Mon–Fri" or "09:00–13:00 Mon, Wed, Fri" (day names
        follow the active language)."""
        return f"{self.start:%H:%M}–{self.end:%H:%M} {_describe_days(self.days)}"

    def to_storage(self) -> str:
        """Compact form that `from_storage` reads back, e.g. "09:00-17:00 0,1,2,3,4"."""
        days = ",".join(str(d) for d in sorted(self.days))
        return f"{self.start:%H:%M}-{self.end:%H:%M} {days}"

    @classmethod
    def from_storage(cls, s: str) -> WorkingHours:
        """Inverse of `to_storage`; strict, because stored data should never need guessing."""
        match = re.fullmatch(r"([0-9]{2}):([0-9]{2})-([0-9]{2}):([0-9]{2}) ([0-6](?:,[0-6])*)", s)
        if not match:
            raise HoursError(f'"{s}" is not stored working hours.')  # a bug, not a member's typo
        try:
            start = time(int(match[1]), int(match[2]))
            end = time(int(match[3]), int(match[4]))
        except ValueError as exc:
            raise HoursError(f'"{s}" is not stored working hours.') from exc
        return cls(start, end, frozenset(int(d) for d in match[5].split(",")))


def describe_days(days: frozenset[int]) -> str:
    """"Mon–Fri", "Sun–Thu", "Mon, Wed" in the active language (also for calendars)."""
    return _describe_days(days)


def _describe_days(days: frozenset[int]) -> str:
    """Compress runs of three or more days into ranges, wrapping past Sunday."""
    if days == _ALL_DAYS:
        return _("every day")
    runs: list[list[int]] = []
    for first in sorted(d for d in days if (d - 1) % 7 not in days):
        run = [first]
        while (run[-1] + 1) % 7 in days:
            run.append((run[-1] + 1) % 7)
        runs.append(run)
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{weekday_name(run[0])}–{weekday_name(run[-1])}")
        else:
            parts.extend(weekday_name(d) for d in run)
    return ", ".join(parts)


def _parse_time(token: str) -> time:
    """Read "9", "09:30", "9.30", "9am", "5:30 pm"; "24:00" means midnight."""
    raw = token.strip()
    squeezed = re.sub(r"([ap])\.?m\.?$", r"\1m", re.sub(r"\s+", "", raw.lower()))
    match = _TIME.fullmatch(squeezed)
    not_a_time = _('"{text}" is not a time of day.')
    if not match:
        raise HoursError(not_a_time.format(text=raw))
    hour, minute, meridiem = int(match[1]), int(match[2] or 0), match[3]
    if meridiem:
        if not 1 <= hour <= 12:
            raise HoursError(not_a_time.format(text=raw))
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour == 24 and minute == 0:
        return time(0, 0)
    if hour > 23 or minute > 59:
        raise HoursError(not_a_time.format(text=raw))
    return time(hour, minute)


def _parse_day(name: str) -> int:
    """Accept 3-letter, full and in-between English names ("tue", "tues", "tuesday")."""
    if len(name) >= 3:
        for index, full in enumerate(_DAY_NAMES):
            if full.startswith(name):
                return index
    if name == "weds":
        return 2
    raise HoursError(_('"{text}" is not a day of the week.').format(text=name))


def _parse_days(text: str) -> frozenset[int]:
    """Read "mon-fri", "sat-wed" (wraps), "mon,tue wed", "weekdays", "daily"."""
    text = re.sub(r"\s*-\s*", "-", text.replace("every day", "everyday"))
    days: set[int] = set()
    for item in re.split(r"[\s,;/&+]+|\band\b", text):
        if not item:
            continue
        if item in _DAY_WORDS:
            days |= _DAY_WORDS[item]
        elif "-" in item:
            first, _dash, last = item.partition("-")
            if not first or not last:
                raise HoursError(_('"{text}" is not a range of days.').format(text=item))
            a, b = _parse_day(first), _parse_day(last)
            days.update((a + i) % 7 for i in range((b - a) % 7 + 1))
        else:
            days.add(_parse_day(item))
    return frozenset(days)


def parse_hours(text: str) -> WorkingHours:
    """Read what a member types, e.g. "9am-5pm mon,tue" or "08:30–16:30 Sat-Wed".

    Days default to Mon–Fri when omitted; the time range may come before or after the days.
    """
    return parse_hours_and_days(text)[0]


def parse_hours_and_days(text: str) -> tuple[WorkingHours, bool]:
    """`parse_hours`, and whether the text named the days: when it did not, a member's
    calendar puts their country's week in place of the Mon–Fri default."""
    if len(text) > _MAX_INPUT:
        raise HoursError(_("That is too long to be working hours."))
    cleaned = re.sub(r"[\u2010-\u2015\u2212]", "-", to_english(text.strip(), "hours").lower())
    cleaned = re.sub(r"\s+(?:to|until|till)\s+", "-", cleaned)
    match = _RANGE.search(cleaned)
    if not match:
        # Translators: {example} is e.g. "09:00-17:00 Mon-Fri".
        raise HoursError(_('Could not find a time range in "{text}"; try {example}.').format(
            text=text.strip(), example=_(_EXAMPLE)))
    start, end = _parse_time(match[1]), _parse_time(match[2])
    rest = f"{cleaned[: match.start()]} {cleaned[match.end() :]}".strip(" ,;")
    days = _parse_days(rest) if rest else _WEEKDAYS
    if not days:
        raise HoursError(_('Could not read any days in "{text}"; try {example}.').format(
            text=rest, example=_(_EXAMPLE)))
    return WorkingHours(start, end, days), bool(rest)


def _shifts(hours: WorkingHours, first: date, last: date) -> list[tuple[datetime, datetime]]:
    """Naive local (start, end) of every shift starting between the two dates."""
    shifts = []
    day = first
    while day <= last:
        if day.weekday() in hours.days:
            begin = datetime.combine(day, hours.start)
            finish = datetime.combine(day + timedelta(days=1 if hours.overnight else 0), hours.end)
            shifts.append((begin, finish))
        day += timedelta(days=1)
    return shifts


def minutes_outside(hours: WorkingHours, local_start: datetime, duration: timedelta) -> int:
    """Minutes of a meeting outside the member's shifts, for fairness and ranking.

    `local_start` is in the member's zone. If it is aware, shifts are placed in that zone and
    compared as real instants, so a DST change during the meeting is counted correctly.
    """
    total = duration.total_seconds()
    if total <= 0:
        return 0
    tz = local_start.tzinfo
    naive_start = local_start.replace(tzinfo=None)
    one_day = timedelta(days=1)
    shifts = _shifts(hours, naive_start.date() - one_day, (naive_start + duration).date() + one_day)

    def real(moment: datetime) -> datetime:
        if tz is None:
            return moment
        return moment.replace(tzinfo=tz).astimezone(UTC).replace(tzinfo=None)

    begin = real(naive_start)
    finish = begin + duration
    inside = 0.0
    for shift_start, shift_end in shifts:
        overlap = min(finish, real(shift_end)) - max(begin, real(shift_start))
        inside += max(overlap.total_seconds(), 0.0)
    return round(max(total - inside, 0.0) / 60)
