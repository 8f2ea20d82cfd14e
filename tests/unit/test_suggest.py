"""Suggesting meeting times: who is inside their hours, who pays for it, and how much."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.hours import WorkingHours, minutes_outside
from domain.suggest import (
    DAY_OFF_PENALTY,
    DEFAULT_HOURS,
    NIGHT_PENALTY,
    Candidate,
    Person,
    person_penalty,
    rank_slots,
)
from domain.zones import zone_info

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
MON_FRI = frozenset({MON, TUE, WED, THU, FRI})
SUN_THU = frozenset({SUN, MON, TUE, WED, THU})
HOUR = timedelta(hours=1)
# Mon 30 Nov 2026 00:00 UTC. Nairobi is UTC+3, Kolkata +05:30, Bogotá −5, none with DST.
WEEK = datetime(2026, 11, 30, tzinfo=UTC)
ALL = 10_000  # "top" large enough to see every slot

NAIROBI = Person("@nairobi:x", "Africa/Nairobi", DEFAULT_HOURS)
KOLKATA = Person("@kolkata:x", "Asia/Kolkata", DEFAULT_HOURS)
BOGOTA = Person("@bogota:x", "America/Bogota", WorkingHours(time(8), time(16), MON_FRI))


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in the week of WEEK (day 0 = Monday 30 Nov)."""
    return WEEK + timedelta(days=day, hours=hour, minutes=minute)


def local_start(person: Person, start: datetime) -> datetime:
    return start.astimezone(zone_info(person.zone))


# --- the three-continent group ---------------------------------------------------------------


def test_three_zones_have_no_common_hour_so_the_cheapest_person_is_left_out() -> None:
    # In UTC: Nairobi 06:00-14:00, Kolkata 03:30-11:30, Bogotá 13:00-21:00. Kolkata and Bogotá
    # never overlap; Nairobi and Bogotá share exactly 13:00-14:00 (16:00 Nairobi, 08:00 Bogotá,
    # 18:30 Kolkata).
    group = [NAIROBI, KOLKATA, BOGOTA]
    every = rank_slots(group, HOUR, WEEK, WEEK + timedelta(days=5), top=ALL, min_gap=timedelta(0))
    assert len(every) == 5 * 96
    assert max(c.inside for c in every) == 2

    best = every[0]
    assert best == Candidate(utc(0, 13), inside=2, penalty=150, outside=("@kolkata:x",))
    # 18:30-19:30 in Kolkata: 60 outside + 90 after the 17:00 close.
    assert f"{local_start(KOLKATA, best.start_utc):%H:%M}" == "18:30"
    assert person_penalty(KOLKATA, best.start_utc, HOUR) == 150

    # The best slot that leaves Bogotá out instead is 10:30 UTC, 05:30-06:30 in Bogotá:
    # 60 outside + 90 before the 08:00 start + 120 for the half hour before 06:00. Dearer.
    without_bogota = [c for c in every if c.outside == ("@bogota:x",)]
    assert without_bogota[0].start_utc == utc(0, 10, 30)
    assert without_bogota[0].penalty == 60 + 90 + NIGHT_PENALTY
    assert not any(c.outside == ("@nairobi:x",) for c in every)  # Kolkata+Bogotá never meet


def test_three_zones_default_pick_is_the_shared_hour_on_each_weekday() -> None:
    picks = rank_slots([NAIROBI, KOLKATA, BOGOTA], HOUR, WEEK, WEEK + timedelta(days=5))
    assert [c.start_utc for c in picks] == [utc(day, 13) for day in range(5)]
    assert all(c.inside == 2 and c.outside == ("@kolkata:x",) for c in picks)


# --- the penalty formula -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local_hour", "expected"),
    [
        (9, 0),  # inside
        (16, 0),  # 16:00-17:00 still inside
        (8, 60),  # 60 outside, touching the 09:00 start
        (7, 60 + 60),
        (6, 60 + 120),  # 06:00-07:00 is not night
        (17, 60),
        (22, 60 + 300),
        (5, 60 + 180 + NIGHT_PENALTY),
        (2, 60 + 360 + NIGHT_PENALTY),
        (23, 60 + 360 + NIGHT_PENALTY),
    ],
)
def test_penalty_for_a_nine_to_five_person(local_hour: int, expected: int) -> None:
    # Tuesday 1 Dec, Nairobi (UTC+3).
    start = datetime(2026, 12, 1, local_hour, tzinfo=zone_info("Africa/Nairobi"))
    assert person_penalty(NAIROBI, start, HOUR) == expected


