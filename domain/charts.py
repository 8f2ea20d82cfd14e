"""What the overlap chart and the fairness chart show, as plain data (no drawing here).

The overlap chart is one local day of the reader (the member who asked), 24 hours across in
their zone: a row per member with the stretches of that day the member works and the
stretches that fall on the member's day off, and a band per option with the members for
whom it is outside working time. Options on other days than the drawn one keep their time
of day on the axis and their own day's verdict (who is outside that day); the renderer
says which day they are on. The drawn day is the best option's day.

The fairness chart is a row per member: meetings inside and outside their working time over
the period, by kind, and rota turns per role, sorted by who carries most.

Everything is measured in minutes from the reader's local midnight, on a quarter-hour grid:
every zone in use is a whole number of quarter hours from UTC, so quarter-hour samples catch
every edge of working time that the ranking itself can see.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from domain.availability import WorkingTime
from domain.zones import zone_info

_QUARTER = timedelta(minutes=15)


@dataclass(frozen=True)
class ChartMember:
    """Who a row is about: the name and place shown, and how to read their working time."""

    user_id: str
    name: str
    place: str
    zone: str
    hours: WorkingTime


@dataclass(frozen=True)
class ChartOption:
    """One option of the suggestion: its poll number, start, and who is outside their hours."""

    number: int
    start_utc: datetime
    duration: timedelta
    outside: frozenset[str]


@dataclass(frozen=True)
class Span:
    """[start, end) in minutes from the reader's local midnight of the drawn day."""

    start: int
    end: int


@dataclass(frozen=True)
class Row:
    user_id: str
    name: str
    place: str
    working: tuple[Span, ...]
    off: tuple[Span, ...]  # the parts of the drawn day that are the member's day off


@dataclass(frozen=True)
class Band:
    """An option on the axis; `day` is its local date in the reader's zone."""

    number: int
    span: Span
    day: date
    outside: tuple[int, ...]  # row indexes of members outside their working time

    def on(self, day: date) -> bool:
        return self.day == day


@dataclass(frozen=True)
class OverlapChart:
    zone: str  # the reader's zone: the axis is in it
    day: date  # the reader's local date drawn
    length: int  # minutes in that day (1380 or 1500 on a clock change)
    rows: tuple[Row, ...]
    bands: tuple[Band, ...]  # in option order; the first is the best

    @property
    def other_days(self) -> bool:
        return any(not band.on(self.day) for band in self.bands)


def overlap_chart(members: Sequence[ChartMember], options: Sequence[ChartOption],
                  reader_zone: str) -> OverlapChart:
    """The chart of the best option's day (the first option), in the reader's zone."""
    if not members or not options:
        raise ValueError("A chart needs members and options.")
    tz = zone_info(reader_zone)
    day = options[0].start_utc.astimezone(tz).date()
    midnight = datetime.combine(day, time(0), tz)
    after = datetime.combine(day + timedelta(days=1), time(0), tz)
    length = int((after - midnight).total_seconds() // 60)
    rows = tuple(_row(member, midnight, length) for member in members)
    index = {member.user_id: i for i, member in enumerate(members)}
    bands = []
    for option in options:
        local = option.start_utc.astimezone(tz)
        start = local.hour * 60 + local.minute
        end = start + int(option.duration.total_seconds() // 60)
        if local.date() == day:
            start = int((option.start_utc - midnight).total_seconds() // 60)
            end = start + int(option.duration.total_seconds() // 60)
        outside = tuple(sorted(index[u] for u in option.outside if u in index))
        bands.append(Band(option.number, Span(start, min(end, length)), local.date(), outside))
    return OverlapChart(reader_zone, day, length, rows, tuple(bands))


def _row(member: ChartMember, midnight: datetime, length: int) -> Row:
    tz = zone_info(member.zone)
    working: list[int] = []
    off: list[int] = []
    for minute in range(0, length, 15):
        local = (midnight + timedelta(minutes=minute)).astimezone(tz).replace(tzinfo=None)
        if member.hours.working(local):
            working.append(minute)
        elif member.hours.day_off(local.date()):
            off.append(minute)
    return Row(member.user_id, member.name, member.place, _spans(working), _spans(off))


def _spans(quarters: list[int]) -> tuple[Span, ...]:
    """Consecutive quarter-hour starts → the stretches they cover."""
    spans: list[Span] = []
    for minute in quarters:
        if spans and spans[-1].end == minute:
            spans[-1] = Span(spans[-1].start, minute + 15)
        else:
            spans.append(Span(minute, minute + 15))
    return tuple(spans)


# ---- fairness -------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadRow:
    user_id: str
    name: str
    inside: int
    early: int
    late: int
    off: int
    turns: tuple[int, ...]  # per role, in `FairnessChart.roles` order

    @property
    def outside(self) -> int:
        return self.early + self.late + self.off


@dataclass(frozen=True)
class FairnessChart:
    meetings: int
    days: int | None  # the period asked, None for all time
    roles: tuple[str, ...]
    rows: tuple[LoadRow, ...]  # who carries most first


def fairness_chart(meetings: int, days: int | None, roles: Sequence[str],
                   members: Sequence[tuple[str, str]],
                   outside: Mapping[str, Mapping[str, int]],
                   turns: Mapping[str, Mapping[str, int]]) -> FairnessChart | None:
    """Rows sorted by meetings outside hours, then rota turns, then name; None without data.

    `members` are (user id, name); `outside[user]` counts "early", "late" and "off";
    `turns[user][role]` the turns held.
    """
    if meetings == 0 and not any(sum(t.values()) for t in turns.values()):
        return None
    rows = []
    for user, name in members:
        kinds = outside.get(user, {})
        held = turns.get(user, {})
        early, late, off = (kinds.get(k, 0) for k in ("early", "late", "off"))
        rows.append(LoadRow(user, name, meetings - early - late - off, early, late, off,
                            tuple(held.get(role, 0) for role in roles)))
    rows.sort(key=lambda r: (-r.outside, -r.off, -sum(r.turns), r.name.casefold(), r.user_id))
    return FairnessChart(meetings, days, tuple(roles), tuple(rows))

