"""Fair times: nights first, then people inside their hours, distance outside, recent load,
sooner; options that are distinct times of day; each with what it costs whom."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from devtools.sample_network import ASKED_AT, NETWORK8
from domain.availability import DAY_OFF, DEFAULT_HOURS, Cost, NightWindow, Person, Scorer
from domain.hours import WorkingHours, minutes_outside, parse_hours
from domain.suggest import Suggestion, option_for, suggest
from domain.zones import zone_info

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
MON_FRI = frozenset({MON, TUE, WED, THU, FRI})
SUN_THU = frozenset({SUN, MON, TUE, WED, THU})
HOUR = timedelta(hours=1)
WEEK = datetime(2026, 11, 30, tzinfo=UTC)  # Monday


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in the week of WEEK (day 0 = Monday 30 Nov 2026)."""
    return WEEK + timedelta(days=day, hours=hour, minutes=minute)


def network8() -> list[Person]:
    return [Person(user, zone, parse_hours(hours)) for user, zone, hours in NETWORK8]


def who(costs: Sequence[Cost]) -> list[tuple[str, str, str | None, bool]]:
    """(name, local time, kind, night) of everyone a start puts outside their hours."""
    return [(c.user_id[1:].split(":")[0], f"{c.local_start:%a %H:%M}", c.kind, c.night)
            for c in costs if not c.inside]


# --- the network of the issue ------------------------------------------------------------------


def test_eight_members_get_the_humane_time_first_and_no_night() -> None:
    # The command's window: after a 12 h poll and an hour's margin, until 7 days on.
    found = suggest(network8(), HOUR, ASKED_AT + timedelta(hours=13),
                    ASKED_AT + timedelta(days=7))
    first = found.options[0]
    # 15:00 in Nairobi, 07:00 in Bogotá, 09:00 in São Paulo, 20:00 in Manila.
    assert first.start_utc == datetime(2026, 12, 7, 12, tzinfo=UTC)
    assert first.inside == 5
    assert who(first.costs) == [("sita", "Mon 17:45", "late", False),
                                ("maria", "Mon 20:00", "late", False),
                                ("camila", "Mon 07:00", "early", False)]
    assert found.night_free and not found.everyone_inside
    assert not any(o.at_night for o in found.options)
    # Three distinct times of day (16:00 and 14:00 Nairobi follow), not one time four times.
    assert [o.start_utc.hour for o in found.options] == [12, 13, 11]
    assert all(o.same_time_as is None for o in found.options)
    # 03:00 in Bogotá (08:00 UTC) has six of eight inside, and is never offered.
    assert all(o.start_utc.hour != 8 for o in found.options)
    night_slot = option_for(network8(), datetime(2026, 12, 7, 8, tzinfo=UTC), HOUR)
    assert night_slot.inside == 6
    assert [c.user_id for c in night_slot.at_night] == ["@camila:example.org",
                                                        "@bea:example.org"]


def test_costs_say_how_far_outside() -> None:
    first = option_for(network8(), datetime(2026, 12, 7, 12, tzinfo=UTC), HOUR)
    by_name = {c.user_id[1:].split(":")[0]: c for c in first.costs}
    # Bogotá starts at 09:00: 07:00–08:00 is an hour outside and an hour before the start.
    assert (by_name["camila"].outside, by_name["camila"].distance) == (60, 120)
    # Kathmandu ends at 17:00: 17:45–18:45 is 60 outside, 45 after the end.
    assert (by_name["sita"].outside, by_name["sita"].distance) == (60, 105)
    assert (by_name["maria"].outside, by_name["maria"].distance) == (60, 240)
    assert first.distance == 465


# --- no overlap at all -------------------------------------------------------------------------


def test_two_members_with_no_common_hour_get_honest_least_bad_options() -> None:
    # Manila 09:00–17:00 is 01:00–09:00 UTC, Bogotá 09:00–17:00 is 14:00–22:00 UTC.
    pair = [Person("@maria:x", "Asia/Manila", DEFAULT_HOURS),
            Person("@camila:x", "America/Bogota", DEFAULT_HOURS)]
    found = suggest(pair, HOUR, WEEK, WEEK + timedelta(days=5))
    assert not found.everyone_inside and found.night_free
    assert len(found.options) >= 3
    for option in found.options:
        assert option.inside < 2 and option.outside, "each option names who pays"
        assert not option.at_night
        assert all(c.kind in ("early", "late") and c.distance > 0 for c in option.outside)
    # Tuesday 01:00 UTC: 09:00 in Manila, Monday 20:00 in Bogotá (Monday 01:00 UTC would be
    # Sunday evening in Bogotá, a day off).
    assert found.options[0].start_utc == utc(TUE, 1)
    assert who(found.options[0].costs) == [("camila", "Mon 20:00", "late", False)]
    assert found.options[0].outside[0].distance == 60 + 180


