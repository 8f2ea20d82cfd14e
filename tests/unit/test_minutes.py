"""Minutes: only tagged lines, attendees who spoke, actions carried into the next reminder."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.render import message_content
from commands import build_router
from commands.meetings.reminders import fire_reminder, plan_meeting
from commands.reply import Msg
from commands.router import Router
from storage import Database
from storage.actions import get_action
from storage.meetings import get_meeting
from tests.fakes import Seed
from tests.unit.test_actions_fixtures import (
    BOB,
    CAROL,
    DAN,
    MOD,
    NOW,
    ROOM,
    SEED,
    context,
    env_at,
    react,
    run,
    say,
)

WEEKLY = '"Network call" wed 13:00 every week'  # 13:00 Nairobi = 10:00 UTC = NOW



@pytest.fixture
def db_seed() -> Seed:
    return SEED


@pytest.fixture
def router() -> Router:
    return build_router()


async def hold_meeting(router: Router, db: Database) -> list[Msg]:
    """m1 created last week; this week's occurrence starts now and gets minutes."""
    await run(router, db, f"meeting add {WEEKLY}", now=NOW - timedelta(days=6))
    start = await say(router, db, "meeting start", sender=BOB)
    assert start.startswith("Minutes are open for m1 Network call (Wed 25 Nov 2026, 13:00 "
                            "(Nairobi))")
    later = NOW + timedelta(minutes=10)
    await run(router, db, "decision We meet in person in May", now=later)
    await run(router, db, "info The venue moved to the library", sender=CAROL, now=later)
    await run(router, db, f"action {BOB} Book the venue due fri", mentioned=(BOB,), now=later)
    await run(router, db, f"action {CAROL} Send the agenda due 2026-12-01",
              mentioned=(CAROL,), now=later)
    await run(router, db, "meetings", sender=DAN, now=later)  # any command counts as present
    ctx = await run(router, db, "meeting end", now=NOW + timedelta(minutes=45))
    return ctx.replies


async def test_minutes_list_attendees_decisions_and_actions(router: Router,
                                                            db: Database) -> None:
    replies = await hold_meeting(router, db)
    assert len(replies) == 1
    assert replies[0].plain().splitlines() == [
        "Minutes — m1 Network call",
        "Wed 25 Nov 2026, 13:00–13:45 (Nairobi)",
        "Attendees: Bob, Alice, Carol, Dan",
        "Decisions",
        "1. We meet in person in May (Alice)",
        "Information",
        "• The venue moved to the library (Carol)",
        "Actions",
        "• #1 Book the venue — Bob · due Fri 27 Nov (end of day, Kolkata)",
        "• #2 Send the agenda — Carol · due Tue 1 Dec (end of day, Bogota)",
    ]
    html = message_content(replies[0])["formatted_body"]
    assert "<a " not in html and "http" not in html  # minutes link to nothing
    assert replies[0].mentions == []
    action = await get_action(db, ROOM, 1)
    meeting = await get_meeting(db, ROOM, 1)
    assert action is not None and meeting is not None
    assert action.meeting_id == meeting.id and action.minutes_id is not None
    assert await say(router, db, "minutes") == replies[0].plain()


async def test_a_member_who_ran_any_command_during_the_meeting_attended(
        router: Router, db: Database) -> None:
    """Refused and unknown commands count, and so does a ✅ that was not allowed to close."""
    await run(router, db, f"meeting add {WEEKLY}", now=NOW - timedelta(days=6))
    await run(router, db, "meeting start", sender=BOB)
    await run(router, db, f"action {BOB} Book the venue", mentioned=(BOB,))
    later = NOW + timedelta(minutes=5)
    refused = await say(router, db, "action 1 drop", sender=CAROL, now=later)
    assert refused.startswith("Only whoever added #1")
    assert "I don't know the command" in await say(router, db, "picnic", sender=MOD,
                                                   now=later)
    taken, ctx = await react(router, db, f"action:{ROOM}:1", "✅", sender=DAN, now=later)
    assert taken and ctx.replies[0].plain().startswith("Your ✅ did not close #1")
    ended = await say(router, db, "meeting end", now=NOW + timedelta(minutes=30))
    assert "Attendees: Alice, Bob, Carol, Dan, Mod" in ended


