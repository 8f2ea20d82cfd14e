"""The chart model (rows, spans, marks), the drawing (a PNG of the stated size in English and
Arabic), and the contract that a chart which fails to draw never stops the text."""

from __future__ import annotations

import logging
import struct
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from commands.charts import draw
from commands.context import Settings
from commands.router import Router
from domain.availability import HoursView, Person
from domain.charts import (
    ChartMember,
    ChartOption,
    Span,
    fairness_chart,
    overlap_chart,
)
from domain.hours import WorkingHours, minutes_outside
from domain.suggest import Option, suggest
from domain.zones import zone_info
from storage import Database
from tests.fakes import dispatch
from tests.unit.test_actions_fixtures import context

WEEK = frozenset(range(5))
NINE_TO_FIVE = WorkingHours(time(9), time(17), WEEK)


def member(user: str, zone: str, hours: WorkingHours = NINE_TO_FIVE) -> ChartMember:
    return ChartMember(user, user.title(), zone.split("/")[-1], zone, HoursView(hours))


def option(number: int, start: datetime, outside: frozenset[str] = frozenset()) -> ChartOption:
    return ChartOption(number, start, timedelta(hours=1), outside)


def test_a_member_whose_day_crosses_the_readers_midnight() -> None:
    # Wednesday 2 Dec 2026 in Bogotá (UTC−5); Manila is UTC+8, 13 hours ahead.
    chart = overlap_chart([member("ana", "America/Bogota"), member("ben", "Asia/Manila")],
                          [option(1, datetime(2026, 12, 2, 19, tzinfo=UTC))], "America/Bogota")
    assert chart.day == date(2026, 12, 2)
    assert chart.length == 24 * 60
    ana, ben = chart.rows
    assert ana.working == (Span(9 * 60, 17 * 60),) and ana.off == ()
    # Manila's Wednesday 09–17 is Bogotá's Tuesday 20:00–Wednesday 04:00, and Thursday's
    # starts at 20:00 on Wednesday.
    assert ben.working == (Span(0, 4 * 60), Span(20 * 60, 24 * 60))
    assert chart.bands[0].span == Span(14 * 60, 15 * 60)


def test_quarter_hour_zones_and_an_overnight_shift() -> None:
    night_shift = WorkingHours(time(22), time(6), frozenset(range(7)))
    chart = overlap_chart(
        [member("kiran", "Asia/Kathmandu", WorkingHours(time(10), time(18),
                                                        frozenset({6, 0, 1, 2, 3, 4}))),
         member("nora", "Africa/Nairobi", night_shift)],
        [option(1, datetime(2026, 12, 2, 6, 15, tzinfo=UTC))], "UTC")
    kiran, nora = chart.rows
    # Kathmandu is UTC+5:45: 10:00–18:00 there is 04:15–12:15 UTC.
    assert kiran.working == (Span(4 * 60 + 15, 12 * 60 + 15),)
    # Nairobi (UTC+3) 22:00–06:00 is 19:00–03:00 UTC: both ends of the UTC day.
    assert nora.working == (Span(0, 3 * 60), Span(19 * 60, 24 * 60))


def test_a_day_off_is_shown_as_such() -> None:
    # Friday 4 Dec 2026: Cairo (UTC+2) rests Friday and Saturday, so its whole UTC Friday
    # is off; Kathmandu works Friday and rests Saturday, whose first 5:45 fall before 24:00.
    cairo = WorkingHours(time(9), time(17), frozenset({6, 0, 1, 2, 3}))
    kathmandu = WorkingHours(time(10), time(17), frozenset({6, 0, 1, 2, 3, 4}))
    chart = overlap_chart([member("amina", "Africa/Cairo", cairo),
                           member("kiran", "Asia/Kathmandu", kathmandu)],
                          [option(1, datetime(2026, 12, 4, 12, tzinfo=UTC), frozenset({"amina"}))],
                          "UTC")
    amina, kiran = chart.rows
    assert amina.working == () and amina.off == (Span(0, 24 * 60),)
    assert kiran.off == (Span(18 * 60 + 15, 24 * 60),)
    assert kiran.working == (Span(4 * 60 + 15, 11 * 60 + 15),)
    assert chart.bands[0].outside == (0,)