# --- quarter-hour zones, working weeks ---------------------------------------------------------


def test_quarter_hour_zones() -> None:
    # Kathmandu (UTC+05:45) 10:00–17:00 is 04:15–11:15 UTC; Eucla (UTC+08:45) 09:00–17:00 is
    # 00:15–08:15 UTC. Both fit 04:15–08:15 UTC.
    pair = [Person("@sita:x", "Asia/Kathmandu", WorkingHours(time(10), time(17), MON_FRI)),
            Person("@eucla:x", "Australia/Eucla", DEFAULT_HOURS)]
    found = suggest(pair, HOUR, utc(MON, 0), utc(MON, 23))
    assert found.everyone_inside
    inside = [o for o in found.options if o.inside == 2]
    assert [o.start_utc for o in inside] == [utc(MON, 4, 15), utc(MON, 5, 15),
                                             utc(MON, 6, 15), utc(MON, 7, 15)]
    assert f"{inside[0].costs[0].local_start:%H:%M}" == "10:00"
    assert f"{inside[0].costs[1].local_start:%H:%M}" == "13:00"
    # 07:30 UTC runs to 17:15 in Eucla: 15 minutes late.
    late = option_for(pair, utc(MON, 7, 30), HOUR)
    assert [(c.outside, c.distance, c.kind) for c in late.outside] == [(15, 15, "late")]


def test_sun_thu_weeks() -> None:
    # Amman works Sun–Thu, Nairobi Mon–Fri; both UTC+3. Friday and Sunday leave one out.
    amman = Person("@omar:x", "Asia/Amman", WorkingHours(time(9), time(17), SUN_THU))
    nairobi = Person("@amina:x", "Africa/Nairobi", DEFAULT_HOURS)
    found = suggest([amman, nairobi], HOUR, utc(SUN - 7, 0), utc(SUN, 0))  # Sun 29 Nov–Sat
    assert all(o.inside == 2 for o in found.options)
    assert all(o.start_utc.weekday() in (MON, TUE, WED, THU) for o in found.options)
    friday_noon = option_for([amman, nairobi], utc(FRI, 9), HOUR)
    assert [(c.user_id, c.kind, c.distance) for c in friday_noon.outside] == [
        ("@omar:x", "off", 60 + DAY_OFF)]
    sunday_noon = option_for([amman, nairobi], utc(SUN - 7, 9), HOUR)
    assert [c.user_id for c in sunday_noon.outside] == ["@amina:x"]
    # Kathmandu works Sun–Fri: Saturday is its only day off.
    kathmandu = Person("@sita:x", "Asia/Kathmandu", WorkingHours(time(10), time(17),
                                                                 MON_FRI | {SUN}))
    assert option_for([kathmandu], utc(SAT, 6), HOUR).costs[0].kind == "off"
    assert option_for([kathmandu], utc(SUN - 7, 6), HOUR).costs[0].inside


# --- the order of the ranking ------------------------------------------------------------------


def test_nobody_at_night_beats_more_people_inside() -> None:
    # 14:00 UTC has all three in Bogotá inside but is 22:00 in Manila; 13:00 UTC has nobody
    # inside (08:00 Bogotá, 21:00 Manila) and nobody at night: it comes first.
    bogota = [Person(f"@b{i}:x", "America/Bogota", DEFAULT_HOURS) for i in range(3)]
    group = [*bogota, Person("@maria:x", "Asia/Manila", DEFAULT_HOURS)]
    found = suggest(group, HOUR, utc(TUE, 11), utc(TUE, 16))
    assert found.night_free
    assert option_for(group, utc(TUE, 14), HOUR).inside == 3
    assert all(not o.at_night for o in found.options)
    assert found.options[0].start_utc == utc(TUE, 13)


