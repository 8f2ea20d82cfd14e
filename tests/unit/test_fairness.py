"""`!fairness`: turns per role and meetings outside each member's working hours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from commands import build_router
from commands.router import Router
from domain.availability import DEFAULT_HOURS, Person, Scorer
from domain.hours import WorkingHours
from storage import Database
from tests.fakes import Seed, seed
from tests.unit.test_rota_commands import ALICE, BOB, CAROL, DAN, MOD, NOW, ROOM, Say, fake_room

HOUR = timedelta(hours=1)
WEEKDAY = datetime(2026, 11, 26)  # a Thursday
NIGHT_SHIFT = WorkingHours(time(22), time(6), frozenset(range(5)))


@pytest.mark.parametrize(("hours", "local", "expected"), [
    (DEFAULT_HOURS, WEEKDAY.replace(hour=10), None),
    (DEFAULT_HOURS, WEEKDAY.replace(hour=16), None),  # ends at 17:00 exactly
    (DEFAULT_HOURS, WEEKDAY.replace(hour=8, minute=30), "early"),
    (DEFAULT_HOURS, WEEKDAY.replace(hour=6), "early"),
    (DEFAULT_HOURS, WEEKDAY.replace(hour=16, minute=30), "late"),  # overruns the day
    (DEFAULT_HOURS, WEEKDAY.replace(hour=21), "late"),
    (DEFAULT_HOURS, WEEKDAY.replace(hour=0, minute=30), "late"),  # nearer last night's end
    (DEFAULT_HOURS, WEEKDAY.replace(hour=3), "early"),
    (DEFAULT_HOURS, datetime(2026, 11, 28, 11), "off"),  # Saturday
    (NIGHT_SHIFT, WEEKDAY.replace(hour=23), None),
    (NIGHT_SHIFT, WEEKDAY.replace(hour=3), None),  # Wednesday's shift
    (NIGHT_SHIFT, datetime(2026, 11, 28, 3), None),  # Friday's shift, into Saturday
    (NIGHT_SHIFT, WEEKDAY.replace(hour=12), "late"),
    (NIGHT_SHIFT, WEEKDAY.replace(hour=20), "early"),
    (NIGHT_SHIFT, datetime(2026, 11, 29, 12), "off"),  # Sunday
])
def test_outside_kind(hours: WorkingHours, local: datetime, expected: str | None) -> None:
    assert outside_kind(hours, local, HOUR) == expected


def outside_kind(hours: WorkingHours, local: datetime, duration: timedelta) -> str | None:
    """How `!fairness` files a meeting for one member: the cost's kind (None when inside)."""
    zone = local.tzinfo.key if isinstance(local.tzinfo, ZoneInfo) else "UTC"
    start = local.replace(tzinfo=UTC) if local.tzinfo is None else local
    return Scorer([Person("@x:example.org", zone, hours)]).costs(start, duration)[0].kind


def test_outside_kind_in_a_real_zone_across_dst() -> None:
    # 08:30 in New York on the Monday after the spring change is still early.
    local = datetime(2027, 3, 15, 12, 30, tzinfo=UTC).astimezone(ZoneInfo("America/New_York"))
    assert outside_kind(DEFAULT_HOURS, local, HOUR) == "early"


@pytest.fixture
def db_seed() -> Seed:
    zones = {ALICE: "Africa/Nairobi", BOB: "Asia/Tokyo", CAROL: "America/Los_Angeles",
             DAN: "UTC", MOD: "UTC"}
    return seed(ROOM, zones=zones, at=NOW)


@pytest.fixture
def say(db: Database) -> Say:
    router: Router = build_router()
    return Say(router, db, fake_room())


def person(text: str, name: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(name + " —"))


async def test_nothing_yet(say: Say) -> None:
    assert await say("fairness") == (
        "No meetings happened in this room in the last 90 days, and none are planned, so "
        "there is nothing to compare yet. Schedule one with `!meeting add \"Network call\" "
        "thu 14:00 every 2 weeks for 90m`")
    assert (await say("fairness all")).startswith("No meetings happened in this room yet,")


async def test_a_new_room_sees_what_its_plans_will_cost(say: Say) -> None:
    # Nothing has happened yet; a fortnightly 06:00/15:00 UTC call is planned.
    await say('meeting add "Network call" thu 06:00 UTC every 2 weeks alternate 15:00 UTC')
    await say("hours set 10:00-18:00 Mon-Fri", sender=DAN)
    text = await say("fairness")
    assert text.splitlines()[:3] == [
        "Fairness in this room, the last 90 days — 0 meetings happened",
        "Nothing to look back on yet.",
        "Planned, the next 90 days — 7 meetings",
    ]
    # 26 Nov 06:00, 10 Dec 15:00 … 18 Feb 06:00 (UTC): four at 06:00, three at 15:00.
    # Nairobi: 18:00 is late. Tokyo: 00:00 is late and in the night. Los Angeles: 22:00 the
    # evening before is late and at night, 07:00 early. UTC 10:00–18:00: 06:00 is early.
    assert text.splitlines()[3:] == [
        "Alice — outside hours 3 (3 late)",
        "Bob — outside hours 3 (3 late, 3 at night)",
        "Carol — outside hours 7 (3 early, 4 late, 4 at night)",
        "Dan — outside hours 4 (4 early)",
        "Mod — outside hours 4 (4 early)",
    ]


