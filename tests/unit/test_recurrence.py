"""Repeat rules and their occurrences: wall-clock stable across DST, overrides, old series."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr

from domain.recurrence import (
    Occurrence,
    Override,
    RuleError,
    Series,
    describe_rule,
    next_occurrence,
    occurrence_on,
    occurrences,
    parse_rule,
)

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday
THURSDAY = datetime(2026, 12, 3, 14, 0)
HOUR = timedelta(hours=1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def starts(found: list[Occurrence]) -> list[datetime]:
    return [o.start_utc for o in found]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("day", "FREQ=DAILY"),
        ("3 days", "FREQ=DAILY;INTERVAL=3"),
        ("week", "FREQ=WEEKLY;BYDAY=TH"),
        ("2 weeks", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"),
        ("other week", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"),
        ("fortnight", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"),
        ("weekday", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
        ("month", "FREQ=MONTHLY;BYMONTHDAY=3"),
        ("month on the first tuesday", "FREQ=MONTHLY;BYDAY=+1TU"),
        ("month on the last friday", "FREQ=MONTHLY;BYDAY=-1FR"),
        ("month on the 2nd thu", "FREQ=MONTHLY;BYDAY=+2TH"),
        ("month on the 15th", "FREQ=MONTHLY;BYMONTHDAY=15"),
        ("month on the last day", "FREQ=MONTHLY;BYMONTHDAY=-1"),
        ("year", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=3"),
        ("tue,thu", "FREQ=WEEKLY;BYDAY=TU,TH"),
        ("mon, wed and fri", "FREQ=WEEKLY;BYDAY=MO,WE,FR"),
        ("Thursday", "FREQ=WEEKLY;BYDAY=TH"),
        ("2 weeks on tue", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
        ("every 2 weeks on tue", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
        ("RRULE:FREQ=WEEKLY;BYDAY=TU", "FREQ=WEEKLY;BYDAY=TU"),
        ("FREQ=WEEKLY;COUNT=10", "FREQ=WEEKLY;COUNT=10;BYDAY=TH"),
        ("RRULE:FREQ=WEEKLY;UNTIL=20261231", "FREQ=WEEKLY;UNTIL=20261231T235959;BYDAY=TH"),
        (
            "RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR",
        ),
    ],
)
def test_parse_rule(text: str, rule: str) -> None:
    assert parse_rule(text, THURSDAY) == rule
    assert parse_rule(f"RRULE:{rule}", THURSDAY) == rule  # canonical text reads back as is


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "This rule never produces a date"),
        ("RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "This rule never produces a date"),
        ("RRULE:FREQ=MONTHLY;INTERVAL=12;BYMONTH=2", "This rule never produces a date"),
        ("RRULE:FREQ=WEEKLY;UNTIL=20200101", "This rule never produces a date"),
        ("RRULE:FREQ=HOURLY", "daily at most"),
        ("DTSTART:20260101T000000 RRULE:FREQ=DAILY", "Leave DTSTART out"),
        ("RRULE:FREQ=DAILY;UNTIL=20261231T000000Z", "without a zone"),
        ("RRULE:FREQ=WEEKLY;BYHOUR=3", "Leave BYHOUR out"),
        ("RRULE:FREQ=WEEKLY;COUNT=3;UNTIL=20270101", "COUNT or UNTIL, not both"),
        ("RRULE:FREQ=WEEKLY;COUNT=0", "COUNT must be"),
        ("RRULE:FREQ=WEEKLY;BYDAY=XX", "couldn't use that rule"),
        ("RRULE:FREQ=WEEKLY;COLOUR=RED", 'couldn\'t read "COLOUR=RED"'),
        ("blah", "as how often"),
        ("0 weeks", "every 1 to 1000"),
        ("month on the 32nd", 'no day "the 32nd"'),
        ("2 weeks on blurday", "as how often"),
        ("day on tue", "weeks and months only"),
        ("", "how often"),
    ],
)
def test_parse_rule_errors(text: str, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        parse_rule(text, THURSDAY)


def test_never_firing_daily_rule_is_refused() -> None:
    # How fast it is refused is a benchmark figure (benchmarks/i18n.py), not a unit test.
    with pytest.raises(RuleError):
        parse_rule("RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31", THURSDAY)


@pytest.mark.parametrize(
    ("rule", "first", "text"),
    [
        (None, THURSDAY, "once"),
        ("FREQ=WEEKLY;BYDAY=TH", THURSDAY, "every Thursday at 14:00"),
        (
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
            datetime(2026, 12, 3, 6),
            "every 2 weeks on Thursday at 06:00",
        ),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", datetime(2026, 12, 3, 9), "every weekday at 09:00"),
        ("FREQ=MONTHLY;BYDAY=+1TU", THURSDAY, "on the first Tuesday of every month at 14:00"),
        ("FREQ=MONTHLY;BYDAY=-1FR", THURSDAY, "on the last Friday of every month at 14:00"),
        ("FREQ=WEEKLY;BYDAY=TU,TH", THURSDAY, "every Tuesday and Thursday at 14:00"),
        ("FREQ=WEEKLY;BYDAY=MO,WE,FR", THURSDAY, "every Monday, Wednesday and Friday at 14:00"),
        ("FREQ=DAILY", THURSDAY, "every day at 14:00"),
        ("FREQ=DAILY;INTERVAL=3", THURSDAY, "every 3 days at 14:00"),
        ("FREQ=MONTHLY;BYMONTHDAY=3", THURSDAY, "on the 3rd of every month at 14:00"),
        (
            "FREQ=MONTHLY;BYMONTHDAY=31",
            datetime(2026, 1, 31, 9),
            "on the 31st of every month at 09:00 (months without a 31st are skipped)",
        ),
        ("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=3", THURSDAY, "every year on 3 December at 14:00"),
        ("FREQ=WEEKLY;COUNT=10;BYDAY=TH", THURSDAY, "every Thursday at 14:00, 10 times"),
        (
            "FREQ=WEEKLY;UNTIL=20261231T235959;BYDAY=TH",
            THURSDAY,
            "every Thursday at 14:00, until 31 Dec 2026",
        ),
        (
            "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR",
            THURSDAY,
            "following the rule FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR at 14:00",
        ),
    ],
)
def test_describe_rule(rule: str | None, first: datetime, text: str) -> None:
    assert describe_rule(rule, first) == text


def test_describe_alternating_times() -> None:
    text = describe_rule("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", datetime(2026, 12, 3, 6), time(15))
    assert text == "every 2 weeks on Thursday alternating 06:00 and 15:00"


def test_weekly_lisbon_meeting_keeps_its_wall_time_across_both_transitions() -> None:
    series = Series(datetime(2026, 1, 8, 14), "Europe/Lisbon", "FREQ=WEEKLY;BYDAY=TH", HOUR)
    found = occurrences(series, utc(2026, 1, 1), utc(2027, 1, 1))
    assert len(found) == 52
    lisbon, nairobi = ZoneInfo("Europe/Lisbon"), ZoneInfo("Africa/Nairobi")
    assert {o.start_utc.astimezone(lisbon).time() for o in found} == {time(14)}
    by_date = {o.original_local.date(): o for o in found}

    def seen_in_nairobi(day: date) -> time:
        return by_date[day].start_utc.astimezone(nairobi).time()

    # Spring (29 March): 14:00 UTC becomes 13:00 UTC, so Nairobi sees 17:00 then 16:00.
    assert by_date[date(2026, 3, 26)].start_utc == utc(2026, 3, 26, 14)
    assert by_date[date(2026, 4, 2)].start_utc == utc(2026, 4, 2, 13)
    assert seen_in_nairobi(date(2026, 3, 26)) == time(17)
    assert seen_in_nairobi(date(2026, 4, 2)) == time(16)
    # Autumn (25 October): back to 14:00 UTC, so Nairobi moves from 16:00 to 17:00.
    assert seen_in_nairobi(date(2026, 10, 22)) == time(16)
    assert seen_in_nairobi(date(2026, 10, 29)) == time(17)
    assert [o.index for o in found] == list(range(52))
    assert all(o.end_utc - o.start_utc == HOUR for o in found)


def test_santiago_midnight_gap_and_offset_change() -> None:
    # Sunday 00:30 does not exist on 6 Sep 2026 in Santiago; it runs at 01:30 that day.
    series = Series(datetime(2026, 8, 30, 0, 30), "America/Santiago", "FREQ=WEEKLY", HOUR)
    found = occurrences(series, utc(2026, 8, 29), utc(2026, 9, 15))
    assert starts(found) == [
        utc(2026, 8, 30, 4, 30),
        utc(2026, 9, 6, 4, 30),
        utc(2026, 9, 13, 3, 30),
    ]
    assert [o.note is not None for o in found] == [False, True, False]
    assert found[1].note is not None and "using 01:30" in found[1].note


def test_lord_howe_shifts_by_half_an_hour() -> None:
    series = Series(datetime(2026, 9, 27, 9), "Australia/Lord_Howe", "FREQ=WEEKLY", HOUR)
    found = occurrences(series, utc(2026, 9, 26), utc(2026, 10, 5))
    assert starts(found) == [utc(2026, 9, 26, 22, 30), utc(2026, 10, 3, 22)]


def test_gap_time_in_new_york_gets_a_note_only_on_that_day() -> None:
    series = Series(datetime(2026, 3, 1, 2, 30), "America/New_York", "FREQ=WEEKLY", HOUR)
    found = occurrences(series, utc(2026, 3, 1), utc(2026, 3, 20))
    assert starts(found) == [
        utc(2026, 3, 1, 7, 30),
        utc(2026, 3, 8, 7, 30),
        utc(2026, 3, 15, 6, 30),
    ]
    assert [o.note is None for o in found] == [True, False, True]


@pytest.mark.parametrize(
    ("zone", "utc_time"),
    [("Asia/Kathmandu", time(8, 15)), ("Asia/Tehran", time(10, 30)), ("Asia/Kolkata", time(8, 30))],
)
def test_fractional_offsets_all_year(zone: str, utc_time: time) -> None:
    series = Series(datetime(2026, 1, 1, 14), zone, "FREQ=MONTHLY;BYMONTHDAY=1", HOUR)
    found = occurrences(series, utc(2026, 1, 1), utc(2027, 1, 1))
    assert len(found) == 12
    assert {o.start_utc.time() for o in found} == {utc_time}


def lisbon_weekly() -> Series:
    return Series(THURSDAY, "Europe/Lisbon", "FREQ=WEEKLY;BYDAY=TH", HOUR)


def test_skip_and_move_overrides() -> None:
    series = lisbon_weekly()
    overrides = {
        datetime(2026, 12, 10, 14): Override(datetime(2026, 12, 10, 14), skipped=True),
        # Moved a day later: still listed in time order, keeping its index.
        datetime(2026, 12, 17, 14): Override(
            datetime(2026, 12, 17, 14), new_start_utc=utc(2026, 12, 18, 10)
        ),
        # Moved from January into December.
        datetime(2027, 1, 7, 14): Override(
            datetime(2027, 1, 7, 14), new_start_utc=utc(2026, 12, 20, 9)
        ),
        # Moved out of the window.
        datetime(2026, 12, 24, 14): Override(
            datetime(2026, 12, 24, 14), new_start_utc=utc(2027, 2, 1, 9)
        ),
        # Not an occurrence of this series at all: ignored.
        datetime(2026, 12, 11, 14): Override(
            datetime(2026, 12, 11, 14), new_start_utc=utc(2026, 12, 5)
        ),
    }
    found = occurrences(series, utc(2026, 12, 1), utc(2027, 1, 1), overrides)
    assert [(o.original_local.date(), o.start_utc, o.moved, o.index) for o in found] == [
        (date(2026, 12, 3), utc(2026, 12, 3, 14), False, 0),
        (date(2026, 12, 17), utc(2026, 12, 18, 10), True, 2),
        (date(2027, 1, 7), utc(2026, 12, 20, 9), True, 5),
        (date(2026, 12, 31), utc(2026, 12, 31, 14), False, 4),
    ]
    moved = found[1]
    assert moved.end_utc == utc(2026, 12, 18, 11)
    assert occurrence_on(series, date(2026, 12, 10), overrides) is None
    assert occurrence_on(series, date(2026, 12, 17), overrides) == moved
    assert occurrence_on(series, date(2026, 12, 11), overrides) is None
    regular = occurrence_on(series, date(2026, 12, 31), overrides)
    assert regular is not None and regular.start_utc == utc(2026, 12, 31, 14) and regular.index == 4
    skipped_next = next_occurrence(series, utc(2026, 12, 5), overrides)
    assert skipped_next == moved


def test_limit_and_empty_windows() -> None:
    series = lisbon_weekly()
    assert len(occurrences(series, utc(2026, 1, 1), utc(2036, 1, 1), limit=3)) == 3
    assert len(occurrences(series, utc(2026, 1, 1), utc(2046, 1, 1))) == 500
    assert occurrences(series, utc(2027, 1, 1), utc(2026, 1, 1)) == []
    assert occurrences(series, utc(2020, 1, 1), utc(2026, 12, 3, 14)) == []  # end is exclusive


def test_next_occurrence_is_strictly_after() -> None:
    series = lisbon_weekly()
    first = next_occurrence(series, NOW)
    assert first is not None and first.start_utc == utc(2026, 12, 3, 14)
    second = next_occurrence(series, first.start_utc)
    assert second is not None and second.start_utc == utc(2026, 12, 10, 14) and second.index == 1


def test_one_off_meeting() -> None:
    series = Series(THURSDAY, "Africa/Nairobi", None, HOUR)
    only = next_occurrence(series, NOW)
    assert only is not None and only.start_utc == utc(2026, 12, 3, 11) and only.index == 0
    assert next_occurrence(series, only.start_utc) is None
    assert occurrence_on(series, date(2026, 12, 3)) == only
    assert occurrence_on(series, date(2026, 12, 4)) is None


def brute_force(series: Series, limit: datetime) -> list[tuple[int, datetime]]:
    assert series.rule is not None
    rule = rrulestr(series.rule, dtstart=series.start_local)
    return list(enumerate(rule.between(series.start_local, limit, inc=True)))


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=WEEKLY;BYDAY=TH",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH",
        "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,SA,SU;WKST=SU",
        "FREQ=WEEKLY;BYSETPOS=-1;BYDAY=MO,TU,WE",
        "FREQ=DAILY",
        "FREQ=DAILY;INTERVAL=3;BYDAY=MO,WE",
        "FREQ=MONTHLY;BYDAY=+1TU",
        "FREQ=MONTHLY;BYMONTHDAY=31",
        "FREQ=WEEKLY;UNTIL=20260301T000000;BYDAY=WE,FR",
    ],
)
def test_old_series_is_fast_and_indexes_match_a_full_walk(rule: str) -> None:
    # Started three years ago on a Wednesday, so the first week is partial.
    series = Series(datetime(2023, 11, 22, 14), "Africa/Nairobi", rule, HOUR)
    upcoming = next_occurrence(series, NOW)
    window = occurrences(series, utc(2026, 1, 1), utc(2026, 4, 1))
    expected = {when: index for index, when in brute_force(series, datetime(2027, 12, 31))}
    in_window = [
        (w, i) for w, i in expected.items() if datetime(2026, 1, 1) <= w < datetime(2026, 4, 1)
    ]
    assert window, rule
    assert [(o.original_local, o.index) for o in window] == in_window
    if "UNTIL" in rule:
        assert upcoming is None
    else:
        assert upcoming is not None
        assert upcoming.original_local == min(w for w in expected if w > datetime(2026, 11, 25, 13))
        assert upcoming.index == expected[upcoming.original_local]


def test_series_from_long_ago_does_not_walk_from_its_start() -> None:
    series = Series(datetime(2000, 1, 6, 14), "Europe/Lisbon", "FREQ=DAILY", HOUR)
    upcoming = next_occurrence(series, NOW)
    assert upcoming is not None
    assert upcoming.original_local == datetime(2026, 11, 25, 14)
    assert upcoming.index == (date(2026, 11, 25) - date(2000, 1, 6)).days


def test_count_limits_the_series() -> None:
    series = Series(THURSDAY, "UTC", "FREQ=WEEKLY;COUNT=3;BYDAY=TH", HOUR)
    found = occurrences(series, utc(2026, 1, 1), utc(2028, 1, 1))
    assert starts(found) == [utc(2026, 12, 3, 14), utc(2026, 12, 10, 14), utc(2026, 12, 17, 14)]


def network_call(start: datetime = datetime(2026, 11, 26, 6), zone: str = "UTC") -> Series:
    """`!meeting add "Network call" thu 06:00 UTC every 2 weeks alternate 15:00 UTC`."""
    return Series(start, zone, "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", HOUR, time(15))


def test_alternating_times() -> None:
    found = occurrences(network_call(), utc(2026, 11, 1), utc(2027, 1, 31))
    assert starts(found) == [
        utc(2026, 11, 26, 6),
        utc(2026, 12, 10, 15),
        utc(2026, 12, 24, 6),
        utc(2027, 1, 7, 15),
        utc(2027, 1, 21, 6),
    ]
    assert found[1].original_local == datetime(2026, 12, 10, 6)  # the key stays the rule's time


def test_alternating_parity_survives_years_and_overrides() -> None:
    series = network_call(datetime(2023, 11, 23, 6))
    upcoming = next_occurrence(series, NOW)
    weeks = (date(2026, 12, 3) - date(2023, 11, 23)).days // 7
    assert upcoming is not None and upcoming.index == weeks // 2 == 79
    assert upcoming.start_utc == utc(2026, 12, 3, 15)  # index 79 is odd
    skip = {datetime(2026, 12, 3, 6): Override(datetime(2026, 12, 3, 6), skipped=True)}
    after_skip = next_occurrence(series, NOW, skip)
    assert after_skip is not None and after_skip.start_utc == utc(2026, 12, 17, 6)


def test_alternating_times_across_dst() -> None:
    series = Series(
        datetime(2026, 3, 12, 8), "Europe/Lisbon", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", HOUR, time(17)
    )
    found = occurrences(series, utc(2026, 3, 1), utc(2026, 4, 30))
    assert starts(found) == [
        utc(2026, 3, 12, 8),
        utc(2026, 3, 26, 17),
        utc(2026, 4, 9, 7),  # 08:00 WEST
        utc(2026, 4, 23, 16),  # 17:00 WEST
    ]


def test_three_times_take_turns() -> None:
    # `!meeting add … rotate` chose 06:00, 15:00 and 23:00 (UTC) for a fortnightly call.
    series = Series(datetime(2026, 11, 26, 6), "UTC", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", HOUR,
                    (time(15), time(23)))
    assert series.turn_times == (time(6), time(15), time(23))
    assert series.alternate_local_time == time(15)  # what pair-only callers still read
    found = occurrences(series, utc(2026, 11, 1), utc(2027, 2, 28))
    assert starts(found) == [utc(2026, 11, 26, 6), utc(2026, 12, 10, 15), utc(2026, 12, 24, 23),
                             utc(2027, 1, 7, 6), utc(2027, 1, 21, 15), utc(2027, 2, 4, 23),
                             utc(2027, 2, 18, 6)]
    assert found[2].original_local == datetime(2026, 12, 24, 6)
    # A bare time or None is still accepted, and kept as a tuple.
    assert Series(THURSDAY, "UTC", "FREQ=WEEKLY;BYDAY=TH", HOUR, time(9)).turn_times == (
        THURSDAY.time(), time(9))
    assert Series(THURSDAY, "UTC", None, HOUR, None).alternate_local_times == ()


@pytest.mark.parametrize(
    ("rule", "alternate"),
    [
        ("FREQ=WEEKLY;BYDAY=TU,TH", time(15)),
        ("FREQ=MONTHLY;BYMONTHDAY=3", time(15)),
        ("FREQ=DAILY;BYDAY=MO", time(15)),
        (None, time(15)),
    ],
)
def test_alternating_needs_one_date_per_period(rule: str | None, alternate: time) -> None:
    with pytest.raises(RuleError, match="Alternating times"):
        Series(THURSDAY, "UTC", rule, HOUR, alternate)


def test_series_validation() -> None:
    with pytest.raises(RuleError):
        Series(THURSDAY.replace(tzinfo=UTC), "UTC", None, HOUR)
    with pytest.raises(RuleError):
        Series(THURSDAY, "UTC", None, timedelta(0))
    with pytest.raises(ValueError):
        Series(THURSDAY, "Mars/Base", None, HOUR)
