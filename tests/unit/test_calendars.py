"""Regional calendars (issue 15): the pure rules, and `!calendar` / `!holidays` end to end."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from commands.context import Context, Settings
from commands.jobs import JobEnv
from commands.meetings.reminders import plan_meeting
from commands.router import Router
from domain.availability import DAY_OFF, DEFAULT_HOURS, Scorer
from domain.calendars import (
    CalendarError,
    CalendarView,
    DayOff,
    MemberCalendar,
    Region,
    calendar_for,
    country_of_zone,
    holidays_between,
    is_off,
    off_at,
    parse_region,
    working_week,
)
from domain.checkin import MemberClock, Schedule, is_day_off, member_prompts
from domain.hours import Shift, WorkingHours
from domain.rotation import Rota, Turn, assign
from domain.suggest import Person, option_for, suggest
from storage import Database, open_database
from storage.calendars import days_off_of
from storage.meetings import get_meeting_by_id
from storage.members import get_member, set_zone
from storage.migrations import MIGRATIONS
from tests.fakes import FakeRoom, Seed, dispatch, reply_text, seed

SUN_THU = frozenset({6, 0, 1, 2, 3})
MON_FRI = frozenset(range(5))


# ---- the working week -----------------------------------------------------------------------
@pytest.mark.parametrize(("country", "working"), [
    ("JO", SUN_THU), ("EG", SUN_THU), ("KE", MON_FRI), ("CO", MON_FRI), ("BR", MON_FRI),
    ("NG", MON_FRI), ("PH", MON_FRI), ("LB", MON_FRI), (None, MON_FRI),
])
def test_week_defaults_per_country(country: str | None, working: frozenset[int]) -> None:
    assert working_week(country, date(2026, 6, 1)) == working


def test_nepal_rests_on_saturday_only_since_june_2022() -> None:
    assert working_week("NP", date(2026, 6, 1)) == frozenset({6, 0, 1, 2, 3, 4})
    assert working_week("NP", date(2022, 6, 15)) == frozenset({6, 0, 1, 2, 3, 4})
    assert working_week("NP", date(2022, 6, 1)) == MON_FRI  # the six weeks of Sat–Sun


def test_palestine_rests_friday_and_saturday() -> None:
    assert working_week("PS", date(2026, 6, 1)) == SUN_THU


# ---- the country from the zone ---------------------------------------------------------------
@pytest.mark.parametrize(("zone", "country"), [
    ("Asia/Amman", "JO"), ("Asia/Hebron", "PS"), ("Asia/Kathmandu", "NP"),
    ("Africa/Nairobi", "KE"), ("America/Bogota", "CO"), ("Asia/Manila", "PH"),
    ("UTC+03:00", None), ("UTC", None), ("UTC-05:30", None),
])
def test_country_from_zone(zone: str, country: str | None) -> None:
    assert country_of_zone(zone) == country


def test_calendar_from_an_offset_has_no_holidays_and_a_monday_week() -> None:
    cal = calendar_for(None, "UTC+03:00", None, None)
    assert cal.region is None
    assert cal.holidays(date(2026, 1, 1), date(2026, 12, 31)) == []
    assert cal.working_days(date(2026, 6, 1)) == MON_FRI


def test_named_days_win_over_the_country_week() -> None:
    named = calendar_for(None, "Asia/Amman", frozenset({0, 1, 2}), True)
    assert named.working_days(date(2026, 6, 1)) == frozenset({0, 1, 2})
    unnamed = calendar_for(None, "Asia/Amman", MON_FRI, False)
    assert unnamed.working_days(date(2026, 6, 1)) == SUN_THU
    legacy_default = calendar_for(None, "Asia/Amman", MON_FRI, None)
    assert legacy_default.working_days(date(2026, 6, 1)) == SUN_THU


def test_regions_parse_and_refuse() -> None:
    assert parse_region("in-ka") == Region("IN", "KA")
    assert parse_region(" jo ") == Region("JO")
    with pytest.raises(CalendarError) as err:
        parse_region("XQ")
    assert err.value.kind == "country"
    with pytest.raises(CalendarError) as err:
        parse_region("IN-ZZ")
    assert err.value.kind == "subdivision" and "KA" in err.value.known


def test_holidays_in_the_readers_language_and_estimated_marked() -> None:
    kenya = holidays_between(Region("KE"), date(2026, 12, 12), date(2026, 12, 12), "en")
    assert [h.name for h in kenya] == ["Jamhuri Day"]
    jordan_ar = holidays_between(Region("JO"), date(2026, 3, 20), date(2026, 3, 20), "ar")
    assert jordan_ar and "عيد الفطر" in jordan_ar[0].name and "تقديري" in jordan_ar[0].name
    jordan_fr = holidays_between(Region("JO"), date(2026, 3, 20), date(2026, 3, 20), "fr")
    assert "(estimated)" in jordan_fr[0].name  # no French in the library: English
    colombia_es = holidays_between(Region("CO"), date(2026, 1, 1), date(2026, 1, 1), "es")
    assert colombia_es[0].name == "Año Nuevo"


def test_own_days_off_and_worked_days() -> None:
    cal = MemberCalendar(Region("KE"), None, (
        DayOff(date(2026, 6, 2), date(2026, 6, 3), "visit"),
        DayOff(date(2026, 12, 12), date(2026, 12, 12), worked=True)))
    assert cal.off_reason(date(2026, 6, 2)) == "personal"
    assert cal.off_reason(date(2026, 6, 4)) is None
    assert cal.off_reason(date(2026, 12, 12)) is None  # Jamhuri Day, worked through
    assert cal.off_reason(date(2026, 12, 25)) == "holiday"
    assert cal.off_reason(date(2026, 6, 6)) == "weekend"
    # Mon 1 June is Madaraka Day in Kenya; the 2nd and 3rd are the member's own.
    assert cal.days_off(date(2026, 6, 1), date(2026, 6, 7)) == {
        date(2026, 6, 1), date(2026, 6, 2), date(2026, 6, 3)}


# ---- the paths where a day off matters -------------------------------------------------------
def _person(user: str, zone: str, calendar: MemberCalendar,
            hours: WorkingHours = DEFAULT_HOURS) -> Person:
    return Person(user, zone, CalendarView(hours, calendar))


def test_ranking_avoids_an_amman_members_friday() -> None:
    """Thu 4 Jun 2026 to Sat 6 Jun: the only day both work is Thursday."""
    people = [_person("@layla:x", "Asia/Amman", calendar_for(None, "Asia/Amman", None, None)),
              _person("@wanjiru:x", "Africa/Nairobi",
                      calendar_for(None, "Africa/Nairobi", None, None))]
    found = suggest(people, timedelta(hours=1), datetime(2026, 6, 4, 0, tzinfo=UTC),
                    datetime(2026, 6, 6, 0, tzinfo=UTC), top=3)
    assert found.everyone_inside
    assert found.options[0].inside == 2
    assert all(o.start_utc.weekday() == 3 for o in found.options if o.inside == 2)
    friday = option_for(people, datetime(2026, 6, 5, 9, tzinfo=UTC), timedelta(hours=1))
    layla = friday.costs[0]
    assert layla.kind == "off" and not layla.inside  # Friday 12:00 in Amman: the weekend
    assert friday.costs[1].inside  # Friday 12:00 in Nairobi: a working day


def test_ranking_counts_a_holiday_like_a_day_off() -> None:
    """Christmas (Fri 25 Dec 2026) in Nairobi: a working weekday, but a public holiday."""
    nairobi = calendar_for(None, "Africa/Nairobi", None, None)
    person = _person("@wanjiru:x", "Africa/Nairobi", nairobi)
    christmas = option_for([person], datetime(2026, 12, 25, 8, tzinfo=UTC), timedelta(hours=1))
    assert christmas.costs[0].kind == "off"
    assert christmas.costs[0].distance >= DAY_OFF
    plain = option_for([Person("@wanjiru:x", "Africa/Nairobi", DEFAULT_HOURS)],
                       datetime(2026, 12, 25, 8, tzinfo=UTC), timedelta(hours=1))
    assert plain.costs[0].inside  # the same hour without a calendar
    found = suggest([person], timedelta(hours=1), datetime(2026, 12, 24, 0, tzinfo=UTC),
                    datetime(2026, 12, 26, 0, tzinfo=UTC), top=3)
    assert all(o.start_utc.date() == date(2026, 12, 24) for o in found.options if o.inside)


def test_own_day_off_and_a_worked_holiday_in_the_view() -> None:
    own = (DayOff(date(2026, 12, 22), date(2026, 12, 22), "visit"),
           DayOff(date(2026, 12, 25), date(2026, 12, 25), worked=True))
    view = CalendarView(DEFAULT_HOURS, calendar_for(None, "Africa/Nairobi", None, None, own))
    assert view.day_off(date(2026, 12, 22)) and not view.working(datetime(2026, 12, 22, 10))
    assert not view.day_off(date(2026, 12, 25)) and view.working(datetime(2026, 12, 25, 10))
    assert view.day_off(date(2026, 12, 26))  # Saturday, and Boxing Day
    assert view.working(datetime(2026, 12, 21, 10)) and not view.working(datetime(2026, 12,
                                                                                  21, 18))


def test_a_night_shift_runs_into_a_holiday_but_none_starts_on_it() -> None:
    """Christmas in Nairobi: the shift from the 24th still ends at 06:00 on the 25th."""
    nights = WorkingHours(time(22), time(6), MON_FRI)
    view = CalendarView(nights, calendar_for(None, "Africa/Nairobi", nights.days, True))
    assert view.working(datetime(2026, 12, 25, 5))
    assert not view.working(datetime(2026, 12, 25, 23))
    assert not view.day_off(date(2026, 12, 25))  # touched by the shift from the 24th
    assert not view.working(datetime(2026, 12, 26, 3))  # the 25th's shift did not happen


def test_split_hours_follow_the_country_week() -> None:
    split = WorkingHours(shifts=[Shift(time(9), time(12), MON_FRI),
                                 Shift(time(14), time(18), MON_FRI)])
    view = CalendarView(split, calendar_for(None, "Asia/Amman", MON_FRI, False))
    sunday, friday = datetime(2026, 6, 7, 10), datetime(2026, 6, 5, 10)
    assert view.working(sunday) and not view.working(sunday.replace(hour=13))
    assert view.working(sunday.replace(hour=15)) and not view.working(friday)
    assert view.hours_on(sunday.date()).days == SUN_THU
    assert len(view.hours_on(sunday.date()).shifts) == 2


def test_fairness_counts_a_meeting_on_a_holiday_as_outside_hours() -> None:
    """Jamhuri Day is Sat in 2026; Madaraka Day, Mon 1 Jun 2026, is a weekday holiday."""
    person = _person("@wanjiru:x", "Africa/Nairobi",
                     calendar_for(None, "Africa/Nairobi", None, None))
    costs = Scorer([person]).measure(datetime(2026, 6, 1, 8, tzinfo=UTC).timestamp(), 3600)
    assert costs[0][2] == "off" and costs[0][0] == 60
    costs = Scorer([person]).measure(datetime(2026, 6, 2, 8, tzinfo=UTC).timestamp(), 3600)
    assert costs[0][0] == 0


def test_rota_skips_a_member_on_holiday_and_keeps_their_place() -> None:
    nairobi = calendar_for(None, "Africa/Nairobi", None, None)
    christmas = datetime(2026, 12, 25, 7, 0, tzinfo=UTC)
    assert is_off(nairobi, "Africa/Nairobi", christmas)
    rota = Rota(("@wanjiru:x", "@layla:x", "@bikash:x"), roles=("facilitator",))
    holders, after = assign(rota, Turn(frozenset({"@wanjiru:x"})))
    assert holders["facilitator"] == "@layla:x"
    holders, _after = assign(after, Turn())
    assert holders["facilitator"] == "@wanjiru:x"  # first in line again once back


def test_checkin_planning_on_eid_skips_the_amman_member() -> None:
    """Fri 20 Mar 2026 is Eid al-Fitr (estimated) in Jordan; Thursday 19 is not."""
    amman = calendar_for(None, "Asia/Amman", None, None)
    nairobi = calendar_for(None, "Africa/Nairobi", None, None)
    first, last = date(2026, 3, 15), date(2026, 3, 25)
    clocks = [MemberClock("@layla:x", "Asia/Amman", amman.working_days(first),
                          amman.days_off(first, last)),
              MemberClock("@wanjiru:x", "Africa/Nairobi", nairobi.working_days(first),
                          nairobi.days_off(first, last))]
    schedule = Schedule(frozenset(range(7)), time(9))
    sunday = date(2026, 3, 22)  # Eid holidays run Fri 20 – Sun 22: Sunday is a workday in Amman
    dues = member_prompts(schedule, sunday, clocks)
    layla, wanjiru = clocks
    assert is_day_off(layla, dues[layla.user_id])  # Eid
    assert not is_day_off(MemberClock(layla.user_id, layla.zone, layla.workdays),
                          dues[layla.user_id])  # the same Sunday without holidays: asked
    assert is_day_off(wanjiru, dues[wanjiru.user_id])  # Nairobi's weekend
    dues = member_prompts(schedule, date(2026, 3, 23), clocks)  # Monday: both asked
    assert not any(is_day_off(c, dues[c.user_id]) for c in clocks)


def test_off_at_groups_members_by_holiday_name() -> None:
    cals = {"@a:x": calendar_for(None, "Africa/Nairobi", None, None),
            "@b:x": calendar_for("KE", "UTC", None, None),
            "@c:x": calendar_for(None, "America/Bogota", None, None)}
    zones = {"@a:x": "Africa/Nairobi", "@b:x": "UTC", "@c:x": "America/Bogota"}
    found = off_at(cals, zones, datetime(2026, 12, 25, 12, tzinfo=UTC))
    assert found == {"Christmas Day": ["@a:x", "@b:x", "@c:x"]} or (
        sorted(m for ms in found.values() for m in ms) == ["@a:x", "@b:x", "@c:x"])


# ---- the commands, through the router ---------------------------------------------------------
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # a Tuesday
ROOM = "!room:example.org"
LAYLA, WANJIRU = "@layla:example.org", "@wanjiru:example.org"


@pytest.fixture
def db_seed() -> Seed:
    return seed(ROOM)


async def run(router: Router, db: Database, line: str, *, sender: str = LAYLA,
              now: datetime = NOW) -> str:
    ctx = Context(FakeRoom(ROOM, {LAYLA: 0, WANJIRU: 0}), sender, "$e:example.org", now, db,
                  Settings(prefix="!", default_zone="UTC"))
    return reply_text(await dispatch(router, ctx, line))


async def test_tz_set_names_the_inferred_calendar(router: Router, db: Database) -> None:
    text = await run(router, db, "tz set Asia/Amman")
    assert "weekend Fri, Sat, public holidays of Jordan" in text
    assert "!calendar set JO" in text


async def test_calendar_set_show_and_none(router: Router, db: Database) -> None:
    text = await run(router, db, "calendar set IN-KA")
    assert "public holidays of India (KA)" in text
    shown = await run(router, db, "calendar")
    assert "Working days: Mon–Fri" in shown and "Next public holidays:" in shown
    none = await run(router, db, "calendar set none")
    assert "no public holidays" in none


@pytest.mark.parametrize(("line", "expected", "example"), [
    ("calendar set XQ", "'XQ' is not a country code I know", "!calendar set JO"),
    ("calendar set IN-ZZ", "IN has no subdivision ZZ", "!calendar set IN-AN"),
    ("calendar off 2026-12-20 to 2026-12-10", "That range runs backwards",
     "!calendar off 2026-12-10 to 2026-12-20"),
    ("calendar off 2026-11-20", "has already passed", "!calendar off 2026-12-21"),
    ("holidays 999d", "Give a number of days, up to 366", "!holidays 60d"),
])
async def test_bad_input_gets_a_reply_with_an_example(router: Router, db: Database, line: str,
                                                      expected: str, example: str) -> None:
    text = await run(router, db, line)
    assert expected in text and example in text


async def test_days_off_restated_and_listed(router: Router, db: Database) -> None:
    text = await run(router, db, "calendar off 2026-12-21 to 2026-12-23 family visit")
    assert "Mon 21 Dec 2026 – Wed 23 Dec 2026" in text and "family visit" in text
    worked = await run(router, db, "calendar on 2026-12-25")
    assert "Fri 25 Dec 2026" in worked
    shown = await run(router, db, "calendar")
    assert "Your days off:" in shown and "family visit" in shown and "working" in shown


async def test_holidays_lists_members_in_the_readers_language(router: Router,
                                                              db: Database) -> None:
    await set_zone(db.conn, LAYLA, "Asia/Amman", NOW.isoformat())
    await set_zone(db.conn, WANJIRU, "Africa/Nairobi", NOW.isoformat())
    text = await run(router, db, "holidays 30d")
    assert "Sat 12 Dec: Jamhuri Day — Wanjiru" in text
    assert "Fri 25 Dec: Christmas Day — Layla, Wanjiru" in text
    await run(router, db, "lang es", sender=WANJIRU)
    spanish = await run(router, db, "holidays 30d", sender=WANJIRU)
    assert "sáb, 12 dic: Jamhuri Day — Wanjiru" in spanish  # no Spanish name: English
    assert "Feriados en los próximos 30 días:" in spanish


async def test_forget_preview_names_the_calendar(router: Router, db: Database) -> None:
    await run(router, db, "calendar set KE")
    await run(router, db, "calendar off 2026-12-21")
    text = await run(router, db, "forget me")
    assert "your own days off and worked holidays (1)" in text
    assert "calendar country" in text


async def test_a_database_at_fair_times_upgrades_to_calendars(tmp_path: Path) -> None:
    """Migration 15 (calendars) after main's 14 (fair times): a member saved before it keeps
    their zone and hours, gains an inferred calendar and no days off."""
    path = tmp_path / "old.db"
    before = [m for m in MIGRATIONS if m.version <= 14]
    assert before[-1].description.startswith("fair times")
    old = await open_database(path, tuple(before))
    async with old.transaction() as conn:
        await conn.execute("INSERT INTO members (user_id, zone, hours, updated_at) "
                           "VALUES ('@layla:x', 'Asia/Amman', '09:00-17:00 0,1,2,3,4', 'x')")
    await old.close()
    new = await open_database(path)
    try:
        assert await new.schema_version() == MIGRATIONS[-1].version >= 15
        member = await get_member(new, "@layla:x")
        assert (member.zone, member.calendar, member.days_named) == ("Asia/Amman", None, None)
        assert await days_off_of(new, ["@layla:x"], date(2026, 1, 1)) == {"@layla:x": ()}
        # Hours saved before calendars, Mon–Fri: read as not named, so Amman's week applies.
        cal = calendar_for(member.calendar, "Asia/Amman", MON_FRI, member.days_named)
        assert cal.working_days(date(2026, 6, 1)) == SUN_THU
    finally:
        await new.close()


async def _fire_reminders(router: Router, db: Database, now: datetime) -> dict[int, str]:
    """Every reminder of m1 due within the planning horizon from `now`: lead → text."""
    meeting = await get_meeting_by_id(db, 1)
    assert meeting is not None
    room = FakeRoom(ROOM, {LAYLA: 0, WANJIRU: 0})

    async def lookup(room_id: str) -> FakeRoom | None:
        return room if room_id == ROOM else None

    texts: dict[int, str] = {}
    async with db.transaction():
        for job in await plan_meeting(db, meeting, now):
            env = JobEnv(db, job.fire_at, Settings(default_zone="UTC"), lookup,
                         router.schedules.hooks)
            posts = await router.schedules.jobs["reminder"](env, *job.args)
            texts[job.args[-1]] = posts[0].msg.plain()
    return texts


async def test_the_day_before_reminder_names_who_is_on_holiday(router: Router,
                                                               db: Database) -> None:
    """Fri 25 Dec 2026: Christmas in Nairobi, and Layla (Amman) took the day off."""
    await set_zone(db.conn, LAYLA, "Asia/Amman", NOW.isoformat())
    await set_zone(db.conn, WANJIRU, "Africa/Nairobi", NOW.isoformat())
    await run(router, db, "calendar off 2026-12-25 family")
    added = await run(router, db, 'meeting add "Network call" 2026-12-25 10:00 UTC')
    assert added.startswith("Scheduled m1")
    day_before = await _fire_reminders(router, db, datetime(2026, 12, 24, 9, 30, tzinfo=UTC))
    assert list(day_before) == [1440]
    assert "On holiday then: Layla (day off), Wanjiru (Christmas Day)" in day_before[1440]
    soon = await _fire_reminders(router, db, datetime(2026, 12, 25, 9, 0, tzinfo=UTC))
    assert list(soon) == [15] and "On holiday" not in soon[15]  # only the day before


async def test_the_day_before_reminder_says_nothing_when_nobody_is_off(router: Router,
                                                                       db: Database) -> None:
    await set_zone(db.conn, LAYLA, "Asia/Amman", NOW.isoformat())
    await set_zone(db.conn, WANJIRU, "Africa/Nairobi", NOW.isoformat())
    await run(router, db, 'meeting add "Network call" 2026-12-22 10:00 UTC')
    day_before = await _fire_reminders(router, db, datetime(2026, 12, 21, 9, 30, tzinfo=UTC))
    assert day_before[1440].startswith("Reminder: Network call (m1) starts in 24 hours.")
    assert "holiday" not in day_before[1440]


async def test_the_weekly_digest_lists_the_coming_weeks_holidays(router: Router,
                                                                 db: Database) -> None:
    await set_zone(db.conn, LAYLA, "Asia/Amman", NOW.isoformat())
    await set_zone(db.conn, WANJIRU, "Africa/Nairobi", NOW.isoformat())
    monday = datetime(2026, 12, 21, 6, 0, tzinfo=UTC)
    text = await run(router, db, "digest now", now=monday)
    lines = text.splitlines()
    heading = lines.index("Holidays this coming week")
    assert lines[heading + 1:heading + 3] == ["• Fri 25 Dec: Christmas Day — Layla, Wanjiru",
                                              "• Sat 26 Dec: Boxing Day — Wanjiru"]
    await run(router, db, "calendar on 2026-12-25", now=monday)  # Layla works through it
    text = await run(router, db, "digest now", now=monday)
    assert "• Fri 25 Dec: Christmas Day — Wanjiru" in text.splitlines()
    await run(router, db, "lang es", sender=WANJIRU)
    spanish = await run(router, db, "digest now", sender=WANJIRU, now=monday)
    assert "Feriados de esta semana" in spanish.splitlines()
    quiet = await run(router, db, "digest now", now=datetime(2026, 12, 1, 6, 0, tzinfo=UTC))
    assert "Holidays this coming week" not in quiet
