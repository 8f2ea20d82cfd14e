"""`!meeting …` and `!meetings` end to end through the router, against a real database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from commands.context import Context, Settings
from commands.router import Router
from storage import Database
from tests.fakes import FakeRoom, Seed, dispatch, reply_text, seed

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday; 13:00 in Nairobi
ROOM = "!a:example.org"
OTHER_ROOM = "!b:example.org"
ALICE = "@alice:example.org"  # Africa/Nairobi, schedules most meetings
BOB = "@bob:example.org"  # Asia/Kolkata, power 0
CAROL = "@carol:example.org"  # America/Bogota, power 0
MOD = "@mod:example.org"  # Asia/Kolkata, power 50 = state_default
ZONES = {ALICE: "Africa/Nairobi", BOB: "Asia/Kolkata", CAROL: "America/Bogota",
         MOD: "Asia/Kolkata"}
ADD_EXAMPLE = 'Example: `!meeting add "Network call" thu 14:00 every 2 weeks for 90m`'


def fake_room(room_id: str = ROOM) -> FakeRoom:
    """A RoomView: state_default and notifications.room both need power level 50."""
    return FakeRoom(room_id, {ALICE: 0, BOB: 0, CAROL: 0, MOD: 50})


@pytest.fixture
def db_seed() -> Seed:
    return seed(ROOM, OTHER_ROOM, zones=ZONES, at=NOW)


async def run(router: Router, db: Database, line: str, *, sender: str = ALICE,
              room: str = ROOM) -> Context:
    """Dispatch `name args` inside one transaction, as the sync handler does; one reply."""
    ctx = Context(fake_room(room), sender, "$event:example.org", NOW, db,
                  Settings(prefix="!", default_zone="UTC"))
    reply_text(await dispatch(router, ctx, line))
    return ctx


async def say(router: Router, db: Database, line: str, **kwargs: Any) -> str:
    return (await run(router, db, line, **kwargs)).replies[0].plain()


async def meeting_row(db: Database, number: int = 1, room: str = ROOM) -> dict[str, Any]:
    row = await db.fetchone("SELECT * FROM meetings WHERE room_id = ? AND number = ?",
                            (room, number))
    assert row is not None
    return dict(row)


async def meeting_count(db: Database) -> int:
    row = await db.fetchone("SELECT COUNT(*) FROM meetings")
    assert row is not None
    return int(row[0])


async def overrides(db: Database, meeting_id: int) -> list[tuple[str, int, str | None]]:
    rows = await db.fetchall(
        "SELECT original_local, skipped, new_start_utc FROM meeting_overrides "
        "WHERE meeting_id = ? ORDER BY original_local", (meeting_id,))
    return [(r["original_local"], r["skipped"], r["new_start_utc"]) for r in rows]


def listed(text: str) -> list[str]:
    """The occurrence lines of a `!meetings` reply."""
    return [line for line in text.splitlines() if line.startswith("m")]


NETWORK = 'meeting add "Network call" next thu 14:00 every 2 weeks'
WEEKLY = 'meeting add "Weekly" fri 09:00 every week'
ONCE = 'meeting add "Once" 2026-12-03 14:00'


# ---- !meeting add: happy paths -------------------------------------------------------------


async def test_add_fortnightly_series(router: Router, db: Database) -> None:
    ctx = await run(router, db, NETWORK)
    lines = ctx.replies[0].plain().splitlines()
    assert lines[0] == ("Scheduled m1: Network call — every 2 weeks on Thursday at 14:00 "
                        "(Nairobi time, Africa/Nairobi), 1h.")
    # A note, not a refusal: everyone it puts outside their hours (09:00–17:00 by default),
    # with their local time, the furthest first.
    assert lines[1] == ("Note: early for Carol (06:00), late for Bob (16:30), late for Mod "
                        "(16:30).")
    assert lines[2] == "Next:"
    assert lines[3] == "Thu 26 Nov 2026, 14:00 (Nairobi) — in 25 hours"
    # Every member's zone, the reader's first, then west to east.
    assert lines[4].strip() == "14:00 Nairobi · 06:00 Bogota · 16:30 Kolkata"
    assert len(lines) == 5  # everyone has a zone: no "set your zone" hint
    row = await meeting_row(db)
    assert (row["title"], row["start_local"], row["zone"], row["rule"], row["duration_min"],
            row["alternate_time"]) == ("Network call", "2026-11-26T14:00", "Africa/Nairobi",
                                       "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", 60, None)
    assert (row["created_by"], row["cancelled_at"]) == (ALICE, None)
    assert ctx.changed == {("meeting", row["id"])}


async def test_reader_zone_comes_first(router: Router, db: Database) -> None:
    await run(router, db, NETWORK)
    lines = (await say(router, db, "meeting show m1", sender=CAROL)).splitlines()
    assert lines[0] == "m1: Network call"
    assert lines[1].startswith("Repeats: every 2 weeks on Thursday at 14:00")
    assert "Scheduled by Alice" in lines
    assert "Thu 26 Nov 2026, 06:00 (Bogota) — in 25 hours" in lines
    assert "   06:00 Bogota · 14:00 Nairobi · 16:30 Kolkata" in lines
    # show lists the next three
    assert "Thu 10 Dec 2026, 06:00 (Bogota) — in 15 days" in lines
    assert "Thu 24 Dec 2026, 06:00 (Bogota) — in 29 days" in lines


async def test_add_one_off_in_named_city(router: Router, db: Database) -> None:
    # Bob is in Kolkata; "in Nairobi" makes the meeting Nairobi's, and tomorrow Nairobi's.
    ctx = await run(router, db, 'meeting add "Check-in" tomorrow 15:00 in Nairobi', sender=BOB)
    lines = ctx.replies[0].plain().splitlines()
    assert lines[0] == ("Scheduled m1: Check-in — once, Thu 26 Nov 2026 at 15:00 "
                        "(Nairobi time, Africa/Nairobi), 1h.")
    assert lines[1] == ("Note: early for Carol (07:00), late for Bob (17:30), late for Mod "
                        "(17:30).")
    assert lines[3] == "Thu 26 Nov 2026, 17:30 (Kolkata) — in 26 hours"
    assert lines[4].strip() == "17:30 Kolkata · 07:00 Bogota · 15:00 Nairobi"
    row = await meeting_row(db)
    assert (row["start_local"], row["zone"], row["rule"], row["duration_min"],
            row["created_by"]) == ("2026-11-26T15:00", "Africa/Nairobi", None, 60, BOB)
    assert ctx.changed == {("meeting", row["id"])}


async def test_add_with_duration(router: Router, db: Database) -> None:
    text = await say(router, db, 'meeting add "X" 2026-12-03 14:00 for 90m')
    assert text.splitlines()[0] == ("Scheduled m1: X — once, Thu 3 Dec 2026 at 14:00 "
                                    "(Nairobi time, Africa/Nairobi), 1h30.")
    row = await meeting_row(db)
    assert (row["start_local"], row["zone"], row["rule"], row["duration_min"]) == (
        "2026-12-03T14:00", "Africa/Nairobi", None, 90)


async def test_add_alternating_times(router: Router, db: Database) -> None:
    text = await say(router, db,
                     'meeting add "Call" thu 06:00 UTC every 2 weeks alternate 15:00 UTC')
    assert text.splitlines()[0] == (
        "Scheduled m1: Call — every 2 weeks on Thursday at 06:00, alternating with 15:00 "
        "(UTC time, UTC), 1h.")
    row = await meeting_row(db)
    assert (row["start_local"], row["zone"], row["rule"], row["duration_min"],
            row["alternate_time"]) == ("2026-11-26T06:00", "UTC",
                                       "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", 60, "15:00")
    shown = (await say(router, db, "meeting show m1")).splitlines()
    starts = [line for line in shown if line.startswith("Thu ")]
    assert starts == [
        "Thu 26 Nov 2026, 09:00 (Nairobi) — in 20 hours",
        "Thu 10 Dec 2026, 18:00 (Nairobi) — in 15 days",
        "Thu 24 Dec 2026, 09:00 (Nairobi) — in 29 days",
    ]


async def test_add_in_dst_gap_moves_forward(router: Router, db: Database) -> None:
    text = await say(router, db, 'meeting add "Early" 2027-03-14 02:30 America/New_York')
    lines = text.splitlines()
    assert lines[0].startswith("Scheduled m1: Early — once, Sun 14 Mar 2027 at 02:30 "
                               "(New York time, America/New_York)")
    assert lines[1] == ("02:30 does not exist on 14 Mar 2027 in New York (clocks jump forward); "
                        "using 03:30.")
    # A Sunday: a day off for the 09:00–17:00 Mon–Fri members, the night in Bogotá.
    assert lines[2] == ("Note: night for Carol (02:30), day off for Alice (Sun 10:30), day off "
                        "for Bob (Sun 13:00), day off for Mod (Sun 13:00).")
    # 03:30 EDT is 07:30 UTC, 10:30 in Nairobi.
    assert lines[4] == "Sun 14 Mar 2027, 10:30 (Nairobi) — in 109 days"
    row = await meeting_row(db)
    assert (row["start_local"], row["zone"]) == ("2027-03-14T02:30", "America/New_York")


async def test_trailing_zone_after_clauses(router: Router, db: Database) -> None:
    await run(router, db, 'meeting add "G" thu 09:00 every week for 30m in Bogota')
    row = await meeting_row(db)
    assert (row["start_local"], row["zone"], row["rule"], row["duration_min"]) == (
        "2026-11-26T09:00", "America/Bogota", "FREQ=WEEKLY;BYDAY=TH", 30)


@pytest.mark.parametrize(("clauses", "zone"), [("every week in Sao Paulo", "America/Sao_Paulo"),
                                               ("for 90m in New York", "America/New_York")])
async def test_trailing_multi_word_zone(router: Router, db: Database, clauses: str,
                                        zone: str) -> None:
    text = await say(router, db, f'meeting add "G" thu 09:00 {clauses}')
    assert text.startswith("Scheduled m1: G")
    assert (await meeting_row(db))["zone"] == zone


async def test_title_of_exactly_200_characters_is_fine(router: Router, db: Database) -> None:
    text = await say(router, db, f'meeting add "{"a" * 200}" 2026-12-03 14:00')
    assert text.startswith("Scheduled m1: ")
    assert (await meeting_row(db))["title"] == "a" * 200


# ---- !meeting add: bad input ---------------------------------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    ("Network call thu 14:00", "Put the meeting's title in quotes first."),
    ('"Network call thu 14:00', "A quotation mark is not closed."),
    ('"   " thu 14:00', "The title is empty."),
    (f'"{"a" * 201}" thu 14:00', "The title is 201 characters"),
    ('"Past" 2026-11-24 14:00', "That date is in the past: yesterday, Tue 24 Nov, 14:00 "
     "(Nairobi)."),
    ('"Past" yesterday 10:00', "That date is in the past: yesterday, Tue 24 Nov, 10:00"),
    ('"Past" today 09:00', "That time has already passed: today, Wed 25 Nov, 09:00 (Nairobi)."),
    ('"Z" thu 14:00 in Nairobbi', 'Unknown time zone "Nairobbi". Did you mean Africa/Nairobi'),
    ('"T" thu 25:61', '"25:61" is not a time of day.'),
    ('"R" thu 14:00 every RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30',
     "This rule never produces a date."),
    ('"D" thu 14:00 for 0m', "A meeting has to last at least a minute."),
    ('"D" thu 14:00 for 25h', "A meeting can last at most 24 hours."),
    ('"D" thu 14:00 for 1441m', "A meeting can last at most 24 hours."),
    ('"N" thu', "needs a time of day too"),
    ('"N"', "When is it?"),
])
async def test_add_refuses_bad_input(router: Router, db: Database, args: str,
                                     message: str) -> None:
    ctx = await run(router, db, f"meeting add {args}")
    first, _, example = ctx.replies[0].plain().partition("\n")
    assert message in first
    assert example.startswith("Example: `!meeting add "), example
    assert await meeting_count(db) == 0
    assert ctx.changed == set()


async def test_unknown_id(router: Router, db: Database) -> None:
    text = await say(router, db, "meeting show m99")
    assert text == "There is no meeting m99 in this room.\nExample: `!meetings`"


@pytest.mark.parametrize("ref", ["banana", "m", "m1x", "-1"])
async def test_not_an_id(router: Router, db: Database, ref: str) -> None:
    text = await say(router, db, f"meeting show {ref}")
    first, _, example = text.partition("\n")
    assert f"{ref!r} is not a meeting id; ids look like m3." == first
    assert example == "Example: `!meeting show m1`"


@pytest.mark.parametrize("ref", ["m1", "M1", "1", "#1"])
async def test_id_spellings(router: Router, db: Database, ref: str) -> None:
    await run(router, db, NETWORK)
    assert (await say(router, db, f"meeting show {ref}")).startswith("m1: Network call")


@pytest.mark.parametrize("line", ["meeting show m1", "meeting cancel m1",
                                  "meeting move m1 fri 15:00", "meeting move m1 fri --series",
                                  "meeting skip m1", "meeting link m1 https://evil.example",
                                  "meeting reminders m1 1h", "meeting agenda m1 add Hijack",
                                  "meeting ics m1"])
@pytest.mark.parametrize("sender", [CAROL, MOD])
async def test_meeting_of_another_room_is_invisible(router: Router, db: Database, line: str,
                                                    sender: str) -> None:
    await run(router, db, NETWORK, sender=CAROL, room=OTHER_ROOM)
    before = await meeting_row(db, room=OTHER_ROOM)
    ctx = await run(router, db, line, sender=sender, room=ROOM)
    assert ctx.replies[0].plain() == "There is no meeting m1 in this room.\nExample: `!meetings`"
    assert ctx.replies[0].attachment is None
    assert ctx.changed == set()
    assert await meeting_row(db, room=OTHER_ROOM) == before
    assert await overrides(db, before["id"]) == []
    row = await db.fetchone("SELECT COUNT(*) FROM agenda_items")
    assert row is not None and row[0] == 0


# ---- !meetings ------------------------------------------------------------------------------


async def test_empty_list(router: Router, db: Database) -> None:
    text = await say(router, db, "meetings")
    assert text.startswith("No meetings in the next 14 days (room zone UTC).")
    assert 'Schedule one with `!meeting add "Network call"' in text


async def test_list_orders_by_time(router: Router, db: Database) -> None:
    for line in (NETWORK, WEEKLY, ONCE):
        await run(router, db, line)
    month = await say(router, db, "meetings 30d")
    assert month.splitlines()[0] == "Meetings in the next 30 days"
    assert listed(month) == [
        "m1 · Network call · Thu 26 Nov 2026, 14:00 (Nairobi) — in 25 hours",
        "m2 · Weekly · Fri 27 Nov 2026, 09:00 (Nairobi) — in 44 hours",
        "m3 · Once · Thu 3 Dec 2026, 14:00 (Nairobi) — in 8 days",
        "m2 · Weekly · Fri 4 Dec 2026, 09:00 (Nairobi) — in 9 days",
        "m1 · Network call · Thu 10 Dec 2026, 14:00 (Nairobi) — in 15 days",
        "m2 · Weekly · Fri 11 Dec 2026, 09:00 (Nairobi) — in 16 days",
        "m2 · Weekly · Fri 18 Dec 2026, 09:00 (Nairobi) — in 23 days",
        "m1 · Network call · Thu 24 Dec 2026, 14:00 (Nairobi) — in 29 days",
        "m2 · Weekly · Fri 25 Dec 2026, 09:00 (Nairobi) — in 30 days",
    ]
    # each occurrence line is followed by the line of every zone
    assert month.splitlines()[2].strip() == "14:00 Nairobi · 06:00 Bogota · 16:30 Kolkata"
    assert await say(router, db, "meeting list 30d") == month
    fortnight = await say(router, db, "meetings")
    assert fortnight.splitlines()[0] == "Meetings in the next 14 days"
    assert len(listed(fortnight)) == 4
    assert listed(await say(router, db, "meetings 2d")) == listed(month)[:2]


@pytest.mark.parametrize("line", ["meetings 0d", "meetings 999d", "meetings 367d",
                                  "meetings banana", "meeting list 0d"])
async def test_list_refuses_bad_days(router: Router, db: Database, line: str) -> None:
    first, _, example = (await say(router, db, line)).partition("\n")
    assert first == "Give a number of days from 1 to 366, like 30d."
    assert example.startswith("Example: `!meeting")


async def test_list_accepts_366_days(router: Router, db: Database) -> None:
    await run(router, db, ONCE)
    assert (await say(router, db, "meetings 366d")).startswith("Meetings in the next 366 days")


# ---- skip, move, cancel -----------------------------------------------------------------------


async def test_skip_next(router: Router, db: Database) -> None:
    await run(router, db, NETWORK)
    meeting_id = (await meeting_row(db))["id"]
    ctx = await run(router, db, "meeting skip m1")
    lines = ctx.replies[0].plain().splitlines()
    assert lines[0] == "Skipped m1 on Thu 26 Nov 2026."
    assert lines[1] == "Next after that:"
    assert lines[2] == "Thu 10 Dec 2026, 14:00 (Nairobi) — in 15 days"
    assert ctx.changed == {("meeting", meeting_id)}
    assert await overrides(db, meeting_id) == [("2026-11-26T14:00", 1, None)]
    first = listed(await say(router, db, "meetings 30d"))
    assert first == ["m1 · Network call · Thu 10 Dec 2026, 14:00 (Nairobi) — in 15 days",
                     "m1 · Network call · Thu 24 Dec 2026, 14:00 (Nairobi) — in 29 days"]


async def test_skip_given_date(router: Router, db: Database) -> None:
    await run(router, db, NETWORK)
    text = await say(router, db, "meeting skip m1 2026-12-10")
    assert text.startswith("Skipped m1 on Thu 10 Dec 2026.\nNext after that:\n"
                           "Thu 26 Nov 2026, 14:00")
    assert await overrides(db, (await meeting_row(db))["id"]) == [("2026-12-10T14:00", 1, None)]


async def test_skip_date_without_occurrence(router: Router, db: Database) -> None:
    await run(router, db, NETWORK)
    ctx = await run(router, db, "meeting skip m1 2026-12-03")
    first, _, example = ctx.replies[0].plain().partition("\n")
    assert first.startswith("m1 has no occurrence on Thu ")
    assert "3 Dec 2026" in first
    assert example == "Example: `!meeting show m1`"
    assert ctx.changed == set()
    assert await overrides(db, (await meeting_row(db))["id"]) == []


async def test_impossible_dates_offer_the_nearest_real_one(router: Router,
                                                             db: Database) -> None:
    ctx = await run(router, db, 'meeting add "T" Feb 30 14:00')
    assert ctx.replies[0].plain() == ("There is no 30 February.\nDid you mean:\n"
                                      '`!meeting add "T" 2027-02-28 14:00`')
    assert await meeting_count(db) == 0


async def test_skip_bad_date(router: Router, db: Database) -> None:
    await run(router, db, NETWORK)
    text = await say(router, db, "meeting skip m1 Feb 30")
    assert text == "There is no 30 February.\nDid you mean:\n`!meeting skip m1 2027-02-28`"


async def test_skip_one_off(router: Router, db: Database) -> None:
    await run(router, db, ONCE)
    ctx = await run(router, db, "meeting skip m1")
    assert ctx.replies[0].plain() == ("m1 happens only once; cancel it instead.\n"
                                      "Example: `!meeting cancel m1`")
    assert ctx.changed == set()
    assert await overrides(db, (await meeting_row(db))["id"]) == []


async def test_move_one_occurrence(router: Router, db: Database) -> None:
    await run(router, db, NETWORK)
    before = await meeting_row(db)
    ctx = await run(router, db, "meeting move m1 fri 15:00")
    lines = ctx.replies[0].plain().splitlines()
    assert lines[0] == ("Moved m1 of Thu 26 Nov (this occurrence only; add --series to move "
                        "them all).")
    assert lines[1] == ("Note: early for Carol (07:00), late for Bob (17:30), late for Mod "
                        "(17:30).")
    assert lines[3] == "Fri 27 Nov 2026, 15:00 (Nairobi) (moved) — in 2 days"
    assert ctx.changed == {("meeting", before["id"])}
    # 15:00 in Nairobi (the mover's zone) is 12:00 UTC
    assert await overrides(db, before["id"]) == [
        ("2026-11-26T14:00", 0, "2026-11-27T12:00:00+00:00")]
    after = await meeting_row(db)
    assert (after["start_local"], after["zone"], after["rule"]) == (
        before["start_local"], before["zone"], before["rule"])
    assert listed(await say(router, db, "meetings 20d")) == [
        "m1 · Network call · Fri 27 Nov 2026, 15:00 (Nairobi) (moved) — in 2 days",
        "m1 · Network call · Thu 10 Dec 2026, 14:00 (Nairobi) — in 15 days",
    ]


async def test_move_series(router: Router, db: Database) -> None:
    await run(router, db, WEEKLY)
    ctx = await run(router, db, "meeting move m1 mon 15:00 --series")
    row = await meeting_row(db)
    lines = ctx.replies[0].plain().splitlines()
    assert lines[0] == ("Moved the series m1: every Monday at 15:00 (Nairobi time, "
                        "Africa/Nairobi), 1h.")
    assert lines[1].startswith("Note: early for Carol (07:00)")
    assert lines[3] == "Mon 30 Nov 2026, 15:00 (Nairobi) — in 5 days"
    assert ctx.changed == {("meeting", row["id"])}
    assert (row["start_local"], row["zone"], row["rule"]) == (
        "2026-11-30T15:00", "Africa/Nairobi", "FREQ=WEEKLY;BYDAY=MO")
    assert await overrides(db, row["id"]) == []
    assert listed(await say(router, db, "meetings 14d")) == [
        "m1 · Weekly · Mon 30 Nov 2026, 15:00 (Nairobi) — in 5 days",
        "m1 · Weekly · Mon 7 Dec 2026, 15:00 (Nairobi) — in 12 days",
    ]


async def test_move_fortnightly_series_keeps_interval(router: Router, db: Database) -> None:
    await run(router, db, NETWORK)
    await run(router, db, "meeting move m1 --series fri 16:00")
    row = await meeting_row(db)
    assert (row["start_local"], row["rule"]) == ("2026-11-27T16:00",
                                                 "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR")


async def test_move_series_reads_time_in_meetings_zone(router: Router, db: Database) -> None:
    await run(router, db, NETWORK)  # Nairobi
    await run(router, db, "meeting move m1 thu 10:00 --series", sender=MOD)  # MOD is in Kolkata
    row = await meeting_row(db)
    assert (row["start_local"], row["zone"]) == ("2026-11-26T10:00", "Africa/Nairobi")


async def test_move_yearly_series(router: Router, db: Database) -> None:
    await run(router, db, 'meeting add "Annual" 2026-12-03 14:00 every year')
    text = await say(router, db, "meeting move m1 2026-12-10 15:00 --series")
    row = await meeting_row(db)
    assert row["rule"] == "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=10"
    assert "Thu 10 Dec 2026, 15:00 (Nairobi)" in text


async def test_move_to_the_past(router: Router, db: Database) -> None:
    await run(router, db, NETWORK)
    ctx = await run(router, db, "meeting move m1 today 09:00")
    assert ctx.replies[0].plain() == ("That time has already passed: today, Wed 25 Nov, 09:00 "
                                      "(Nairobi).\nExample: `!meeting move m1 fri 15:00`")
    assert ctx.changed == set()
    assert await overrides(db, (await meeting_row(db))["id"]) == []


async def test_cancel(router: Router, db: Database) -> None:
    await run(router, db, NETWORK)
    meeting_id = (await meeting_row(db))["id"]
    ctx = await run(router, db, "meeting cancel m1")
    assert ctx.replies[0].plain() == "Cancelled m1: Network call. Its reminders are off."
    assert ctx.changed == {("meeting", meeting_id)}
    row = await meeting_row(db)
    assert row["cancelled_at"] == "2026-11-25T10:00:00+00:00"
    assert (await say(router, db, "meetings")).startswith("No meetings in the next 14 days")
    assert (await say(router, db, "meeting show m1")).startswith("There is no meeting m1")
    # numbers are never reused
    assert (await say(router, db, ONCE)).startswith("Scheduled m2: ")


# ---- permissions -------------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "reason"), [
    ("meeting cancel m1", "Only the person who scheduled m1 or a room moderator can cancel it."),
    ("meeting move m1 fri 15:00",
     "Only the person who scheduled m1 or a room moderator can move it."),
    ("meeting move m1 fri 15:00 --series",
     "Only the person who scheduled m1 or a room moderator can move it."),
    ("meeting skip m1", "Only the person who scheduled m1 or a room moderator can skip it."),
    ("meeting link m1 https://meet.example.org/x",
     "Only the person who scheduled m1 or a room moderator can change the link of it."),
    ("meeting reminders m1 1h",
     "Only the person who scheduled m1 or a room moderator can change the reminders of it."),
    ("meeting reminders 24h 15m", "Only room moderators can change the room's reminders."),
])
async def test_others_are_refused(router: Router, db: Database, line: str, reason: str) -> None:
    await run(router, db, NETWORK)
    before = await meeting_row(db)
    ctx = await run(router, db, line, sender=BOB)
    assert ctx.replies[0].plain() == reason
    assert ctx.changed == set()
    assert await meeting_row(db) == before
    assert await overrides(db, before["id"]) == []
    room = await db.fetchone("SELECT reminder_leads FROM rooms WHERE room_id = ?", (ROOM,))
    assert room is not None and room["reminder_leads"] is None


@pytest.mark.parametrize(("line", "start"), [
    ("meeting cancel m1", "Cancelled m1"),
    ("meeting move m1 fri 15:00", "Moved m1 of Thu 26 Nov"),
    ("meeting move m1 fri 15:00 --series", "Moved the series m1"),
    ("meeting skip m1", "Skipped m1 on Thu 26 Nov 2026."),
    ("meeting link m1 https://meet.example.org/x", "Join link for m1 set"),
    ("meeting reminders m1 1h", "m1 reminds 1h before."),
    ("meeting reminders 24h 15m", "Meetings in this room now remind 1d, 15m before"),
])
async def test_moderator_is_allowed(router: Router, db: Database, line: str, start: str) -> None:
    await run(router, db, NETWORK)
    ctx = await run(router, db, line, sender=MOD)
    assert ctx.replies[0].plain().startswith(start)
    if "link" not in line:
        assert ctx.changed == {("meeting", (await meeting_row(db))["id"])}


# ---- agenda, link, reminders, notify, ics ------------------------------------------------


async def test_agenda(router: Router, db: Database) -> None:
    await run(router, db, NETWORK)
    empty = await say(router, db, "meeting agenda m1")
    assert empty == ("Agenda for m1 Network call, Thu 26 Nov\n"
                     "Nothing yet. Add with `!meeting agenda m1 add <text>`")
    await run(router, db, "meeting agenda m1 add Budget")
    await run(router, db, "meeting agenda m1 add Hiring plan for 2027", sender=BOB)
    text = await say(router, db, "meeting agenda m1", sender=CAROL)
    assert text == ("Agenda for m1 Network call, Thu 26 Nov\n"
                    "1. Budget (Alice)\n"
                    "2. Hiring plan for 2027 (Bob)")
    rows = await db.fetchall("SELECT occurrence_local, text, added_by FROM agenda_items "
                             "ORDER BY id")
    assert [tuple(r) for r in rows] == [("2026-11-26T14:00", "Budget", ALICE),
                                        ("2026-11-26T14:00", "Hiring plan for 2027", BOB)]


async def test_agenda_needs_add(router: Router, db: Database) -> None:
    await run(router, db, NETWORK)
    first, _, example = (await say(router, db, "meeting agenda m1 Budget")).partition("\n")
    assert first == "Add an item with “add” and its text."
    assert example == "Example: `!meeting agenda m1 add Budget for 2027`"
    row = await db.fetchone("SELECT COUNT(*) FROM agenda_items")
    assert row is not None and row[0] == 0


@pytest.mark.parametrize("text", ["add", "addendum", "address the budget"])
async def test_agenda_needs_the_word_add(router: Router, db: Database, text: str) -> None:
    await run(router, db, NETWORK)
    first = (await say(router, db, f"meeting agenda m1 {text}")).splitlines()[0]
    assert first == "Add an item with “add” and its text."
    row = await db.fetchone("SELECT COUNT(*) FROM agenda_items")
    assert row is not None and row[0] == 0


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x.example/a",
                                 "https://x.example/<script>", "data:text/html,hi"])
async def test_link_refuses_non_http(router: Router, db: Database, url: str) -> None:
    await run(router, db, NETWORK)
    first, _, example = (await say(router, db, f"meeting link m1 {url}")).partition("\n")
    assert first == "A join link must be an http:// or https:// address."
    assert example == "Example: `!meeting link m1 https://meet.example.org/network`"
    assert (await meeting_row(db))["link"] is None


async def test_link_accepted_and_shown(router: Router, db: Database) -> None:
    await run(router, db, NETWORK)
    url = "https://meet.example.org/network?pwd=1"
    text = await say(router, db, f"meeting link m1 {url}")
    assert text == f"Join link for m1 set: {url}"
    assert (await meeting_row(db))["link"] == url
    assert f"Join: {url}" in (await say(router, db, "meeting show m1")).splitlines()


async def test_room_reminders(router: Router, db: Database) -> None:
    await run(router, db, NETWORK)
    await run(router, db, ONCE)
    await run(router, db, WEEKLY)
    await run(router, db, "meeting cancel m3")
    ids = [r["id"] for r in await db.fetchall("SELECT id FROM meetings ORDER BY number")]
    shown = await say(router, db, "meeting reminders")
    assert shown == ("This room's reminders: 1d, 15m before each meeting. Change with "
                     "`!meeting reminders 24h 15m`")
    ctx = await run(router, db, "meeting reminders 15m 2h 15m", sender=MOD)
    assert ctx.replies[0].plain() == "Meetings in this room now remind 2h, 15m before they start."
    assert ctx.changed == {("meeting", ids[0]), ("meeting", ids[1])}  # not the cancelled one
    room = await db.fetchone("SELECT reminder_leads FROM rooms WHERE room_id = ?", (ROOM,))
    assert room is not None and room["reminder_leads"] == "120,15"
    assert (await say(router, db, "meeting reminders")).startswith(
        "This room's reminders: 2h, 15m before")


async def test_meeting_reminders(router: Router, db: Database) -> None:
    await run(router, db, NETWORK)
    ctx = await run(router, db, "meeting reminders m1 1h 90m")
    assert ctx.replies[0].plain() == "m1 reminds 1h30m, 1h before."
    row = await meeting_row(db)
    assert row["leads"] == "90,60"
    assert ctx.changed == {("meeting", row["id"])}


@pytest.mark.parametrize(("leads", "message"), [
    ("0m", "Lead times go from 1m to 7d."),
    ("8d", "Lead times go from 1m to 7d."),
    ("169h", "Lead times go from 1m to 7d."),
    ("banana", "'banana' is not a lead time; use m, h or d, like 15m or 24h."),
    ("1m 2m 3m 4m 5m 6m", "Give one to five lead times, like 24h 15m."),
])
@pytest.mark.parametrize("target", ["", "m1 "])
async def test_bad_leads(router: Router, db: Database, leads: str, message: str,
                         target: str) -> None:
    await run(router, db, NETWORK)
    ctx = await run(router, db, f"meeting reminders {target}{leads}", sender=MOD)
    first, _, example = ctx.replies[0].plain().partition("\n")
    assert first == message
    assert example == "Example: `!meeting reminders 24h 15m`"
    assert ctx.changed == set()
    assert (await meeting_row(db))["leads"] is None
    room = await db.fetchone("SELECT reminder_leads FROM rooms WHERE room_id = ?", (ROOM,))
    assert room is not None and room["reminder_leads"] is None


async def test_seven_days_is_the_longest_lead(router: Router, db: Database) -> None:
    await run(router, db, NETWORK)
    assert await say(router, db, "meeting reminders m1 7d 1m") == "m1 reminds 7d, 1m before."
    assert (await meeting_row(db))["leads"] == "10080,1"


async def notify_rows(db: Database) -> list[tuple[str, str]]:
    rows = await db.fetchall("SELECT room_id, user_id FROM meeting_notify ORDER BY user_id")
    return [(r["room_id"], r["user_id"]) for r in rows]


async def test_notify_on_off(router: Router, db: Database) -> None:
    on = await say(router, db, "meeting notify on")
    assert on == "You will be mentioned in this room's meeting reminders."
    await run(router, db, "meeting notify ON")  # twice is fine
    await run(router, db, "meeting notify on", sender=BOB)
    await run(router, db, "meeting notify on", sender=BOB, room=OTHER_ROOM)
    assert await notify_rows(db) == [(ROOM, ALICE), (ROOM, BOB), (OTHER_ROOM, BOB)]
    off = await say(router, db, "meeting notify off", sender=BOB)
    assert off == "You will no longer be mentioned in meeting reminders here."
    assert await notify_rows(db) == [(ROOM, ALICE), (OTHER_ROOM, BOB)]
    first, _, example = (await say(router, db, "meeting notify maybe")).partition("\n")
    assert first == "Say on or off."
    assert example == "Example: `!meeting notify on`"


async def test_ics(router: Router, db: Database) -> None:
    await run(router, db, NETWORK)
    await run(router, db, "meeting link m1 https://meet.example.org/n")
    await run(router, db, "meeting skip m1 2026-12-10")
    ctx = await run(router, db, "meeting ics m1", sender=BOB)
    msg = ctx.replies[0]
    assert msg.plain() == "meeting-m1.ics"
    assert msg.attachment is not None
    assert (msg.attachment.filename, msg.attachment.mimetype) == ("meeting-m1.ics",
                                                                  "text/calendar")
    cal = Calendar.from_ical(msg.attachment.data)
    events = cal.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert str(event["summary"]) == "Network call"
    assert str(event["url"]) == "https://meet.example.org/n"
    start = event.decoded("dtstart")
    assert start.replace(tzinfo=None) == datetime(2026, 11, 26, 14, 0)
    assert event["dtstart"].params["TZID"] == "Africa/Nairobi"
    assert start.utcoffset() == timedelta(hours=3)
    assert event.decoded("dtend") - start == timedelta(minutes=60)
    rrule = event["rrule"]
    assert rrule["FREQ"] == ["WEEKLY"] and rrule["INTERVAL"] == [2] and rrule["BYDAY"] == ["TH"]
    exdates = [d.dt for d in event["exdate"].dts]
    assert [d.date() for d in exdates] == [date(2026, 12, 10)]
    assert [c["tzid"] for c in cal.walk("VTIMEZONE")] == ["Africa/Nairobi"]


async def test_skip_refuses_a_past_occurrence(router: Router, db: Database) -> None:
    await say(router, db, 'meeting add "Weekly" 2026-11-26 14:00 every week')
    ctx = Context(fake_room(ROOM), ALICE, "$e2:example.org", NOW + timedelta(days=3), db,
                  Settings(prefix="!", default_zone="UTC"))
    async with db.transaction():
        await router.dispatch(ctx, "meeting", "skip m1 2026-11-26")
    text = ctx.replies[0].plain()
    assert "already started" in text and "Example:" in text
