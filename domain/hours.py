"""Members' working hours: parsing what they type, and checking meetings against them.

Times are local wall-clock times in the member's own zone. A shift whose end is at or before
its start runs overnight ("22:00-06:00") and belongs to the day it starts on: "22:00-06:00
Mon" covers Monday 22:00 to Tuesday 06:00.

Hours may be split: "09:00-12:00 14:00-18:00 Mon-Fri" is two shifts a day, and groups
separated by ";" give different days different hours ("09:00-17:00 Mon-Thu; 09:00-13:00
Fri"). A `WorkingHours` is its shifts; `contains`, `minutes_outside`, `shift_spans` and
`days` see all of them, so callers (suggestions, check-ins, fairness) need no change.
`start`/`end`/`overnight` describe the first shift, as they always did for one shift.

Hours are read in every supported language ("lun-vie 9-17", "de 9h à 17h du lundi au
vendredi", "seg-sex 09:00-18:00", "الأحد-الخميس 9-17"): `words.to_english` turns them into
the English forms below first. Descriptions follow the active language and read back the
same. A range of bare hours that only makes sense in the afternoon is read so and said:
"9-5" is 09:00–17:00 (a 20-hour night shift is written "21:00-05:00"), see `read_hours`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from domain.errors import DomainError
from domain.i18n import N_, _
from domain.timefmt import weekday_name
from domain.words import to_english

__all__ = ["MAX_SHIFTS", "HoursError", "Shift", "WorkingHours", "describe_days",
           "minutes_outside", "parse_hours", "read_hours", "read_hours_and_days", "shift_spans",
           "with_week"]

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
_JOINERS = re.compile(r"(?:^|\s)(?:and|&|\+)(?=\s|$)|,")
_EXAMPLE = N_('"09:00-17:00 Mon-Fri"')
_MAX_INPUT = 200
MAX_SHIFTS = 6  # shifts in a week's hours, all groups together
# A literal overnight reading longer than this of bare hours ("9-5": 20 hours) is read in
# the afternoon instead (17:00), and the reply says so.
_LONGEST_NIGHT = timedelta(hours=12)


class HoursError(DomainError):
    """Working hours that cannot be understood; the message names the offending part."""


@dataclass(frozen=True)
class Shift:
    """One stretch of work on some days, e.g. 09:00–12:00 Mon–Fri."""

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
        return self.end <= self.start

    def contains(self, local: datetime) -> bool:
        now, weekday = local.time().replace(tzinfo=None), local.weekday()
        if not self.overnight:
            return weekday in self.days and self.start <= now < self.end
        started_today = weekday in self.days and now >= self.start
        started_yesterday = (weekday - 1) % 7 in self.days and now < self.end
        return started_today or started_yesterday

    def times(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


@dataclass(frozen=True, init=False)
class WorkingHours:
    """When a member is happy to meet, in their local wall-clock time: one or more shifts.

    `WorkingHours(start, end, days)` is one shift; `WorkingHours(shifts=...)` any number.
    """

    shifts: tuple[Shift, ...]

    def __init__(self, start: time | None = None, end: time | None = None,
                 days: Iterable[int] | None = None, *,
                 shifts: Iterable[Shift] = ()) -> None:
        listed = list(shifts)
        if start is not None and end is not None and days is not None:
            listed.insert(0, Shift(start, end, frozenset(days)))
        if not listed:
            raise HoursError(_("Working days must be some of Mon..Sun."))
        _check_overlaps(listed)
        ordered = tuple(sorted(listed, key=lambda s: (min(s.days), s.start)))
        object.__setattr__(self, "shifts", ordered)

    @property
    def start(self) -> time:
        """The first shift's start (the earliest of a day's shifts)."""
        return self.shifts[0].start

    @property
    def end(self) -> time:
        """The end of the first day's last shift."""
        first_days = self.shifts[0].days
        return max((s for s in self.shifts if s.days == first_days),
                   key=lambda s: (s.overnight, s.end)).end

    @property
    def days(self) -> frozenset[int]:
        """Every day some shift starts on."""
        return frozenset().union(*(s.days for s in self.shifts))

    @property
    def overnight(self) -> bool:
        """True when a shift crosses midnight."""
        return any(s.overnight for s in self.shifts)

    def contains(self, local: datetime) -> bool:
        """Whether a local wall-clock moment is inside a shift (end is exclusive)."""
        return any(s.contains(local) for s in self.shifts)

    def describe(self) -> str:
        """Human form, e.g. "09:00–17:00 Mon–Fri", "09:00–12:00, 14:00–18:00 Mon–Fri" or
        "09:00–17:00 Mon–Thu; 09:00–13:00 Fri" (day names follow the active language)."""
        return "; ".join(f"{', '.join(s.times() for s in group)} {_describe_days(days)}"
                         for days, group in self._groups())

    def to_storage(self) -> str:
        """Compact form that `from_storage` reads back, e.g. "09:00-17:00 0,1,2,3,4" or
        "09:00-12:00,14:00-18:00 0,1,2,3,4;09:00-13:00 5" (one-shift rows keep the old form)."""
        return ";".join(
            ",".join(f"{s.start:%H:%M}-{s.end:%H:%M}" for s in group) + " "
            + ",".join(str(d) for d in sorted(days))
            for days, group in self._groups())

    @classmethod
    def from_storage(cls, s: str) -> WorkingHours:
        """Inverse of `to_storage`; strict, because stored data should never need guessing."""
        shifts: list[Shift] = []
        for part in s.split(";"):
            match = re.fullmatch(r"([0-9:,-]+) ([0-6](?:,[0-6])*)", part)
            if not match:
                raise HoursError(f'"{s}" is not stored working hours.')  # a bug, not a typo
            days = frozenset(int(d) for d in match[2].split(","))
            for times in match[1].split(","):
                found = re.fullmatch(r"([0-9]{2}):([0-9]{2})-([0-9]{2}):([0-9]{2})", times)
                if not found:
                    raise HoursError(f'"{s}" is not stored working hours.')
                try:
                    shifts.append(Shift(time(int(found[1]), int(found[2])),
                                        time(int(found[3]), int(found[4])), days))
                except ValueError as exc:
                    raise HoursError(f'"{s}" is not stored working hours.') from exc
        return cls(shifts=shifts)

    def _groups(self) -> list[tuple[frozenset[int], list[Shift]]]:
        """Shifts grouped by their days, in order of first day then start."""
        groups: dict[frozenset[int], list[Shift]] = {}
        for shift in self.shifts:
            groups.setdefault(shift.days, []).append(shift)
        return [(days, sorted(group, key=lambda s: s.start)) for days, group in groups.items()]


