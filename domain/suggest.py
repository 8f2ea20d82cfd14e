"""Suggest meeting times for a group spread over many zones and working weeks.

Every candidate start on a UTC grid is scored by how many people have the whole meeting inside
their working hours (more is better) and by how much it hurts everyone else (less is better).
The best few are offered, spaced apart so the list is a real choice rather than 09:00, 09:15
and 09:30 of the same day.

Whether a meeting is inside someone's hours is `hours.minutes_outside(...) == 0`, so
suggestions agree with the rest of the bot. `person_penalty` calls it directly; `rank_slots`
scores thousands of slots, so it places each person's shifts once as UTC timestamps and
measures against those (same shift rules, same rounding; the tests compare both paths).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from domain.hours import WorkingHours, minutes_outside
from domain.zones import zone_info

__all__ = [
    "DAY_OFF_PENALTY",
    "DEFAULT_HOURS",
    "NIGHT_PENALTY",
    "Candidate",
    "Person",
    "person_penalty",
    "rank_slots",
]

# What callers use for members who never set their hours.
DEFAULT_HOURS = WorkingHours(time(9), time(17), frozenset(range(5)))
# Asking someone to meet on a day they do not work at all outweighs any hour of a working day.
DAY_OFF_PENALTY = 24 * 60
# Waking someone up (or keeping them up) is worse than a long evening.
NIGHT_PENALTY = 120
NIGHT_START, NIGHT_END = time(23), time(6)

_QUARTER = timedelta(minutes=15)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Person:
    """Someone who should attend; `hours` is already defaulted by the caller when unset."""

    user_id: str
    zone: str  # canonical zone key, as zones.resolve_zone returns
    hours: WorkingHours
    # Local dates with no working time although `hours` names their weekday: public holidays
    # and personal days off (domain.calendars). A shift from the day before still spills in.
    days_off: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Candidate:
    """One proposed start, with enough detail to explain to the group who pays for it."""

    start_utc: datetime
    inside: int  # how many people have the whole meeting inside their hours
    penalty: int  # summed pain of the others, in "minutes"; lower is better
    outside: tuple[str, ...]  # user ids of people for whom it is outside hours, in input order


def _as_utc(instant: datetime) -> datetime:
    """Naive means UTC, as everywhere else in the bot."""
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def _instant(wall: datetime, tz: tzinfo) -> float:
    """Timestamp of a local wall time, resolved exactly as `minutes_outside` resolves shifts."""
    return wall.replace(tzinfo=tz).timestamp()


class _Profile:
    """One zone + hours over a span: shifts, nights and days off as sorted UTC timestamps.

    Built once per distinct (zone, hours) so scoring a slot is a few bisects, not datetime work.
    Dates reach two days past the span on both sides so overnight shifts and the nearest shift
    of the first and last slots are always present.
    """

    __slots__ = ("begins", "day_starts", "finishes", "night_begins", "night_finishes", "working")

    def __init__(self, zone: str, hours: WorkingHours, lo: float, hi: float,
                 days_off: frozenset[date] = frozenset()) -> None:
        tz = zone_info(zone)
        day = datetime.fromtimestamp(lo, tz).date() - 2 * _ONE_DAY
        last = datetime.fromtimestamp(hi, tz).date() + 2 * _ONE_DAY
        shift_length = _ONE_DAY if hours.overnight else timedelta(0)
        # An overnight shift ending exactly at midnight does not reach into the next day.
        spills = hours.overnight and hours.end != time(0)
        self.begins: list[float] = []
        self.finishes: list[float] = []
        self.night_begins: list[float] = []
        self.night_finishes: list[float] = []
        self.day_starts: list[float] = []
        self.working: list[bool] = []
        while day <= last:
            weekday = day.weekday()
            works = weekday in hours.days and day not in days_off
            spilled_into = (spills and (weekday - 1) % 7 in hours.days
                            and day - _ONE_DAY not in days_off)
            if works:
                self.begins.append(_instant(datetime.combine(day, hours.start), tz))
                finish = datetime.combine(day + shift_length, hours.end)
                self.finishes.append(_instant(finish, tz))
            self.night_begins.append(_instant(datetime.combine(day, NIGHT_START), tz))
            self.night_finishes.append(_instant(datetime.combine(day + _ONE_DAY, NIGHT_END), tz))
            self.day_starts.append(_instant(datetime.combine(day, time(0)), tz))
            self.working.append(works or spilled_into)
            day += _ONE_DAY

    def outside(self, start: float, seconds: float) -> int:
        """Minutes outside shifts; mirrors `minutes_outside` (overlaps summed, then rounded)."""
        end = start + seconds
        begins, finishes = self.begins, self.finishes
        inside = 0.0
        # Shifts are at most a day (+1 h of DST) long and one per day, so none that began three
        # shifts before the meeting can still be running.
        for k in range(max(bisect_right(begins, start) - 3, 0), len(begins)):
            begin = begins[k]
            if begin >= end:
                break
            overlap = min(end, finishes[k]) - max(start, begin)
            if overlap > 0:
                inside += overlap
        return round(max(seconds - inside, 0.0) / 60)

    def pain(self, start: float, seconds: float, outside: int) -> int:
        """Penalty for a meeting already known to be `outside` minutes outside (see module)."""
        if outside == 0:
            return 0
        end = start + seconds
        day = bisect_right(self.day_starts, start) - 1
        extra = DAY_OFF_PENALTY if not self.working[day] else self._gap(start, end)
        night = bisect_right(self.night_begins, start) - 1
        at_night = (night >= 0 and self.night_finishes[night] > start) or (
            night + 1 < len(self.night_begins) and self.night_begins[night + 1] < end
        )
        return outside + extra + (NIGHT_PENALTY if at_night else 0)

    def _gap(self, start: float, end: float) -> int:
        """Minutes between the meeting and the nearest shift; 0 when they touch or overlap."""
        begins, finishes = self.begins, self.finishes
        after = bisect_left(begins, end)
        best = begins[after] - end if after < len(begins) else float("inf")
        for k in range(max(after - 3, 0), after):
            if finishes[k] > start:
                return 0
            best = min(best, start - finishes[k])
        # Only a working day gets here, and a working day always has a shift within a day.
        return round(best / 60) if best != float("inf") else 0


def person_penalty(person: Person, start_utc: datetime, duration: timedelta) -> int:
    """How much a meeting hurts one person, in "minutes"; 0 means it is inside their hours.

    With ``outside = minutes_outside(hours, local start, duration)``, in the person's zone:

        0                                                    if outside == 0
        outside + DAY_OFF_PENALTY (1440) + night             if the local start day is a day off
        outside + gap + night                                otherwise

    ``gap`` is the minutes between the meeting interval and the nearest shift (meeting end to
    shift start when early, shift end to meeting start when late; 0 when they touch or
    overlap), so for 09:00–17:00 a one-hour meeting at 08:00 costs 60, at 07:00 120 and at
    06:00 180. ``night`` is NIGHT_PENALTY (120) when any part of the meeting falls between
    23:00 and 06:00 local, so 22:00 costs 60 + 300 = 360 and 02:00 costs 60 + 360 + 120 = 540.
    A day off is a local date no shift touches (an overnight shift that starts on Friday makes
    Saturday morning a working day). The gap on a working day is always under a day, so for the
    same minutes outside a day off hurts more than any hour of a working day.
    """
    if duration <= timedelta(0):
        raise ValueError("A meeting needs a positive duration.")
    start = _as_utc(start_utc)
    stamp, seconds = start.timestamp(), duration.total_seconds()
    if person.days_off:
        # Holidays are not in `minutes_outside`: the profile places shifts without them.
        profile = _Profile(person.zone, person.hours, stamp, stamp + seconds, person.days_off)
        return profile.pain(stamp, seconds, profile.outside(stamp, seconds))
    outside = minutes_outside(person.hours, start.astimezone(zone_info(person.zone)), duration)
    if outside == 0:
        return 0
    return _Profile(person.zone, person.hours, stamp, stamp + seconds).pain(stamp, seconds, outside)


def rank_slots(
    people: Sequence[Person],
    duration: timedelta,
    start_utc: datetime,
    end_utc: datetime,
    *,
    step: timedelta = timedelta(minutes=15),
    top: int = 5,
    min_gap: timedelta = timedelta(hours=2),
) -> list[Candidate]:
    """Best `top` starts in [start_utc, end_utc), best first, at least `min_gap` apart.

    Starts lie on a grid of `step` counted from the Unix epoch (so on UTC quarter hours; a
    one-hour step gives whole UTC hours), beginning at `start_utc` rounded up to that grid.
    Ranking is (most people inside, least summed `person_penalty`, earliest). The pick is
    greedy down that ranking, skipping any start less than `min_gap` from one already chosen,
    so the result is still in ranking order. Naive datetimes are taken as UTC.
    """
    if not people:
        raise ValueError("Nobody to find a time for.")
    if duration <= timedelta(0):
        raise ValueError("A meeting needs a positive duration.")
    if step <= timedelta(0) or step % _QUARTER:
        raise ValueError("The step must be a whole number of quarter hours.")
    first = _EPOCH - ((_EPOCH - _as_utc(start_utc)) // step) * step  # round up to the grid
    end = _as_utc(end_utc)
    if top <= 0 or first >= end:
        return []
    count = -((first - end) // step)
    first_stamp, step_seconds = first.timestamp(), step.total_seconds()
    seconds = duration.total_seconds()
    starts = [first_stamp + i * step_seconds for i in range(count)]

    # People sharing a zone, hours and days off hurt identically: score each once.
    scores: dict[tuple[str, WorkingHours, frozenset[date]], list[int]] = {}
    for person in people:
        key = (person.zone, person.hours, person.days_off)
        if key not in scores:
            profile = _Profile(person.zone, person.hours, starts[0], starts[-1] + seconds,
                               person.days_off)
            scores[key] = [profile.pain(s, seconds, profile.outside(s, seconds)) for s in starts]
    columns = [scores[(person.zone, person.hours, person.days_off)] for person in people]

    ranked: list[tuple[int, int, int]] = []
    for i in range(count):
        inside = penalty = 0
        for column in columns:
            pain = column[i]
            if pain:
                penalty += pain
            else:
                inside += 1
        ranked.append((-inside, penalty, i))
    ranked.sort()

    gap_slots = min_gap / step  # spacing in grid steps; exact, so no float drift near the edge
    chosen: list[tuple[int, int, int]] = []
    for entry in ranked:
        i = entry[2]
        if all(abs(i - other[2]) >= gap_slots for other in chosen):
            chosen.append(entry)
            if len(chosen) == top:
                break
    return [
        Candidate(
            start_utc=first + i * step,
            inside=-neg_inside,
            penalty=penalty,
            outside=tuple(p.user_id for p, col in zip(people, columns, strict=True) if col[i]),
        )
        for neg_inside, penalty, i in chosen
    ]
