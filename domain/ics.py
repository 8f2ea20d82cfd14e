"""Export a meeting series as an RFC 5545 calendar, so members can add it to their own apps.

How the series is written:

- Times are written as wall-clock times with TZID=<zone> plus a VTIMEZONE, so calendar apps
  keep a 14:00 meeting at 14:00 local time across DST, exactly like `recurrence` does.
  A start inside a spring-forward gap is written as typed; RFC 5545 moves it forward by
  the gap, as `when.localize` does.
- Fixed offsets ("UTC+03:00") and "UTC" are written in UTC, which every app understands,
  as long as the meeting falls on the same date in UTC. If it would not (06:00 at
  UTC+08:00 is the previous day in UTC), weekly BYDAY rules would point at the wrong day,
  so those get a one-line VTIMEZONE with TZID=<key> instead.
- UNTIL is converted to UTC, as RFC 5545 requires next to a zoned DTSTART.
- DTSTART is the first real occurrence (the series start may not match the rule).
- Skipped occurrences become EXDATEs; moved ones become VEVENTs with a RECURRENCE-ID,
  written in UTC at their new time.
- Alternating-times series become one repeating VEVENT per time, each with INTERVAL
  multiplied by the number of times: the first with UID <uid> for occurrences 0, 2, 4...
  (or 0, 3, 6... with three times), the second with UID <uid>-alt for 1, 3, 5... at the
  alternate time, a third with UID <uid>-alt2. COUNT is split between them; the others'
  UNTIL is shifted by the difference between their time and the first, so all stop after
  the same date.
- A one-off meeting that was skipped is exported with STATUS:CANCELLED.
- Every VEVENT carries SEQUENCE, the meeting's revision (how many times it was changed), so
  a calendar that imported an older file takes the new one as the newer version.
- VTIMEZONE parts are written from zoneinfo's own transitions, each DTSTART in the local
  time in force *before* the change (RFC 5545 3.6.5): Beirut's spring change is at 00:00,
  New York's at 02:00. Every transition is listed by RDATE, so irregular rules (Morocco
  around Ramadan, Egypt, Lebanon) are exact too.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta, timezone

from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vRecur,
)

from domain.recurrence import Occurrence, Override, Series, occurrence_on, occurrences
from domain.when import localize
from domain.zones import zone_info

__all__ = ["series_to_ics"]

_PRODID = "-//Minga//EN"
_TIMEZONE_YEARS = 20  # VTIMEZONE rules are spelled out this far past the later of start and now
_STEP = timedelta(days=5)  # shorter than any period between two changes of a zone


def series_to_ics(
    *,
    uid: str,
    title: str,
    series: Series,
    overrides: Mapping[datetime, Override],
    description: str | None = None,
    url: str | None = None,
    now_utc: datetime,
    sequence: int = 0,
) -> bytes:
    """The series as a .ics file (see module doc for how each part is written)."""
    cal = Calendar()
    cal.add("prodid", _PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    writer = _Writer(series, uid, title, description, url, now_utc.astimezone(UTC), sequence)
    for event in writer.events(overrides):
        cal.add_component(event)
    tz = zone_info(series.zone)
    if isinstance(tz, timezone):
        if not writer.in_utc:
            cal.subcomponents.insert(0, _fixed_vtimezone(series.zone, tz))
    else:
        start_year = max(series.start_local.year, now_utc.year)
        first = min(series.start_local.date(), now_utc.date()) - timedelta(days=1)
        cal.subcomponents.insert(0, vtimezone(series.zone, first,
                                              date(start_year + _TIMEZONE_YEARS, 1, 1)))
    return cal.to_ical()


class _Writer:
    """Builds the VEVENTs for one series; knows how its times must be written."""

    def __init__(
        self,
        series: Series,
        uid: str,
        title: str,
        description: str | None,
        url: str | None,
        now_utc: datetime,
        sequence: int = 0,
    ) -> None:
        self.series, self.uid, self.title = series, uid, title
        self.description, self.url, self.now_utc = description, url, now_utc
        self.sequence = sequence
        self.tz = zone_info(series.zone)
        times = series.turn_times
        self.in_utc = isinstance(self.tz, timezone) and all(map(self._same_date_in_utc, times))

    def events(self, overrides: Mapping[datetime, Override]) -> list[Event]:
        series = self.series
        if series.rule is None:
            return [self._one_off(overrides)]
        begin = localize(series.start_local, series.zone)[0] - timedelta(days=3)
        turns = len(series.turn_times)
        first = occurrences(series, begin, begin + timedelta(days=36525), limit=turns)
        if not first:
            return []
        masters = [self._master(self.uid, first[0].original_local, turns, 0)]
        for index, turn in enumerate(first[1:], 1):
            uid = f"{self.uid}-alt" if index == 1 else f"{self.uid}-alt{index}"
            masters.append(self._master(uid, self._wall(turn), turns, index))
        moved: list[Event] = []
        for original, override in sorted(overrides.items()):
            occurrence = occurrence_on(series, original.date())
            if occurrence is None or occurrence.original_local != original:
                continue  # no longer an occurrence of this series
            master = masters[occurrence.index % len(masters)]
            if override.skipped:
                master.add("exdate", [self._stamp(self._wall(occurrence))])
            elif override.new_start_utc is not None:
                moved.append(self._moved(master, occurrence, override.new_start_utc))
        return masters + moved

    def _master(self, uid: str, wall: datetime, factor: int, turn: int) -> Event:
        """The VEVENT of turn number `turn` out of `factor` (see module doc)."""
        event = self._event(uid, self._stamp(wall))
        recur = vRecur.from_ical(self.series.rule or "")
        interval = int(recur.get("INTERVAL", [1])[0])
        if factor > 1:
            recur["INTERVAL"] = [interval * factor]
        if "COUNT" in recur and factor > 1:
            count = int(recur["COUNT"][0])  # the earlier turns take the extra ones
            recur["COUNT"] = [(count - turn + factor - 1) // factor]
        if "UNTIL" in recur:
            until = recur["UNTIL"][0]
            if turn:
                until += _time_gap(self.series.start_local.time(), wall.time())
            recur["UNTIL"] = [localize(until, self.series.zone)[0]]
        event.add("rrule", recur)
        return event

    def _moved(self, master: Event, occurrence: Occurrence, new_start: datetime) -> Event:
        event = self._event(str(master["uid"]), new_start.astimezone(UTC))
        event.add("recurrence-id", self._stamp(self._wall(occurrence)))
        return event

    def _one_off(self, overrides: Mapping[datetime, Override]) -> Event:
        series = self.series
        occurrence = occurrence_on(series, series.start_local.date(), overrides)
        if occurrence is None:  # skipped: say so rather than drop it silently
            event = self._event(self.uid, self._stamp(series.start_local))
            event.add("status", "CANCELLED")
            return event
        if occurrence.moved:
            return self._event(self.uid, occurrence.start_utc)
        return self._event(self.uid, self._stamp(series.start_local))

    def _event(self, uid: str, start: datetime) -> Event:
        event = Event()
        event.add("uid", uid)
        event.add("dtstamp", self.now_utc)
        event.add("summary", self.title)
        event.add("dtstart", start)
        event.add("dtend", start + self.series.duration)
        event.add("sequence", self.sequence)
        if self.description:
            event.add("description", self.description)
        if self.url:
            event.add("url", self.url)
        return event

    def _wall(self, occurrence: Occurrence) -> datetime:
        """The wall time an occurrence is listed under in its master VEVENT."""
        series = self.series
        if series.alternate_local_times and occurrence.index % len(series.turn_times):
            return datetime.combine(occurrence.original_local.date(),
                                    series.turn_time(occurrence.index))
        return occurrence.original_local

    def _stamp(self, wall: datetime) -> datetime:
        if self.in_utc:
            return localize(wall, self.series.zone)[0]
        return wall.replace(tzinfo=self.tz)

    def _same_date_in_utc(self, clock: time) -> bool:
        day = date(2000, 1, 3)
        return datetime.combine(day, clock, self.tz).astimezone(UTC).date() == day


def _time_gap(base: time, other: time) -> timedelta:
    day = date(2000, 1, 3)
    return datetime.combine(day, other) - datetime.combine(day, base)


def _fixed_vtimezone(key: str, tz: timezone) -> Timezone:
    """A VTIMEZONE for a fixed offset: one STANDARD part that never changes."""
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1970, 1, 1))
    standard.add("tzoffsetfrom", tz.utcoffset(None))
    standard.add("tzoffsetto", tz.utcoffset(None))
    standard.add("tzname", key)
    vtimezone = Timezone()
    vtimezone.add("tzid", key)
    vtimezone.add_component(standard)
    return vtimezone


@functools.lru_cache(maxsize=64)
def transitions(zone: str, first: date, last: date) -> list[tuple[datetime, timedelta,
                                                                  timedelta, str, bool]]:
    """zoneinfo's changes in [first, last): (UTC instant, offset before, offset after, name
    after, daylight saving after?). Found a few days at a time (no zone changes twice within
    _STEP), then to the second by bisection."""
    tz = zone_info(zone)
    found = []

    def state(instant: datetime) -> tuple[timedelta, str, bool]:
        local = instant.astimezone(tz)
        return (local.utcoffset() or timedelta(0), local.tzname() or zone,
                bool(local.dst()))

    instant = datetime.combine(first, time(0), UTC)
    end = datetime.combine(last, time(0), UTC)
    before = state(instant)
    while instant < end:
        following = min(instant + _STEP, end)
        after = state(following)
        if after != before:
            lo, hi = instant, following
            while hi - lo > timedelta(seconds=1):
                middle = lo + (hi - lo) / 2
                lo, hi = (middle, hi) if state(middle) == before else (lo, middle)
            changed = state(hi)
            found.append((hi.replace(microsecond=0), before[0], changed[0], changed[1],
                          changed[2]))
            before = changed
            if changed != after:  # a second change on the same day: look again from here
                following = hi
        instant = following
        before = state(instant)
    return found


def vtimezone(zone: str, first: date, last: date) -> Timezone:
    """A VTIMEZONE for `zone` valid from `first` to `last` (see module doc)."""
    tz = zone_info(zone)
    vtz = Timezone()
    vtz.add("tzid", zone)
    start = datetime.combine(first, time(0), UTC).astimezone(tz)
    offset = start.utcoffset() or timedelta(0)
    initial = TimezoneDaylight() if start.dst() else TimezoneStandard()
    initial.add("dtstart", start.replace(tzinfo=None))
    initial.add("tzoffsetfrom", offset)
    initial.add("tzoffsetto", offset)
    initial.add("tzname", start.tzname() or zone)
    vtz.add_component(initial)
    groups: dict[tuple[timedelta, timedelta, str, bool], list[datetime]] = {}
    for instant, before, after, name, daylight in transitions(zone, first, last):
        # DTSTART and RDATE are local times as they read before the change.
        groups.setdefault((before, after, name, daylight), []).append(
            (instant + before).replace(tzinfo=None))
    for (before, after, name, daylight), onsets in sorted(groups.items(),
                                                          key=lambda g: g[1][0]):
        part = TimezoneDaylight() if daylight else TimezoneStandard()
        part.add("dtstart", onsets[0])
        if onsets[1:]:
            part.add("rdate", onsets[1:])
        part.add("tzoffsetfrom", before)
        part.add("tzoffsetto", after)
        part.add("tzname", name)
        vtz.add_component(part)
    return vtz