def test_earlier_and_later_starts_hurt_strictly_more() -> None:
    def at(hour: int) -> int:
        start = datetime(2026, 12, 1, hour, tzinfo=zone_info("Africa/Nairobi"))
        return person_penalty(NAIROBI, start, HOUR)

    assert at(5) > at(6) > at(7) > at(8) > at(9) == 0
    assert at(2) > at(22) > at(20) > at(18) > at(17) > 0


def test_partial_overlap_costs_only_the_minutes_outside() -> None:
    start = datetime(2026, 12, 1, 8, 30, tzinfo=zone_info("Africa/Nairobi"))
    assert person_penalty(NAIROBI, start, HOUR) == 30


def test_a_day_off_outweighs_any_hour_of_a_working_day() -> None:
    nairobi = zone_info("Africa/Nairobi")
    saturday_noon = person_penalty(NAIROBI, datetime(2026, 12, 5, 12, tzinfo=nairobi), HOUR)
    saturday_night = person_penalty(NAIROBI, datetime(2026, 12, 5, 2, tzinfo=nairobi), HOUR)
    tuesday = datetime(2026, 12, 1, tzinfo=nairobi)
    worst_weekday = max(
        person_penalty(NAIROBI, tuesday + q * timedelta(minutes=15), HOUR) for q in range(96)
    )
    assert saturday_noon == DAY_OFF_PENALTY + 60
    assert saturday_night == DAY_OFF_PENALTY + 60 + NIGHT_PENALTY
    assert saturday_noon > worst_weekday


def test_zero_penalty_means_inside() -> None:
    nairobi = zone_info("Africa/Nairobi")
    for q in range(7 * 96):
        start = datetime(2026, 11, 30, tzinfo=nairobi) + q * timedelta(minutes=15)
        inside = minutes_outside(NAIROBI.hours, start, HOUR) == 0
        assert (person_penalty(NAIROBI, start, HOUR) == 0) == inside


# --- working weeks, odd offsets, night shifts, DST ------------------------------------------


def test_friday_saturday_weekend_gets_no_friday_proposal() -> None:
    # Tehran (UTC+03:30) works Sun-Thu; Bogotá Mon-Fri. Their hours barely touch, so every slot
    # leaves somebody out, and Friday (Bogotá inside, Tehran on a day off) is still avoided.
    tehran = Person("@tehran:x", "Asia/Tehran", WorkingHours(time(9), time(17), SUN_THU))
    start = datetime(2026, 11, 29, tzinfo=UTC)  # Sunday
    end = start + timedelta(days=7)
    picks = rank_slots([tehran, BOGOTA], HOUR, start, end, top=10)
    assert len(picks) == 10
    assert all(local_start(tehran, c.start_utc).weekday() not in (FRI, SAT) for c in picks)

    every = rank_slots([tehran, BOGOTA], HOUR, start, end, top=ALL, min_gap=timedelta(0))
    fridays = [c for c in every if local_start(tehran, c.start_utc).weekday() == FRI]
    assert any(c.inside == 1 for c in fridays)  # Friday was on offer, just ranked lower
    assert min(c.penalty for c in fridays) >= DAY_OFF_PENALTY
    friday_noon = datetime(2026, 12, 4, 12, tzinfo=zone_info("Asia/Tehran"))
    assert person_penalty(tehran, friday_noon, HOUR) == DAY_OFF_PENALTY + 60