def test_when_every_slot_is_at_night_the_least_bad_are_offered() -> None:
    # Nights (22:00–06:00) at UTC−8, UTC and UTC+8 cover the whole day.
    trio = [Person("@a:x", "UTC-08:00", DEFAULT_HOURS), Person("@b:x", "UTC", DEFAULT_HOURS),
            Person("@c:x", "UTC+08:00", DEFAULT_HOURS)]
    found = suggest(trio, HOUR, utc(TUE, 0), utc(THU, 0))
    assert not found.night_free and not found.everyone_inside
    assert found.options and all(o.at_night for o in found.options)
    assert len(found.options[0].at_night) == 1  # one person at night, not two


def test_the_night_window_is_each_members() -> None:
    # 06:30 in Bogotá is early but not night by default; with 23:00–07:00 it is night.
    early = Person("@camila:x", "America/Bogota", DEFAULT_HOURS)
    late_sleeper = Person("@camila:x", "America/Bogota", DEFAULT_HOURS,
                          NightWindow(time(23), time(7)))
    start = utc(TUE, 11, 30)
    assert not option_for([early], start, HOUR).costs[0].night
    assert option_for([late_sleeper], start, HOUR).costs[0].night


def test_recent_load_decides_between_equal_pains() -> None:
    # Ana works 09:00–13:00 UTC, Ben 09:00–13:00 at UTC+4 (05:00–09:00 UTC): 08:00 UTC is an
    # hour early for Ana, 09:00 UTC an hour late for Ben. Same distance: sooner wins, unless
    # Ana carried the bad hours lately.
    hours = WorkingHours(time(9), time(13), MON_FRI)
    ben = Person("@ben:x", "UTC+04:00", hours)
    fresh = suggest([Person("@ana:x", "UTC", hours), ben], HOUR, utc(TUE, 8), utc(TUE, 10))
    assert [o.start_utc for o in fresh.options[:2]] == [utc(TUE, 8), utc(TUE, 9)]
    tired = suggest([Person("@ana:x", "UTC", hours, load=3), ben], HOUR, utc(TUE, 8),
                    utc(TUE, 10))
    assert [o.start_utc for o in tired.options[:2]] == [utc(TUE, 9), utc(TUE, 8)]
    # Load only weighs between equal distances: 10:00 UTC (two hours late for Ben) still
    # comes after 08:00 (one hour early for Ana), however tired Ana is.
    very_tired = suggest([Person("@ana:x", "UTC", hours, load=100), ben], HOUR, utc(TUE, 8),
                         utc(TUE, 11))
    order = [o.start_utc for o in very_tired.options]
    assert order.index(utc(TUE, 8)) < order.index(utc(TUE, 10))


def test_ties_go_to_the_sooner_date() -> None:
    found = suggest([Person("@amina:x", "Africa/Nairobi", DEFAULT_HOURS)], HOUR, utc(MON, 0),
                    utc(FRI, 0))
    assert found.options[0].start_utc == utc(MON, 6)  # 09:00 Monday, not Tuesday


# --- options are real alternatives -------------------------------------------------------------


def test_repeats_only_when_too_few_times_fit_and_say_so() -> None:
    # A 7-hour meeting between UTC and UTC+8 stays out of both nights (22:00–06:00) only
    # when it starts between 06:00 and 07:00 UTC: two distinct times of day, so the third
    # option is 06:00 again, on Tuesday, and says so.
    pair = [Person("@a:x", "UTC", DEFAULT_HOURS), Person("@b:x", "UTC+08:00", DEFAULT_HOURS)]
    found = suggest(pair, timedelta(hours=7), utc(MON, 0), utc(THU, 0))
    assert found.night_free
    distinct = [o for o in found.options if o.same_time_as is None]
    repeats = [o for o in found.options if o.same_time_as is not None]
    assert [o.start_utc for o in distinct] == [utc(MON, 6), utc(MON, 7)]
    assert [o.start_utc for o in repeats] == [utc(TUE, 6)]
    assert repeats[0].same_time_as == 0
    assert found.repeats
    # A time that fits a lone member everywhere is offered at distinct times instead.
    alone = suggest([pair[0]], timedelta(hours=7), utc(MON, 0), utc(THU, 0))
    assert not alone.repeats


# --- members' working time as a view ---------------------------------------------------------


