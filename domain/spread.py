"""Times that take turns: for a series where no single time is fair, 2–3 times of day that
spread the pain, chosen by the same measures as `domain.suggest`.

Every quarter hour of the series' first date, in the series' zone, is costed for everyone.
If one of them puts everybody inside their working time and nobody in their night, there is
nothing to spread and that time is the answer. Otherwise every set of 2 or 3 times (at least
`min_gap` apart on the clock) is compared, turn by turn, by:

1. the largest share of turns anyone spends in their night (nobody takes the night every
   time), then the average number of people at night per meeting;
2. the largest share of turns anyone spends outside their hours (the pain moves round);
3. more people inside per meeting, less distance outside per meeting, less recent load
   (as in `domain.suggest`);
4. fewer times (two rather than three when three are no better), then sooner in the day.

Shares are compared exactly (as integers over a common denominator), so two turns out of
three and one out of two compare honestly.
Only the best time of each pattern of "who is at night, who is outside" takes part: the
measures above depend on the patterns, and the best time of a pattern has the least
distance and load, so the search stays small (a few thousand sets for ten people).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from domain.availability import Person, Scorer
from domain.suggest import Option, rank_key
from domain.when import localize

__all__ = ["Spread", "spread_times"]

_QUARTER = timedelta(minutes=15)


@dataclass(frozen=True)
class Spread:
    """The times that take turns, in turn order (the first is the series' own time)."""

    turns: tuple[Option, ...]
    times: tuple[time, ...]  # each turn's wall time in the series' zone
    # One time suits everyone (inside their hours, nobody at night): no need to rotate.
    single_fits: bool


def spread_times(
    people: Sequence[Person],
    duration: timedelta,
    day: date,
    zone: str,
    *,
    after_utc: datetime,
    fixed: time | None = None,
    sizes: Sequence[int] = (2, 3),
    min_gap: timedelta = timedelta(hours=1),
) -> Spread | None:
    """The best set of turns for a series whose first date is `day` in `zone`.

    None when no time of that date is still ahead of `after_utc` (or `fixed` is not). With
    `fixed`, that local time is one of the turns, and the first.
    """
    if not people:
        raise ValueError("Nobody to find a time for.")
    scorer = Scorer(people)
    loads = [p.load for p in people]
    candidates: list[tuple[time, Option, tuple[int, int, int, int, datetime]]] = []
    seen: set[datetime] = set()
    for k in range(24 * 4):
        clock = (datetime.combine(day, time(0)) + k * _QUARTER).time()
        start, _note = localize(datetime.combine(day, clock), zone)
        if start <= after_utc or start in seen:
            continue
        seen.add(start)
        option = Option(start, duration, scorer.costs(start, duration))
        candidates.append((clock, option, rank_key(option.costs, loads, start)))
    if not candidates:
        return None
    candidates.sort(key=lambda c: c[2])
    pinned = next((c for c in candidates if c[0] == fixed), None) if fixed else None
    if fixed is not None and pinned is None:
        return None
    best = candidates[0]
    if fixed is None and best[2][0] == 0 and best[2][1] == -len(people):
        return Spread((best[1],), (best[0],), True)

    # Up to three times per pattern of (at night, outside) flags, the best-ranked ones a
    # gap apart: the measures depend only on the patterns, except distance and load.
    gap = min_gap.total_seconds()
    patterns: dict[tuple[int, int], list[_Turn]] = {}
    for clock, option, key in candidates:
        turn = _Turn(clock, option, key)
        kept = patterns.setdefault((turn.night, turn.out), [])
        if len(kept) < max(sizes) and all(_apart(turn, k) >= gap for k in kept):
            kept.append(turn)
    pool = [turn for kept in patterns.values() for turn in kept]
    fixed_turn = next((t for t in pool if t.clock == fixed), None) if fixed else None
    if pinned is not None and fixed_turn is None:
        fixed_turn = _Turn(*pinned)
        pool.append(fixed_turn)
    scale = math.lcm(*sizes)
    close = {(a, b) for a, b in itertools.combinations(range(len(pool)), 2)
             if _apart(pool[a], pool[b]) < gap}
    chosen: tuple[_Turn, ...] | None = None
    chosen_key: tuple | None = None
    for size in sorted(sizes):
        per = scale // size
        for indexes in itertools.combinations(range(len(pool)), size):
            if any(pair in close for pair in itertools.combinations(indexes, 2)):
                continue
            combo = tuple(pool[i] for i in indexes)
            if fixed_turn is not None and fixed_turn not in combo:
                continue
            # The first measure settles most sets: skip the rest when it already loses.
            worst_night = _most([t.night for t in combo]) * per
            if chosen_key is not None and worst_night > chosen_key[0]:
                continue
            key = _set_key(combo, per, worst_night)
            if chosen_key is None or key < chosen_key:
                chosen, chosen_key = combo, key
    if chosen is None:  # too few distinct times that day: the single best
        only = pinned or best
        return Spread((only[1],), (only[0],), False)
    ordered = sorted(chosen, key=lambda t: (t is not fixed_turn, t.key))
    return Spread(tuple(t.option for t in ordered), tuple(t.clock for t in ordered), False)


class _Turn:
    """A candidate time with its flags as bit masks (bit i: the i-th person)."""

    __slots__ = ("clock", "key", "night", "option", "out", "stamp")

    def __init__(self, clock: time, option: Option,
                 key: tuple[int, int, int, int, datetime]) -> None:
        self.clock, self.option, self.key = clock, option, key
        self.stamp = option.start_utc.timestamp()
        self.night = sum(1 << i for i, c in enumerate(option.costs) if c.night)
        self.out = sum(1 << i for i, c in enumerate(option.costs) if not c.inside)


def _most(masks: Sequence[int]) -> int:
    """The largest number of masks that share a bit: who carries the most turns."""
    for count in range(len(masks), 0, -1):
        for group in itertools.combinations(masks, count):
            common = group[0]
            for mask in group[1:]:
                common &= mask
            if common:
                return count
    return 0


def _set_key(combo: Sequence[_Turn], per: int, worst_night: int) -> tuple:
    """Per-turn averages times `per` (a common denominator over the sizes compared), so
    integers compare exactly: two turns out of three against one out of two."""
    return (worst_night, sum(t.night.bit_count() for t in combo) * per,
            _most([t.out for t in combo]) * per,
            sum(t.key[1] for t in combo) * per, sum(t.key[2] for t in combo) * per,
            sum(t.key[3] for t in combo) * per, len(combo), sorted(t.stamp for t in combo))


def _apart(a: _Turn, b: _Turn) -> float:
    apart = abs(a.stamp - b.stamp) % 86_400
    return min(apart, 86_400 - apart)