def test_kathmandu_quarter_offset_lands_on_its_own_hours() -> None:
    # Kathmandu is UTC+05:45: 10:00 local is 04:15 UTC, still a UTC quarter hour.
    kathmandu = Person(
        "@ktm:x", "Asia/Kathmandu", WorkingHours(time(10), time(17), MON_FRI | {SUN})
    )
    start = utc(0, 3, 7)  # rounded up to 03:15 UTC, 09:00 in Kathmandu
    every = rank_slots(
        [kathmandu], HOUR, start, start + timedelta(days=1), top=ALL, min_gap=timedelta(0)
    )
    assert min(c.start_utc for c in every) == utc(0, 3, 15)
    assert all(c.start_utc.minute % 15 == 0 and c.start_utc.second == 0 for c in every)
    assert all(c.start_utc.microsecond == 0 and c.start_utc.tzinfo is UTC for c in every)

    picks = rank_slots([kathmandu], HOUR, start, start + timedelta(days=1), top=3)
    assert [c.start_utc for c in picks] == [utc(0, 4, 15), utc(0, 6, 15), utc(0, 8, 15)]
    assert [f"{local_start(kathmandu, c.start_utc):%H:%M}" for c in picks] == [
        "10:00",
        "12:00",
        "14:00",
    ]
    assert all(c.inside == 1 and c.penalty == 0 for c in picks)
    # 16:15-17:15 local is 15 minutes over.
    assert person_penalty(kathmandu, utc(0, 10, 30), HOUR) == 15


NIGHT_SHIFT = WorkingHours(time(22), time(6), MON_FRI)


@pytest.mark.parametrize(
    ("day", "hour", "expected"),
    [
        (MON, 23, 0),
        (TUE, 2, 0),  # Monday's shift
        (SAT, 2, 0),  # Friday's shift runs into Saturday
        (MON, 21, 60),  # touching the 22:00 start
        (SAT, 7, 60 + 60),  # Saturday is touched by Friday's shift, so not a day off
        (MON, 12, 60 + 540),  # nine hours before Monday's shift
        (SUN, 12, 60 + DAY_OFF_PENALTY),
        (MON, 2, 60 + 19 * 60 + NIGHT_PENALTY),  # a working day; its shift starts 19 h later
    ],
)
def test_overnight_shift_penalties(day: int, hour: int, expected: int) -> None:
    guard = Person("@guard:x", "Africa/Nairobi", NIGHT_SHIFT)
    start = datetime(2026, 11, 30, hour, tzinfo=zone_info("Africa/Nairobi")) + timedelta(days=day)
    assert person_penalty(guard, start, HOUR) == expected


def test_overnight_worker_meets_manila_morning() -> None:
    # Nairobi 22:00-06:00 is 19:00-03:00 UTC; Manila (UTC+8) 09:00-17:00 is 01:00-09:00 UTC.
    guard = Person("@guard:x", "Africa/Nairobi", NIGHT_SHIFT)
    manila = Person("@manila:x", "Asia/Manila", DEFAULT_HOURS)
    picks = rank_slots([guard, manila], HOUR, WEEK, WEEK + timedelta(days=2), top=2)
    # Mon 01:00 UTC would be Monday 04:00 in Nairobi, but no shift starts on Sunday.
    assert picks[0] == Candidate(utc(TUE, 1), inside=2, penalty=0, outside=())
    assert f"{local_start(guard, picks[0].start_utc):%a %H:%M}" == "Tue 04:00"
    assert f"{local_start(manila, picks[0].start_utc):%a %H:%M}" == "Tue 09:00"


def test_dst_change_moves_the_utc_start() -> None:
    # New York leaves DST on Sun 1 Nov 2026: 09:00 is 13:00 UTC on Friday, 14:00 UTC on Monday.
    new_york = Person("@nyc:x", "America/New_York", DEFAULT_HOURS)
    friday = datetime(2026, 10, 30, tzinfo=UTC)
    picks = rank_slots(
        [new_york], HOUR, friday, friday + timedelta(days=4), top=2, min_gap=timedelta(hours=12)
    )
    assert [c.start_utc for c in picks] == [
        datetime(2026, 10, 30, 13, tzinfo=UTC),
        datetime(2026, 11, 2, 14, tzinfo=UTC),
    ]
    assert person_penalty(new_york, datetime(2026, 11, 2, 13, tzinfo=UTC), HOUR) == 60


# --- selection, spacing, arguments ------------------------------------------------------------