def _check_overlaps(shifts: list[Shift]) -> None:
    """Two shifts on a day may not overlap: "09:00-13:00 12:00-18:00" is one 09:00–18:00."""
    if len(shifts) > MAX_SHIFTS:
        raise HoursError(_("At most {count} shifts, please.").format(count=MAX_SHIFTS))
    week = [(shift, start, end) for shift in shifts for start, end in _week_spans(shift)]
    for n, (one, a_start, a_end) in enumerate(week):
        for other, b_start, b_end in week[n + 1:]:
            if other is not one and a_start < b_end and b_start < a_end:
                raise HoursError(_("{one} and {other} overlap; give them as one shift.")
                                 .format(one=one.times(), other=other.times()))


def _week_spans(shift: Shift) -> list[tuple[int, int]]:
    """The shift as minute ranges of a week (Mon 00:00 = 0), wrapping past Sunday twice."""
    minutes = []
    length = (_minutes(shift.end) - _minutes(shift.start)) % 1440 or 1440
    for day in shift.days:
        begin = day * 1440 + _minutes(shift.start)
        for wrap in (0, 7 * 1440):
            minutes.append((begin + wrap, begin + wrap + length))
    return minutes


def _minutes(clock: time) -> int:
    return clock.hour * 60 + clock.minute


def describe_days(days: frozenset[int]) -> str:
    """"Mon–Fri", "Sun–Thu", "Mon, Wed" in the active language (also for calendars)."""
    return _describe_days(days)


def with_week(hours: WorkingHours, days: frozenset[int]) -> WorkingHours:
    """Hours typed without days, moved onto a country's week (Sun–Thu in Amman): every
    shift keeps its times and works `days`. Hours with named days are not passed here."""
    if not days:
        return hours
    return WorkingHours(shifts=[Shift(s.start, s.end, days) for s in hours.shifts])


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
    """Read what a member types, e.g. "9am-5pm mon,tue" or "08:30–16:30 Sat-Wed"."""
    return read_hours(text)[0]


