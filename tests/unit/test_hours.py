"""Working hours: parsing, describing, storing, and measuring meetings against them."""

from __future__ import annotations

import contextlib
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.hours import HoursError, WorkingHours, minutes_outside, parse_hours

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
WEEKDAYS = frozenset({MON, TUE, WED, THU, FRI})
NINE_TO_FIVE = WorkingHours(time(9), time(17), WEEKDAYS)
NIGHT_SHIFT = WorkingHours(time(22), time(6), frozenset({MON, TUE, WED, THU, FRI}))
# 2026-06-01 is a Monday.
MONDAY = datetime(2026, 6, 1)


def at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    return MONDAY + timedelta(days=day_offset, hours=hour, minutes=minute)


@pytest.mark.parametrize(
    ("text", "start", "end", "days"),
    [
        ("09:00-17:00 Mon-Fri", time(9), time(17), WEEKDAYS),
        ("9-17 Sun-Thu", time(9), time(17), {SUN, MON, TUE, WED, THU}),
        ("9am-5pm mon,tue,wed", time(9), time(17), {MON, TUE, WED}),
        ("08:30–16:30 Sat-Wed", time(8, 30), time(16, 30), {SAT, SUN, MON, TUE, WED}),
        ("10:00-18:00", time(10), time(18), WEEKDAYS),
        ("9:00-17:00 weekdays", time(9), time(17), WEEKDAYS),
        ("9-17 everyday", time(9), time(17), set(range(7))),
        ("9-17 daily", time(9), time(17), set(range(7))),
        ("9-17 every day", time(9), time(17), set(range(7))),
        ("09:00 - 13:00 Monday, Wednesday and Friday", time(9), time(13), {MON, WED, FRI}),
        ("Mon-Fri 9-17", time(9), time(17), WEEKDAYS),
        ("9 to 5:30pm TUES thurs", time(9), time(17, 30), {TUE, THU}),
        ("12am-12pm sat sun", time(0), time(12), {SAT, SUN}),
        ("9.30am - 1 p.m. weekend", time(9, 30), time(13), {SAT, SUN}),
        ("22:00-06:00 Mon-Fri", time(22), time(6), WEEKDAYS),
        ("14:00-24:00 fri", time(14), time(0), {FRI}),
        ("9-17 Fri-Mon", time(9), time(17), {FRI, SAT, SUN, MON}),
    ],
)
def test_parse_hours(text: str, start: time, end: time, days: set[int]) -> None:
    assert parse_hours(text) == WorkingHours(start, end, frozenset(days))


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("25:61-17:00", '"25:61" is not a time of day.'),
        ("9-17:75 mon", '"17:75" is not a time of day.'),
        ("13pm-5pm", '"13pm" is not a time of day.'),
        ("9-17 Mon-Fry", '"fry" is not a day of the week.'),
        ("9-17 funday", '"funday" is not a day of the week.'),
        ("9-17 mon-", '"mon-" is not a range of days.'),
        ("09:00-09:00", "both 09:00"),
        ("whenever", "Could not find a time range"),
        ("", "Could not find a time range"),
    ],
)
def test_parse_hours_rejects_and_names_bad_part(text: str, named: str) -> None:
    with pytest.raises(HoursError) as caught:
        parse_hours(text)
    assert named in str(caught.value)


def test_hours_error_is_value_error() -> None:
    assert issubclass(HoursError, ValueError)


@pytest.mark.parametrize(
    ("hours", "text"),
    [
        (NINE_TO_FIVE, "09:00–17:00 Mon–Fri"),
        (
            WorkingHours(time(9), time(17), frozenset({SUN, MON, TUE, WED, THU})),
            "09:00–17:00 Sun–Thu",
        ),
        (WorkingHours(time(9), time(13), frozenset({MON, WED, FRI})), "09:00–13:00 Mon, Wed, Fri"),
        (
            WorkingHours(time(9), time(17), frozenset({MON, TUE, WED, FRI})),
            "09:00–17:00 Mon–Wed, Fri",
        ),
        (WorkingHours(time(9), time(17), frozenset({SAT, SUN})), "09:00–17:00 Sat, Sun"),
        (WorkingHours(time(8, 30), time(16, 30), frozenset(range(7))), "08:30–16:30 every day"),
        (NIGHT_SHIFT, "22:00–06:00 Mon–Fri"),
    ],
)
def test_describe(hours: WorkingHours, text: str) -> None:
    assert hours.describe() == text


def test_storage_round_trip() -> None:
    assert NINE_TO_FIVE.to_storage() == "09:00-17:00 0,1,2,3,4"
    assert WorkingHours.from_storage("09:00-17:00 0,1,2,3,4") == NINE_TO_FIVE
    assert WorkingHours.from_storage(NIGHT_SHIFT.to_storage()) == NIGHT_SHIFT


@pytest.mark.parametrize(
    "stored", ["", "9-17 0,1", "09:00-17:00", "09:00-17:00 7", "25:00-17:00 0"]
)
def test_from_storage_is_strict(stored: str) -> None:
    with pytest.raises(HoursError):
        WorkingHours.from_storage(stored)