def test_min_gap_spacing_and_top_count() -> None:
    group = [NAIROBI, KOLKATA]  # share 06:00-11:30 UTC on weekdays
    for top, gap in [(1, HOUR), (4, timedelta(hours=2)), (7, timedelta(hours=3)), (12, HOUR)]:
        picks = rank_slots(group, HOUR, WEEK, WEEK + timedelta(days=5), top=top, min_gap=gap)
        assert len(picks) == top
        starts = sorted(c.start_utc for c in picks)
        assert all(b - a >= gap for a, b in itertools.pairwise(starts))
    picks = rank_slots(group, HOUR, WEEK, WEEK + timedelta(days=1), top=5)
    # 06:00, 08:00 and 10:00 fit both (10:30 is the last); the rest of the day is ranked after.
    assert [c.start_utc for c in picks[:3]] == [utc(0, 6), utc(0, 8), utc(0, 10)]
    assert all(c.inside == 2 for c in picks[:3]) and all(c.inside < 2 for c in picks[3:])
    assert len(picks) == 5


def test_min_gap_zero_returns_neighbouring_slots() -> None:
    picks = rank_slots([NAIROBI], HOUR, WEEK, WEEK + timedelta(days=1), top=3, min_gap=timedelta(0))
    assert [c.start_utc for c in picks] == [utc(0, 6), utc(0, 6, 15), utc(0, 6, 30)]


def test_people_sharing_zone_and_hours_are_all_named() -> None:
    twin = Person("@twin:x", "Africa/Nairobi", DEFAULT_HOURS)
    picks = rank_slots([NAIROBI, BOGOTA, twin], HOUR, WEEK, WEEK + timedelta(days=1), top=1)
    assert picks == [Candidate(utc(0, 13), 3, 0, ())]
    late = rank_slots([NAIROBI, BOGOTA, twin], HOUR, utc(0, 14), utc(0, 15), top=1)
    assert late[0].outside == ("@nairobi:x", "@twin:x")
    assert late[0].penalty == 2 * person_penalty(NAIROBI, utc(0, 14), HOUR)


def test_step_grid_and_naive_datetimes() -> None:
    naive = datetime(2026, 11, 30, 6, 1)  # naive means UTC; rounds up to 07:00 on a 1 h grid
    picks = rank_slots([NAIROBI], HOUR, naive, naive + timedelta(hours=5), step=HOUR, top=ALL)
    assert [c.start_utc for c in picks] == [utc(0, 7), utc(0, 9), utc(0, 11)]
    assert rank_slots([NAIROBI], HOUR, utc(0, 7), utc(0, 7)) == []
    assert rank_slots([NAIROBI], HOUR, utc(0, 7, 1), utc(0, 7, 10)) == []  # no grid point
    assert rank_slots([NAIROBI], HOUR, utc(0, 7), utc(0, 7, 1)) != []  # end is exclusive only
    assert rank_slots([NAIROBI], HOUR, utc(0, 7), utc(0, 9), top=0) == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"people": []},
        {"duration": timedelta(0)},
        {"duration": -HOUR},
        {"step": timedelta(minutes=10)},
        {"step": timedelta(0)},
    ],
)
def test_bad_arguments(kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {
        "people": [NAIROBI],
        "duration": HOUR,
        "start_utc": WEEK,
        "end_utc": WEEK + timedelta(days=1),
    }
    args.update(kwargs)
    with pytest.raises(ValueError):
        rank_slots(**args)  # type: ignore[arg-type]


def test_person_penalty_needs_a_positive_duration() -> None:
    with pytest.raises(ValueError):
        person_penalty(NAIROBI, WEEK, timedelta(0))


def test_two_weeks_of_ten_people() -> None:
    zones = [
        "Africa/Nairobi", "Asia/Kolkata", "America/Bogota", "Asia/Kathmandu", "Asia/Tehran",
        "Europe/London", "America/Mexico_City", "Asia/Manila", "Europe/Berlin", "Asia/Dhaka",
    ]  # fmt: skip
    people = [
        Person(f"@p{i}:x", zone, WorkingHours(time(8 + i % 3), time(16 + i % 3), MON_FRI))
        for i, zone in enumerate(zones)
    ]
    picks = rank_slots(people, HOUR, WEEK, WEEK + timedelta(days=14))
    assert len(picks) == 5
    for pick in picks:
        outside = tuple(p.user_id for p in people if person_penalty(p, pick.start_utc, HOUR))
        assert pick.outside == outside
        assert pick.inside == len(people) - len(outside)
        assert pick.penalty == sum(person_penalty(p, pick.start_utc, HOUR) for p in people)


# --- property tests against a slow, obviously-right reference ---------------------------------

ZONES = [
    "UTC",
    "UTC+05:45",
    "Africa/Nairobi",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tehran",
    "America/Bogota",
    "America/New_York",
    "America/Santiago",
    "Europe/London",
    "Australia/Lord_Howe",  # 30-minute DST
    "Pacific/Chatham",  # +12:45 / +13:45
]
# Around DST changes in 2026 (US, EU, southern hemisphere), where mistakes would hide.
TRANSITIONS = [
    datetime(2026, 3, 8, tzinfo=UTC),
    datetime(2026, 3, 29, tzinfo=UTC),
    datetime(2026, 4, 5, tzinfo=UTC),
    datetime(2026, 9, 6, tzinfo=UTC),
    datetime(2026, 9, 27, tzinfo=UTC),
    datetime(2026, 10, 4, tzinfo=UTC),
    datetime(2026, 10, 25, tzinfo=UTC),
    datetime(2026, 11, 1, tzinfo=UTC),
]

wall_times = st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60))


