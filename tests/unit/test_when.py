"""Reading times members type, and turning wall times into instants across DST."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.recurrence import RuleError, parse_rule
from domain.when import Wall, WhenError, localize, parse_duration, parse_when
from domain.zones import ZoneError

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday; 10:00 in Lisbon too
HOME = "Europe/Lisbon"


def wall(*args: int, zone: str = HOME) -> Wall:
    return Wall(datetime(*args), zone)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-03 14:00", wall(2026, 12, 3, 14)),
        ("2026-12-03T14:00", wall(2026, 12, 3, 14)),
        ("tomorrow 15:00", wall(2026, 11, 26, 15)),
        ("today 9am", wall(2026, 11, 25, 9)),  # already past: explicit days are literal
        ("next tue 14:00", wall(2026, 12, 1, 14)),
        ("tue 14:00", wall(2026, 12, 1, 14)),
        ("thu 9am", wall(2026, 11, 26, 9)),
        ("Thursday 9am", wall(2026, 11, 26, 9)),
        ("wed 11:00", wall(2026, 11, 25, 11)),  # today, still ahead
        ("wed 9am", wall(2026, 12, 2, 9)),  # today's 9am is gone: next week
        ("next wed 11:00", wall(2026, 12, 2, 11)),  # "next" never means today
        ("14:00", wall(2026, 11, 25, 14)),
        ("09:00", wall(2026, 11, 26, 9)),
        ("14:00 Africa/Nairobi", wall(2026, 11, 25, 14, zone="Africa/Nairobi")),
        ("thu 06:00 UTC", wall(2026, 11, 26, 6, zone="UTC")),
        ("thu 06:00 UTC+3", wall(2026, 11, 26, 6, zone="UTC+03:00")),
        ("14:00 in Nairobi", wall(2026, 11, 25, 14, zone="Africa/Nairobi")),
        ("14:00 New York", wall(2026, 11, 25, 14, zone="America/New_York")),
        ("Port of Spain 14:00", wall(2026, 11, 25, 14, zone="America/Port_of_Spain")),
        ("thu Europe/Lisbon 10:00", wall(2026, 11, 26, 10)),
        ("3 Dec 14:00", wall(2026, 12, 3, 14)),
        ("Dec 3 2pm", wall(2026, 12, 3, 14)),
        ("3rd of December 2026 14:00", wall(2026, 12, 3, 14)),
        ("December 3, 2027 at 14:00", wall(2027, 12, 3, 14)),
        ("1 Jan 10:00", wall(2027, 1, 1, 10)),  # passed this year: next year
        ("in 3 days 15:00", wall(2026, 11, 28, 15)),
        ("in 2 hours", wall(2026, 11, 25, 12)),
        ("in 90 minutes", wall(2026, 11, 25, 11, 30)),
        ("14h", wall(2026, 11, 25, 14)),
        ("14h30", wall(2026, 11, 25, 14, 30)),
        ("2pm", wall(2026, 11, 25, 14)),
        ("2 pm", wall(2026, 11, 25, 14)),
        ("2:30pm", wall(2026, 11, 25, 14, 30)),
        ("tomorrow 9am", wall(2026, 11, 26, 9)),
        ("tomorrow 12am", wall(2026, 11, 26, 0)),
        ("tomorrow 12pm", wall(2026, 11, 26, 12)),
        ("14.30", wall(2026, 11, 25, 14, 30)),
        ("noon", wall(2026, 11, 25, 12)),
        ("midnight", wall(2026, 11, 26, 0)),  # 00:00 today has passed
    ],
)
def test_parse_when_accepts(text: str, expected: Wall) -> None:
    assert parse_when(text, NOW, HOME) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fri", wall(2026, 11, 27, 9)),
        ("next week", wall(2026, 11, 30, 9)),  # Monday of next week
        ("in 3 days", wall(2026, 11, 28, 9)),
        ("2026-12-03", wall(2026, 12, 3, 9)),
        ("wed", wall(2026, 12, 2, 9)),  # 09:00 today has passed
    ],
)
def test_days_without_a_time_use_the_default(text: str, expected: Wall) -> None:
    assert parse_when(text, NOW, HOME, default_time=time(9)) == expected


def test_days_are_counted_in_the_zone_of_the_text() -> None:
    # 10:00 UTC is 15:45 in Kathmandu, so 14:00 there has passed; in Lisbon it has not.
    assert parse_when("14:00 Asia/Kathmandu", NOW, HOME).local == datetime(2026, 11, 26, 14)
    assert parse_when("14:00", NOW, "Asia/Kathmandu").local == datetime(2026, 11, 26, 14)
    assert parse_when("today 9am Asia/Tehran", NOW, HOME) == wall(
        2026, 11, 25, 9, zone="Asia/Tehran"
    )
    assert parse_when("in 2 hours", NOW, "Asia/Kathmandu").local == datetime(2026, 11, 25, 17, 45)
    # In Kiritimati (UTC+14) it is already Thursday.
    kiritimati = parse_when("today 9am Pacific/Kiritimati", NOW, HOME)
    assert kiritimati.local == datetime(2026, 11, 26, 9)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tomorow 15:00", 'I couldn\'t read "tomorow" as a day. Try: tomorrow 15:00'),
        ("15:00 tomorow", 'I couldn\'t read "tomorow" as a day. Try: tomorrow 15:00'),
        ("25:61", '"25:61" is not a time of day'),
        ("24:00", '"24:00" is not a time of day'),
        ("13pm", '"13pm" is not a time of day'),
        ("Feb 30 10:00", "There is no 30 February."),
        ("2026-02-30 10:00", "There is no 30 February 2026."),
        ("2026-13-01 10:00", "has no month 13"),
        ("fri", '"fri" needs a time of day too. Try: fri 15:00'),
        ("2026-12-03", '"2026-12-03" needs a time of day too. Try: 2026-12-03 15:00'),
        ("3/12 10:00", '"3/12" could be 3 December 2026 or 12 March 2027.'),
        ("", "Give a day and a time"),
        ("next 10:00", '"next" needs a weekday or "week"'),
        ("tomorrow today 10:00", 'I found two days, "tomorrow" and "today"'),
        ("10:00 11:00", 'I found two times, "10:00" and "11:00"'),
        ("Dec 10:00", "needs a day of the month"),
        ("2200-01-01 10:00", "pick a year between 2000 and 2100"),
        ("in 999999999999 days", "too far ahead"),
        ("in 2 hours 15:00", 'Use "in ..." on its own'),
    ],
)
def test_parse_when_explains_what_was_wrong(text: str, message: str) -> None:
    with pytest.raises(WhenError) as caught:
        parse_when(text, NOW, HOME)
    assert message in str(caught.value)
    assert "Try: " in str(caught.value)


def test_a_working_example_from_an_error_really_works() -> None:
    with pytest.raises(WhenError, match=r"Try: (.+)$") as caught:
        parse_when("fri", NOW, HOME)
    example = str(caught.value).split("Try: ")[1]
    assert parse_when(example, NOW, HOME) == wall(2026, 11, 27, 15)


@pytest.mark.parametrize("text", ["15:00 Mars/Base", "14:00 UTC+99", "15:00 Nairobbi"])
def test_words_that_look_like_zones_raise_zone_errors(text: str) -> None:
    with pytest.raises(ZoneError):
        parse_when(text, NOW, HOME)


def test_zone_error_keeps_suggestions() -> None:
    with pytest.raises(ZoneError) as caught:
        parse_when("15:00 Nairobbi", NOW, HOME)
    assert "Africa/Nairobi" in caught.value.suggestions


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("60m", 60),
        ("90m", 90),
        ("1h", 60),
        ("1h30m", 90),
        ("1.5h", 90),
        ("45 min", 45),
        ("2 hours", 120),
        ("1 hour 30 minutes", 90),
        ("24h", 24 * 60),
    ],
)
def test_parse_duration(text: str, minutes: int) -> None:
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("0m", "at least a minute"),
        ("0h", "at least a minute"),
        ("24h1m", "at most 24 hours"),
        ("25h", "at most 24 hours"),
        ("99999999999999999999h", "at most 24 hours"),
        ("90", "as a length"),
        ("an hour", "as a length"),
        ("90ms", "as a length"),
        ("", "as a length"),
    ],
)
def test_parse_duration_bounds(text: str, reason: str) -> None:
    with pytest.raises(WhenError, match=reason):
        parse_duration(text)


def test_localize_moves_a_spring_forward_gap_and_says_so() -> None:
    instant, note = localize(datetime(2026, 3, 8, 2, 30), "America/New_York")
    assert instant == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT
    assert note == (
        "02:30 does not exist on 8 Mar 2026 in New York (clocks jump forward); using 03:30."
    )


def test_localize_takes_the_first_of_two_ambiguous_times() -> None:
    instant, note = localize(datetime(2026, 11, 1, 1, 30), "America/New_York")
    assert instant == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT, not EST
    assert note is None


@pytest.mark.parametrize(
    ("local", "zone", "utc", "noted"),
    [
        # Santiago jumps at midnight: 00:30 does not exist, and 23:30 happens twice.
        (datetime(2026, 9, 6, 0, 30), "America/Santiago", datetime(2026, 9, 6, 4, 30), True),
        (datetime(2026, 4, 4, 23, 30), "America/Santiago", datetime(2026, 4, 5, 2, 30), False),
        # Lord Howe shifts by only 30 minutes.
        (datetime(2026, 10, 4, 2, 15), "Australia/Lord_Howe", datetime(2026, 10, 3, 15, 45), True),
        (datetime(2026, 4, 5, 1, 45), "Australia/Lord_Howe", datetime(2026, 4, 4, 14, 45), False),
        (datetime(2026, 12, 3, 14), "Asia/Kathmandu", datetime(2026, 12, 3, 8, 15), False),
        (datetime(2026, 12, 3, 14), "Asia/Kolkata", datetime(2026, 12, 3, 8, 30), False),
        (datetime(2026, 1, 15, 14), "Asia/Tehran", datetime(2026, 1, 15, 10, 30), False),
        (datetime(2026, 7, 15, 14), "Asia/Tehran", datetime(2026, 7, 15, 10, 30), False),
        (datetime(2026, 7, 15, 14), "UTC-05:30", datetime(2026, 7, 15, 19, 30), False),
    ],
)
def test_localize_around_the_world(local: datetime, zone: str, utc: datetime, noted: bool) -> None:
    instant, note = localize(local, zone)
    assert instant == utc.replace(tzinfo=UTC)
    assert (note is not None) == noted


def test_lord_howe_gap_note_names_the_half_hour() -> None:
    _, note = localize(datetime(2026, 10, 4, 2, 15), "Australia/Lord_Howe")
    assert note is not None and "in Lord Howe" in note and "using 02:45" in note


_WORDS = [
    "tomorrow", "today", "next", "week", "in", "at", "on", "the", "of", "every", "other",
    "3", "2026", "14:00", "25:61", "2pm", "12am", "14h", "noon", "midnight", "tue", "thu",
    "Dec", "February", "30", "31st", "days", "hours", "min", "1.5h", "UTC", "UTC+5:30",
    "Africa/Nairobi", "Nairobi", "Mars/Base", "+05:45", "3/12", "2026-02-29", "month",
    "weekday", "first", "last", "and", ",", "RRULE:FREQ=WEEKLY;BYDAY=TU", "FREQ=HOURLY",
    "RRULE:FREQ=MONTHLY;BYDAY=+5MO;BYMONTH=2", "COUNT=0", "UNTIL=20200101", "\u00e9", "",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=60),
        st.lists(st.sampled_from(_WORDS), max_size=6).map(" ".join),
    )
)
def test_parsers_only_raise_value_errors(text: str) -> None:
    try:
        result = parse_when(text, NOW, HOME)
    except ValueError as error:
        assert isinstance(error, WhenError | ZoneError)
    else:
        assert result.local.tzinfo is None
    try:
        parse_rule(text, datetime(2026, 12, 3, 14))
    except ValueError as error:
        assert isinstance(error, RuleError)
    try:
        length = parse_duration(text)
    except ValueError as error:
        assert isinstance(error, WhenError)
    else:
        assert timedelta(0) < length <= timedelta(hours=24)
