"""Rota schedules and hooks: reminders name the roles, the facilitator is nudged a day
ahead, history is recorded at each start; and alternating times across DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from commands.jobs import JobEnv, PlannedJob, Post
from commands.meetings.reminders import plan_meeting, reminder_message
from commands.router import Router
from storage import Database
from storage.meetings import Meeting, get_meeting, iso
from storage.members import set_zone
from tests.fakes import FakeRoom, Seed
from tests.unit.test_rota_commands import (
    ALICE,
    BOB,
    CAROL,
    DAN,
    MOD,
    NOW,
    ROOM,
    SEED,
    SET,
    WEEKLY,
    Say,
    fake_room,
    lines_with,
    started,
)

START = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)  # the first occurrence of WEEKLY


@pytest.fixture
def db_seed() -> Seed:
    return SEED


@pytest.fixture
def room() -> FakeRoom:
    return fake_room()


@pytest.fixture
def say(router: Router, db: Database, room: FakeRoom) -> Say:
    return Say(router, db, room)


def env(router: Router, db: Database, room: FakeRoom, now: datetime) -> JobEnv:
    async def lookup(room_id: str) -> FakeRoom:
        assert room_id == ROOM
        return room

    from commands.context import Settings
    return JobEnv(db, now, Settings(), lookup, router.schedules.hooks)


async def meeting(db: Database, number: int = 1) -> Meeting:
    found = await get_meeting(db, ROOM, number)
    assert found is not None
    return found


async def plan(router: Router, db: Database, now: datetime) -> list[PlannedJob]:
    async with db.transaction():
        return [j for j in await router.schedules.plan_everything(db, now)
                if j.kind in ("facilitator-nudge", "rota-record")]


async def fire(router: Router, db: Database, room: FakeRoom, job: PlannedJob,
               now: datetime) -> list[Post]:
    async with db.transaction():
        return await router.schedules.jobs[job.kind](env(router, db, room, now), *job.args)


# ---- the reminder and meeting-roles hooks ------------------------------------------------------


async def test_reminder_names_and_mentions_the_role_holders(router: Router, db: Database,
                                                           room: FakeRoom, say: Say) -> None:
    await started(say)
    found = await meeting(db)
    async with db.transaction():
        msg = await reminder_message(env(router, db, room, START - timedelta(minutes=15)),
                                     found, datetime(2026, 11, 26, 11, 0), START, False, room,
                                     15)
    assert "Facilitator: Alice · Notes: Bob" in msg.plain().splitlines()
    assert msg.mentions == [ALICE, BOB]


async def test_reminder_without_a_rota_is_unchanged(router: Router, db: Database,
                                                   room: FakeRoom, say: Say) -> None:
    await say(WEEKLY)
    async with db.transaction():
        msg = await reminder_message(env(router, db, room, NOW), await meeting(db),
                                     datetime(2026, 11, 26, 11, 0), START, False, room, 15)
    assert "Facilitator" not in msg.plain()
    assert msg.mentions == []


async def test_meeting_roles_hook(router: Router, db: Database, say: Say) -> None:
    await started(say)
    from domain.recurrence import occurrences
    found = await meeting(db)
    hook = router.schedules.hooks.meeting_roles[0]
    occs = occurrences(found.series, NOW, NOW + timedelta(days=16))
    assert [await hook(db, found, o) for o in occs] == [
        [("facilitator", ALICE), ("notes", BOB)],
        [("facilitator", BOB), ("notes", CAROL)],
        [("facilitator", CAROL), ("notes", DAN)],
    ]
    # Read-only, also for occurrences that have happened but are not recorded yet.
    before = await db.fetchone("SELECT recorded_until FROM rotas")
    assert await hook(db, found, occs[0]) == [("facilitator", ALICE), ("notes", BOB)]
    assert await db.fetchone("SELECT recorded_until FROM rotas") == before
    assert await db.fetchall("SELECT * FROM rota_history") == []


# ---- planning, recording, nudging --------------------------------------------------------------


async def test_plans_the_nudge_a_day_ahead_and_the_record_at_the_start(
        router: Router, db: Database, say: Say) -> None:
    await started(say)
    found = await meeting(db)
    jobs = await plan(router, db, NOW)
    assert jobs == [PlannedJob(f"rota:{found.id}:nudge:2026-11-26T11:00:00:{iso(START)}",
                               START - timedelta(hours=24), "facilitator-nudge",
                               (found.id, "2026-11-26T11:00:00", iso(START)))]
    jobs = await plan(router, db, START - timedelta(hours=1))
    assert PlannedJob(f"rota:{found.id}:record:{iso(START)}", START, "rota-record",
                      (found.id,)) in jobs


async def test_the_facilitator_is_nudged_once_in_their_direct_chat(
        router: Router, db: Database, room: FakeRoom, say: Say) -> None:
    await started(say)
    await say("meeting agenda m1 add Budget for 2027", sender=CAROL)
    (job,) = await plan(router, db, NOW)
    posts = await fire(router, db, room, job, job.fire_at)
    assert len(posts) == 1
    post = posts[0]
    assert post.msg.direct_to == ALICE and post.room_id == ROOM
    assert post.logical_key.startswith("rota-nudge:")
    assert post.msg.plain() == (
        "Your turn as facilitator: Network call (m1) in 24 hours, Thu 26 Nov 2026, 11:00 (UTC).\n"
        "Notes: Bob\n"
        "Agenda so far:\n"
        "1. Budget for 2027\n"
        "Can't make it? In the room: `!rota m1 skip` or `!rota m1 swap <date> @someone`")
    assert await fire(router, db, room, job, job.fire_at + timedelta(seconds=5)) == []
    assert await plan(router, db, NOW + timedelta(minutes=90)) == []  # sent: not planned again


async def test_a_new_facilitator_after_a_swap_is_nudged_too(
        router: Router, db: Database, room: FakeRoom, say: Say) -> None:
    await started(say)
    (job,) = await plan(router, db, NOW)
    await fire(router, db, room, job, job.fire_at)
    say.now = job.fire_at + timedelta(hours=1)
    await say(f"rota m1 swap 2026-11-26 {ALICE} {DAN}", sender=MOD)  # applies at once
    found = await meeting(db)
    async with db.transaction():
        plans = await router.schedules.plan_changed(db, "rota", found.id, say.now)
    (prefix, jobs), = [p for p in plans]
    assert prefix == f"rota:{found.id}:"
    nudge = next(j for j in jobs if j.kind == "facilitator-nudge")
    posts = await fire(router, db, room, nudge, say.now)
    assert [p.msg.direct_to for p in posts] == [DAN]


async def test_no_nudge_after_the_start_or_for_a_moved_occurrence(
        router: Router, db: Database, room: FakeRoom, say: Say) -> None:
    await started(say)
    (job,) = await plan(router, db, NOW)
    assert await fire(router, db, room, job, START) == []
    await say("meeting move m1 fri 15:00")
    assert await fire(router, db, room, job, job.fire_at) == []


async def test_record_job_writes_history_at_the_start(
        router: Router, db: Database, room: FakeRoom, say: Say) -> None:
    await started(say)
    job = next(j for j in await plan(router, db, START - timedelta(hours=1))
               if j.kind == "rota-record")
    room.joined.remove(DAN)  # left before the meeting: dropped, after recording
    assert await fire(router, db, room, job, START) == []
    rows = await db.fetchall("SELECT role, user_id FROM rota_history ORDER BY role")
    assert [tuple(r) for r in rows] == [("facilitator", ALICE), ("notes", BOB)]
    members = await db.fetchall("SELECT user_id FROM rota_members ORDER BY position")
    assert [r["user_id"] for r in members] == [ALICE, BOB, CAROL]


async def test_the_planner_catches_up_after_downtime(router: Router, db: Database,
                                                    say: Say) -> None:
    await started(say)
    await plan(router, db, NOW + timedelta(days=8, hours=2))  # two passed while down
    rows = await db.fetchall("SELECT occurrence_local FROM rota_history WHERE role = ?",
                             ("facilitator",))
    assert [r[0] for r in rows] == ["2026-11-26T11:00", "2026-12-03T11:00"]


async def test_cancelled_meeting_plans_nothing(router: Router, db: Database, say: Say) -> None:
    await started(say)
    await say("meeting cancel m1")
    found = await db.fetchone("SELECT id FROM meetings")
    assert found is not None
    async with db.transaction():
        plans = await router.schedules.plan_changed(db, "meeting", found["id"], NOW)
    assert (f"rota:{found['id']}:", []) in plans
    assert await plan(router, db, NOW) == []


# ---- alternating times across DST ----------------------------------------------------------


BERLIN_NOW = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)  # Europe moves to summer time 28 Mar
ALTERNATING = 'meeting add "Network call" 2027-03-18 07:00 Europe/Berlin every 2 weeks ' \
              'alternate 16:00'


async def test_alternating_times_across_dst_in_lists_rota_reminders_and_ics(
        router: Router, db: Database, room: FakeRoom, say: Say) -> None:
    say.now = BERLIN_NOW
    await set_zone(db.conn, CAROL, "America/New_York", NOW.isoformat())  # DST on 14 Mar
    added = await say(ALTERNATING)
    assert "alternating with 16:00" in added
    # The wall time stays 07:00 / 16:00 in Berlin while UTC moves on 28 Mar.
    listing = await say("meetings 60d")
    assert [line for line in listing.splitlines() if line.startswith("m1")] == [
        "m1 · Network call · Thu 18 Mar 2027, 06:00 (UTC) — in 8 days",
        "m1 · Network call · Thu 1 Apr 2027, 14:00 (UTC) — in 22 days",
        "m1 · Network call · Thu 15 Apr 2027, 05:00 (UTC) — in 36 days",
        "m1 · Network call · Thu 29 Apr 2027, 14:00 (UTC) — in 50 days",
    ]
    carol = await say("meetings 60d", sender=CAROL)
    assert "Thu 18 Mar 2027, 02:00 (New York)" in carol  # EDT since 14 Mar
    assert "Thu 1 Apr 2027, 10:00 (New York)" in carol
    text = await say(f"rota m1 set {ALICE} {BOB} {CAROL}")
    assert lines_with(text, "•") == [
        "• Thu 18 Mar 2027, 06:00 (UTC) — Facilitator Alice · Notes Bob",
        "• Thu 1 Apr 2027, 14:00 (UTC) — Facilitator Bob · Notes Carol",
        "• Thu 15 Apr 2027, 05:00 (UTC) — Facilitator Carol · Notes Alice",
        "• Thu 29 Apr 2027, 14:00 (UTC) — Facilitator Alice · Notes Bob",
    ]
    shown = await say("rota m1", sender=CAROL)
    assert "• Thu 1 Apr 2027, 10:00 (New York) — Facilitator Bob · Notes Carol" in shown
    # Reminders and nudges fire at the alternate time's real instant after the change.
    found = await meeting(db)
    april = datetime(2027, 4, 1, 14, 0, tzinfo=UTC)
    async with db.transaction():
        reminders = await plan_meeting(db, found, april - timedelta(minutes=30))
    assert [j.fire_at for j in reminders] == [april - timedelta(hours=24),
                                              april - timedelta(minutes=15)]
    nudges = await plan(router, db, april - timedelta(hours=25))
    assert [j.fire_at for j in nudges if j.kind == "facilitator-nudge"] == [
        april - timedelta(hours=24)]
    async with db.transaction():
        msg = await reminder_message(env(router, db, room, april - timedelta(minutes=15)),
                                     found, datetime(2027, 4, 1, 7, 0), april, False, room, 15)
    assert "Facilitator: Bob · Notes: Carol" in msg.plain()
    # The calendar file has both times in Berlin wall-clock time.
    ctx = await say.ctx("meeting ics m1")
    attachment = ctx.replies[0].attachment
    assert attachment is not None
    events = list(Calendar.from_ical(attachment.data).walk("VEVENT"))
    starts = sorted((e["DTSTART"].dt.replace(tzinfo=None), e["DTSTART"].params["TZID"])
                    for e in events)
    assert starts == [(datetime(2027, 3, 18, 7, 0), "Europe/Berlin"),
                      (datetime(2027, 4, 1, 16, 0), "Europe/Berlin")]
    assert all("INTERVAL=4" in e["RRULE"].to_ical().decode() for e in events)


async def test_alternating_utc_meeting_moves_for_members_with_dst(say: Say, db: Database) -> None:
    """The issue's example: fixed in UTC, so it is members' local times that change."""
    say.now = BERLIN_NOW
    await set_zone(db.conn, BOB, "Europe/London", NOW.isoformat())
    await say('meeting add "Network call" thu 06:00 UTC every 2 weeks alternate 15:00 UTC')
    listing = await say("meetings 45d", sender=BOB)
    assert [line for line in listing.splitlines() if line.startswith("m1")] == [
        "m1 · Network call · Thu 11 Mar 2027, 06:00 (London) — in 18 hours",
        "m1 · Network call · Thu 25 Mar 2027, 15:00 (London) — in 15 days",
        "m1 · Network call · Thu 8 Apr 2027, 07:00 (London) — in 29 days",
        "m1 · Network call · Thu 22 Apr 2027, 16:00 (London) — in 43 days",
    ]
    await say(SET)
    shown = await say("rota m1", sender=BOB)
    assert "• Thu 8 Apr 2027, 07:00 (London) — Facilitator Carol · Notes Dan" in shown
