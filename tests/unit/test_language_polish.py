"""Language polish seen in replies (issue 20, item 9): counted nouns in Arabic, French
typography before a colon, translated pseudonyms, cities in the reader's language."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from commands.checkins.format import summary_msg
from commands.meetings.format import duration_words
from domain.checkin import DEFAULT_QUESTIONS, PersonAnswers, describe_window, summarise
from domain.i18n import colon, use_language
from domain.people import shown_name
from domain.timefmt import format_local, local_time_line
from domain.zones import zone_label
from storage.checkins import Cycle


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def cycle() -> Cycle:
    return Cycle(1, 1, "!a:example.org", "2026-11-30", "Mon 30 Nov", time(10), None,
                 DEFAULT_QUESTIONS, timedelta(hours=24), utc(2026, 11, 30, 7),
                 utc(2026, 12, 1, 7), False, 1, None, 0, 0)


@pytest.mark.parametrize(("hours", "text"), [(1, "ساعة واحدة"), (2, "ساعتين"),
                                             (3, "3 ساعات"), (24, "24 ساعة")])
def test_arabic_counts_hours_with_its_singular_and_dual(hours: int, text: str) -> None:
    with use_language("ar"):
        assert describe_window(timedelta(hours=hours)) == text
        assert duration_words(timedelta(hours=hours)) == text
    with use_language("en"):
        assert describe_window(timedelta(hours=hours)) == f"{hours}h"


def test_arabic_minutes_and_mixed_lengths() -> None:
    with use_language("ar"):
        assert duration_words(timedelta(minutes=1)) == "دقيقة واحدة"
        assert duration_words(timedelta(minutes=90)) == "ساعة و30 دقيقة"
    with use_language("en"):
        assert duration_words(timedelta(minutes=90)) == "1h30"


def test_french_puts_a_no_break_space_before_a_colon() -> None:
    summary = summarise(DEFAULT_QUESTIONS, [PersonAnswers("Ana", ("1. a\n2. b\n3. le visa",))],
                        [], asked=1)
    with use_language("fr"):
        assert colon() == "\u00a0: "
        text = summary_msg(cycle(), summary).plain()
    assert "• Ana\u00a0: le visa" in text
    with use_language("en"):
        assert colon() == ": "


@pytest.mark.parametrize(("lang", "name"), [("en", "former member 2"),
                                            ("es", "antiguo miembro 2"),
                                            ("fr", "ancien membre 2"),
                                            ("pt", "antigo membro 2"), ("ar", "عضو سابق 2")])
def test_a_forgotten_members_pseudonym_is_translated(lang: str, name: str) -> None:
    with use_language(lang):
        assert shown_name("former member 2") == name
    assert shown_name("@amina:example.org") == "amina", "never a raw id"
    assert shown_name("@amina:example.org", "Amina K") == "Amina K"


@pytest.mark.parametrize(("lang", "bogota", "beirut"), [
    ("en", "Bogota", "Beirut"), ("es", "Bogotá", "Beirut"), ("fr", "Bogotá", "Beyrouth"),
    ("pt", "Bogotá", "Beirute"), ("ar", "بوغوتا", "بيروت")])
def test_cities_in_the_readers_language(lang: str, bogota: str, beirut: str) -> None:
    with use_language(lang):
        assert zone_label("America/Bogota") == bogota
        assert zone_label("Asia/Beirut") == beirut
        assert zone_label("UTC+05:45") == "UTC+05:45"
        assert f"({bogota})" in format_local(utc(2026, 12, 24, 7), "America/Bogota")
        assert beirut in local_time_line(utc(2026, 12, 24, 7), ["Asia/Beirut"], None)
    with use_language("pt"):
        assert zone_label("America/Sao_Paulo") == "São Paulo"
