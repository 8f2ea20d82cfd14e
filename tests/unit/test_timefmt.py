"""Formatting one instant for readers in many zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.timefmt import format_local, local_time_line, relative

BOGOTA, NAIROBI, KOLKATA = "America/Bogota", "Africa/Nairobi", "Asia/Kolkata"
# 03:00 UTC on Thu 3 Dec 2026: Bogotá is still on Wednesday evening.
EARLY = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
# 11:00 UTC the same day: everyone is on Thursday.
MIDDAY = datetime(2026, 12, 3, 11, 0, tzinfo=UTC)


def test_reader_first_then_west_to_east_with_day_difference() -> None:
    line = local_time_line(EARLY, [BOGOTA, NAIROBI, KOLKATA], NAIROBI)
    assert line == "06:00 Nairobi · 22:00 Bogota (−1 day) · 08:30 Kolkata"


def test_day_difference_uses_a_real_minus_sign() -> None:
    line = local_time_line(EARLY, [BOGOTA, NAIROBI], NAIROBI)
    assert "(\u22121 day)" in line
    assert "(-1 day)" not in line


def test_without_reader_the_first_zone_sets_the_date() -> None:
    line = local_time_line(EARLY, [BOGOTA, NAIROBI, KOLKATA], None)
    assert line == "22:00 Bogota · 06:00 Nairobi (+1 day) · 08:30 Kolkata (+1 day)"


def test_without_reader_order_is_by_offset_not_input() -> None:
    line = local_time_line(EARLY, [KOLKATA, BOGOTA, NAIROBI], None)
    assert line == "22:00 Bogota (−1 day) · 06:00 Nairobi · 08:30 Kolkata"


def test_same_wall_time_is_grouped_and_duplicates_dropped() -> None:
    zones = [NAIROBI, "Africa/Addis_Ababa", KOLKATA, BOGOTA, NAIROBI]
    line = local_time_line(MIDDAY, zones, NAIROBI)
    assert line == "14:00 Nairobi/Addis Ababa · 06:00 Bogota · 16:30 Kolkata"


def test_reader_zone_is_added_when_missing() -> None:
    line = local_time_line(MIDDAY, [BOGOTA], "Asia/Kathmandu")
    assert line == "16:45 Kathmandu · 06:00 Bogota"


def test_odd_offsets_and_fixed_zones() -> None:
    zones = ["Asia/Tehran", "Australia/Lord_Howe", "UTC-05:30", "UTC"]
    line = local_time_line(MIDDAY, zones, None)
    # Lord Howe is on summer time (+11:00) in December; Tehran stays +03:30.
    assert line == "05:30 UTC-05:30 · 11:00 UTC · 14:30 Tehran · 22:00 Lord Howe"


def test_two_day_spread_is_plural() -> None:
    late = datetime(2026, 12, 3, 11, 0, tzinfo=UTC)  # 23:00 Wed at UTC-12, 01:00 Fri at +14
    line = local_time_line(late, ["Pacific/Kiritimati"], "UTC-12:00")
    assert line == "23:00 UTC-12:00 · 01:00 Kiritimati (+2 days)"


def test_empty_and_naive() -> None:
    assert local_time_line(MIDDAY, [], None) == ""
    naive = MIDDAY.replace(tzinfo=None)
    assert local_time_line(naive, [NAIROBI], None) == "14:00 Nairobi"


def test_format_local() -> None:
    assert format_local(MIDDAY, NAIROBI) == "Thu 3 Dec 2026, 14:00 (Nairobi)"
    assert format_local(EARLY, BOGOTA) == "Wed 2 Dec 2026, 22:00 (Bogota)"
    assert format_local(MIDDAY, "Asia/Kathmandu", with_date=False) == "16:45 (Kathmandu)"
    assert format_local(MIDDAY, "UTC+05:45") == "Thu 3 Dec 2026, 16:45 (UTC+05:45)"


NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(days=3), "in 3 days"),
        (timedelta(days=2), "in 2 days"),
        (timedelta(days=2, hours=13), "in 3 days"),
        (timedelta(hours=47, minutes=59), "in 48 hours"),
        (timedelta(hours=2), "in 2 hours"),
        (timedelta(hours=1, minutes=59), "in 119 minutes"),
        (timedelta(minutes=5), "in 5 minutes"),
        (timedelta(minutes=1), "in 1 minute"),
        (timedelta(seconds=20), "now"),
        (timedelta(0), "now"),
        (-timedelta(seconds=20), "now"),
        (-timedelta(minutes=5), "5 minutes ago"),
        (-timedelta(hours=3), "3 hours ago"),
        (-timedelta(days=3), "3 days ago"),
    ],
)
def test_relative(delta: timedelta, text: str) -> None:
    assert relative(NOW + delta, NOW) == text


def test_relative_accepts_any_aware_or_naive_input() -> None:
    in_kolkata = (NOW + timedelta(days=3)).astimezone(ZoneInfo(KOLKATA))
    assert relative(in_kolkata, NOW) == "in 3 days"
    assert relative(NOW.replace(tzinfo=None) + timedelta(hours=5), NOW) == "in 5 hours"


# A big room: one zone per member group, over the network's UTC−6…+8 and the odd offsets.
BIG_ROOM = ["America/Mexico_City", "America/Chicago", "America/Guatemala", "America/Bogota",
            "America/Lima", "America/New_York", "America/Caracas", "America/Halifax",
            "America/St_Johns", "America/Sao_Paulo", "Atlantic/Azores", "Europe/London",
            "Africa/Dakar", "Africa/Lagos", "Europe/Paris", "Europe/Berlin", "Africa/Cairo",
            "Asia/Beirut", "Africa/Nairobi", "Africa/Addis_Ababa", "Asia/Tehran", "Asia/Dubai",
            "Asia/Kabul", "Asia/Karachi", "Asia/Kolkata", "Asia/Colombo", "Asia/Kathmandu",
            "Asia/Dhaka", "Asia/Yangon", "Asia/Bangkok", "Asia/Manila", "Australia/Eucla"]


@pytest.mark.parametrize(("lang", "more"), [
    ("en", "and 13 more local times"), ("es", "y 13 horas locales más"),
    ("fr", "et 13 autres heures locales"), ("pt", "e mais 13 horários locais"),
    ("ar", "و13 توقيتًا محليًا آخر")])
def test_a_big_rooms_line_is_capped_and_says_how_many_more(lang: str, more: str) -> None:
    from domain.i18n import use_language

    with use_language(lang):
        line = local_time_line(MIDDAY, BIG_ROOM, NAIROBI)
    entries = line.split(" · ")
    assert len(entries) == 9 and entries[-1] == more  # 21 distinct times: 8 shown
    assert entries[0].startswith("14:00 ")  # the reader's time first
    assert all(entry.count("/") <= 1 for entry in entries)  # two places each at most


def test_a_big_rooms_line_keeps_the_most_used_times() -> None:
    weights = dict.fromkeys(BIG_ROOM, 1) | {"Asia/Kathmandu": 40, "Australia/Eucla": 30,
                                            "America/St_Johns": 20}
    line = local_time_line(MIDDAY, weights, "America/Bogota")
    assert line.startswith("06:00 Bogota")
    for shown in ("16:45 Kathmandu", "19:45 Eucla", "07:30 St Johns"):
        assert shown in line
    # Places sharing a time: the most used named, the rest counted.
    paris = {"Europe/Paris": 1, "Europe/Berlin": 5, "Africa/Lagos": 3, "Europe/Madrid": 1}
    assert local_time_line(MIDDAY, paris, None) == "12:00 Berlin/Lagos +2"