@st.composite
def groups(draw: st.DrawFn) -> list[Person]:
    count = draw(st.integers(1, 3))
    people = []
    for i in range(count):
        start, end = draw(wall_times), draw(wall_times)
        if start == end:
            end = time((start.hour + 8) % 24, start.minute)
        days = draw(st.frozensets(st.integers(0, 6), min_size=1))
        people.append(
            Person(f"@p{i}:x", draw(st.sampled_from(ZONES)), WorkingHours(start, end, days))
        )
    return people


starts = st.one_of(
    st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC)),
    st.builds(
        lambda base, minutes: base + timedelta(minutes=minutes),
        st.sampled_from(TRANSITIONS),
        st.integers(-36 * 60, 24 * 60),
    ),
)


def reference(
    people: Sequence[Person],
    duration: timedelta,
    start: datetime,
    end: datetime,
    step: timedelta,
    top: int,
    min_gap: timedelta,
) -> list[Candidate]:
    """The rules written out directly: every grid slot, minutes_outside, sort, greedy."""
    step_s = step.total_seconds()
    first = math.ceil(start.timestamp() / step_s) * step_s
    slots = []
    t = datetime.fromtimestamp(first, UTC)
    while t < end:
        inside = [
            minutes_outside(p.hours, t.astimezone(zone_info(p.zone)), duration) == 0 for p in people
        ]
        pains = [person_penalty(p, t, duration) for p in people]
        assert [pain == 0 for pain in pains] == inside
        outside = tuple(p.user_id for p, ok in zip(people, inside, strict=True) if not ok)
        slots.append(Candidate(t, sum(inside), sum(pains), outside))
        t += step
    slots.sort(key=lambda c: (-c.inside, c.penalty, c.start_utc))
    chosen: list[Candidate] = []
    for slot in slots:
        if len(chosen) < top and all(abs(slot.start_utc - c.start_utc) >= min_gap for c in chosen):
            chosen.append(slot)
    return chosen


@settings(max_examples=60, deadline=None)
@given(
    people=groups(),
    start=starts,
    span=st.integers(0, 30 * 60),
    duration=st.integers(1, 300),
    step=st.sampled_from([15, 30, 45, 60]),
    top=st.one_of(st.integers(1, 8), st.just(ALL)),
    min_gap=st.integers(0, 300),
)
def test_matches_the_reference(
    people: list[Person],
    start: datetime,
    span: int,
    duration: int,
    step: int,
    top: int,
    min_gap: int,
) -> None:
    end = start + timedelta(minutes=span)
    length, grid, gap = (
        timedelta(minutes=duration),
        timedelta(minutes=step),
        timedelta(minutes=min_gap),
    )
    got = rank_slots(people, length, start, end, step=grid, top=top, min_gap=gap)

    assert got == reference(people, length, start, end, grid, top, gap)
    assert len(got) <= top
    for c in got:
        assert start <= c.start_utc < end
        assert c.start_utc.second == c.start_utc.microsecond == 0
        assert c.start_utc.minute % 15 == 0
    keys = [(-c.inside, c.penalty, c.start_utc) for c in got]
    assert keys == sorted(keys)
    assert all(
        abs(a.start_utc - b.start_utc) >= gap for i, a in enumerate(got) for b in got[i + 1 :]
    )
