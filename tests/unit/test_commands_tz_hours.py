"""`!tz` and `!hours` end to end through the router, against a real database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from commands.context import Context, Settings
from commands.router import Router
from storage import Database
from storage.members import get_member
from storage.state import record_room
from tests.fakes import FakeRoom, Seed, dispatch, reply_text, seed

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # a Monday
ROOM = "!room:example.org"
ALICE = "@alice:example.org"
BOB = "@bob:example.org"
MOD = "@mod:example.org"
OWNER = "@owner:example.org"
ADMIN = "@admin:example.org"



def describes(text: str, zone: str, offset: str, local: str) -> bool:
    """A zone description names the zone, its offset now and the local time now."""
    return zone in text and offset in text and local in text


def fake_room() -> FakeRoom:
    """A RoomView: moderators need power level 50 (state_default) to change state."""
    return FakeRoom(ROOM, {ALICE: 0, BOB: 0, MOD: 50, OWNER: 100, ADMIN: 0}, room_notify=100)


@pytest.fixture
def db_seed() -> Seed:
    return seed(ROOM)


async def run(router: Router, db: Database, line: str, *, sender: str = ALICE,
              prefix: str = "!") -> str:
    """Dispatch `name args` like the sync handler does, and return the one reply's text."""
    ctx = Context(fake_room(), sender, "$event:example.org", NOW, db,
                  Settings(prefix=prefix, default_zone="UTC", admins=(ADMIN,)))
    return reply_text(await dispatch(router, ctx, line))


async def room_zone(db: Database) -> str | None:
    row = await db.fetchone("SELECT default_zone FROM rooms WHERE room_id = ?", (ROOM,))
    assert row is not None
    return row["default_zone"]


async def member_rows(db: Database) -> int:
    row = await db.fetchone("SELECT COUNT(*) FROM members")
    assert row is not None
    return int(row[0])


# ---- !tz ---------------------------------------------------------------------------------


async def test_tz_without_a_zone_shows_room_default(router: Router, db: Database) -> None:
    text = await run(router, db, "tz")
    assert text.startswith("You have not set a time zone, so you see the room's default: UTC")
    assert describes(text, "UTC", "UTC+00:00", "Mon 1 Jun 2026, 12:00")
    assert text.endswith("Set yours with `!tz set <city>`")
    assert await member_rows(db) == 0


async def test_tz_set_city(router: Router, db: Database) -> None:
    text = await run(router, db, "tz set Kathmandu")
    assert text.startswith("Saved. Your time zone is Asia/Kathmandu")
    assert describes(text, "Asia/Kathmandu", "UTC+05:45", "Mon 1 Jun 2026, 17:45")
    member = await get_member(db, ALICE)
    assert member.zone == "Asia/Kathmandu"
    assert member.hours is None
    row = await db.fetchone("SELECT updated_at FROM members WHERE user_id = ?", (ALICE,))
    assert row is not None and row["updated_at"] == NOW.isoformat()

    text = await run(router, db, "tz")
    assert text.startswith("Your time zone: Asia/Kathmandu")
    assert describes(text, "Asia/Kathmandu", "UTC+05:45", "17:45")
    assert "not set" not in text
    # Only the sender's setting changed.
    assert (await get_member(db, BOB)).zone is None


async def test_tz_set_again_replaces(router: Router, db: Database) -> None:
    await run(router, db, "tz set Kathmandu")
    text = await run(router, db, "tz set UTC+03:00")
    assert text.startswith("Saved. Your time zone is UTC+03:00")
    assert describes(text, "UTC+03:00", "UTC+03:00", "15:00")
    assert (await get_member(db, ALICE)).zone == "UTC+03:00"
    assert await member_rows(db) == 1


async def test_tz_set_misspelt_city_suggests(router: Router, db: Database) -> None:
    text = await run(router, db, "tz set Nairobbi")
    first, _, example = text.partition("\n")
    assert 'Unknown time zone "Nairobbi".' in first
    assert "Did you mean Africa/Nairobi" in first
    assert "UTC+03:00 works too" in first
    assert example == "Example: `!tz set Africa/Nairobi`"
    assert (await get_member(db, ALICE)).zone is None
    assert await member_rows(db) == 0


async def test_tz_set_inverted_etc_zone(router: Router, db: Database) -> None:
    text = await run(router, db, "tz set Etc/GMT+3")
    assert "inverted sign" in text
    assert "UTC-03:00" in text
    assert await member_rows(db) == 0


async def test_tz_set_needs_a_zone(router: Router, db: Database) -> None:
    text = await run(router, db, "tz set")
    assert "!tz set needs <zone>." in text
    assert "Example: `!tz set Kathmandu`" in text


async def test_tz_with_stray_word_is_refused(router: Router, db: Database) -> None:
    text = await run(router, db, "tz Kathmandu")
    assert "I didn't expect 'Kathmandu' after !tz." in text
    assert await member_rows(db) == 0


async def test_tz_find(router: Router, db: Database) -> None:
    text = await run(router, db, "tz find kolk")
    assert text == "Zones matching 'kolk':\n• Asia/Kolkata (UTC+05:30)"


async def test_tz_find_nothing(router: Router, db: Database) -> None:
    text = await run(router, db, "tz find qqqqqqqqqq")
    assert "No time zone matches 'qqqqqqqqqq'." in text
    assert "Example: `!tz find nairobi`" in text