async def test_minutes_as_a_markdown_file(router: Router, db: Database) -> None:
    await hold_meeting(router, db)
    await run(router, db, "decision Use *stars* and [links](http://x)", now=NOW)  # closed
    ctx = await run(router, db, "minutes m1 file")
    attachment = ctx.replies[0].attachment
    assert attachment is not None
    assert (attachment.filename, attachment.mimetype) == ("minutes-m1-2026-11-25.md",
                                                          "text/markdown")
    text = attachment.data.decode()
    assert text.startswith("# Minutes — m1 Network call\n")
    assert "## Decisions\n\n1. We meet in person in May (Alice)\n" in text
    assert "- \\#1 Book the venue — Bob · due Fri 27 Nov \\(end of day, Kolkata\\)" in text


async def test_nothing_is_recorded_without_open_minutes(router: Router, db: Database) -> None:
    text = await say(router, db, "decision We go")
    assert text == ("No minutes are open, so there is nowhere to record this. Start them first."
                    "\nExample: `!meeting start`")
    assert "No minutes are open in this room." in await say(router, db, "meeting end")
    assert "There are no minutes in this room yet." in await say(router, db, "minutes")
    await run(router, db, "meeting start")
    assert "What is the decision? Give its text." in await say(router, db, "decision")
    assert "keep it under 1,000" in await say(router, db, "info " + "i" * 1001)


async def test_minutes_without_a_meeting_and_one_at_a_time(router: Router,
                                                           db: Database) -> None:
    text = await say(router, db, "meeting start")
    assert text.startswith("Minutes are open (no scheduled meeting is happening now")
    assert "already open" in await say(router, db, "meeting start")
    # Forgotten minutes stop recording after 8 hours; a new start closes them.
    later = NOW + timedelta(hours=9)
    assert "No minutes are open" in await say(router, db, "info late", now=later)
    assert (await say(router, db, "meeting start", now=later)).startswith("Minutes are open")


async def test_start_with_an_id_picks_the_nearest_occurrence(router: Router,
                                                             db: Database) -> None:
    await run(router, db, f"meeting add {WEEKLY}", now=NOW - timedelta(days=6))
    text = await say(router, db, "meeting start m1", now=NOW - timedelta(hours=3))
    assert "for m1 Network call (Wed 25 Nov 2026, 13:00 (Nairobi))" in text
    assert "has no occurrence within a day" in await say(
        router, db, "meeting end", now=NOW) + await say(router, db, "meeting start m1",
                                                         now=NOW + timedelta(days=3))


async def test_open_actions_are_carried_into_the_next_day_before_reminder(
        router: Router, db: Database) -> None:
    await hold_meeting(router, db)
    await run(router, db, "done 2", sender=CAROL, now=NOW + timedelta(days=1))
    meeting = await get_meeting(db, ROOM, 1)
    assert meeting is not None
    next_start = NOW + timedelta(days=7)
    day_before = next_start - timedelta(days=1)
    async with db.transaction():
        jobs = await plan_meeting(db, meeting, day_before - timedelta(minutes=30))
    [job] = [j for j in jobs if j.args[3] == 1440]
    async with db.transaction():
        posts = await fire_reminder(env_at(db, day_before, router), *job.args)
    text = posts[0].msg.plain()
    assert "Open actions from earlier meetings:\n• #1 Book the venue — Bob · due Fri 27 Nov " \
           "(end of day, Kolkata) · ⚠ overdue by 3 days" in text
    assert "#2" not in text  # closed since
    assert BOB not in posts[0].msg.mentions  # listed, not pinged
    # The quarter-hour reminder stays short.
    async with db.transaction():
        jobs = await plan_meeting(db, meeting, next_start - timedelta(minutes=30))
    [job] = [j for j in jobs if j.args[3] == 15]
    async with db.transaction():
        posts = await fire_reminder(env_at(db, next_start - timedelta(minutes=15), router),
                                    *job.args)
    assert "Open actions" not in posts[0].msg.plain()


async def test_agenda_hook_and_the_next_minutes_show_carried_actions(router: Router,
                                                                     db: Database) -> None:
    await hold_meeting(router, db)
    meeting = await get_meeting(db, ROOM, 1)
    assert meeting is not None
    [hook] = router.schedules.hooks.agenda
    from domain.recurrence import next_occurrence

    upcoming = next_occurrence(meeting.series, NOW + timedelta(hours=1))
    assert upcoming is not None
    msg = Msg()
    await hook(context(db, now=NOW + timedelta(days=1)), meeting, upcoming, msg)
    assert msg.plain().startswith("Open actions from earlier meetings:\n• #1 Book the venue")
    text = await say(router, db, "meeting start", now=NOW + timedelta(days=7, minutes=2))
    assert "Open actions from earlier meetings:\n• #1 Book the venue" in text
