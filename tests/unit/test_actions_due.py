"""Due dates in the owner's zone, past-date suggestions, nudge mornings, and ordering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.due import (
    DuePassed,
    clean_text,
    format_due,
    leading_people,
    nudge_time,
    open_order,
    overdue_by,
    parse_due,
    parse_number,
    split_due_clause,
)
from domain.when import WhenError
from domain.zones import ZoneError
from tests.unit.test_actions_fixtures import utc

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Wed; 13:00 Nairobi, 15:30 Kolkata, 05:00 Bogota



@pytest.mark.parametrize(("text", "zone", "expected"), [
    # "fri" = the end of Friday where the owner lives.
    ("fri", "Africa/Nairobi", utc(2026, 11, 27, 20, 59)),
    ("fri", "Asia/Kolkata", utc(2026, 11, 27, 18, 29)),
    ("fri", "America/Bogota", utc(2026, 11, 28, 4, 59)),
    ("fri 15:00", "Asia/Kolkata", utc(2026, 11, 27, 9, 30)),
    ("next week", "Africa/Nairobi", utc(2026, 11, 30, 20, 59)),
    ("2026-12-10", "America/Bogota", utc(2026, 12, 11, 4, 59)),
    ("in 3 days", "Asia/Kolkata", utc(2026, 11, 28, 18, 29)),
    ("in 2 hours", "Africa/Nairobi", utc(2026, 11, 25, 12, 0)),
    ("today", "Africa/Nairobi", utc(2026, 11, 25, 20, 59)),
    # Still Tuesday in Bogota? No: 05:00 Wednesday there too; "tomorrow" is Thursday.
    ("tomorrow", "America/Bogota", utc(2026, 11, 27, 4, 59)),
    ("fri 17:00 in Bogota", "Africa/Nairobi", utc(2026, 11, 27, 22, 0)),
])
def test_due_dates_are_read_in_the_owners_zone(text: str, zone: str,
                                               expected: datetime) -> None:
    assert parse_due(text, NOW, zone).instant == expected


def test_the_same_words_mean_different_instants_for_different_owners() -> None:
    kolkata = parse_due("fri", NOW, "Asia/Kolkata").instant
    bogota = parse_due("fri", NOW, "America/Bogota").instant
    assert bogota - kolkata == timedelta(hours=10, minutes=30)


@pytest.mark.parametrize(("text", "zone", "suggestion"), [
    ("2026-11-20", "Asia/Kolkata", "2026-11-27"),  # five days ago: same weekday next week
    ("today 09:00", "Africa/Nairobi", "2026-11-26 09:00"),  # earlier today: tomorrow
    ("2026-03-01", "UTC", "2027-03-01"),  # months ago: next year
    ("2024-02-29", "UTC", "2027-02-28"),  # a leap day moves to the 28th
])
def test_a_past_due_date_suggests_a_future_one(text: str, zone: str, suggestion: str) -> None:
    with pytest.raises(DuePassed) as caught:
        parse_due(text, NOW, zone)
    assert caught.value.suggestion == suggestion
    assert f"Did you mean {suggestion}?" in str(caught.value)


def test_today_is_still_on_time_until_the_owners_evening() -> None:
    # 22:00 UTC is already Thursday in Nairobi, still Wednesday in Bogota.
    late = utc(2026, 11, 25, 22, 0)
    with pytest.raises(DuePassed):
        parse_due("2026-11-25", late, "Africa/Nairobi")
    assert parse_due("2026-11-25", late, "America/Bogota").instant == utc(2026, 11, 26, 4, 59)


def test_unreadable_dates_raise_when_errors() -> None:
    with pytest.raises(WhenError):
        parse_due("fri 25:00", NOW, "UTC")
    with pytest.raises(ZoneError):
        parse_due("someday", NOW, "UTC")


def test_format_due_says_end_of_day_or_the_time_in_the_zone() -> None:
    due = parse_due("fri", NOW, "Asia/Kolkata").instant
    assert format_due(due, "Asia/Kolkata", NOW) == "Fri 27 Nov (end of day, Kolkata)"
    assert format_due(due, "Africa/Nairobi", NOW) == "Fri 27 Nov, 21:29 (Nairobi)"
    assert format_due(utc(2027, 1, 4, 12), "UTC", NOW) == "Mon 4 Jan 2027, 12:00 (UTC)"


def test_overdue_by() -> None:
    assert overdue_by(NOW - timedelta(days=3, hours=2), NOW) == "overdue by 3 days"
    assert overdue_by(NOW - timedelta(hours=5), NOW) == "overdue by 5 hours"
    assert overdue_by(NOW - timedelta(minutes=5), NOW) == "just overdue"


# ---- the nudge morning ---------------------------------------------------------------------


def test_nudge_is_the_first_nine_oclock_after_the_due_instant() -> None:
    due = parse_due("fri", NOW, "Asia/Kolkata").instant  # Fri 23:59 Kolkata
    assert nudge_time(due, "Asia/Kolkata", NOW) == utc(2026, 11, 28, 3, 30)  # Sat 09:00
    early = parse_due("fri 08:00", NOW, "Asia/Kolkata").instant
    assert nudge_time(early, "Asia/Kolkata", NOW) == utc(2026, 11, 27, 3, 30)  # Fri 09:00


def test_a_missed_morning_is_caught_up_three_hours_late_at_most() -> None:
    due = parse_due("fri", NOW, "Africa/Nairobi").instant  # Fri 23:59 Nairobi
    saturday_9 = utc(2026, 11, 28, 6, 0)
    # Back at 11:00 on Saturday: the 09:00 nudge goes out now (the time is in the past).
    assert nudge_time(due, "Africa/Nairobi", saturday_9 + timedelta(hours=2)) == saturday_9
    # Back at 13:00: wait for Sunday 09:00 rather than nudge in the afternoon.
    assert nudge_time(due, "Africa/Nairobi", saturday_9 + timedelta(hours=4)) == \
        saturday_9 + timedelta(days=1)
    # Back in the night: the next morning.
    assert nudge_time(due, "Africa/Nairobi", utc(2026, 11, 30, 0, 0)) == utc(2026, 11, 30, 6)


def test_nudge_morning_follows_daylight_saving_time() -> None:
    # New York springs forward on Sun 14 Mar 2027: 09:00 is 14:00 UTC before, 13:00 after.
    before = utc(2027, 3, 13, 15, 0)  # Saturday 10:00 in New York
    assert nudge_time(before, "America/New_York", before) == utc(2027, 3, 14, 13, 0)


def test_open_order_puts_overdue_first_then_by_due_then_undated() -> None:
    items = [(None, 1), (NOW + timedelta(days=2), 2), (NOW - timedelta(days=1), 3),
             (NOW - timedelta(days=5), 4), (NOW + timedelta(days=2), 0)]
    ordered = sorted(items, key=lambda i: open_order(*i))
    assert [n for _, n in ordered] == [4, 3, 0, 2, 1]


# ---- what members type -----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Send the draft due fri", ("Send the draft", "fri")),
    ("Pay the bill due to the vendor due next week", ("Pay the bill due to the vendor",
                                                      "next week")),
    ("Review overdue invoices", ("Review overdue invoices", None)),
    ('"Check what is due" due fri', ("Check what is due", "fri")),
    ('"Quoted only"', ("Quoted only", None)),
    ("due fri", ("", "fri")),
])
def test_split_due_clause(text: str, expected: tuple[str, str | None]) -> None:
    assert split_due_clause(text) == expected


def test_split_due_clause_refuses_text_after_a_quote() -> None:
    with pytest.raises(ValueError, match="didn't expect"):
        split_due_clause('"Text" tomorrow')


def test_parse_number_and_clean_text() -> None:
    assert parse_number("#12") == parse_number("12") == 12
    with pytest.raises(ValueError):
        parse_number("twelve")
    assert clean_text("  two\n lines ") == "two lines"
    with pytest.raises(ValueError, match="What is the action"):
        clean_text("   ")
    with pytest.raises(ValueError, match="1,001 characters"):
        clean_text("x" * 1001)
    assert clean_text("x" * 1000) == "x" * 1000


MEMBERS = ["@alice:ex.org", "@bob:ex.org", "@carol:ex.org"]


def name_of(user: str) -> str:
    return {"@bob:ex.org": "Bob Smith"}.get(user, user[1:].split(":")[0].title())


@pytest.mark.parametrize(("text", "mentioned", "owners", "rest"), [
    ("Bob Smith: send it", ["@bob:ex.org"], ["@bob:ex.org"], "send it"),  # a pill
    ("@bob:ex.org send it", ["@bob:ex.org"], ["@bob:ex.org"], "send it"),
    ("@carol @bob send it", [], ["@carol:ex.org", "@bob:ex.org"], "send it"),  # localparts
    ("@Carol, Bob Smith send it", ["@bob:ex.org"], ["@carol:ex.org", "@bob:ex.org"],
     "send it"),
    ("send it to Bob Smith", ["@bob:ex.org"], [], "send it to Bob Smith"),  # not leading
])
def test_leading_people(text: str, mentioned: list[str], owners: list[str], rest: str) -> None:
    assert leading_people(text, mentioned, MEMBERS, name_of) == (owners, rest)


def test_a_unique_beginning_of_a_name_is_enough() -> None:
    members = ["@bob-2-ab12:ex.org", "@carol:ex.org", "@caroline:ex.org"]
    assert leading_people("@bob do it", [], members, name_of) == (["@bob-2-ab12:ex.org"],
                                                                   "do it")
    assert leading_people("@carol do it", [], members, name_of)[0] == ["@carol:ex.org"]
    with pytest.raises(ValueError, match=r"could be Carol, Caroline;"):
        leading_people("@car do it", [], members, name_of)


def test_leading_people_refuses_strangers() -> None:
    with pytest.raises(ValueError, match="can't find @zed"):
        leading_people("@zed do it", [], MEMBERS, name_of)
    with pytest.raises(ValueError, match="not a member of this room"):
        leading_people("@zed:ex.org do it", ["@zed:ex.org"], MEMBERS, name_of)