async def test_tz_room_refused_for_non_moderator(router: Router, db: Database) -> None:
    text = await run(router, db, "tz room Africa/Nairobi", sender=ALICE)
    assert text == "Only room moderators can change the room's default zone (now UTC)."
    assert await room_zone(db) is None


@pytest.mark.parametrize("who", [MOD, OWNER, ADMIN])
async def test_tz_room_by_moderator(router: Router, db: Database, who: str) -> None:
    text = await run(router, db, "tz room nairobi", sender=who)
    assert text.startswith("The room's default zone is now Africa/Nairobi")
    assert describes(text, "Africa/Nairobi", "UTC+03:00", "15:00")
    assert await room_zone(db) == "Africa/Nairobi"

    # Members without a zone now see the room's default.
    text = await run(router, db, "tz", sender=BOB)
    assert "you see the room's default: Africa/Nairobi" in text
    assert describes(text, "Africa/Nairobi", "UTC+03:00", "15:00")
    # A refusal names the current default.
    text = await run(router, db, "tz room UTC", sender=ALICE)
    assert "(now Africa/Nairobi)" in text
    assert await room_zone(db) == "Africa/Nairobi"


async def test_tz_room_bad_zone(router: Router, db: Database) -> None:
    text = await run(router, db, "tz room Nairobbi", sender=MOD)
    assert "Did you mean Africa/Nairobi" in text
    assert await room_zone(db) is None


async def test_tz_room_does_not_touch_other_rooms(router: Router, db: Database) -> None:
    async with db.transaction() as conn:
        await record_room(conn, "!other:example.org", 1)
    await run(router, db, "tz room Kathmandu", sender=MOD)
    row = await db.fetchone("SELECT default_zone FROM rooms WHERE room_id = '!other:example.org'")
    assert row is not None and row["default_zone"] is None


# ---- !hours ------------------------------------------------------------------------------


async def test_hours_not_set(router: Router, db: Database) -> None:
    text = await run(router, db, "hours")
    assert text == "You have not set working hours. Set them with `!hours set 09:00-17:00 Mon-Fri`"


async def test_hours_set_and_show_in_room_default_zone(router: Router, db: Database) -> None:
    text = await run(router, db, "hours set 09:00-17:00 Mon-Fri")
    assert text == (
        "Saved. Your working hours: 09:00–17:00 Mon–Fri, UTC. "
        "That is the room's default zone; set yours with `!tz set <city>`"
    )
    member = await get_member(db, ALICE)
    assert member.hours == "09:00-17:00 0,1,2,3,4"
    assert member.zone is None

    text = await run(router, db, "hours")
    assert text == (
        "Your working hours: 09:00–17:00 Mon–Fri, UTC. "
        "That is the room's default zone; set yours with `!tz set <city>`"
    )


async def test_hours_with_own_zone(router: Router, db: Database) -> None:
    await run(router, db, "tz set Kathmandu")
    text = await run(router, db, "hours set 9am-5pm Sun-Thu")
    assert text == "Saved. Your working hours: 09:00–17:00 Sun–Thu, Asia/Kathmandu."
    assert await run(router, db, "hours") == (
        "Your working hours: 09:00–17:00 Sun–Thu, Asia/Kathmandu."
    )
    member = await get_member(db, ALICE)
    # Setting hours kept the zone, and the other way round.
    assert member.zone == "Asia/Kathmandu"
    assert member.hours == "09:00-17:00 0,1,2,3,6"
    await run(router, db, "tz set Nairobi")
    assert (await get_member(db, ALICE)).hours == "09:00-17:00 0,1,2,3,6"


async def test_hours_shown_in_room_default_set_by_moderator(router: Router, db: Database) -> None:
    await run(router, db, "tz room Africa/Nairobi", sender=MOD)
    await run(router, db, "hours set 08:00-16:00")
    assert (await run(router, db, "hours")).startswith(
        "Your working hours: 08:00–16:00 Mon–Fri, Africa/Nairobi. That is the room's default zone"
    )


async def test_bad_hours_are_refused(router: Router, db: Database) -> None:
    await run(router, db, "hours set 09:00-17:00 Mon-Fri")
    text = await run(router, db, "hours set 25:61-17:00")
    assert text == '"25:61" is not a time of day.\nExample: `!hours set 09:00-17:00 Mon-Fri`'
    assert (await get_member(db, ALICE)).hours == "09:00-17:00 0,1,2,3,4"


async def test_hours_set_needs_hours(router: Router, db: Database) -> None:
    text = await run(router, db, "hours set")
    assert "!hours set needs <hours>." in text
    assert await member_rows(db) == 0


# ---- configured prefix -------------------------------------------------------------------


async def test_router_examples_use_configured_prefix(router: Router, db: Database) -> None:
    text = await run(router, db, "tz set", prefix="?")
    assert "?tz set needs <zone>." in text
    assert "Example: `?tz set Kathmandu`" in text


async def test_handler_error_example_uses_configured_prefix(router: Router, db: Database) -> None:
    text = await run(router, db, "tz set Nairobbi", prefix="?")
    assert text.endswith("Example: `?tz set Africa/Nairobi`")


async def test_handler_hints_use_configured_prefix(router: Router, db: Database) -> None:
    assert "`?tz set <city>`" in await run(router, db, "tz", prefix="?")
    assert "`?hours set 09:00-17:00 Mon-Fri`" in await run(router, db, "hours", prefix="?")
