"""Check-in rules without Matrix or SQL: schedules across zones and DST, windows, answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from domain.checkin import (
    DEFAULT_QUESTIONS,
    CheckinError,
    MemberClock,
    PersonAnswers,
    Schedule,
    answer_state,
    blocker_index,
    condense,
    cycle_days,
    day_label,
    describe_window,
    is_day_off,
    late_until,
    means_nothing,
    member_prompts,
    next_prompt,
    parse_days,
    parse_questions,
    parse_schedule,
    parse_window,
    prompt_instant,
    read_answers,
    summarise,
)

MON = date(2026, 11, 30)  # a Monday
AUCKLAND = MemberClock("@ana:x", "Pacific/Auckland")  # UTC+13 in November
NAIROBI = MemberClock("@ben:x", "Africa/Nairobi")  # UTC+3
HONOLULU = MemberClock("@cai:x", "Pacific/Honolulu")  # UTC-10


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# ---- parsing ------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "days"), [
    ("mon", {0}), ("mon,thu", {0, 3}), ("Mon, Thu", {0, 3}), ("weekday", {0, 1, 2, 3, 4}),
    ("weekdays", {0, 1, 2, 3, 4}), ("day", set(range(7))), ("daily", set(range(7))),
    ("mon-wed", {0, 1, 2}), ("fri-mon", {4, 5, 6, 0}), ("every tuesday", {1}),
])
def test_days(text: str, days: set[int]) -> None:
    assert parse_days(text) == frozenset(days)


@pytest.mark.parametrize("text", ["", "funday", "mon-xyz", "every"])
def test_bad_days(text: str) -> None:
    with pytest.raises(CheckinError):
        parse_days(text)


def test_schedule_local_by_default_and_with_a_zone() -> None:
    assert parse_schedule("mon 10:00 local") == Schedule(frozenset({0}), time(10), None)
    assert parse_schedule("mon,thu 9:30") == Schedule(frozenset({0, 3}), time(9, 30), None)
    assert parse_schedule("every day 9am") == Schedule(frozenset(range(7)), time(9), None)
    nairobi = parse_schedule("fri 14:00 Africa/Nairobi")
    assert nairobi == Schedule(frozenset({4}), time(14), "Africa/Nairobi")
    assert parse_schedule("fri 2pm in Nairobi").zone == "Africa/Nairobi"
    assert "in each member's own time zone" in parse_schedule("weekday 10:00").describe()
    assert parse_schedule("mon,thu 10:00").describe().startswith("Mondays and Thursdays at 10")
    assert nairobi.describe() == "Fridays at 14:00, Nairobi time"


@pytest.mark.parametrize(("text", "says"), [
    ("mon 10:00 Atlantis/Nowhere", "Unknown time zone"),
    ("mon 10:00 Nairobbi", "Did you mean Africa/Nairobi"),
    ("mon", "Give the days, then the time"),
    ("10:00", "Give the days, then the time"),
    ("mon 25:00", "not a time of day"),
    ("someday 10:00", "not a day"),
])
def test_bad_schedules(text: str, says: str) -> None:
    with pytest.raises(CheckinError, match=says):
        parse_schedule(text)


@pytest.mark.parametrize(("text", "minutes"), [
    ("48h", 2880), ("2d", 2880), ("1d12h", 2160), ("90m", 90), ("1 h", 60), ("7 days", 10080),
    ("1w", 10080),
])
def test_windows(text: str, minutes: int) -> None:
    assert parse_window(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize(("text", "says"), [
    ("30m", "at least an hour"), ("59m", "at least an hour"), ("8d", "at most 7 days"),
    ("169h", "at most 7 days"), ("soon", "couldn't read"), ("", "couldn't read"),
    # Found by the fuzz scenario: numbers too big for a timedelta were an unhandled error.
    ("99999999999999999999999m", "at most 7 days"), ("1d99999999999999999999999h", "at most"),
    ("99999999999999999999999w", "at most 7 days"),
])
def test_bad_windows(text: str, says: str) -> None:
    with pytest.raises(CheckinError, match=says):
        parse_window(text)


def test_window_descriptions() -> None:
    assert describe_window(timedelta(hours=24)) == "24h"
    assert describe_window(timedelta(hours=48)) == "2 days"
    assert describe_window(timedelta(minutes=90)) == "1h30m"


def test_questions() -> None:
    text = '"What did you work on?" "What\'s next?" “Anything blocking you?”'
    assert parse_questions(text) == DEFAULT_QUESTIONS
    assert parse_questions("Wins? | Help needed?") == ("Wins?", "Help needed?")
    assert parse_questions("How are you?") == ("How are you?",)
    with pytest.raises(CheckinError, match="at most 5"):
        parse_questions(" ".join(f'"Q{i}?"' for i in range(6)))
    with pytest.raises(CheckinError, match="empty"):
        parse_questions('"One?" "" "Three?"')
    with pytest.raises(CheckinError, match="not closed"):
        parse_questions('"One?" "Two?')
    with pytest.raises(CheckinError, match="quotation marks"):
        parse_questions('"One?" Two?')
    with pytest.raises(CheckinError, match="under 200"):
        parse_questions('"' + "x" * 201 + '"')


# ---- who is asked when --------------------------------------------------------------------
def test_local_mode_spreads_one_cycle_over_the_zones() -> None:
    schedule = Schedule(frozenset({0}), time(10))
    dues = member_prompts(schedule, MON, [AUCKLAND, NAIROBI, HONOLULU])
    assert dues == {
        "@ana:x": utc(2026, 11, 29, 21, 0),  # Monday 10:00 in Auckland is Sunday in UTC
        "@ben:x": utc(2026, 11, 30, 7, 0),
        "@cai:x": utc(2026, 11, 30, 20, 0),
    }
    # The whole cycle spans 23 hours; with a 24h window its summary waits 47 hours.
    assert max(dues.values()) - min(dues.values()) == timedelta(hours=23)


def test_room_zone_asks_everyone_at_one_instant() -> None:
    schedule = Schedule(frozenset({4}), time(14), "Africa/Nairobi")
    dues = member_prompts(schedule, date(2026, 12, 4), [AUCKLAND, NAIROBI, HONOLULU])
    assert set(dues.values()) == {utc(2026, 12, 4, 11, 0)}


def test_dst_keeps_the_local_hour() -> None:
    schedule = Schedule(frozenset({0}), time(10))
    berlin = "Europe/Berlin"
    assert prompt_instant(schedule, date(2026, 3, 23), berlin) == utc(2026, 3, 23, 9, 0)
    assert prompt_instant(schedule, date(2026, 3, 30), berlin) == utc(2026, 3, 30, 8, 0)
    new_york = "America/New_York"  # US clocks change on 8 March 2026
    assert prompt_instant(schedule, date(2026, 3, 2), new_york) == utc(2026, 3, 2, 15, 0)
    assert prompt_instant(schedule, date(2026, 3, 9), new_york) == utc(2026, 3, 9, 14, 0)
    # Southern hemisphere: Auckland leaves summer time on 5 April 2026.
    auckland = "Pacific/Auckland"
    assert prompt_instant(schedule, date(2026, 3, 30), auckland) == utc(2026, 3, 29, 21, 0)
    assert prompt_instant(schedule, date(2026, 4, 6), auckland) == utc(2026, 4, 5, 22, 0)


def test_a_time_in_the_spring_gap_moves_forward_and_a_repeated_one_takes_the_first() -> None:
    early = Schedule(frozenset({6}), time(2, 30))
    assert prompt_instant(early, date(2026, 3, 29), "Europe/Berlin") == utc(2026, 3, 29, 1, 30)
    # 25 October 2026, 02:30 happens twice in Berlin: the first (summer time) is used.
    assert prompt_instant(early, date(2026, 10, 25), "Europe/Berlin") == utc(2026, 10, 25, 0, 30)


def test_days_off_follow_the_members_local_date() -> None:
    sun_thu = MemberClock("@dan:x", "America/Bogota", frozenset({6, 0, 1, 2, 3}))
    assert is_day_off(sun_thu, utc(2026, 12, 4, 15))  # Friday in Bogota
    assert not is_day_off(sun_thu, utc(2026, 12, 6, 15))  # Sunday in Bogota
    # Saturday 03:00 UTC is still Friday evening in Bogota: a day off for this member.
    assert is_day_off(sun_thu, utc(2026, 12, 5, 3))
    assert not is_day_off(MemberClock("@eve:x", "UTC"), utc(2026, 12, 5, 3)), "no hours set"


def test_cycle_days_find_every_prompt_instant_in_a_range() -> None:
    schedule = Schedule(frozenset({0}), time(10))
    # Addis Ababa shares Nairobi's clock: one instant, not two.
    zones = ["Pacific/Auckland", "Africa/Nairobi", "Pacific/Honolulu", "Africa/Addis_Ababa"]
    found = cycle_days(schedule, zones, utc(2026, 11, 29, 0), utc(2026, 12, 1, 0))
    assert found == [(MON, [utc(2026, 11, 29, 21), utc(2026, 11, 30, 7), utc(2026, 11, 30, 20)])]
    later = cycle_days(schedule, zones, utc(2026, 11, 30, 8), utc(2026, 11, 30, 22))
    assert later == [(MON, [utc(2026, 11, 30, 20)])]
    assert cycle_days(schedule, zones, utc(2026, 12, 1), utc(2026, 12, 5)) == []
    fixed = Schedule(frozenset({4}), time(14), "Africa/Nairobi")
    assert cycle_days(fixed, zones, utc(2026, 12, 1), utc(2026, 12, 8)) == [
        (date(2026, 12, 4), [utc(2026, 12, 4, 11)])]


def test_next_prompt_for_a_member() -> None:
    schedule = Schedule(frozenset({0, 3}), time(10))
    now = utc(2026, 11, 30, 8, 0)  # Monday 11:00 in Nairobi: today's has passed
    assert next_prompt(schedule, "Africa/Nairobi", now) == utc(2026, 12, 3, 7, 0)
    assert next_prompt(schedule, "Pacific/Honolulu", now) == utc(2026, 11, 30, 20, 0)


# ---- the window ------------------------------------------------------------------------------
def test_answers_are_open_then_late_then_closed() -> None:
    closes = utc(2026, 12, 1, 20)
    window = timedelta(hours=24)
    assert answer_state(utc(2026, 12, 9), closes, None, window) == "open", "until the summary"
    summary = utc(2026, 12, 1, 20, 5)
    assert late_until(closes, summary, window) == utc(2026, 12, 2, 20, 5)
    assert answer_state(utc(2026, 12, 2, 10), closes, summary, window) == "late"
    assert answer_state(utc(2026, 12, 2, 20, 5), closes, summary, window) == "closed"
    # A summary posted late (the bot was down) still leaves a whole late window.
    assert late_until(closes, utc(2026, 12, 3), window) == utc(2026, 12, 4)


# ---- answers and the summary -------------------------------------------------------------------
def split(texts: list[str], count: int) -> tuple[list[str | None], list[str], bool]:
    reading = read_answers(texts, DEFAULT_QUESTIONS[:count] if count == 3 else ["Q"] * count)
    return reading.slots, reading.extras, reading.structured


def test_one_message_with_numbered_or_one_line_answers() -> None:
    numbered = "1. the budget\n2) the board\nmeeting\n3: nothing"
    assert split([numbered], 3) == (["the budget", "the board meeting", "nothing"], [], True)
    lines = "budget\nboard\nvisa for the trip"
    assert split([lines], 3)[0] == ["budget", "board", "visa for the trip"]
    assert split(["1. budget\n3. visa"], 3)[0] == ["budget", None, "visa"]


def test_one_message_per_question_and_extras() -> None:
    slots, extras, structured = split(["budget", "board", "no", "also: hi"], 3)
    assert (slots, extras, structured) == (["budget", "board", "no"], ["also: hi"], True)


def test_a_single_loose_message_stays_whole() -> None:
    slots, extras, structured = split(["Did the budget, next the board."], 3)
    assert not structured and slots[0] == "Did the budget, next the board." and extras == []
    assert split(["Fine"], 1) == (["Fine"], [], True)


@pytest.mark.parametrize("text", ["no", "None.", "nothing", "N/A", "-", "Nope!", "no blockers",
                                  "Nothing blocking me", "all good", "not really"])
def test_answers_that_mean_no_blocker(text: str) -> None:
    assert means_nothing(text)


@pytest.mark.parametrize("text", ["waiting for the VPN", "no access to the drive",
                                  "nothing works"])
def test_real_blockers(text: str) -> None:
    assert not means_nothing(text)


def test_blocker_question_is_found_by_its_words() -> None:
    assert blocker_index(DEFAULT_QUESTIONS) == 2
    assert blocker_index(("Wins?", "Where are you stuck?")) == 1
    assert blocker_index(("Wins?", "Plans?")) is None


def test_summary_pulls_blockers_up_and_names_who_was_not_heard() -> None:
    people = [
        PersonAnswers("Ana", ("1. budget\n2. board\n3. none",)),
        PersonAnswers("Ben", ("grant report", "site visit", "waiting for the VPN account")),
        PersonAnswers("Cai", ("Travelling, back on Thursday.",), late=True),
    ]
    summary = summarise(DEFAULT_QUESTIONS, people, ["zoe", "Dan"], asked=5)
    assert summary.blockers == [("Ben", "waiting for the VPN account")]
    assert summary.not_heard == ["Dan", "zoe"]
    assert summary.answered == 3 and summary.asked == 5
    ana, ben, cai = summary.people
    assert ana.answers == ("budget", "board", "none")
    assert ben.answers[2] == "waiting for the VPN account"
    assert cai.answers == () and cai.loose == ("Travelling, back on Thursday.",) and cai.late


def test_condense() -> None:
    assert condense("  a\n\n b  ") == "a b"
    long = condense("word " * 100)
    assert len(long) == 160 and long.endswith("…")


def test_day_label() -> None:
    assert day_label(MON) == "Mon 30 Nov"


def test_a_big_room_summary_stays_small() -> None:
    people = [PersonAnswers(f"Person {i}", ("x" * 500, "y" * 500, "z" * 500, "more", "more",
                                             "more", "more", "more"))
              for i in range(200)]
    summary = summarise(DEFAULT_QUESTIONS, people, [], asked=200)
    text = sum(len(a or "") for p in summary.people for a in (*p.answers, *p.loose))
    assert text < 40_000
    assert all(len(p.loose) == 3 for p in summary.people)
