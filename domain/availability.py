"""What a meeting costs each member: inside their working time or not, how far outside, and
whether it reaches into their night.

The ranking, the look-ahead notes and `!fairness` all ask this one module, so they always
agree. It knows a member's working time only through the `WorkingTime` view: "is this local
wall moment worked?" and "is this local date a day off?". `HoursView` answers from
`domain.hours.WorkingHours`; split shifts and public holidays plug in as other views without
any change here.

How costs are measured (minutes):

- `outside`: minutes of the meeting that are not worked.
- `distance`: how far the meeting reaches outside working time: `outside` plus the gap
  between the meeting and the nearest worked minute. For 09:00–17:00, a one-hour meeting at
  08:00 is 60, at 07:00 120, at 21:00 300. On a day off it is `outside` + `DAY_OFF` (a
  whole day), so a day off weighs more than any hour of a working day.
- `kind`: "early" or "late" (whichever edge of working time the start is nearer; a meeting
  that starts inside and overruns is late), "off" on a day off, None when inside.
- `night`: the meeting is not all inside their working time and some minute of it falls in
  the member's night window (default 22:00–06:00 local; nights are sacred, see
  `domain.suggest`). Someone who works nights is not "at night" during their shift.

Working time is placed on the UTC time line one UTC day at a time, on demand: the view is
asked every quarter hour (and on both sides of a clock change) and each change is narrowed
down to the minute. So a worked (or free) stretch shorter than a quarter hour that starts
and ends between two of those moments is not seen; no real working week has one.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol, runtime_checkable

from domain.hours import WorkingHours, minutes_outside
from domain.zones import zone_info

__all__ = [
    "DAY_OFF",
    "DEFAULT_HOURS",
    "DEFAULT_NIGHT",
    "Cost",
    "HoursView",
    "NightWindow",
    "Person",
    "Scorer",
    "WorkingTime",
    "parse_night",
]

# What callers use for members who never set their hours.
DEFAULT_HOURS = WorkingHours(time(9), time(17), frozenset(range(5)))
# A meeting on a day off counts this much further away than any hour of a working day.
DAY_OFF = 24 * 60

_DAY = 86_400
_QUARTER = 900
_QUARTER_STEP = timedelta(seconds=_QUARTER)
_REACH_DAYS = 8  # how far to look for the nearest worked minute before giving up


@runtime_checkable
class WorkingTime(Protocol):
    """A member's working time as the ranking sees it (local wall-clock times, naive)."""

    def working(self, local: datetime) -> bool:
        """Whether this local moment is worked."""
        ...

    def day_off(self, day: date) -> bool:
        """Whether this local date has no working time at all (a weekend, a holiday)."""
        ...


@dataclass(frozen=True)
class HoursView:
    """`WorkingHours` as a `WorkingTime`, answered by `domain.hours` itself."""

    hours: WorkingHours

    def working(self, local: datetime) -> bool:
        return self.hours.contains(local)

    def day_off(self, day: date) -> bool:
        # No shift touches the date (an overnight shift from Friday makes Saturday worked).
        return minutes_outside(self.hours, datetime.combine(day, time(0)),
                               timedelta(days=1)) >= DAY_OFF


