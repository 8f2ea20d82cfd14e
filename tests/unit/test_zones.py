"""Zone resolution: what members type must land on one stable key, or fail helpfully."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.zones import (
    ZoneError,
    find_zones,
    resolve_zone,
    utc_offset_label,
    zone_info,
    zone_label,
)

JULY = datetime(2026, 7, 1, 12, tzinfo=UTC)
JANUARY = datetime(2026, 1, 15, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("asia/kathmandu", "Asia/Kathmandu"),
        ("Asia/Kathmandu", "Asia/Kathmandu"),
        ("AFRICA/NAIROBI", "Africa/Nairobi"),
        ("Nairobi", "Africa/Nairobi"),
        ("bogota", "America/Bogota"),
        ("Bogotá", "America/Bogota"),
        ("kathmandu", "Asia/Kathmandu"),
        ("new york", "America/New_York"),
        ("New_York", "America/New_York"),
        ("america new york", "America/New_York"),
        ("sao paulo", "America/Sao_Paulo"),
        ("São Paulo", "America/Sao_Paulo"),
        ("Ho Chi Minh", "Asia/Ho_Chi_Minh"),
        ("port au prince", "America/Port-au-Prince"),
        ("lord howe", "Australia/Lord_Howe"),
        ("  Tehran  ", "Asia/Tehran"),
        ("Addis Ababa", "Africa/Addis_Ababa"),
    ],
)
def test_names_and_cities(text: str, key: str) -> None:
    assert resolve_zone(text) == key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("calcutta", "Asia/Kolkata"),
        ("Asia/Katmandu", "Asia/Kathmandu"),
        ("Katmandu", "Asia/Kathmandu"),
        ("Asia/Saigon", "Asia/Ho_Chi_Minh"),
        ("saigon", "Asia/Ho_Chi_Minh"),
        ("Europe/Kiev", "Europe/Kyiv"),
        ("Asia/Istanbul", "Europe/Istanbul"),
    ],
)
def test_renamed_zones_map_to_current_names(text: str, key: str) -> None:
    assert resolve_zone(text) == key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        # Nested names are tzdata's canonical ones; the short ones are backward links.
        ("cordoba", "America/Argentina/Cordoba"),
        ("buenos aires", "America/Argentina/Buenos_Aires"),
        ("Indianapolis", "America/Indiana/Indianapolis"),
        ("Istanbul", "Europe/Istanbul"),
        # A legacy name that is also a city prefers the city zone.
        ("Singapore", "Asia/Singapore"),
    ],
)
def test_ambiguous_cities_follow_documented_rule(text: str, key: str) -> None:
    assert resolve_zone(text) == key


@pytest.mark.parametrize("text", ["US/Eastern", "us/eastern", "EST5EDT", "Japan"])
def test_exact_legacy_names_still_accepted(text: str) -> None:
    assert resolve_zone(text).lower() == text.lower()


def test_legacy_names_not_used_for_city_matching() -> None:
    with pytest.raises(ZoneError):
        resolve_zone("Eastern")  # only exists as US/Eastern, Canada/Eastern


@pytest.mark.parametrize(
    "text", ["UTC", "utc", "GMT", "gmt", "Z", "z", "Etc/UTC", "UTC+0", "+00:00"]
)
def test_utc_spellings(text: str) -> None:
    assert resolve_zone(text) == "UTC"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("UTC+03:00", "UTC+03:00"),
        ("UTC+3", "UTC+03:00"),
        ("utc +3", "UTC+03:00"),
        ("UTC-05:30", "UTC-05:30"),
        ("UTC\u221205:30", "UTC-05:30"),
        ("+05:45", "UTC+05:45"),
        ("-0330", "UTC-03:30"),
        ("GMT+2", "UTC+02:00"),
        ("UTC+14", "UTC+14:00"),
        ("UTC-12:00", "UTC-12:00"),
    ],
)
def test_fixed_offsets(text: str, key: str) -> None:
    assert resolve_zone(text) == key


@pytest.mark.parametrize("text", ["UTC+14:15", "UTC-12:30", "UTC+15", "UTC-13", "UTC+05:20"])
def test_fixed_offsets_out_of_range_or_odd_minutes(text: str) -> None:
    with pytest.raises(ZoneError, match=text.replace("+", r"\+")):
        resolve_zone(text)


@pytest.mark.parametrize(
    ("text", "hint"), [("Etc/GMT+3", "UTC-03:00"), ("etc/gmt-14", "UTC+14:00")]
)
def test_etc_gmt_is_refused_with_the_right_sign(text: str, hint: str) -> None:
    with pytest.raises(ZoneError) as caught:
        resolve_zone(text)
    assert caught.value.suggestions == [hint]
    assert hint in str(caught.value)


def test_unknown_zone_suggests_close_names() -> None:
    with pytest.raises(ZoneError) as caught:
        resolve_zone("Nairobbi")
    assert str(caught.value) == 'Unknown time zone "Nairobbi".'
    assert caught.value.suggestions[0] == "Africa/Nairobi"
    assert len(caught.value.suggestions) <= 5


def test_unknown_zone_suggestions_are_capped_and_resolvable() -> None:
    with pytest.raises(ZoneError) as caught:
        resolve_zone("bogata")
    suggestions = caught.value.suggestions
    assert "America/Bogota" in suggestions
    assert len(suggestions) <= 5
    assert all(resolve_zone(s) == s for s in suggestions)


@pytest.mark.parametrize("text", ["", "   ", "Mars/Olympus", "x" * 500, "Factory", "localtime"])
def test_garbage_is_zone_error(text: str) -> None:
    with pytest.raises(ZoneError):
        resolve_zone(text)


def test_zone_error_is_value_error() -> None:
    assert issubclass(ZoneError, ValueError)


def test_find_zones_best_first() -> None:
    assert find_zones("kolk") == ["Asia/Kolkata"]
    assert find_zones("york")[0] == "America/New_York"
    hits = find_zones("ind")
    assert hits[0] == "America/Indiana/Indianapolis"  # city prefix beats substring
    assert find_zones("nairobbi")[0] == "Africa/Nairobi"  # fuzzy fallback
    assert len(find_zones("a", limit=3)) == 3
    assert find_zones("") == []
    assert find_zones("   ") == []


def test_zone_info_kinds() -> None:
    assert zone_info("Asia/Kathmandu") == ZoneInfo("Asia/Kathmandu")
    assert zone_info("UTC") is UTC
    fixed = zone_info("UTC-05:30")
    assert isinstance(fixed, timezone)
    assert fixed.utcoffset(None) == -timedelta(hours=5, minutes=30)
    assert zone_info("UTC+05:45").utcoffset(None) == timedelta(hours=5, minutes=45)
    assert zone_info("Africa/Nairobi") is zone_info("Africa/Nairobi")  # cached
    with pytest.raises(ZoneError):
        zone_info("Nowhere/Special")


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("Africa/Nairobi", "Nairobi"),
        ("America/Argentina/Buenos_Aires", "Buenos Aires"),
        ("Asia/Ho_Chi_Minh", "Ho Chi Minh"),
        ("UTC+03:00", "UTC+03:00"),
        ("UTC-05:30", "UTC-05:30"),
        ("UTC", "UTC"),
    ],
)
def test_zone_label(key: str, label: str) -> None:
    assert zone_label(key) == label


@pytest.mark.parametrize(
    ("key", "at", "label"),
    [
        ("Asia/Kathmandu", JULY, "UTC+05:45"),
        ("Asia/Kathmandu", JANUARY, "UTC+05:45"),
        ("Asia/Kolkata", JULY, "UTC+05:30"),
        # Iran abolished DST in 2022: +03:30 all year.
        ("Asia/Tehran", JULY, "UTC+03:30"),
        ("Asia/Tehran", JANUARY, "UTC+03:30"),
        # Lord Howe shifts by only half an hour.
        ("Australia/Lord_Howe", JULY, "UTC+10:30"),
        ("Australia/Lord_Howe", JANUARY, "UTC+11:00"),
        ("America/Bogota", JULY, "UTC-05:00"),
        ("America/New_York", JULY, "UTC-04:00"),
        ("America/New_York", JANUARY, "UTC-05:00"),
        ("UTC-05:30", JULY, "UTC-05:30"),
        ("UTC", JULY, "UTC+00:00"),
    ],
)
def test_utc_offset_label(key: str, at: datetime, label: str) -> None:
    assert utc_offset_label(key, at) == label


def test_utc_offset_label_treats_naive_as_utc() -> None:
    assert utc_offset_label("America/New_York", datetime(2026, 7, 1)) == "UTC-04:00"


@given(st.text(max_size=120))
def test_resolve_zone_only_raises_zone_error(text: str) -> None:
    try:
        key = resolve_zone(text)
    except ZoneError:
        return
    zone_info(key)  # whatever resolves must also be usable
