"""Times that take turns: when no single time is fair, 2–3 times that share the pain."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from devtools.sample_network import ASKED_AT, NETWORK8
from domain.availability import DEFAULT_HOURS, Person
from domain.hours import parse_hours
from domain.spread import spread_times

HOUR = timedelta(hours=1)
THURSDAY = date(2026, 12, 10)


def network8() -> list[Person]:
    return [Person(user, zone, parse_hours(hours)) for user, zone, hours in NETWORK8]


def test_one_fair_time_needs_no_turns() -> None:
    pair = [Person("@amina:x", "Africa/Nairobi", DEFAULT_HOURS),
            Person("@omar:x", "Asia/Amman", DEFAULT_HOURS)]
    spread = spread_times(pair, HOUR, THURSDAY, "Africa/Nairobi", after_utc=ASKED_AT)
    assert spread is not None and spread.single_fits
    assert spread.times == (time(9),)


def test_eight_members_share_the_late_hours_without_anyone_s_night() -> None:
    spread = spread_times(network8(), HOUR, THURSDAY, "Africa/Nairobi", after_utc=ASKED_AT)
    assert spread is not None and not spread.single_fits
    # Manila and Bogotá never share an hour, so someone is always outside; nights stay safe.
    assert spread.times == (time(15), time(16))
    assert not any(t.at_night for t in spread.turns)


def test_three_continents_take_turns_at_night() -> None:
    # Nights (22:00–06:00) at UTC−8, UTC and UTC+8 cover the whole day: someone is always
    # at night. Three turns put each of them there once, not one of them every time.
    trio = [Person("@a:x", "UTC-08:00", DEFAULT_HOURS), Person("@b:x", "UTC", DEFAULT_HOURS),
            Person("@c:x", "UTC+08:00", DEFAULT_HOURS)]
    spread = spread_times(trio, HOUR, THURSDAY, "UTC", after_utc=ASKED_AT)
    assert spread is not None and len(spread.turns) == 3
    at_night = [tuple(c.user_id for c in t.at_night) for t in spread.turns]
    assert all(len(who) == 1 for who in at_night)
    assert sorted(who[0] for who in at_night) == ["@a:x", "@b:x", "@c:x"]
    # With only two turns, someone takes half of them at night; two are never better here.
    two = spread_times(trio, HOUR, THURSDAY, "UTC", after_utc=ASKED_AT, sizes=(2,))
    assert two is not None and len(two.turns) == 2


def test_a_given_time_is_kept_as_the_first_turn() -> None:
    spread = spread_times(network8(), HOUR, THURSDAY, "Africa/Nairobi", after_utc=ASKED_AT,
                          fixed=time(11))
    assert spread is not None
    assert spread.times[0] == time(11)
    assert len(spread.turns) >= 2
    assert spread.turns[0].start_utc == datetime(2026, 12, 10, 8, tzinfo=UTC)


def test_times_already_past_are_not_chosen() -> None:
    after = datetime(2026, 12, 10, 12, 30, tzinfo=UTC)  # 15:30 in Nairobi that Thursday
    spread = spread_times(network8(), HOUR, THURSDAY, "Africa/Nairobi", after_utc=after)
    assert spread is not None
    assert all(t.start_utc > after for t in spread.turns)
    assert spread_times(network8(), HOUR, THURSDAY, "Africa/Nairobi",
                        after_utc=datetime(2026, 12, 11, tzinfo=UTC)) is None