@dataclass(frozen=True)
class SplitWithHoliday:
    """09:00–12:00 and 14:00–18:00 Mon–Fri, and a holiday: what issues 20 and 15 plug in."""

    holiday: date

    def working(self, local: datetime) -> bool:
        if self.day_off(local.date()):
            return False
        return time(9) <= local.time() < time(12) or time(14) <= local.time() < time(18)

    def day_off(self, day: date) -> bool:
        return day.weekday() >= SAT or day == self.holiday


def test_a_split_shift_and_a_holiday_plug_in_without_changing_the_ranking() -> None:
    view = SplitWithHoliday(date(2026, 12, 1))
    person = Person("@ana:x", "UTC", view)
    lunch = option_for([person], utc(MON, 12, 30), HOUR).costs[0]
    assert (lunch.outside, lunch.kind) == (60, "late")
    assert lunch.distance == 60 + 30  # 30 minutes from the morning's end and the afternoon
    holiday = option_for([person], utc(TUE, 10), HOUR).costs[0]
    assert (holiday.kind, holiday.distance) == ("off", 60 + DAY_OFF)
    found = suggest([person], HOUR, utc(MON, 11), utc(WED, 0))
    assert [o.start_utc for o in found.options[:3]] == [utc(MON, 11), utc(MON, 14),
                                                        utc(MON, 15)]


# --- argument checks ---------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs", [{"people": []}, {"duration": timedelta(0)},
                                    {"step": timedelta(minutes=10)}])
def test_bad_arguments(kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {"people": [Person("@a:x", "UTC", DEFAULT_HOURS)],
                               "duration": HOUR, "start_utc": WEEK,
                               "end_utc": WEEK + timedelta(days=1)}
    args.update(kwargs)
    with pytest.raises(ValueError):
        suggest(**args)  # type: ignore[arg-type]


def test_empty_window() -> None:
    assert suggest([Person("@a:x", "UTC", DEFAULT_HOURS)], HOUR, WEEK, WEEK) == Suggestion(
        (), 0, False, False)


# --- costs against a slow, obviously-right reference -------------------------------------------

ZONES = ["UTC", "UTC+05:45", "Africa/Nairobi", "Asia/Kathmandu", "Asia/Tehran",
         "America/Bogota", "America/New_York", "America/Santiago", "Europe/London",
         "Asia/Beirut", "Australia/Lord_Howe", "Pacific/Chatham"]
TRANSITIONS = [datetime(2026, 3, 8, tzinfo=UTC), datetime(2026, 3, 29, tzinfo=UTC),
               datetime(2026, 4, 5, tzinfo=UTC), datetime(2026, 9, 6, tzinfo=UTC),
               datetime(2026, 10, 25, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)]
MINUTE = timedelta(minutes=1)


@st.composite
def people(draw: st.DrawFn, count: tuple[int, int] = (1, 3)) -> list[Person]:
    """Shifts of 2 to 22 hours, so no worked or free stretch is shorter than a quarter."""
    found = []
    for i in range(draw(st.integers(*count))):
        start = draw(st.integers(0, 24 * 60 - 1))
        length = draw(st.integers(120, 22 * 60))
        end = (start + length) % (24 * 60)
        hours = WorkingHours(time(start // 60, start % 60), time(end // 60, end % 60),
                             draw(st.frozensets(st.integers(0, 6), min_size=1)))
        night_start = draw(st.integers(19, 24)) % 24
        night = NightWindow(time(night_start), time((night_start + draw(st.integers(6, 9)))
                                                    % 24))
        found.append(Person(f"@p{i}:x", draw(st.sampled_from(ZONES)), hours, night,
                            draw(st.integers(0, 3))))
    return found


instants = st.one_of(
    st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC)),
    st.builds(lambda base, minutes: base + timedelta(minutes=minutes),
              st.sampled_from(TRANSITIONS), st.integers(-36 * 60, 24 * 60)),
).map(lambda t: t.replace(second=0, microsecond=0))