def test_marks_follow_the_ranking_and_other_days_keep_their_own_day() -> None:
    people = [Person("ana", "America/Bogota", NINE_TO_FIVE),
              Person("ben", "Asia/Manila", NINE_TO_FIVE),
              Person("chidi", "Africa/Lagos", NINE_TO_FIVE)]
    start = datetime(2026, 11, 30, 0, tzinfo=UTC)
    ranked = suggest(people, timedelta(hours=1), start, start + timedelta(days=7),
                     top=4).options
    options = [ChartOption(i, c.start_utc, timedelta(hours=1), _outside(c))
               for i, c in enumerate(ranked, 1)]
    chart = overlap_chart([member(p.user_id, p.zone) for p in people], options,
                          "America/Bogota")
    assert chart.day == ranked[0].start_utc.astimezone(ZoneInfo("America/Bogota")).date()
    for band, candidate in zip(chart.bands, ranked, strict=True):
        assert {chart.rows[i].user_id for i in band.outside} == _outside(candidate)
        # The same working-hours test as the ranking's.
        assert _outside(candidate) == members_outside(
            [(p.user_id, p.zone, p.hours) for p in people], candidate.start_utc,
            timedelta(hours=1))
    bogota = ZoneInfo("America/Bogota")
    for band, candidate in zip(chart.bands, ranked, strict=True):
        local = candidate.start_utc.astimezone(bogota)
        assert band.day == local.date()
        assert band.span == Span(local.hour * 60 + local.minute,
                                 local.hour * 60 + local.minute + 60)
    assert any(not band.on(chart.day) for band in chart.bands) == chart.other_days


def test_fairness_rows_put_who_carries_most_first_and_no_data_is_no_chart() -> None:
    assert fairness_chart(0, 30, ["facilitator"], [("a", "Ana")], {}, {}) is None
    chart = fairness_chart(
        6, 90, ["facilitator", "notes"], [("a", "Ana"), ("b", "Ben"), ("c", "Chidi")],
        {"a": {"early": 1}, "b": {"late": 2, "off": 1}},
        {"a": {"facilitator": 2}, "c": {"notes": 1}})
    assert chart is not None
    assert [r.user_id for r in chart.rows] == ["b", "a", "c"]
    ben = chart.rows[0]
    assert (ben.inside, ben.early, ben.late, ben.off, ben.turns) == (3, 0, 2, 1, (0, 0))
    assert chart.rows[2].turns == (0, 1)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize("rtl", [False, True], ids=["en", "ar"])
def test_drawing_makes_a_png_of_the_stated_size(rtl: bool) -> None:
    chart = overlap_chart([member("أمينة", "Africa/Cairo"), member("प्रिया", "Asia/Kolkata")],
                          [option(1, datetime(2026, 12, 2, 9, tzinfo=UTC), frozenset({"أمينة"})),
                           option(2, datetime(2026, 12, 3, 12, tzinfo=UTC))], "Africa/Cairo")
    text = draw.OverlapText("عنوان" if rtl else "Title", "Hours", ("أمينة · القاهرة",
                            "प्रिया Priya · दिल्ली"), ("1", "2 · Thu"), "w", "off", "o", "x")
    assert png_size(draw.overlap_png(chart, text, rtl)) == (draw.WIDTH, draw.HEIGHT)
    fair = fairness_chart(3, 30, ["facilitator"], [("a", "Ana"), ("b", "أمينة")],
                          {"a": {"early": 1}}, {"b": {"facilitator": 1}})
    assert fair is not None
    fair_text = draw.FairnessText("t", ("Ana", "أمينة"), "m", "r", "in", "e", "l", "o",
                                  ("facilitator",))
    assert png_size(draw.fairness_png(fair, fair_text, rtl)) == (draw.WIDTH, draw.HEIGHT)


async def test_a_chart_that_fails_to_draw_still_sends_the_text(
        router: Router, db: Database, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def broken(*_args: object) -> bytes:
        raise RuntimeError("Budget secret")

    ctx = context(db)
    ctx.settings = Settings(prefix="!", default_zone="UTC", charts=True)
    monkeypatch.setattr(draw, "overlap_png", broken)
    with caplog.at_level(logging.INFO):
        await dispatch(router, ctx, 'meeting suggest 60m within 5 days "Budget"')
    assert [m.image for m in ctx.replies] == [None, None]
    assert ctx.replies[1].plain().startswith("Poll p1:")
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("commands")]
    assert ours == ["chart not drawn (RuntimeError); the text goes out alone"]


async def test_a_suggestion_brings_its_chart_and_charts_can_be_off(
        router: Router, db: Database) -> None:
    ctx = context(db)
    ctx.settings = Settings(prefix="!", default_zone="UTC", charts=True)
    await dispatch(router, ctx, 'meeting suggest 60m within 5 days "Budget"')
    image = ctx.replies[-1].image
    assert image is not None and png_size(image.data) == (image.width, image.height)
    assert ctx.replies[-1].plain() == ctx.replies[1].plain().split("\n")[0]
    off = context(db)
    await dispatch(router, off, 'meeting suggest 60m within 5 days "Budget"')
    assert all(m.image is None for m in off.replies)


def _outside(option: Option) -> frozenset[str]:
    return frozenset(c.user_id for c in option.outside)


def members_outside(members: list[tuple[str, str, WorkingHours]], start_utc: datetime,
                    duration: timedelta) -> frozenset[str]:
    """An oracle independent of the ranking: anyone with a minute outside their hours."""
    return frozenset(user for user, zone, hours in members
                     if minutes_outside(hours, start_utc.astimezone(zone_info(zone)),
                                        duration) > 0)
