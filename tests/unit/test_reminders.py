"""Meeting reminders: planning from the DB and firing once, against a real database."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from commands import build_router
from commands.context import RoomView, Settings
from commands.jobs import JobEnv, PlannedJob, Post
from commands.meetings.reminders import (
    MAX_LEAD,
    PLAN_HORIZON,
    fire_reminder,
    job_prefix,
    plan_all,
    plan_meeting,
    reminder_key,
)
from domain.recurrence import Series
from storage import Database
from storage.meetings import (
    Meeting,
    Reminded,
    add_agenda,
    get_meeting_by_id,
    insert_meeting,
    iso,
    put_override,
    touch,
)
from storage.state import record_scheduler_seen
from tests.fakes import FakeRoom, Seed, seed

_SCHEDULES = build_router().schedules
JOBS = _SCHEDULES.jobs
plan_changed = _SCHEDULES.plan_changed

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday; 13:00 in Nairobi
ROOM = "!a:example.org"
ALICE = "@alice:example.org"  # Africa/Nairobi
BOB = "@bob:example.org"  # Asia/Kolkata
CAROL = "@carol:example.org"  # America/Bogota
EVE = "@eve:example.org"  # opted in, then left the room
ZONES = {ALICE: "Africa/Nairobi", BOB: "Asia/Kolkata", CAROL: "America/Bogota",
         EVE: "Europe/Lisbon"}


def fake_room(levels: dict[str, int] | None = None) -> FakeRoom:
    """A RoomView; @room needs power level 50."""
    return FakeRoom(ROOM, levels if levels is not None else {ALICE: 0, BOB: 0, CAROL: 0})


@pytest.fixture
def db_seed() -> Seed:
    return seed(ROOM, zones=ZONES, at=NOW)


async def make_meeting(db: Database, start_local: datetime, zone: str = "UTC", *,
                       rule: str | None = None, title: str = "Network call",
                       created: datetime = NOW, leads: str | None = None,
                       created_by: str = ALICE) -> Meeting:
    series = Series(start_local, zone, rule, timedelta(minutes=60))
    async with db.transaction() as conn:
        number = await insert_meeting(conn, room_id=ROOM, title=title, series=series,
                                      created_by=created_by, now=created)
        row = await db.fetchone("SELECT id FROM meetings WHERE room_id = ? AND number = ?",
                                (ROOM, number))
        assert row is not None
        if leads is not None:
            await conn.execute("UPDATE meetings SET leads = ? WHERE id = ?", (leads, row["id"]))
    return await reload(db, row["id"])


async def reload(db: Database, meeting_id: int) -> Meeting:
    meeting = await get_meeting_by_id(db, meeting_id)
    assert meeting is not None
    return meeting


async def plan(db: Database, meeting: Meeting, now: datetime = NOW) -> list[PlannedJob]:
    async with db.transaction():
        return await plan_meeting(db, meeting, now)


async def next_start(db: Database, meeting_id: int) -> str | None:
    row = await db.fetchone("SELECT next_start_utc FROM meetings WHERE id = ?", (meeting_id,))
    assert row is not None
    return row["next_start_utc"]


def job(meeting: Meeting, original: str, start: datetime, lead: int) -> PlannedJob:
    key = f"{meeting.id}:{original[:16]}:{iso(start)}:{lead}"
    return PlannedJob(f"reminder:{key}", start - timedelta(minutes=lead), "reminder",
                      (meeting.id, original, iso(start), lead))


def env_at(db: Database, now: datetime, room: RoomView | None = None) -> JobEnv:
    view = room if room is not None else fake_room()

    async def lookup(room_id: str) -> RoomView | None:
        assert room_id == ROOM
        return view

    return JobEnv(db, now, Settings(default_zone="UTC"), lookup)


async def fire(db: Database, now: datetime, planned: PlannedJob,
               room: RoomView | None = None) -> list[Post]:
    async with db.transaction():
        return await JOBS[planned.kind](env_at(db, now, room), *planned.args)


async def sent_rows(db: Database) -> list[tuple[str, int, str, int]]:
    rows = await db.fetchall("SELECT key, meeting_id, sent_at, late FROM reminders_sent "
                             "ORDER BY key")
    return [(r["key"], r["meeting_id"], r["sent_at"], r["late"]) for r in rows]


async def opt_in(db: Database, *users: str) -> None:
    async with db.transaction() as conn:
        for user in users:
            await conn.execute("INSERT INTO meeting_notify (room_id, user_id) VALUES (?, ?)",
                               (ROOM, user))


# ---- planning ---------------------------------------------------------------------------------


async def test_nothing_planned_beyond_the_horizon(db: Database) -> None:
    # Starts in 3 h; the 15 m reminder is due in 2 h 45, after the 2 h horizon, and the
    # 24 h one fell due before the meeting was created.
    meeting = await make_meeting(db, datetime(2026, 11, 25, 13, 0))
    assert await plan(db, meeting) == []
    assert await next_start(db, meeting.id) == "2026-11-25T13:00:00+00:00"


async def test_plans_due_reminders_only(db: Database) -> None:
    # Created 3 h ago, starts in 90 m, with leads 24 h, 2 h and 15 m.
    meeting = await make_meeting(db, datetime(2026, 11, 25, 11, 30),
                                 created=NOW - timedelta(hours=3), leads="1440,120,15")
    start = datetime(2026, 11, 25, 11, 30, tzinfo=UTC)
    jobs = await plan(db, meeting)
    # 24 h: due before the meeting existed (skipped); 2 h: due 30 min ago (planned, late);
    # 15 m: due in 75 min (planned).
    assert jobs == [job(meeting, "2026-11-25T11:30:00", start, 120),
                    job(meeting, "2026-11-25T11:30:00", start, 15)]
    assert jobs[0].job_id == f"reminder:{meeting.id}:2026-11-25T11:30:2026-11-25T11:30:00+00:00:120"
    assert [j.fire_at for j in jobs] == [datetime(2026, 11, 25, 9, 30, tzinfo=UTC),
                                         datetime(2026, 11, 25, 11, 15, tzinfo=UTC)]
    assert all(j.job_id.startswith(job_prefix(meeting.id)) for j in jobs)
    assert all(j.fire_at <= NOW + PLAN_HORIZON for j in jobs)
    assert await next_start(db, meeting.id) == "2026-11-25T11:30:00+00:00"


async def test_horizon_edges(db: Database) -> None:
    meeting = await make_meeting(db, datetime(2026, 11, 25, 12, 14), leads="15")
    assert [j.fire_at for j in await plan(db, meeting)] == [
        datetime(2026, 11, 25, 11, 59, tzinfo=UTC)]
    later = await make_meeting(db, datetime(2026, 11, 25, 12, 16), leads="15")
    assert await plan(db, later) == []


async def test_room_leads_apply_without_own_leads(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute("UPDATE rooms SET reminder_leads = '90,30' WHERE room_id = ?",
                           (ROOM,))
    meeting = await make_meeting(db, datetime(2026, 11, 25, 11, 0))
    start = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
    assert await plan(db, meeting) == [job(meeting, "2026-11-25T11:00:00", start, 30)]
    # 90 m fell due at 09:30, before the meeting was created at 10:00


async def test_already_sent_is_not_planned_again(db: Database) -> None:
    meeting = await make_meeting(db, datetime(2026, 11, 25, 11, 30),
                                 created=NOW - timedelta(hours=3), leads="120,15")
    start = datetime(2026, 11, 25, 11, 30, tzinfo=UTC)
    key = reminder_key(meeting.id, datetime(2026, 11, 25, 11, 30), start, 120)
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO reminders_sent (key, meeting_id, sent_at) "
                           "VALUES (?, ?, ?)", (key, meeting.id, iso(NOW)))
    assert await plan(db, meeting) == [job(meeting, "2026-11-25T11:30:00", start, 15)]


async def test_series_plans_each_occurrence_in_window(db: Database) -> None:
    # Daily at 10:30 UTC, reminding a day and 15 m before; created a week ago.
    meeting = await make_meeting(db, datetime(2026, 11, 18, 10, 30), rule="FREQ=DAILY",
                                 created=NOW - timedelta(days=7), leads="1440,15")
    today = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)
    tomorrow = today + timedelta(days=1)
    # Today's day-before reminder was due yesterday: not sent, so it goes out late.
    assert await plan(db, meeting) == [
        job(meeting, "2026-11-25T10:30:00", today, 1440),
        job(meeting, "2026-11-25T10:30:00", today, 15),
        job(meeting, "2026-11-26T10:30:00", tomorrow, 1440),
    ]
    assert await next_start(db, meeting.id) == "2026-11-25T10:30:00+00:00"


async def test_cancelled_meeting_plans_nothing(db: Database) -> None:
    meeting = await make_meeting(db, datetime(2026, 11, 25, 11, 0), leads="15")
    async with db.transaction() as conn:
        await touch(conn, meeting.id, NOW, cancelled_at=iso(NOW))
    assert await plan(db, await reload(db, meeting.id)) == []
    async with db.transaction():
        plans = dict(await plan_changed(db, "meeting", meeting.id, NOW))
    # Other domains (rota) re-plan after a meeting change too; reminders' own entry:
    assert plans[job_prefix(meeting.id)] == []
    assert all(jobs == [] for jobs in plans.values())


async def test_finished_series_is_marked_far_future(db: Database) -> None:
    meeting = await make_meeting(db, datetime(2026, 11, 20, 9, 0),
                                 created=NOW - timedelta(days=10))
    assert await plan(db, meeting) == []
    assert await next_start(db, meeting.id) == "9999-12-31T00:00:00+00:00"


async def test_plan_all(db: Database) -> None:
    fresh = await make_meeting(db, datetime(2026, 11, 25, 11, 0), leads="15")
    far = await make_meeting(db, datetime(2026, 11, 25, 11, 0), leads="15", title="Far")
    beyond = NOW + MAX_LEAD + PLAN_HORIZON + timedelta(minutes=1)
    async with db.transaction() as conn:
        # What an earlier plan would have stored for a far-away meeting.
        await conn.execute("UPDATE meetings SET next_start_utc = ? WHERE id = ?",
                           (iso(beyond), far.id))
    assert await next_start(db, fresh.id) is None
    async with db.transaction():
        jobs = await plan_all(db, NOW)
    start = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
    assert jobs == [job(fresh, "2026-11-25T11:00:00", start, 15)]
    assert await next_start(db, fresh.id) == iso(start)
    assert await next_start(db, far.id) == iso(beyond)  # not even looked at


async def test_plan_all_skips_cancelled(db: Database) -> None:
    meeting = await make_meeting(db, datetime(2026, 11, 25, 11, 0), leads="15")
    async with db.transaction() as conn:
        await touch(conn, meeting.id, NOW, cancelled_at=iso(NOW))
    async with db.transaction():
        assert await plan_all(db, NOW) == []


# ---- firing -------------------------------------------------------------------------------------


async def network_call(db: Database) -> tuple[Meeting, PlannedJob]:
    """Weekly on Wednesday 14:00 Nairobi (11:00 UTC), a 15 m lead, link and agenda."""
    meeting = await make_meeting(db, datetime(2026, 11, 18, 14, 0), "Africa/Nairobi",
                                 rule="FREQ=WEEKLY;BYDAY=WE", created=NOW - timedelta(days=8),
                                 leads="15")
    async with db.transaction() as conn:
        await conn.execute("UPDATE meetings SET link = ? WHERE id = ?",
                           ("https://meet.example.org/network", meeting.id))
        await add_agenda(conn, meeting.id, datetime(2026, 11, 25, 14, 0), "Budget", BOB, NOW)
        await add_agenda(conn, meeting.id, datetime(2026, 11, 25, 14, 0), "Hiring", ALICE, NOW)
        # next week's agenda is not this week's
        await add_agenda(conn, meeting.id, datetime(2026, 12, 2, 14, 0), "Later", ALICE, NOW)
    jobs = await plan(db, await reload(db, meeting.id))
    assert [(j.fire_at, j.args) for j in jobs] == [
        (datetime(2026, 11, 25, 10, 45, tzinfo=UTC),
         (meeting.id, "2026-11-25T14:00:00", "2026-11-25T11:00:00+00:00", 15))]
    return await reload(db, meeting.id), jobs[0]


DUE = datetime(2026, 11, 25, 10, 45, tzinfo=UTC)
START = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)


async def test_fire_on_time(db: Database) -> None:
    meeting, planned = await network_call(db)
    await opt_in(db, ALICE, BOB, EVE)  # Eve has left the room
    posts = await fire(db, DUE, planned)
    assert len(posts) == 1
    post = posts[0]
    key = reminder_key(meeting.id, datetime(2026, 11, 25, 14, 0), START, 15)
    assert (post.room_id, post.logical_key) == (ROOM, f"reminder:{key}")
    assert post.logical_key == planned.job_id
    msg = post.msg
    assert msg.is_reply is False
    assert msg.room_mention is False
    assert sorted(msg.mentions) == [ALICE, BOB]
    lines = msg.plain().splitlines()
    assert lines[0] == "Reminder: Network call (m1) starts in 15 minutes."
    # The meeting's zone first, then every member's zone west to east.
    assert lines[1] == "14:00 Nairobi · 06:00 Bogota · 16:30 Kolkata"
    assert lines[2:5] == ["Agenda:", "1. Budget", "2. Hiring"]
    assert "Later" not in msg.plain()
    assert lines[5] == "Join: https://meet.example.org/network"
    assert lines[6].startswith("For: ")
    assert sorted(lines[6].removeprefix("For: ").split(", ")) == ["Alice", "Bob"]
    assert "Eve" not in msg.plain()
    assert await sent_rows(db) == [(key, meeting.id, iso(DUE), 0)]
    # Run again (a retried job, or a re-plan that raced it): nothing more.
    assert await fire(db, DUE + timedelta(seconds=30), planned) == []
    assert await sent_rows(db) == [(key, meeting.id, iso(DUE), 0)]
    # ... and a re-plan does not plan it again.
    assert await plan(db, meeting, DUE) == []


async def test_fire_without_opt_ins_mentions_nobody(db: Database) -> None:
    _, planned = await network_call(db)
    [post] = await fire(db, DUE, planned)
    assert post.msg.mentions == []
    assert post.msg.room_mention is False
    assert "For:" not in post.msg.plain()


async def test_fire_within_a_minute_is_not_late(db: Database) -> None:
    _, planned = await network_call(db)
    [post] = await fire(db, DUE + timedelta(seconds=60), planned)
    assert "Late reminder" not in post.msg.plain()
    assert [r[3] for r in await sent_rows(db)] == [0]


async def test_fire_late(db: Database) -> None:
    _, planned = await network_call(db)
    [post] = await fire(db, DUE + timedelta(minutes=5), planned)
    lines = post.msg.plain().splitlines()
    assert lines[0] == "Late reminder — I was offline when it was due."
    assert lines[1] == "Reminder: Network call (m1) starts in 10 minutes."
    assert [r[3] for r in await sent_rows(db)] == [1]


@pytest.mark.parametrize("after", [timedelta(0), timedelta(minutes=5), timedelta(days=1)])
async def test_fire_after_start_is_dropped(db: Database, after: timedelta) -> None:
    meeting, planned = await network_call(db)
    await opt_in(db, ALICE)
    assert await fire(db, START + after, planned) == []
    key = reminder_key(meeting.id, datetime(2026, 11, 25, 14, 0), START, 15)
    assert await sent_rows(db) == [(key, meeting.id, iso(START + after), 2)]
    assert await fire(db, START + after, planned) == []


async def test_fire_after_occurrence_moved(db: Database) -> None:
    meeting, planned = await network_call(db)
    moved_to = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    async with db.transaction() as conn:
        await put_override(conn, meeting.id, datetime(2026, 11, 25, 14, 0), new_start=moved_to)
        await touch(conn, meeting.id, NOW)
    assert await fire(db, DUE, planned) == []
    assert await sent_rows(db) == []
    # The new plan has its own job, at the new time, keyed by the new start.
    [new] = await plan(db, await reload(db, meeting.id))
    assert new.fire_at == moved_to - timedelta(minutes=15)
    assert new.args == (meeting.id, "2026-11-25T14:00:00", iso(moved_to), 15)
    assert new.job_id.startswith(job_prefix(meeting.id))
    [post] = await fire(db, new.fire_at, new)
    assert post.msg.plain().splitlines()[0] == "Reminder: Network call (m1) starts in 15 minutes."
    assert "15:00 Nairobi" in post.msg.plain()
    assert "Budget" in post.msg.plain()  # the agenda stays with the occurrence


async def test_fire_after_occurrence_skipped(db: Database) -> None:
    meeting, planned = await network_call(db)
    async with db.transaction() as conn:
        await put_override(conn, meeting.id, datetime(2026, 11, 25, 14, 0), skipped=True)
        await touch(conn, meeting.id, NOW)
    assert await fire(db, DUE, planned) == []
    assert await sent_rows(db) == []
    assert await plan(db, await reload(db, meeting.id), NOW) == []


async def test_fire_after_series_moved(db: Database) -> None:
    meeting, planned = await network_call(db)
    async with db.transaction() as conn:
        await touch(conn, meeting.id, NOW, start_local="2026-11-18T15:00")
    assert await fire(db, DUE, planned) == []
    assert await sent_rows(db) == []


async def test_fire_cancelled(db: Database) -> None:
    meeting, planned = await network_call(db)
    async with db.transaction() as conn:
        await touch(conn, meeting.id, NOW, cancelled_at=iso(NOW))
    assert await fire(db, DUE, planned) == []
    assert await sent_rows(db) == []


async def test_fire_deleted_meeting(db: Database) -> None:
    meeting, planned = await network_call(db)
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM meetings WHERE id = ?", (meeting.id,))
    assert await fire(db, DUE, planned) == []


async def test_room_not_available_does_not_use_up_the_reminder(db: Database) -> None:
    _, planned = await network_call(db)

    async def no_room(room_id: str) -> RoomView | None:
        return None

    async with db.transaction():
        env = JobEnv(db, DUE, Settings(default_zone="UTC"), no_room)
        assert await fire_reminder(env, *planned.args) == []
    assert await sent_rows(db) == []
    assert len(await fire(db, DUE + timedelta(minutes=1), planned)) == 1


async def ping_room(db: Database, meeting: Meeting) -> None:
    async with db.transaction() as conn:
        await conn.execute("UPDATE meetings SET ping_room = 1 WHERE id = ?", (meeting.id,))


async def test_room_mention_when_creator_may(db: Database) -> None:
    meeting, planned = await network_call(db)
    await opt_in(db, BOB)
    await ping_room(db, meeting)
    room = fake_room({ALICE: 50, BOB: 0, CAROL: 0})
    [post] = await fire(db, DUE, planned, room)
    assert post.msg.room_mention is True
    assert post.msg.mentions == []
    assert post.msg.plain().endswith("@room")
    assert "For:" not in post.msg.plain()


async def test_no_room_mention_when_creator_may_not(db: Database) -> None:
    meeting, planned = await network_call(db)
    await opt_in(db, BOB)
    await ping_room(db, meeting)
    room = fake_room({ALICE: 49, BOB: 100, CAROL: 0})  # Bob's level does not count
    [post] = await fire(db, DUE, planned, room)
    assert post.msg.room_mention is False
    assert "@room" not in post.msg.plain()
    assert post.msg.mentions == [BOB]


async def test_no_room_mention_unless_asked(db: Database) -> None:
    _, planned = await network_call(db)
    room = fake_room({ALICE: 100, BOB: 0, CAROL: 0})
    [post] = await fire(db, DUE, planned, room)
    assert post.msg.room_mention is False
    assert "@room" not in post.msg.plain()


async def test_member_without_zone_sees_room_default(db: Database) -> None:
    _, planned = await network_call(db)
    async with db.transaction() as conn:
        await conn.execute("UPDATE rooms SET default_zone = 'Europe/Lisbon' WHERE room_id = ?",
                           (ROOM,))
    room = fake_room({ALICE: 0, "@nozone:example.org": 0})
    [post] = await fire(db, DUE, planned, room)
    assert post.msg.plain().splitlines()[1] == "14:00 Nairobi · 11:00 Lisbon"


# ---- DST ----------------------------------------------------------------------------------------


async def test_lisbon_dst_keeps_wall_time(db: Database) -> None:
    # Weekly on Sunday 14:00 in Lisbon; clocks go forward on Sun 28 Mar 2027 at 01:00 UTC.
    meeting = await make_meeting(db, datetime(2027, 3, 21, 14, 0), "Europe/Lisbon",
                                 rule="FREQ=WEEKLY;BYDAY=SU",
                                 created=datetime(2027, 3, 1, tzinfo=UTC), leads="780,15")
    lisbon_only = fake_room({EVE: 0})
    before = datetime(2027, 3, 21, 14, 0, tzinfo=UTC)  # WET, UTC+0
    after = datetime(2027, 3, 28, 13, 0, tzinfo=UTC)  # WEST, UTC+1

    # An hour before the first one: its 13 h reminder is overdue (never sent), the 15 m one
    # is due at 13:45 UTC.
    first = await plan(db, meeting, datetime(2027, 3, 21, 13, 0, tzinfo=UTC))
    assert first == [job(meeting, "2027-03-21T14:00:00", before, 780),
                     job(meeting, "2027-03-21T14:00:00", before, 15)]
    assert [j.fire_at for j in first] == [datetime(2027, 3, 21, 1, 0, tzinfo=UTC),
                                          datetime(2027, 3, 21, 13, 45, tzinfo=UTC)]
    first = first[1:]

    # Planned half an hour before the change: the 13 h reminder for the 28th falls due at
    # midnight UTC, and is counted from 14:00 summer time (13:00 UTC).
    edge = await plan(db, meeting, datetime(2027, 3, 27, 23, 30, tzinfo=UTC))
    assert edge == [job(meeting, "2027-03-28T14:00:00", after, 780)]
    assert edge[0].fire_at == datetime(2027, 3, 28, 0, 0, tzinfo=UTC)
    [early] = await fire(db, edge[0].fire_at, edge[0], lisbon_only)
    assert early.msg.plain().splitlines()[:2] == [
        "Reminder: Network call (m1) starts in 13 hours.", "14:00 Lisbon"]

    second = await plan(db, meeting, datetime(2027, 3, 28, 12, 0, tzinfo=UTC))
    assert second == [job(meeting, "2027-03-28T14:00:00", after, 15)]
    assert second[0].fire_at - first[0].fire_at == timedelta(days=7) - timedelta(hours=1)
    for planned in (first[0], second[0]):
        [post] = await fire(db, planned.fire_at, planned, lisbon_only)
        assert post.msg.plain().splitlines()[:2] == [
            "Reminder: Network call (m1) starts in 15 minutes.", "14:00 Lisbon"]


# ---- after an absence ---------------------------------------------------------------------


async def test_reminders_missed_while_away_are_dropped_or_sent_late(db: Database) -> None:
    """Down from NOW (25 Nov 10:00) for three days: a meeting and two days of a daily series
    started meanwhile; one meeting starts just after the return."""
    first = await make_meeting(db, datetime(2026, 11, 26, 9, 0), leads="60", title="One")
    series = await make_meeting(db, datetime(2026, 11, 26, 12, 0), rule="FREQ=DAILY",
                                leads="60", title="Daily")
    later = await make_meeting(db, datetime(2026, 11, 28, 10, 30), leads="60", title="Later")
    back = NOW + timedelta(days=3)
    async with db.transaction() as conn:
        await record_scheduler_seen(conn, NOW)
    async with db.transaction():
        jobs = await plan_all(db, back)
    # One's reminder, the series' on 26 and 27 Nov (started) and 28 Nov (due 11:00, on
    # time), and Later's (due 9:30: late).
    assert Counter(j.args[0] for j in jobs) == {first.id: 1, series.id: 3, later.id: 1}
    due = [j for j in sorted(jobs, key=lambda j: j.fire_at) if j.fire_at <= back]
    assert len(due) == 4 and all(j.fire_at >= NOW for j in due)
    room = fake_room()
    posts = [p for j in due for p in await fire(db, back, j, room)]
    assert [p.msg.plain().splitlines()[:2] for p in posts] == [[
        "Late reminder — I was offline when it was due.",
        "Reminder: Later (m3) starts in 30 minutes."]]
    assert Counter(r[3] for r in await sent_rows(db)) == {Reminded.DROPPED: 3,
                                                          Reminded.LATE: 1}
    # Planning again leaves only the one not yet due.
    async with db.transaction():
        again = await plan_all(db, back)
    assert [j.fire_at for j in again] == [datetime(2026, 11, 28, 11, 0, tzinfo=UTC)]


async def test_a_clock_stepped_back_looks_back_nowhere(db: Database) -> None:
    """Last looked an hour *ahead* of now (the clock stepped back): nothing is dropped."""
    meeting = await make_meeting(db, datetime(2026, 11, 25, 11, 30), leads="60")
    async with db.transaction() as conn:
        await record_scheduler_seen(conn, NOW + timedelta(hours=1))
    async with db.transaction():
        jobs = await plan_all(db, NOW)
    assert [(j.args[0], j.fire_at) for j in jobs] == [
        (meeting.id, datetime(2026, 11, 25, 10, 30, tzinfo=UTC))]


async def test_a_big_rooms_reminder_names_ten_and_notifies_everyone(db: Database) -> None:
    _meeting, planned = await network_call(db)
    crowd = [f"@member{n:03d}:example.org" for n in range(300)]
    await opt_in(db, ALICE, *crowd)
    room = FakeRoom(ROOM, {ALICE: 0}, members=[ALICE, *crowd])
    posts = await fire(db, DUE, planned, room)
    msg = posts[0].msg
    assert sorted(msg.mentions) == sorted([ALICE, *crowd])  # all of them notified …
    names = next(line for line in msg.plain().splitlines() if line.startswith("For: "))
    assert names.count(", ") == 9 and names.endswith(" and 291 others")  # … ten named
    assert sum(kind == "mention" for kind, _value, _target in msg.parts) == 10