def reference(person: Person, start: datetime, duration: timedelta) -> Cost:
    """The module doc's definitions, minute by minute."""
    tz, view, night = zone_info(person.zone), person.view, person.night

    def wall(instant: datetime) -> datetime:
        return instant.astimezone(tz).replace(tzinfo=None)

    def worked(instant: datetime) -> bool:
        return view.working(wall(instant))

    def dark(instant: datetime) -> bool:
        clock = wall(instant).time()
        if night.end <= night.start:
            return clock >= night.start or clock < night.end
        return night.start <= clock < night.end

    minutes = [start + k * MINUTE for k in range(int(duration / MINUTE))]
    outside = sum(1 for m in minutes if not worked(m))
    local = start.astimezone(tz)
    if outside == 0:
        return Cost(person.user_id, local, 0, 0, None, False)
    at_night = any(dark(m) for m in minutes)
    if worked(start):
        return Cost(person.user_id, local, outside, outside, "late", at_night)
    if view.day_off(local.date()):
        return Cost(person.user_id, local, outside, outside + DAY_OFF, "off", at_night)
    reach = 8 * 24 * 60
    back = next((k for k in range(1, reach) if worked(start - k * MINUTE)), None)
    ahead = next((k for k in range(reach) if worked(start + k * MINUTE)), None)
    since = (back - 1) * 60 if back is not None else float("inf")
    until = ahead * 60 if ahead is not None else float("inf")
    kind = "early" if until < since else "late"
    gap = min(since, until - duration.total_seconds())
    gap = 0 if gap == float("inf") else max(gap, 0)
    return Cost(person.user_id, local, outside, outside + round(gap / 60), kind, at_night)


@settings(max_examples=40, deadline=None)
@given(group=people(), start=instants, duration=st.integers(15, 300))
def test_costs_match_the_reference(group: list[Person], start: datetime,
                                   duration: int) -> None:
    length = timedelta(minutes=duration)
    got = Scorer(group).costs(start, length)
    assert list(got) == [reference(p, start, length) for p in group]


@settings(max_examples=40, deadline=None)
@given(group=people(), start=instants, count=st.integers(1, 300),
       duration=st.integers(15, 300))
def test_ranking_a_window_measures_each_start_the_same(
        group: list[Person], start: datetime, count: int, duration: int) -> None:
    # `suggest` scores a whole window in one sweep; one start at a time must agree.
    scorer = Scorer(group)
    stamps = [start.timestamp() + k * 900 for k in range(count)]
    columns = scorer.columns(stamps, duration * 60)
    for k, stamp in enumerate(stamps):
        assert [column[k] for column in columns] == scorer.measure(stamp, duration * 60)


@settings(max_examples=60, deadline=None)
@given(person=people((1, 1)), start=instants)
def test_inside_agrees_with_minutes_outside(person: list[Person], start: datetime) -> None:
    one = person[0]
    assert isinstance(one.hours, WorkingHours)
    local = start.astimezone(zone_info(one.zone))
    # Away from a clock change, the view and `minutes_outside` say the same.
    assume(local.utcoffset() == (local + 2 * HOUR).utcoffset())
    assume(local.utcoffset() == (local - 26 * HOUR).utcoffset())
    cost = Scorer(person).costs(start, HOUR)[0]
    assert cost.outside == minutes_outside(one.hours, local, HOUR)


# --- the properties the issue asks for ---------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(group=people((1, 5)), start=instants, span=st.integers(60, 4 * 24 * 60),
       duration=st.sampled_from([30, 45, 60, 90, 120]))
def test_no_night_option_while_a_night_free_slot_exists(
        group: list[Person], start: datetime, span: int, duration: int) -> None:
    length, end = timedelta(minutes=duration), start + timedelta(minutes=span)
    found = suggest(group, length, start, end)
    scorer = Scorer(group)
    first = start + (-(start - WEEK) % timedelta(minutes=15))
    slots = [first + k * timedelta(minutes=15) for k in range(found.slots)]
    assert all(s < end for s in slots)
    night_free = any(not any(c.night for c in scorer.costs(s, length)) for s in slots)
    assert found.night_free == night_free
    if night_free:
        assert not any(o.at_night for o in found.options)
    # Pairwise distinct in time of day, unless an option says which one it repeats.
    for a, b in itertools.combinations(found.options, 2):
        if a.same_time_as is None and b.same_time_as is None:
            apart = abs(a.start_utc - b.start_utc).total_seconds() % 86_400
            assert min(apart, 86_400 - apart) >= 3600
    repeats = [o for o in found.options if o.same_time_as is not None]
    if repeats:
        assert len(found.options) <= 3, "repeats only fill up to three options"
        for option in repeats:
            twin = found.options[option.same_time_as]
            assert twin.same_time_as is None
    starts = [o.start_utc for o in found.options]
    assert len(set(starts)) == len(starts)
