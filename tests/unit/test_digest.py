"""Overdue nudges and the weekly digest: planned from the DB, sent once, rendered per zone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from commands import build_router
from commands.actions.digest import digest_jobs, plan_digests
from commands.actions.nudges import plan_nudges
from commands.jobs import Post
from commands.router import Router
from storage import Database
from storage.state import record_scheduler_seen
from tests.fakes import Seed
from tests.unit.test_actions_fixtures import (
    ALICE,
    BOB,
    CAROL,
    MOD,
    NOW,
    OTHER_ROOM,
    ROOM,
    SEED,
    fire,
    plan,
    room_view,
    run,
    say,
    texts,
    utc,
)


@pytest.fixture
def db_seed() -> Seed:
    return SEED


@pytest.fixture
def router() -> Router:
    return build_router()


def bodies(posts: list[Post]) -> str:
    return texts([p.msg for p in posts])


# ---- overdue nudges ----------------------------------------------------------------------


async def test_nudge_is_planned_for_the_owners_morning_and_sent_once(router: Router,
                                                                      db: Database) -> None:
    await run(router, db, f"action {BOB} Send the report due fri", mentioned=(BOB,))
    saturday_9_kolkata = utc(2026, 11, 28, 3, 30)
    assert await plan(db, plan_nudges, NOW) == []  # not within the planning horizon yet
    jobs = await plan(db, plan_nudges, saturday_9_kolkata - timedelta(hours=1))
    assert [(j.kind, j.fire_at) for j in jobs] == [("action-nudge", saturday_9_kolkata)]
    posts = await fire(router, db, jobs[0], saturday_9_kolkata)
    assert len(posts) == 1
    post = posts[0]
    assert post.msg.plain() == (
        "Bob: #1 Send the report was due yesterday, Fri 27 Nov (end of day, Kolkata).\n"
        "Done? React ✅ to this message or send `!done 1`. A new date: `!action 1 due <when>`")
    assert post.msg.mentions == [BOB] and not post.msg.is_reply
    assert post.logical_key == f"action:{ROOM}:1:nudge:2026-11-27T18:29:00+00:00"
    # Run again, or plan again after a restart: nothing more.
    assert await fire(router, db, jobs[0], saturday_9_kolkata) == []
    assert await plan(db, plan_nudges, saturday_9_kolkata + timedelta(days=2)) == []


async def test_a_new_due_date_earns_a_new_nudge_and_a_closed_item_none(router: Router,
                                                                       db: Database) -> None:
    await run(router, db, "action Report due today 18:00")  # 15:00 UTC
    first = await plan(db, plan_nudges, utc(2026, 11, 26, 5, 30))
    assert [j.fire_at for j in first] == [utc(2026, 11, 26, 6, 0)]  # Thu 09:00 Nairobi
    assert len(await fire(router, db, first[0], utc(2026, 11, 26, 6, 0))) == 1
    later = utc(2026, 11, 26, 7, 0)
    await run(router, db, "action 1 due fri", now=later)
    # The job planned for the old due date finds it changed and stays silent.
    assert await fire(router, db, first[0], later) == []
    second = await plan(db, plan_nudges, utc(2026, 11, 28, 5, 0))
    assert [j.fire_at for j in second] == [utc(2026, 11, 28, 6, 0)]
    await run(router, db, "done 1", now=utc(2026, 11, 28, 5, 30))
    assert await fire(router, db, second[0], utc(2026, 11, 28, 6, 0)) == []


async def test_nudge_mentions_only_owners_still_in_the_room(router: Router,
                                                            db: Database) -> None:
    await run(router, db, f"action {BOB} {CAROL} Report due fri", mentioned=(BOB, CAROL))
    jobs = await plan(db, plan_nudges, utc(2026, 11, 28, 3, 0))
    room = room_view(members=(ALICE, CAROL))
    posts = await fire(router, db, jobs[0], utc(2026, 11, 28, 3, 30), rooms={ROOM: room})
    assert posts[0].msg.mentions == [CAROL]


# ---- the digest: when ----------------------------------------------------------------------

MONDAY_9 = utc(2026, 11, 30, 9, 0)  # room default zone is UTC here


async def test_default_digest_waits_for_the_rooms_first_action(router: Router,
                                                               db: Database) -> None:
    assert await plan(db, plan_digests, MONDAY_9 - timedelta(hours=1)) == []
    await run(router, db, "action Report due fri")
    jobs = await plan(db, plan_digests, MONDAY_9 - timedelta(hours=1))
    assert [(j.job_id, j.fire_at, j.args) for j in jobs] == [
        (f"digest:{ROOM}:2026-W49", MONDAY_9, (ROOM, "2026-W49"))]


async def test_digest_is_sent_once_per_week_even_when_run_twice(router: Router,
                                                                db: Database) -> None:
    await run(router, db, "action Report due fri")
    [job] = await plan(db, plan_digests, MONDAY_9 - timedelta(minutes=30))
    posts = await fire(router, db, job, MONDAY_9)
    assert posts and posts[0].logical_key == f"digest:{ROOM}:2026-W49:0"
    assert bodies(posts).startswith("Weekly digest — 30 Nov – 6 Dec 2026")
    assert await fire(router, db, job, MONDAY_9 + timedelta(seconds=5)) == []
    # A restart re-plans from the DB: this week is done.
    assert await plan(db, plan_digests, MONDAY_9 + timedelta(minutes=5)) == []


async def test_a_missed_digest_goes_out_late_the_same_day_only(router: Router,
                                                               db: Database) -> None:
    await run(router, db, "action Report due fri")
    late = MONDAY_9 + timedelta(hours=6)
    [job] = await plan(db, plan_digests, late)
    assert job.fire_at == MONDAY_9  # in the past: the scheduler runs it at once
    assert await fire(router, db, job, late)
    await run(router, db, "action Other", room=OTHER_ROOM)
    tuesday = MONDAY_9 + timedelta(days=1)
    assert await plan(db, plan_digests, tuesday) == []  # neither room: one sent, one missed


async def test_a_default_digest_with_nothing_to_say_is_skipped(router: Router,
                                                               db: Database) -> None:
    await run(router, db, "action Report")
    await run(router, db, "action 1 drop")
    [job] = await plan(db, plan_digests, MONDAY_9)
    assert await fire(router, db, job, MONDAY_9) == []
    assert await plan(db, plan_digests, MONDAY_9) == []  # recorded as skipped


async def test_chosen_schedule_in_its_zone_and_always_sent(router: Router,
                                                           db: Database) -> None:
    ctx = await run(router, db, "digest schedule fri 16:00 Europe/Lisbon", sender=MOD)
    assert ctx.replies[0].plain() == ("The weekly digest goes out Fridays at 16:00 (Lisbon). "
                                      "Next: Fri 27 Nov 2026, 16:00 (Lisbon).")
    [(kind, settings_id)] = ctx.changed
    prefix, jobs = (await router.schedules.plan_changed(db, kind, settings_id,
                                                        utc(2026, 11, 27, 15, 0)))[0]
    assert prefix == f"digest:{ROOM}:" and [j.fire_at for j in jobs] == [utc(2026, 11, 27, 16)]
    posts = await fire(router, db, jobs[0], utc(2026, 11, 27, 16))
    assert bodies(posts).startswith("Weekly digest: nothing open")


async def test_a_schedule_for_this_very_minute_fires_at_once(router: Router,
                                                             db: Database) -> None:
    now = utc(2026, 11, 25, 10, 0, 40)
    ctx = await run(router, db, "digest schedule wed 10:00 UTC", sender=MOD, now=now)
    [(kind, settings_id)] = ctx.changed
    [(_, jobs)] = await router.schedules.plan_changed(db, kind, settings_id, now)
    assert [j.fire_at for j in jobs] == [utc(2026, 11, 25, 10, 0)]
    # A time earlier today than the change is not "missed": nothing fires for it.
    ctx = await run(router, db, "digest schedule wed 09:00 UTC", sender=MOD, now=now)
    assert (await router.schedules.plan_changed(db, kind, settings_id, now))[0][1] == []


async def test_digest_off_on_and_permissions(router: Router, db: Database) -> None:
    await run(router, db, "action Report")
    assert (await say(router, db, "digest off")).startswith(
        "Only room moderators can change when the digest is sent.")
    assert await say(router, db, "digest off", sender=MOD) == \
        "The weekly digest is off. Turn it back on with `!digest on`"
    assert await digest_jobs(db, ROOM, MONDAY_9) == []
    assert (await say(router, db, "digest")).startswith("The weekly digest is off here.")
    assert (await say(router, db, "digest on", sender=MOD)).startswith(
        "The weekly digest goes out Mondays at 09:00 (UTC).")


@pytest.mark.parametrize(("args", "message"), [
    ("fri", "Give a weekday and a time."),
    ("someday 10:00", "Give a weekday and a time."),
    ("fri 25:00", '"25:00" is not a time of day.'),
    ("fri 10:00 Nairobbi", "Did you mean Africa/Nairobi"),
])
async def test_bad_schedules(router: Router, db: Database, args: str, message: str) -> None:
    text = await say(router, db, f"digest schedule {args}", sender=MOD)
    assert message in text and "\nExample: `!digest schedule mon 08:30" in text


# ---- the digest: what ------------------------------------------------------------------------


async def seed(router: Router, db: Database) -> None:
    earlier = NOW - timedelta(days=3)
    await run(router, db, f"action {BOB} Budget draft due 2026-11-23", mentioned=(BOB,),
              now=earlier)
    await run(router, db, f"action {BOB} Venue", mentioned=(BOB,))
    await run(router, db, "action Minutes template due 2026-12-02")
    await run(router, db, f"action {CAROL} Flyers due 2026-11-24", mentioned=(CAROL,),
              now=earlier)
    await run(router, db, f"action {CAROL} Old thing", mentioned=(CAROL,))
    await run(router, db, "done 5", sender=CAROL)
    await run(router, db, "action Secret of the other room due fri", room=OTHER_ROOM)
    await run(router, db, 'meeting add "Network call" fri 14:00 every week')


async def test_digest_groups_by_owner_overdue_first_in_each_owners_zone(
        router: Router, db: Database) -> None:
    await seed(router, db)
    ctx = await run(router, db, "digest now", sender=CAROL)
    assert len(ctx.replies) == 1
    msg = ctx.replies[0]
    lines = msg.plain().splitlines()
    assert lines[:10] == [
        "Weekly digest — 23 Nov – 29 Nov 2026",
        "Open actions: 4 (2 overdue)",
        "Bob",
        "   #1 Budget draft · due Mon 23 Nov (end of day, Kolkata) · ⚠ overdue by 1 day",
        "   #2 Venue",
        "Carol",
        "   #4 Flyers · due yesterday, Tue 24 Nov (end of day, Bogota) · ⚠ overdue by 5 hours",
        "Alice",
        "   #3 Minutes template · due Wed 2 Dec (end of day, Nairobi)",
        "Closed in the last 7 days: 1",
    ]
    assert lines[10] == "   ✓ #5 Old thing — done by Carol"
    assert lines[11] == "Meetings in the coming week"
    assert lines[12] == "m1 Network call — Fri 27 Nov 2026, 14:00 (Nairobi)"
    assert lines[13].startswith("   14:00 Nairobi") and "16:30 Kolkata" in lines[13]
    assert "Secret" not in msg.plain()
    assert msg.mentions == [BOB, CAROL]  # only owners of overdue items are notified


async def test_digest_asks_the_roles_and_digest_hooks(router: Router, db: Database) -> None:
    await seed(router, db)
    seen: list[Any] = []

    async def roles(db_: Database, meeting: Any, occurrence: Any) -> list[tuple[str, str]]:
        return [("facilitator", BOB), ("notes", ALICE)]

    async def section(env: Any, room_id: str, msg: Any, room: Any) -> None:
        seen.append(room_id)
        msg.bold("Check-ins").line().text("Blocked: ").mention(MOD, "Mod").line()

    router.schedules.hooks.meeting_roles.append(roles)
    router.schedules.hooks.digest.append(section)
    text = await say(router, db, "digest now")
    assert "   facilitator: Bob · notes: Alice" in text.splitlines()
    assert text.endswith("Check-ins\nBlocked: Mod")
    assert seen == [ROOM]
    ctx = await run(router, db, "digest now")
    assert MOD not in ctx.replies[0].mentions  # hooks never notify


async def test_digest_now_in_a_quiet_room(router: Router, db: Database) -> None:
    assert (await say(router, db, "digest now")).startswith("Nothing to report")


# ---- a long digest ----------------------------------------------------------------------------


async def test_a_2000_item_digest_is_split_whole_and_under_the_limit(
        router: Router, db: Database) -> None:
    import json

    from bot.render import message_content
    from storage.actions import insert_action

    owners = [ALICE, BOB, CAROL, MOD]
    async with db.transaction() as conn:
        for index in range(2000):
            # Long, non-ASCII, HTML-special text: the worst case for the size estimate.
            text = f"item-{index:04d}-start " + "é<&> " * 180 + f"item-{index:04d}-end"
            due = NOW - timedelta(days=1) if index % 3 == 0 else NOW + timedelta(days=index)
            await insert_action(conn, room_id=ROOM, text=text, owners=[owners[index % 4]],
                                due=due, created_by=ALICE, now=NOW)
    await run(router, db, "action Last one")
    [job] = await plan(db, plan_digests, MONDAY_9)
    posts = await fire(router, db, job, MONDAY_9)
    assert len(posts) > 10
    seen: list[str] = []
    for post in posts:
        content = message_content(post.msg)
        size = len(json.dumps(content, separators=(",", ":")).encode())
        assert size < 48 * 1024
        # Encrypted: base64 of the JSON (4/3) plus megolm and event overhead stays under 64 KiB.
        assert size * 4 / 3 + 2000 < 65536
        body = content["body"]
        for index in range(2000):
            start, end = f"item-{index:04d}-start", f"item-{index:04d}-end"
            if start in body:
                assert end in body, f"item {index} was cut"
                seen.append(start)
    assert sorted(seen) == sorted(f"item-{i:04d}-start" for i in range(2000))
    assert len(seen) == len(set(seen))
    assert [p.logical_key for p in posts] == [f"digest:{ROOM}:2026-W49:{i}"
                                              for i in range(len(posts))]
    assert posts[1].msg.plain().startswith("(continued, part 2 of")


async def test_planners_use_the_configured_default_zone_they_cannot_see(
        router: Router, db: Database) -> None:
    """Planners get only the DB: commands and jobs leave the configured zone there."""
    from commands.context import Context, Settings

    ctx = Context(room_view(), ALICE, "$e:example.org", NOW, db,
                  Settings(default_zone="Africa/Nairobi"))
    async with db.transaction():
        await router.dispatch(ctx, "action", "Report due fri")
    [job] = await plan(db, plan_digests, MONDAY_9 - timedelta(hours=4))
    assert job.fire_at == utc(2026, 11, 30, 6, 0)  # 09:00 in Nairobi


# ---- after an absence ----------------------------------------------------------------------


async def test_a_digest_missed_while_away_goes_out_once_and_says_late(router: Router,
                                                                      db: Database) -> None:
    await run(router, db, "action Report due fri")
    async with db.transaction() as conn:  # the scheduler last looked on Sunday, then went down
        await record_scheduler_seen(conn, MONDAY_9 - timedelta(hours=20))
    thursday = MONDAY_9 + timedelta(days=3)
    [job] = await plan(db, plan_digests, thursday)
    assert job.fire_at == MONDAY_9 and job.args == (ROOM, "2026-W49")
    posts = await fire(router, db, job, thursday)
    assert bodies(posts).startswith("Late — I was offline when this was due.\n"
                                    "Weekly digest — 30 Nov – 6 Dec 2026")
    assert await fire(router, db, job, thursday) == []
    assert await plan(db, plan_digests, thursday) == []


async def test_on_time_digest_does_not_say_late(router: Router, db: Database) -> None:
    await run(router, db, "action Report due fri")
    [job] = await plan(db, plan_digests, MONDAY_9 - timedelta(minutes=30))
    assert bodies(await fire(router, db, job, MONDAY_9 + timedelta(minutes=4))).startswith(
        "Weekly digest — ")


async def test_a_nudge_caught_up_after_an_absence_says_late(router: Router,
                                                            db: Database) -> None:
    await run(router, db, f"action {BOB} Send the report due fri", mentioned=(BOB,))
    saturday_9_kolkata = utc(2026, 11, 28, 3, 30)
    back = saturday_9_kolkata + timedelta(hours=2)  # within the 3 h catch-up
    [job] = await plan(db, plan_nudges, back)
    assert job.fire_at == saturday_9_kolkata
    [post] = await fire(router, db, job, back)
    assert post.msg.plain().splitlines()[:2] == [
        "Late — I was offline when this was due.",
        "Bob: #1 Send the report was due yesterday, Fri 27 Nov (end of day, Kolkata)."]