async def test_a_planned_series_inside_everyones_hours(say: Say) -> None:
    for user in (ALICE, BOB, CAROL, DAN, MOD):
        assert (await say("hours set 00:00-23:59 daily", sender=user)).startswith("Saved.")
        await say("calendar set none", sender=user)  # no public holiday in the way
    await say('meeting add "Anytime" thu 12:00 UTC every week')
    assert (await say("fairness")).splitlines()[-1] == (
        "Every planned meeting is inside everyone's working hours.")


async def test_a_planned_meeting_on_a_members_holiday_is_outside_their_hours(say: Say) -> None:
    """Thu 26 Nov 2026 is Thanksgiving for Carol (Los Angeles): a day off, whatever her
    hours; the others have no holidays then."""
    for user in (ALICE, BOB, CAROL, DAN, MOD):
        assert (await say("hours set 00:00-23:59 daily", sender=user)).startswith("Saved.")
        if user != CAROL:
            await say("calendar set none", sender=user)
    await say("tz set America/Los_Angeles", sender=CAROL)
    await say('meeting add "Anytime" thu 20:00 UTC every week')
    assert (await say("fairness")).splitlines()[-1] == (
        "Carol — outside hours 1 (1 on a day off)")
    await say("calendar on 2026-11-26", sender=CAROL)  # she works through it
    assert (await say("fairness")).splitlines()[-1] == (
        "Every planned meeting is inside everyone's working hours.")


async def test_bad_period(say: Say) -> None:
    assert await say("fairness 7d") == "Say 30d, 90d or all.\nExample: `!fairness 90d`"


async def test_turns_and_bad_hours_per_person(say: Say) -> None:
    await say('meeting add "Network call" thu 06:00 UTC every 2 weeks alternate 15:00 UTC')
    await say(f"rota m1 set {ALICE} {BOB} {CAROL}")
    await say("hours set 10:00-18:00 Mon-Fri", sender=DAN)
    say.now = NOW + timedelta(days=60)
    # 26 Nov 06:00, 10 Dec 15:00, 24 Dec 06:00, 7 Jan 15:00, 21 Jan 06:00 (UTC) happened.
    text = await say("fairness")
    assert text.splitlines()[0] == "Fairness in this room, the last 90 days — 5 meetings happened"
    # Nairobi (UTC+3): 09:00 fits, 18:00 is late.
    assert person(text, "Alice") == ("Alice — facilitator 2 · notes 1 · outside hours 2 "
                                     "(2 late)")
    # Tokyo: 15:00 fits, 00:00 is late.
    assert person(text, "Bob") == ("Bob — facilitator 2 · notes 2 · outside hours 2 "
                                   "(2 late, 2 at night)")
    # Los Angeles: 22:00 the evening before is late, 07:00 is early.
    assert person(text, "Carol") == ("Carol — facilitator 1 · notes 2 · outside hours 5 "
                                     "(2 early, 3 late, 3 at night)")
    # UTC, 10:00-18:00: 06:00 is early, 15:00 fits.
    assert person(text, "Dan") == "Dan — facilitator 0 · notes 0 · outside hours 3 (3 early)"
    assert ("Range: facilitator: 0–2 · notes: 0–2 · outside hours: 2–5") in text.splitlines()
    # What is still to come, beside what has been.
    assert "Planned, the next 90 days — 6 meetings" in text.splitlines()
    ctx = await say.ctx("fairness 30d")
    assert ctx.replies[0].mentions == []
    assert ctx.replies[0].plain().splitlines()[0] == (
        "Fairness in this room, the last 30 days — 2 meetings happened")


async def test_extra_roles_and_people_who_left(say: Say) -> None:
    await say('meeting add "Weekly" thu 11:00 every week')
    # Thu 26 Nov is Thanksgiving where Carol lives: without a calendar, no holiday skip.
    await say("calendar set none", sender=CAROL)
    await say(f"rota m1 set {ALICE} {BOB} {CAROL}")
    await say("rota m1 roles facilitator notes timekeeper")
    say.now = NOW + timedelta(days=8)
    say.room.joined.remove(CAROL)
    text = await say("fairness all")
    assert text.splitlines()[0] == "Fairness in this room, all time — 2 meetings happened"
    # Carol left, but her turns are part of the record.
    assert person(text, "Carol").startswith("Carol — facilitator 0 · notes 1 · "
                                            "timekeeper 1")
    assert person(text, "Alice").startswith("Alice — facilitator 1 · notes 0 · "
                                            "timekeeper 1")


async def test_a_holiday_is_a_rota_skip_and_rota_says_so(say: Say) -> None:
    """Thu 26 Nov 2026 is Thanksgiving in Los Angeles: Carol is skipped, first in line after."""
    await say('meeting add "Weekly" thu 18:00 every week')
    await say(f"rota m1 set {CAROL} {ALICE} {BOB}")
    text = await say("rota m1")
    first, second = [line for line in text.splitlines() if line.startswith("•")][:2]
    assert "Thu 26 Nov" in first and "on holiday: Carol" in first
    assert "Facilitator Alice" in first
    assert "Facilitator Carol" in second