def test_constructor_rejects_empty_shift_and_no_days() -> None:
    with pytest.raises(HoursError):
        WorkingHours(time(9), time(9), WEEKDAYS)
    with pytest.raises(HoursError):
        WorkingHours(time(9), time(17), frozenset())
    with pytest.raises(HoursError):
        WorkingHours(time(9), time(17), frozenset({7}))


def test_contains_day_shift_edges() -> None:
    assert NINE_TO_FIVE.contains(at(0, 9))  # start is inside
    assert NINE_TO_FIVE.contains(at(0, 16, 59))
    assert not NINE_TO_FIVE.contains(at(0, 17))  # end is exclusive
    assert not NINE_TO_FIVE.contains(at(0, 8, 59))
    assert not NINE_TO_FIVE.contains(at(5, 12))  # Saturday


def test_contains_overnight_belongs_to_start_day() -> None:
    assert NIGHT_SHIFT.contains(at(0, 23))  # Monday night
    assert NIGHT_SHIFT.contains(at(1, 5, 59))  # Tuesday early, Monday's shift
    assert not NIGHT_SHIFT.contains(at(1, 6))
    assert not NIGHT_SHIFT.contains(at(0, 3))  # Monday early would be Sunday's shift
    assert NIGHT_SHIFT.contains(at(5, 3))  # Saturday early: Friday's shift
    assert not NIGHT_SHIFT.contains(at(5, 23))  # Saturday night: off


def test_contains_ignores_tzinfo_and_uses_wall_clock() -> None:
    kathmandu = ZoneInfo("Asia/Kathmandu")
    assert NINE_TO_FIVE.contains(at(0, 9).replace(tzinfo=kathmandu))


def test_minutes_outside_edges() -> None:
    hour = timedelta(hours=1)
    assert minutes_outside(NINE_TO_FIVE, at(0, 9), hour) == 0
    assert minutes_outside(NINE_TO_FIVE, at(0, 16), hour) == 0  # ends exactly at 17:00
    assert minutes_outside(NINE_TO_FIVE, at(0, 16, 30), hour) == 30
    assert minutes_outside(NINE_TO_FIVE, at(0, 8, 45), hour) == 15
    assert minutes_outside(NINE_TO_FIVE, at(0, 17), hour) == 60
    assert minutes_outside(NINE_TO_FIVE, at(5, 10), hour) == 60  # Saturday: all of it
    assert minutes_outside(NINE_TO_FIVE, at(6, 10), timedelta(minutes=90)) == 90
    assert minutes_outside(NINE_TO_FIVE, at(0, 8), timedelta(hours=10)) == 120
    assert minutes_outside(NINE_TO_FIVE, at(0, 10), timedelta(0)) == 0


def test_minutes_outside_overnight() -> None:
    assert minutes_outside(NIGHT_SHIFT, at(0, 23, 30), timedelta(hours=1)) == 0  # across midnight
    assert minutes_outside(NIGHT_SHIFT, at(1, 5, 30), timedelta(hours=1)) == 30
    assert minutes_outside(NIGHT_SHIFT, at(0, 21, 30), timedelta(hours=1)) == 30
    assert minutes_outside(NIGHT_SHIFT, at(5, 23), timedelta(hours=1)) == 60  # Sat night off


def test_minutes_outside_with_wrapping_days() -> None:
    sun_thu = parse_hours("9-17 Sun-Thu")
    assert minutes_outside(sun_thu, at(6, 10), timedelta(hours=1)) == 0  # Sunday works
    assert minutes_outside(sun_thu, at(4, 10), timedelta(hours=1)) == 60  # Friday off


def test_minutes_outside_counts_real_time_across_dst() -> None:
    # New York springs forward on 2026-03-08 at 02:00 -> 03:00.
    new_york = ZoneInfo("America/New_York")
    night = WorkingHours(time(22), time(3), frozenset({SAT}))
    start = datetime(2026, 3, 7, 23, 0, tzinfo=new_york)  # Saturday 23:00
    # Real time 23:00 -> 03:00 local is only three hours; the fourth hour is outside.
    assert minutes_outside(night, start, timedelta(hours=4)) == 60


def test_minutes_outside_aware_matches_naive_on_plain_days() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")
    naive = minutes_outside(NINE_TO_FIVE, at(0, 16, 30), timedelta(hours=1))
    aware = minutes_outside(NINE_TO_FIVE, at(0, 16, 30).replace(tzinfo=kolkata), timedelta(hours=1))
    assert naive == aware == 30


@given(st.text(max_size=300))
def test_parse_hours_only_raises_hours_error(text: str) -> None:
    try:
        hours = parse_hours(text)
    except HoursError:
        return
    assert WorkingHours.from_storage(hours.to_storage()) == hours
    assert hours.describe()


@given(
    st.text(alphabet="0123456789:.-– apmAPMonTueWdhFrSaSuyk,", max_size=40),
)
def test_parse_hours_near_miss_inputs_only_raise_hours_error(text: str) -> None:
    with contextlib.suppress(HoursError):
        parse_hours(text)
