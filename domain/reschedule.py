"""When a series changes (its time, its days or its rule), what was decided about its
upcoming occurrences follows it: skipped dates, moved occurrences, agenda items, rota skips
and swaps. Decisions are keyed by an occurrence's original wall time, which a change of
series rewrites, so each one must be carried to the new occurrence it belongs to.

The rule, in time order from now: each upcoming occurrence of the old series goes to the
nearest occurrence of the new series that is still free and ahead, if that one is closer
than the old occurrence's own neighbours were, and at most three days away. A 14:00
meeting moved to 16:00 keeps its dates; a Monday meeting moved to Tuesday goes to the
next day; a weekly meeting made fortnightly keeps the weeks it still meets and loses the
others; a daily one keeps only the days it still meets. What finds no new occurrence is
dropped, and the caller says so; the caller also shows the new date of what moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.recurrence import Series, occurrences
from domain.when import localize

__all__ = ["MAX_REACH_DAYS", "Carried", "CarryOver"]

MAX_REACH_DAYS = 3
_LOOK_AROUND = timedelta(days=2 * MAX_REACH_DAYS + 2)


@dataclass(frozen=True)
class Carried:
    """One decision about an occurrence, and where it went: `what` names it for the reply
    (already in the reader's language), `new` is None when it was dropped."""

    what: str
    old: datetime
    new: datetime | None


class CarryOver:
    """Where each upcoming occurrence of `old` goes in `new` (None: nowhere, dropped).

    The answer for one occurrence depends only on the occurrences before it, so it is
    computed lazily, as far as asked, and is the same whoever asks (meetings or rotas).
    """

    def __init__(self, old: Series, new: Series, now: datetime) -> None:
        self.old, self.new, self.now = old, new, now
        self._target: dict[datetime, datetime | None] = {}
        self._taken: set[datetime] = set()
        self._until = now

    def is_ahead(self, original: datetime) -> bool:
        """True if `original` is an occurrence of the old series that had not started."""
        self._extend(original)
        return original in self._target

    def target(self, original: datetime) -> datetime | None:
        """The new original wall time for `original` (an upcoming old one), or None."""
        self._extend(original)
        return self._target.get(original)

    def start_of(self, new_original: datetime) -> datetime:
        """The UTC start of an occurrence of the new series, by its original wall time."""
        for occurrence in occurrences(self.new, *self._around(new_original, self.new)):
            if occurrence.original_local == new_original:
                return occurrence.start_utc
        return localize(new_original, self.new.zone)[0]

    # ---- how it is computed --------------------------------------------------------------
    def _around(self, wall: datetime, series: Series) -> tuple[datetime, datetime]:
        """UTC bounds a little wider than `wall` ± the reach, in `series`' zone."""
        instant = localize(wall, series.zone)[0]
        return instant - _LOOK_AROUND, instant + _LOOK_AROUND

    def _extend(self, original: datetime) -> None:
        end = localize(original, self.old.zone)[0] + timedelta(minutes=1)
        if end <= self._until:
            return
        upcoming = occurrences(self.old, self._until, end, limit=100_000)
        for occurrence in upcoming:
            if occurrence.start_utc > self.now and occurrence.original_local not in self._target:
                self._target[occurrence.original_local] = self._place(
                    occurrence.original_local)
        self._until = end

    def _place(self, original: datetime) -> datetime | None:
        if self.old.rule is None or self.new.rule is None:
            # A one-off meeting, or a series turned into one: the meeting itself moved.
            only = self.new.start_local
            return None if only in self._taken or not self._ahead_in_new(only) else \
                self._take(only)
        reach = self._reach(original)
        candidates = [o.original_local
                      for o in occurrences(self.new, *self._around(original, self.new))
                      if abs((o.original_local.date() - original.date()).days) <= reach
                      and o.original_local not in self._taken and o.start_utc > self.now]
        if not candidates:
            return None
        return self._take(min(candidates, key=lambda o: (abs((o.date() - original.date()).days),
                                                           abs(o - original))))

    def _reach(self, original: datetime) -> int:
        """How many days away the new occurrence may be: less than half the gap to the old
        occurrence's nearest neighbour, so it can't be mistaken for the neighbour's."""
        days = sorted({o.original_local.date()
                       for o in occurrences(self.old, *self._around(original, self.old))})
        gaps = [abs((day - original.date()).days) for day in days if day != original.date()]
        gap = min(gaps, default=2 * MAX_REACH_DAYS + 1)
        return max(0, min(MAX_REACH_DAYS, (gap - 1) // 2))

    def _ahead_in_new(self, wall: datetime) -> bool:
        return localize(wall, self.new.zone)[0] > self.now

    def _take(self, new_original: datetime) -> datetime:
        self._taken.add(new_original)
        return new_original
