"""Fair meeting times for a group spread over many zones and working weeks.

Every start on a quarter-hour grid of the window is scored with `availability.Scorer` and
ranked, best first, by:

1. nights: a slot that puts anyone in their night ranks below every slot that puts nobody
   there (and among night slots, fewer people at night first);
2. more people inside their working time;
3. less total distance outside working time (how far before or after their working time
   the meeting reaches, summed over the people outside);
4. less recent load: each outside person's distance times the bad-hour meetings they
   carried lately in this room (`Person.load`), summed, so whoever took the early calls
   this month is spared first when the rest is equal;
5. sooner.

The options offered are real alternatives: distinct times of day first (at least
`min_gap` apart on the clock), each on its best day. Night slots are never offered while a
slot without anyone's night exists. The same time of day comes back (on another day) only
when fewer than `least` distinct times qualify, and such an option says which earlier
option it repeats (`Option.same_time_as`), so the reader can be told.

The result is plain data (options with every member's local time and cost), enough to write
the poll or draw a chart from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from domain.availability import (
    DAY_OFF,
    DEFAULT_HOURS,
    DEFAULT_NIGHT,
    Cost,
    HoursView,
    NightWindow,
    Person,
    Scorer,
    WorkingTime,
)

__all__ = [
    "DAY_OFF",
    "DEFAULT_HOURS",
    "DEFAULT_NIGHT",
    "Cost",
    "HoursView",
    "NightWindow",
    "Option",
    "Person",
    "Suggestion",
    "WorkingTime",
    "option_for",
    "rank_key",
    "suggest",
]

_QUARTER = timedelta(minutes=15)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Option:
    """One proposed start and what it costs each member (in the order people were given)."""

    start_utc: datetime
    duration: timedelta
    costs: tuple[Cost, ...]
    # Index (0-based) of an earlier option at the same time of day, when this one repeats it.
    same_time_as: int | None = None

    @property
    def at_night(self) -> tuple[Cost, ...]:
        return tuple(c for c in self.costs if c.night)

    @property
    def outside(self) -> tuple[Cost, ...]:
        return tuple(c for c in self.costs if not c.inside)

    @property
    def inside(self) -> int:
        return sum(1 for c in self.costs if c.inside)

    @property
    def distance(self) -> int:
        return sum(c.distance for c in self.costs)


@dataclass(frozen=True)
class Suggestion:
    """The options, best first, and what the whole window allowed."""

    options: tuple[Option, ...]
    slots: int  # candidate starts considered
    everyone_inside: bool  # some candidate fits everyone's working time
    night_free: bool  # some candidate puts nobody in their night

    @property
    def repeats(self) -> bool:
        return any(o.same_time_as is not None for o in self.options)


def rank_key(costs: Sequence[Cost], loads: Sequence[int], start_utc: datetime
             ) -> tuple[int, int, int, int, datetime]:
    """The ranking of the module doc as a sort key: smaller is better."""
    night = inside = distance = burden = 0
    for cost, load in zip(costs, loads, strict=True):
        night += cost.night
        if cost.inside:
            inside += 1
        else:
            distance += cost.distance
            burden += cost.distance * load
    return night, -inside, distance, burden, start_utc


def option_for(people: Sequence[Person], start_utc: datetime, duration: timedelta) -> Option:
    """One given start, costed the same way (for notes on `!meeting add`, `move`, `pick`)."""
    return Option(_as_utc(start_utc), duration, Scorer(people).costs(start_utc, duration))


def suggest(
    people: Sequence[Person],
    duration: timedelta,
    start_utc: datetime,
    end_utc: datetime,
    *,
    step: timedelta = _QUARTER,
    top: int = 5,
    least: int = 3,
    min_gap: timedelta = timedelta(hours=1),
) -> Suggestion:
    """Up to `top` options for starts in [start_utc, end_utc), best first (module doc).

    Starts lie on a grid of `step` counted from the Unix epoch, from `start_utc` rounded up.
    Naive datetimes are UTC.
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
        return Suggestion((), 0, False, False)
    count = -((first - end) // step)
    scorer = Scorer(people)
    sizes = [len(group) for group in scorer.groups]
    loads = [sum(people[i].load for i in group) for group in scorer.groups]
    seconds = duration.total_seconds()
    starts = [first + i * step for i in range(count)]
    columns = scorer.columns([s.timestamp() for s in starts], seconds)
    keyed: list[tuple[tuple[int, int, int, int, datetime], datetime]] = []
    for i, start in enumerate(starts):
        night = inside = distance = burden = 0
        for size, load, column in zip(sizes, loads, columns, strict=True):
            outside, far, _kind, dark = column[i]
            if dark:
                night += size
            if outside:
                distance += far * size
                burden += far * load
            else:
                inside += size
        keyed.append(((night, -inside, distance, burden, start), start))
    keyed.sort(key=lambda entry: entry[0])
    night_free = keyed[0][0][0] == 0
    everyone = any(key[1] == -len(people) for key, _start in keyed)
    pool = [start for key, start in keyed if not night_free or key[0] == 0]
    picked = _pick(pool, top, least, min_gap)
    options = tuple(Option(start, duration, scorer.costs(start, duration), twin)
                    for start, twin in picked)
    return Suggestion(options, count, everyone, night_free)


def _pick(pool: list[datetime], top: int, least: int, min_gap: timedelta
          ) -> list[tuple[datetime, int | None]]:
    """Greedy down the ranking: distinct times of day first, then repeats if too few.
    Each pick comes with the index of the distinct pick it repeats, or None."""
    gap = min_gap.total_seconds()
    chosen: list[datetime] = []
    for start in pool:
        if all(_clock_apart(start, other) >= gap for other in chosen):
            chosen.append(start)
            if len(chosen) == top:
                return [(start, None) for start in chosen]
    picked: list[tuple[datetime, int | None]] = [(start, None) for start in chosen]
    distinct = len(chosen)
    for start in pool:
        if len(picked) >= min(least, top):
            break
        if any(abs((start - other).total_seconds()) < gap for other, _twin in picked):
            continue
        twin = min(range(distinct), key=lambda k: _clock_apart(start, chosen[k]))
        picked.append((start, twin))
    return picked


def _clock_apart(a: datetime, b: datetime) -> float:
    """Seconds between two starts' times of day (UTC clock), going round midnight."""
    apart = abs(a.timestamp() - b.timestamp()) % 86_400
    return min(apart, 86_400 - apart)


def _as_utc(instant: datetime) -> datetime:
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)
