"""Split shifts ("09:00-12:00 14:00-18:00 Mon-Fri") everywhere hours are used: storage,
the query functions, suggestions, fairness and check-in days."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from domain.availability import Person, Scorer
from domain.hours import HoursError, Shift, WorkingHours, minutes_outside, parse_hours, read_hours
from domain.suggest import option_for, suggest
from domain.zones import zone_info

WEEKDAYS = frozenset(range(5))
SPLIT = WorkingHours(shifts=[Shift(time(9), time(12), WEEKDAYS),
                             Shift(time(14), time(18), WEEKDAYS)])
MONDAY = datetime(2026, 6, 1)  # a Monday


def test_parsed_and_stored() -> None:
    assert parse_hours("09:00-12:00 14:00-18:00 Mon-Fri") == SPLIT
    assert SPLIT.to_storage() == "09:00-12:00,14:00-18:00 0,1,2,3,4"
    assert WorkingHours.from_storage(SPLIT.to_storage()) == SPLIT
    assert SPLIT.describe() == "09:00–12:00, 14:00–18:00 Mon–Fri"


def test_old_rows_still_read() -> None:
    """Rows written before split shifts keep their form, so no migration is needed."""
    old = WorkingHours.from_storage("09:00-17:00 0,1,2,3,4")
    assert old == WorkingHours(time(9), time(17), WEEKDAYS)
    assert old.to_storage() == "09:00-17:00 0,1,2,3,4"


def test_groups_of_days() -> None:
    hours = parse_hours("09:00-17:00 Mon-Thu; 09:00-13:00 Fri")
    assert hours.to_storage() == "09:00-17:00 0,1,2,3;09:00-13:00 4"
    assert hours.contains(MONDAY + timedelta(days=4, hours=12))
    assert not hours.contains(MONDAY + timedelta(days=4, hours=14))
    assert hours.contains(MONDAY + timedelta(hours=16))


@pytest.mark.parametrize(("text", "message"), [
    ("09:00-13:00 12:00-18:00", "overlap"),
    ("22:00-06:00 Mon; 05:00-09:00 Tue", "overlap"),
    ("1-2 3-4 5-6 7-8 9-10 11-12 13-14", "At most 6 shifts"),
])
def test_refused(text: str, message: str) -> None:
    with pytest.raises(HoursError, match=message):
        parse_hours(text)


def test_the_break_is_outside() -> None:
    assert SPLIT.contains(MONDAY + timedelta(hours=11))
    assert not SPLIT.contains(MONDAY + timedelta(hours=13))
    assert SPLIT.days == WEEKDAYS
    lunch = MONDAY + timedelta(hours=12, minutes=30)
    assert minutes_outside(SPLIT, lunch, timedelta(hours=1)) == 60
    assert minutes_outside(SPLIT, MONDAY + timedelta(hours=11), timedelta(hours=4)) == 120
    assert minutes_outside(SPLIT, MONDAY + timedelta(hours=9), timedelta(hours=3)) == 0


def outside_kind(hours: WorkingHours, local: datetime, duration: timedelta) -> str | None:
    """How `!fairness` files a meeting for one member (naive local times read as UTC)."""
    start = local.replace(tzinfo=UTC) if local.tzinfo is None else local
    return Scorer([Person("@p:x", "UTC", hours)]).costs(start, duration)[0].kind


def test_fairness_counts_the_break() -> None:
    assert outside_kind(SPLIT, MONDAY + timedelta(hours=12, minutes=15), timedelta(hours=1)) \
        == "late"  # nearer the end of the morning than the start of the afternoon
    assert outside_kind(SPLIT, MONDAY + timedelta(hours=13, minutes=30), timedelta(minutes=30)) \
        == "early"
    assert outside_kind(SPLIT, MONDAY + timedelta(hours=10), timedelta(hours=1)) is None
    assert outside_kind(SPLIT, MONDAY + timedelta(days=5, hours=10), timedelta(hours=1)) == "off"


def test_suggestions_avoid_the_break() -> None:
    """Two people in one zone, one with a lunch break: the break is never a best slot."""
    people = [Person("@a:x", "Africa/Nairobi", SPLIT),
              Person("@b:x", "Africa/Nairobi", WorkingHours(time(9), time(18), WEEKDAYS))]
    start = datetime(2026, 6, 1, 5, 0, tzinfo=UTC)  # 08:00 in Nairobi, Monday
    hour = timedelta(hours=1)
    by_hour = {(start + k * hour).astimezone(ZoneInfo("Africa/Nairobi")).hour:
               option_for(people, start + k * hour, hour).inside for k in range(12)}
    assert by_hour[9] == by_hour[11] == by_hour[14] == 2
    assert by_hour[12] == by_hour[13] == 1
    found = suggest(people, hour, start, start + timedelta(hours=12))
    lunch_hours = {12, 13}
    assert all(o.start_utc.astimezone(ZoneInfo("Africa/Nairobi")).hour not in lunch_hours
               for o in found.options if o.inside == 2)
    assert found.options[0].inside == 2
    lunch = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)  # 12:30 in Nairobi
    assert option_for(people, lunch, timedelta(minutes=30)).costs[0].distance > 0


@st.composite
def split_hours(draw: st.DrawFn) -> WorkingHours:
    starts = sorted(draw(st.sets(st.integers(0, 22), min_size=1, max_size=3)))
    shifts = []
    days = draw(st.frozensets(st.integers(0, 6), min_size=1))
    for n, hour in enumerate(starts):
        limit = starts[n + 1] if n + 1 < len(starts) else hour + 10
        end = draw(st.integers(hour + 1, limit))
        shifts.append(Shift(time(hour), time(end % 24), days))
    try:
        return WorkingHours(shifts=shifts)
    except HoursError:  # a last shift running past midnight into the first: not this test's
        return WorkingHours(shifts=shifts[:1])


@settings(max_examples=60, deadline=None)
@given(hours=split_hours(), zone=st.sampled_from(["Africa/Nairobi", "America/Santiago",
                                                    "Asia/Kathmandu", "Europe/Lisbon"]),
       start=st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC)),
       minutes=st.integers(15, 240))
def test_suggestions_see_every_shift(hours: WorkingHours, zone: str, start: datetime,
                                     minutes: int) -> None:
    """Ranking counts a slot inside exactly when `minutes_outside` does (away from a clock
    change, where the two may place a shift that starts in the skipped hour differently)."""
    person = Person("@p:x", zone, hours)
    length = timedelta(minutes=minutes)
    slot = start.replace(minute=start.minute // 15 * 15, second=0, microsecond=0)
    local = slot.astimezone(zone_info(zone))
    assume(local.utcoffset() == (local - timedelta(days=1)).utcoffset()
           == (local + timedelta(days=1)).utcoffset())
    outside = minutes_outside(hours, local, length)
    [option] = suggest([person], length, slot, slot + timedelta(minutes=1)).options
    assert option.inside == (outside == 0)
    assert option.costs[0].outside == outside


def test_nine_to_five_is_read_and_said() -> None:
    hours, notes = read_hours("9-5 mon-fri")
    assert hours == WorkingHours(time(9), time(17), WEEKDAYS)
    assert notes == ('I read "9-5" as 09:00–17:00; for a night shift write 21:00-05:00.',)
    assert read_hours("22-6")[1] == ()
    assert read_hours("09:00-05:00")[0] == WorkingHours(time(9), time(5), WEEKDAYS)