def read_hours(text: str) -> tuple[WorkingHours, tuple[str, ...]]:
    """The hours, and notes on any reading the member should check ("9-5" → 09:00–17:00).

    Days default to Mon–Fri when omitted; the time ranges may come before or after the
    days; several ranges are split shifts; ";" starts a group with other days.
    """
    read, notes, _named = read_hours_and_days(text)
    return read, notes


def read_hours_and_days(text: str) -> tuple[WorkingHours, tuple[str, ...], bool]:
    """`read_hours`, and whether the text named any days: when it did not, a member's
    calendar puts their country's week in place of the Mon–Fri default (`with_week`)."""
    if len(text) > _MAX_INPUT:
        raise HoursError(_("That is too long to be working hours."))
    cleaned = re.sub(r"[\u2010-\u2015\u2212]", "-", to_english(text.strip(), "hours").lower())
    cleaned = re.sub(r"\s+(?:to|until|till)\s+", "-", cleaned)
    shifts: list[Shift] = []
    notes: list[str] = []
    named: list[bool] = []
    for group in cleaned.split(";"):
        if group.strip() or not shifts:
            shifts += _read_group(group, text, notes, named)
    return WorkingHours(shifts=shifts), tuple(notes), any(named)


def _read_group(cleaned: str, typed: str, notes: list[str], named: list[bool]) -> list[Shift]:
    """One group: its time ranges (split shifts) and the days they share."""
    ranges = list(_RANGE.finditer(cleaned))
    if not ranges:
        # Translators: {example} is e.g. "09:00-17:00 Mon-Fri".
        raise HoursError(_('Could not find a time range in "{text}"; try {example}.').format(
            text=(cleaned.strip() or typed.strip()), example=_(_EXAMPLE)))
    times = [_read_range(match[1], match[2], notes) for match in ranges]
    rest, last = [], 0
    for match in ranges:
        rest.append(cleaned[last:match.start()])
        last = match.end()
    rest.append(cleaned[last:])
    leftover = _JOINERS.sub(" ", " ".join(rest)).strip(" ,;")
    named.append(bool(leftover))
    days = _parse_days(leftover) if leftover else _WEEKDAYS
    if not days:
        raise HoursError(_('Could not read any days in "{text}"; try {example}.').format(
            text=leftover, example=_(_EXAMPLE)))
    return [Shift(start, end, days) for start, end in times]


def _read_range(first: str, second: str, notes: list[str]) -> tuple[time, time]:
    """A start and an end; an end that only makes sense in the afternoon moves there ("9-5",
    "9:00-5:00": not 20-hour nights), unless written on a 24-hour clock ("05:00")."""
    start, end = _parse_time(first), _parse_time(second)
    # "5" or "5:00" may be the afternoon; "05:00" is written on a 24-hour clock.
    bare = re.fullmatch(r"[1-9](?:[:.][0-9]{2})?|1[01](?:[:.][0-9]{2})?", second.strip()) \
        is not None
    night = (datetime.combine(date.min + timedelta(days=1), end)
             - datetime.combine(date.min, start)) if end <= start else timedelta(0)
    if bare and end <= start and end.hour < 12 and night > _LONGEST_NIGHT:
        afternoon = end.replace(hour=end.hour + 12)
        if afternoon > start:
            # Translators: {text} is what was typed, e.g. "9-5"; {hours} e.g. "09:00–17:00";
            # {night} a night shift written out, e.g. "21:00-05:00".
            notes.append(_('I read "{text}" as {hours}; for a night shift write {night}.')
                         .format(text=f"{first.strip()}-{second.strip()}",
                                 hours=f"{start:%H:%M}–{afternoon:%H:%M}",
                                 night=f"{(start.hour + 12) % 24:02d}:{start.minute:02d}-"
                                       f"{end:%H:%M}"))
            end = afternoon
    return start, end


def shift_spans(hours: WorkingHours, first: date, last: date) -> list[tuple[datetime, datetime]]:
    """Naive local (start, end) of every shift starting between the two dates, in order."""
    spans = []
    day = first
    while day <= last:
        for shift in hours.shifts:
            if day.weekday() in shift.days:
                begin = datetime.combine(day, shift.start)
                finish = datetime.combine(day + timedelta(days=1 if shift.overnight else 0),
                                          shift.end)
                spans.append((begin, finish))
        day += timedelta(days=1)
    return sorted(spans)


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
    shifts = shift_spans(hours, naive_start.date() - one_day,
                         (naive_start + duration).date() + one_day)

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