@dataclass(frozen=True)
class NightWindow:
    """The hours of a member's night, local; `end <= start` means it crosses midnight."""

    start: time = time(22)
    end: time = time(6)

    def __post_init__(self) -> None:
        if not 4 * 60 <= self.minutes <= 12 * 60:
            # Not a night: most likely the two times were swapped ("06:00-22:00").
            raise ValueError("A night lasts from 4 to 12 hours.")

    @property
    def minutes(self) -> int:
        start = self.start.hour * 60 + self.start.minute
        end = self.end.hour * 60 + self.end.minute
        return (end - start) % (24 * 60)

    def describe(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    def to_storage(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


DEFAULT_NIGHT = NightWindow()
_NIGHT = re.compile(r"\s*([0-9]{1,2})(?:[:.h]([0-9]{2}))?\s*[-–—]\s*([0-9]{1,2})(?:[:.h]"
                    r"([0-9]{2}))?\s*")


def parse_night(text: str) -> NightWindow:
    """"22:00-06:00", "22-6", "23h-7h" → a NightWindow; ValueError when unreadable."""
    match = _NIGHT.fullmatch(text)
    if not match:
        raise ValueError(text)
    hours = (int(match[1]), int(match[3]))
    minutes = (int(match[2] or 0), int(match[4] or 0))
    clocks = []
    for hour, minute in zip(hours, minutes, strict=True):
        if hour == 24 and minute == 0:
            hour = 0
        if hour > 23 or minute > 59:
            raise ValueError(text)
        clocks.append(time(hour, minute))
    return NightWindow(clocks[0], clocks[1])


@dataclass(frozen=True)
class Person:
    """Someone who should attend.

    `hours`: their `WorkingHours` (already defaulted by the caller when unset) or any other
    `WorkingTime` view. `load`: how many of the room's recent meetings fell outside their
    hours; a member who has carried the bad hours weighs more (see `domain.suggest`).
    """

    user_id: str
    zone: str  # canonical zone key, as zones.resolve_zone returns
    hours: WorkingHours | WorkingTime
    night: NightWindow = DEFAULT_NIGHT
    load: int = 0

    @property
    def view(self) -> WorkingTime:
        return HoursView(self.hours) if isinstance(self.hours, WorkingHours) else self.hours


@dataclass(frozen=True)
class Cost:
    """What one meeting costs one member (see the module doc for each measure)."""

    user_id: str
    local_start: datetime  # aware, in the member's zone
    outside: int
    distance: int
    kind: str | None  # None (inside), "early", "late" or "off"
    night: bool

    @property
    def inside(self) -> bool:
        return self.outside == 0


@dataclass
class _Timeline:
    """One member's working time and night as UTC timestamps, placed as they are needed."""

    tz: tzinfo
    view: WorkingTime
    night: NightWindow
    _worked: dict[int, list[tuple[float, float]]] = field(default_factory=dict)
    _nights: dict[date, tuple[tuple[float, float], ...]] = field(default_factory=dict)
    _off: dict[date, bool] = field(default_factory=dict)

    def _working_at(self, stamp: float) -> bool:
        return self.view.working(datetime.fromtimestamp(stamp, self.tz).replace(tzinfo=None))

    def _samples(self, begin: float) -> tuple[list[float], list[bool]]:
        """The day's quarter hours (and both sides of any clock change, so a stretch a
        change cuts short is seen), with whether each is worked."""
        first = datetime.fromtimestamp(begin, self.tz)
        last = datetime.fromtimestamp(begin + _DAY, self.tz)
        steps = range(_DAY // _QUARTER + 1)
        stamps = [begin + k * _QUARTER for k in steps]
        if first.utcoffset() == last.utcoffset():
            wall = first.replace(tzinfo=None)
            working = self.view.working
            return stamps, [working(wall + k * _QUARTER_STEP) for k in steps]
        offsets = [datetime.fromtimestamp(t, self.tz).utcoffset() for t in stamps]
        extra: set[float] = set()
        for k in range(1, len(stamps)):
            if offsets[k] != offsets[k - 1]:  # the change is in (stamps[k-1], stamps[k]]
                lo, hi = stamps[k - 1], stamps[k]
                while hi - lo > 60:
                    mid = lo + ((hi - lo) // 120) * 60
                    if datetime.fromtimestamp(mid, self.tz).utcoffset() == offsets[k]:
                        hi = mid
                    else:
                        lo = mid
                extra.update((hi - 60, hi))
        stamps = sorted(set(stamps) | extra)
        return stamps, [self._working_at(t) for t in stamps]

    def worked(self, day: int) -> list[tuple[float, float]]:
        """Worked intervals inside UTC day number `day`, clipped to it, in order."""
        found = self._worked.get(day)
        if found is not None:
            return found
        begin = float(day * _DAY)
        stamps, states = self._samples(begin)
        found = []
        state = states[0]
        opened: float | None = begin if state else None
        for k in range(1, len(stamps)):
            now = states[k]
            if now == state:
                continue
            # The change lies in (stamps[k-1], stamps[k]]: find its minute.
            here = stamps[k]
            lo, hi = 0, int(here - stamps[k - 1]) // 60
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if self._working_at(here - mid * 60) == now:
                    lo = mid
                else:
                    hi = mid
            edge = here - lo * 60
            if edge >= begin + _DAY:  # the change is at midnight: the next day's business
                break
            if now:
                opened = edge
            else:
                assert opened is not None
                found.append((opened, edge))
                opened = None
            state = now
        if opened is not None:
            found.append((opened, begin + _DAY))
        self._worked[day] = found
        return found

    def overlap(self, start: float, end: float) -> float:
        """Worked seconds in [start, end)."""
        total = 0.0
        day, last = int(start // _DAY), int((end - 1e-9) // _DAY)
        while day <= last:
            for begin, finish in self._worked.get(day) or self.worked(day):
                if finish > start and begin < end:
                    total += min(end, finish) - max(start, begin)
            day += 1
        return total

    def flat(self, first_day: int, last_day: int) -> tuple[list[float], list[float]]:
        """Worked stretches over UTC days [first_day, last_day], joined across midnights:
        (begins, ends), ascending."""
        begins: list[float] = []
        ends: list[float] = []
        for day in range(first_day, last_day + 1):
            for begin, finish in self._worked.get(day) or self.worked(day):
                if ends and ends[-1] == begin:
                    ends[-1] = finish
                else:
                    begins.append(begin)
                    ends.append(finish)
        return begins, ends

    def previous_end(self, stamp: float) -> float | None:
        """The end of the last worked stretch ending at or before `stamp`."""
        first = int(stamp // _DAY)
        for day in range(first, first - _REACH_DAYS - 1, -1):
            ends = [finish for _begin, finish in self.worked(day) if finish <= stamp]
            if ends:
                return ends[-1]
        return None

    def next_begin(self, stamp: float) -> float | None:
        """The start of the first worked stretch starting at or after `stamp`."""
        first = int(stamp // _DAY)
        for day in range(first, first + _REACH_DAYS + 1):
            begins = [begin for begin, _finish in self.worked(day) if begin >= stamp]
            if begins:
                return begins[0]
        return None

    def day_off(self, day: date) -> bool:
        found = self._off.get(day)
        if found is None:
            found = self._off[day] = self.view.day_off(day)
        return found

    def _night_of(self, day: date) -> tuple[float, float]:
        """The night that starts on local date `day`, as timestamps."""
        window = self.night
        last = day + timedelta(days=1) if window.end <= window.start else day
        return (datetime.combine(day, window.start, self.tz).timestamp(),
                datetime.combine(last, window.end, self.tz).timestamp())

    def at_night(self, start: float, end: float, local_day: date) -> bool:
        """Whether [start, end) touches a night; `local_day` is the local date of `start`."""
        nights = self._nights.get(local_day)
        if nights is None:
            nights = self._nights[local_day] = tuple(
                self._night_of(local_day + timedelta(days=k)) for k in (-1, 0, 1))
        return any(begin < end and start < finish for begin, finish in nights)


# Time lines outlive one command: the same members are asked about again and again, and
# placing working time is the costly part. Bounded: the least recently used go first, and a
# time line that has placed too many days starts afresh.
_TIMELINES: OrderedDict[object, _Timeline] = OrderedDict()
_MAX_TIMELINES = 256
_MAX_DAYS = 1500


def _timeline(zone: str, view: WorkingTime, night: NightWindow) -> _Timeline:
    try:
        key: object = (zone, view, night)
        hash(key)
    except TypeError:  # a view that cannot be hashed is not shared
        return _Timeline(zone_info(zone), view, night)
    line = _TIMELINES.get(key)
    if line is None or len(line._worked) > _MAX_DAYS:
        line = _Timeline(zone_info(zone), view, night)
        _TIMELINES[key] = line
        while len(_TIMELINES) > _MAX_TIMELINES:
            _TIMELINES.popitem(last=False)
    else:
        _TIMELINES.move_to_end(key)
    return line


class Scorer:
    """Costs of meetings for a fixed group; members with the same zone, view and night share
    one time line, and time lines are kept between scorers (see `_timeline`).
    """

    def __init__(self, people: Sequence[Person]) -> None:
        self.people = tuple(people)
        self._lines = [_timeline(p.zone, p.view, p.night) for p in self.people]
        shared = {id(line): line for line in self._lines}
        # Indexes into `people` of the members sharing each time line.
        self.groups = [[i for i, line in enumerate(self._lines) if line is shared_line]
                       for shared_line in shared.values()]

    def costs(self, start_utc: datetime, duration: timedelta) -> tuple[Cost, ...]:
        """Each member's cost of a meeting at `start_utc`, in the order of `people`."""
        if duration <= timedelta(0):
            raise ValueError("A meeting needs a positive duration.")
        start = _as_utc(start_utc)
        stamp, seconds = start.timestamp(), duration.total_seconds()
        result: list[Cost | None] = [None] * len(self.people)
        for group, (outside, distance, kind, night) in zip(
                self.groups, self.measure(stamp, seconds), strict=True):
            local = start.astimezone(self._lines[group[0]].tz)
            for i in group:
                result[i] = Cost(self.people[i].user_id, local, outside, distance, kind, night)
        return tuple(c for c in result if c is not None)

    def columns(self, stamps: Sequence[float], seconds: float
                ) -> list[list[tuple[int, int, str | None, bool]]]:
        """`measure` for many starts at once (ascending timestamps), one list per group: the
        fast path for ranking a whole window. Gives exactly what `measure` gives."""
        if not stamps:
            return [[] for _group in self.groups]
        found = []
        for group in self.groups:
            line = self._lines[group[0]]
            begins, ends = line.flat(int(stamps[0] // _DAY) - 1,
                                     int((stamps[-1] + seconds) // _DAY) + 1)
            count, k = len(begins), 0
            column = []
            for start in stamps:
                end = start + seconds
                while k < count and ends[k] <= start:
                    k += 1
                worked, j = 0.0, k
                while j < count and begins[j] < end:
                    worked += min(end, ends[j]) - max(start, begins[j])
                    j += 1
                before = ends[k - 1] if k > 0 else line.previous_end(start)
                after = begins[k] if k < count else line.next_begin(start)
                local_day = datetime.fromtimestamp(start, line.tz).date()
                column.append(_verdict(line, start, seconds, worked,
                                       k < count and begins[k] <= start, local_day,
                                       (before, after)))
            found.append(column)
        return found

    def measure(self, stamp: float, seconds: float) -> list[tuple[int, int, str | None, bool]]:
        """(outside, distance, kind, night) per group of `groups`, for a meeting starting at
        timestamp `stamp`: the fast path for scoring thousands of starts."""
        found = []
        for group in self.groups:
            line = self._lines[group[0]]
            local_day = datetime.fromtimestamp(stamp, line.tz).date()
            found.append(_measure(line, stamp, seconds, local_day))
        return found


Neighbours = tuple[float | None, float | None]


def _measure(line: _Timeline, start: float, seconds: float, local_day: date
             ) -> tuple[int, int, str | None, bool]:
    return _verdict(line, start, seconds, line.overlap(start, start + seconds),
                    line.overlap(start, start + 1) > 0, local_day,
                    lambda: (line.previous_end(start), line.next_begin(start)))


def _verdict(line: _Timeline, start: float, seconds: float, worked: float,
             starts_inside: bool, local_day: date,
             neighbours: Neighbours | Callable[[], Neighbours]
             ) -> tuple[int, int, str | None, bool]:
    """(outside, distance, kind, night) from what is worked of the meeting; `neighbours` is
    (end of the last worked stretch before the start, start of the next), or how to find it.
    """
    outside = round(max(seconds - worked, 0.0) / 60)
    if outside == 0:
        return 0, 0, None, False
    end = start + seconds
    night = line.at_night(start, end, local_day)
    if starts_inside:  # starts inside, overruns
        return outside, outside, "late", night
    if line.day_off(local_day):
        return outside, outside + DAY_OFF, "off", night
    before, after = neighbours() if callable(neighbours) else neighbours
    since_end = start - before if before is not None else float("inf")
    until_start = after - start if after is not None else float("inf")
    kind = "early" if until_start < since_end else "late"
    gap = min(since_end, after - end if after is not None else float("inf"))
    gap = 0.0 if gap == float("inf") else max(gap, 0.0)
    return outside, outside + round(gap / 60), kind, night


def _as_utc(instant: datetime) -> datetime:
    """Naive means UTC, as everywhere else in the bot."""
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)

