"""`!rota` end to end through the router, against a real database, with time moving on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.events import mentioned_users
from commands.context import Context, Settings
from commands.router import Interaction, Router
from storage import Database
from tests.fakes import FakeRoom, Seed, dispatch, reply_text, seed

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday
ROOM = "!a:example.org"
BOT = "@minga:example.org"
ALICE = "@alice:example.org"  # schedules the meeting
BOB = "@bob:example.org"
CAROL = "@carol:example.org"
DAN = "@dan:example.org"
MOD = "@mod:example.org"  # power 50 = state_default
EVE = "@eve:example.org"  # not in the room
WEEKLY = 'meeting add "Network call" thu 11:00 every week'  # UTC: 26 Nov, 3 Dec, 10 Dec …
SET = f"rota m1 set {ALICE} {BOB} {CAROL} {DAN}"


def fake_room() -> FakeRoom:
    """A RoomView whose membership (`room.joined`) a test can change; MOD has power 50."""
    return FakeRoom(ROOM, {MOD: 50}, members=[ALICE, BOB, CAROL, DAN, MOD])


# Everyone in the room is in UTC (the `db` fixture's seed, here and in the rota job tests).
SEED = seed(ROOM, zones=dict.fromkeys((ALICE, BOB, CAROL, DAN, MOD), "UTC"), at=NOW)


@pytest.fixture
def db_seed() -> Seed:
    return SEED


@pytest.fixture
def room() -> FakeRoom:
    return fake_room()


class Say:
    """Send commands as members of one room, at a moment the test chooses."""

    def __init__(self, router: Router, db: Database, room: FakeRoom) -> None:
        self.router, self.db, self.room = router, db, room
        self.now = NOW

    def context(self, sender: str, body: str) -> Context:
        return Context(self.room, sender, "$event", self.now, self.db, Settings(),
                       mentioned=mentioned_users({}, body, BOT))

    async def ctx(self, line: str, sender: str = ALICE) -> Context:
        ctx = await dispatch(self.router, self.context(sender, line), line)
        reply_text(ctx)  # exactly one reply
        return ctx

    async def __call__(self, line: str, sender: str = ALICE) -> str:
        return (await self.ctx(line, sender)).replies[0].plain()

    async def react(self, key: str, emoji: str, sender: str) -> Context:
        ctx = self.context(sender, emoji)
        async with self.db.transaction():
            await self.router.interact(ctx, Interaction("reaction", key, "$r", "$target", emoji))
        return ctx


@pytest.fixture
def say(router: Router, db: Database, room: FakeRoom) -> Say:
    return Say(router, db, room)


def lines_with(text: str, start: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(start)]


async def started(say: Say) -> str:
    await say(WEEKLY)
    return await say(SET)


# ---- set, show ---------------------------------------------------------------------------


async def test_set_shows_the_next_four_with_roles_and_counts(say: Say) -> None:
    text = await started(say)
    assert text.splitlines()[0].startswith("Rota for m1 Network call set.")
    assert lines_with(text, "•") == [
        "• Thu 26 Nov 2026, 11:00 (UTC) — Facilitator Alice · Notes Bob",
        "• Thu 3 Dec 2026, 11:00 (UTC) — Facilitator Bob · Notes Carol",
        "• Thu 10 Dec 2026, 11:00 (UTC) — Facilitator Carol · Notes Dan",
        "• Thu 17 Dec 2026, 11:00 (UTC) — Facilitator Dan · Notes Alice",
    ]
    assert "  Alice — facilitator 0 · notes 0" in text
    assert text.splitlines()[-1] == "Order: Alice → Bob → Carol → Dan"
    assert await say("rota m1", sender=CAROL) == "Rota for m1: Network call\n" + "\n".join(
        text.splitlines()[1:])


async def test_show_does_not_notify_anyone(say: Say) -> None:
    await started(say)
    ctx = await say.ctx("rota m1")
    assert ctx.replies[0].mentions == []
    assert ("mention", "Alice", ALICE) in ctx.replies[0].parts


async def test_setting_needs_the_creator_or_a_moderator(say: Say) -> None:
    await say(WEEKLY)
    text = await say(SET, sender=BOB)
    assert text.startswith("Only the person who scheduled m1 or a room moderator can set "
                           "the rota of it.")
    assert (await say(SET, sender=MOD)).startswith("Rota for m1 Network call set.")
    text = await say(f"rota m1 set {DAN} {CAROL}", sender=BOB)
    assert text.startswith("Only the person who scheduled m1")


async def test_reorder_keeps_counts_and_drops_the_unnamed(say: Say) -> None:
    await started(say)
    say.now = NOW + timedelta(days=2)  # 26 Nov happened: Alice facilitated, Bob took notes
    text = await say(f"rota m1 set {DAN} {CAROL} {BOB}")
    assert lines_with(text, "•")[:2] == [
        "• Thu 3 Dec 2026, 11:00 (UTC) — Facilitator Dan · Notes Carol",
        "• Thu 10 Dec 2026, 11:00 (UTC) — Facilitator Carol · Notes Dan",
    ]
    assert "Alice" not in text.split("Turns so far:")[1]
    assert text.splitlines()[-1] == "Order: Dan → Carol → Bob"


@pytest.mark.parametrize(("line", "message"), [
    ("rota m1 set", "A rota needs people: name them in the order they take turns."),
    ("rota m1 set @zed", "I don't know who @zed is. Mention them (a pill), or write their "
                         "full Matrix id."),
    (f"rota m1 set {ALICE} bob", "I don't know who “bob” is. Mention each person (a pill), or "
                                 "write their full Matrix id."),
    (f"rota m1 set {ALICE} {EVE}", "Eve is not in this room, so they can't be on its rota."),
    ("rota m9 set @x", "There is no meeting m9 in this room."),
    ("rota nine", "'nine' is not a meeting id; ids look like m3."),
    ("rota", "Which meeting's rota? Give its id."),
    ("rota m1 dance", "I don't know “dance” for !rota."),
])
async def test_bad_input_says_what_and_shows_an_example(say: Say, line: str,
                                                         message: str) -> None:
    await say(WEEKLY)
    text = await say(line)
    assert text.splitlines()[0] == message
    assert text.splitlines()[-1].startswith("Example: `!")


async def test_no_rota_yet(say: Say) -> None:
    await say(WEEKLY)
    text = await say("rota m1", sender=BOB)
    assert text == ("m1 has no rota yet. The person who scheduled it or a room moderator can "
                    "start one.\nExample: `!rota m1 set @alice:example.org @bob:example.org "
                    "@carol:example.org`")


async def test_empty_rota(say: Say) -> None:
    await say(WEEKLY)
    await say(f"rota m1 set {BOB}")
    await say("rota m1 leave", sender=BOB)
    assert await say("rota m1") == ("The rota for m1 is empty; join it, or set it.\n"
                                    "Example: `!rota m1 join`")


# ---- roles, join, leave --------------------------------------------------------------------


async def test_roles(say: Say) -> None:
    await started(say)
    text = await say("rota m1 roles facilitator notes timekeeper")
    first = lines_with(text, "•")[0]
    assert first == ("• Thu 26 Nov 2026, 11:00 (UTC) — Facilitator Alice · Notes Bob · "
                     "Timekeeper Carol")
    assert "  Alice — facilitator 0 · notes 0 · timekeeper 0" in text
    assert (await say("rota m1 roles facilitator", sender=BOB)).startswith("Only the person")
    bad = await say("rota m1 roles facilitator n0tes! x")
    assert bad.startswith("“n0tes!” can't be a role name")
    assert (await say("rota m1 roles a b c d e f")).startswith("Give one to 5 roles")


async def test_roles_before_people(say: Say) -> None:
    await say(WEEKLY)
    text = await say("rota m1 roles facilitator timekeeper")
    assert text.startswith("Roles for m1: facilitator, timekeeper. Now name the people:")
    text = await say(f"rota m1 set {BOB} {CAROL}")
    assert lines_with(text, "•")[0] == ("• Thu 26 Nov 2026, 11:00 (UTC) — Facilitator Bob · "
                                         "Timekeeper Carol")


async def test_join_at_the_end_without_a_backlog(say: Say) -> None:
    await say(WEEKLY)
    await say(f"rota m1 set {ALICE} {BOB} {CAROL}")
    say.now = NOW + timedelta(days=14)  # 26 Nov and 3 Dec happened
    text = await say("rota m1 join", sender=DAN)
    assert text.startswith("You joined the rota for m1, at the end of the order")
    assert lines_with(text, "•") == [
        "• Thu 10 Dec 2026, 11:00 (UTC) — Facilitator Carol · Notes Dan",
        "• Thu 17 Dec 2026, 11:00 (UTC) — Facilitator Dan · Notes Alice",
        "• Thu 24 Dec 2026, 11:00 (UTC) — Facilitator Alice · Notes Bob",
        "• Thu 31 Dec 2026, 11:00 (UTC) — Facilitator Bob · Notes Carol",
    ]
    assert (await say("rota m1 join", sender=DAN)).startswith("You are already on the rota")


async def test_leave(say: Say) -> None:
    await started(say)
    text = await say("rota m1 leave", sender=BOB)
    assert text.startswith("You left the rota for m1")
    assert "Bob" not in await say("rota m1")
    assert (await say("rota m1 leave", sender=BOB)).startswith("You are not on the rota for m1.")


async def test_someone_who_left_the_room_drops_out(say: Say, room: FakeRoom) -> None:
    await started(say)
    room.joined.remove(CAROL)
    ctx = await say.ctx("rota m1")
    text = ctx.replies[0].plain()
    assert "Dropped (left the room): Carol" in text.splitlines()
    assert text.splitlines()[-1] == "Order: Alice → Bob → Dan"
    assert ctx.changed == {("rota", 1)}
    room.joined.append(CAROL)  # coming back is a choice: !rota m1 join
    assert "Carol" not in (await say("rota m1")).split("Order:")[1]


# ---- skip, away -----------------------------------------------------------------------------


async def test_skip_my_next_turn_and_keep_priority(say: Say) -> None:
    await started(say)
    ctx = await say.ctx("rota m1 skip", sender=BOB)
    assert ctx.replies[0].plain() == (
        "Bob skips m1 on Thu 26 Nov 2026, 11:00 (UTC): Facilitator Alice · Notes Carol\n"
        "Nobody loses or gains turns: the skipped person is first in line for the following "
        "turn.")
    assert ctx.changed == {("rota", 1)}
    text = await say("rota m1")
    assert lines_with(text, "•")[:2] == [
        "• Thu 26 Nov 2026, 11:00 (UTC) — Facilitator Alice · Notes Carol · skipping: Bob",
        "• Thu 3 Dec 2026, 11:00 (UTC) — Facilitator Bob · Notes Dan",
    ]


async def test_skip_someone_else_on_a_date(say: Say) -> None:
    await started(say)
    line = f"rota m1 skip {CAROL} 2026-12-10"
    assert (await say(line, sender=BOB)).startswith("Only the person who scheduled m1")
    text = await say(line, sender=MOD)
    assert text.startswith("Carol skips m1 on Thu 10 Dec 2026, 11:00 (UTC): Facilitator Dan")


@pytest.mark.parametrize(("sender", "line", "message"), [
    (BOB, "rota m1 skip 2026-12-11", "m1 has no occurrence on Fri 11 Dec 2026."),
    (BOB, "rota m1 skip 2026-11-19", "m1 has no occurrence on Thu 19 Nov 2026."),
    (BOB, "rota m1 skip someday", "I couldn't read a date in 'someday'"),
    (MOD, "rota m1 skip", "You are not on the rota for m1."),
    (MOD, f"rota m1 skip {EVE}", "Eve is not on the rota for m1."),
    (MOD, f"rota m1 skip {BOB} {CAROL}", "Skip one person at a time."),
])
async def test_skip_errors(say: Say, sender: str, line: str, message: str) -> None:
    await started(say)
    text = await say(line, sender=sender)
    assert text.splitlines()[0].startswith(message)
    assert text.splitlines()[-1].startswith("Example: `!rota m1")


async def test_skipping_a_past_occurrence(say: Say) -> None:
    await started(say)
    say.now = NOW + timedelta(days=1, hours=2)
    text = await say("rota m1 skip 2026-11-26", sender=BOB)
    assert text.splitlines()[0] == ("m1 of Thu 26 Nov has already started; its roles are "
                                    "history.")


async def test_away_is_skipped_and_shown(say: Say) -> None:
    await started(say)
    await say("away 2026-12-03 holidays", sender=BOB)
    text = await say("rota m1")
    assert lines_with(text, "•")[:3] == [
        "• Thu 26 Nov 2026, 11:00 (UTC) — Facilitator Alice · Notes Bob",
        "• Thu 3 Dec 2026, 11:00 (UTC) — Facilitator Carol · Notes Dan · away: Bob",
        "• Thu 10 Dec 2026, 11:00 (UTC) — Facilitator Bob · Notes Alice",
    ]


async def test_everyone_away(say: Say) -> None:
    await say(WEEKLY)
    await say(f"rota m1 set {BOB}")
    await say("away 2026-11-26", sender=BOB)
    text = await say("rota m1")
    assert lines_with(text, "•")[0] == ("• Thu 26 Nov 2026, 11:00 (UTC) — Facilitator nobody "
                                        "available · Notes nobody available · away: Bob")


# ---- swap -------------------------------------------------------------------------------------


async def test_swap_asked_then_confirmed(say: Say) -> None:
    await started(say)
    ctx = await say.ctx(f"rota m1 swap 2026-12-10 {ALICE}", sender=CAROL)
    msg = ctx.replies[0]
    assert msg.key == "rota-swap:1"
    assert msg.mentions == [ALICE]
    assert msg.plain() == (
        "Alice: Carol asks to trade turns in m1 Network call:\n"
        "• Thu 10 Dec 2026, 11:00 (UTC): Facilitator Alice instead of Carol\n"
        "• Thu 24 Dec 2026, 11:00 (UTC): Facilitator Carol instead of Alice\n"
        "To agree, react ✅ to this message or send `!rota confirm`")
    assert ctx.changed == set()
    unchanged = await say("rota m1")
    assert "Thu 10 Dec 2026, 11:00 (UTC) — Facilitator Carol" in unchanged
    assert (await say("rota confirm", sender=CAROL)).startswith(
        "Nobody is waiting for you to confirm a swap in this room.")
    ctx = await say.ctx("rota confirm", sender=ALICE)
    assert ctx.replies[0].plain().startswith("Swapped in m1 Network call:\n• Thu 10 Dec")
    assert ctx.changed == {("rota", 1)}
    say.now = NOW + timedelta(days=7)
    text = await say("rota m1")
    assert lines_with(text, "•") == [
        "• Thu 3 Dec 2026, 11:00 (UTC) — Facilitator Bob · Notes Carol",
        "• Thu 10 Dec 2026, 11:00 (UTC) — Facilitator Alice · Notes Dan (swapped)",
        "• Thu 17 Dec 2026, 11:00 (UTC) — Facilitator Dan · Notes Alice",
        "• Thu 24 Dec 2026, 11:00 (UTC) — Facilitator Carol · Notes Bob (swapped)",
    ]
    # Nobody else's turn moved, and the round after is the usual one.
    say.now = NOW + timedelta(days=30)
    text = await say("rota m1")
    assert lines_with(text, "•")[0] == ("• Thu 31 Dec 2026, 11:00 (UTC) — Facilitator Bob · "
                                        "Notes Carol")
    assert "  Alice — facilitator 2 · notes 1" in text
    assert "  Carol — facilitator 1 · notes 1" in text


async def test_swap_when_the_giver_is_busy_on_the_day_given_back(say: Say) -> None:
    await started(say)
    # Carol takes notes on 3 Dec; Dan's next notes turn is 10 Dec, when Carol facilitates,
    # so on 10 Dec they change roles too.
    text = await say(f"rota m1 swap 2026-12-03 {CAROL} {DAN}", sender=MOD)
    assert text == ("Swapped in m1 Network call:\n"
                    "• Thu 3 Dec 2026, 11:00 (UTC): Notes Dan instead of Carol\n"
                    "• Thu 10 Dec 2026, 11:00 (UTC): Notes Carol instead of Dan\n"
                    "• Thu 10 Dec 2026, 11:00 (UTC): Facilitator Dan instead of Carol")
    assert lines_with(await say("rota m1"), "•")[1:3] == [
        "• Thu 3 Dec 2026, 11:00 (UTC) — Facilitator Bob · Notes Dan (swapped)",
        "• Thu 10 Dec 2026, 11:00 (UTC) — Facilitator Dan · Notes Carol (swapped)",
    ]


async def test_swap_confirmed_by_reaction(say: Say) -> None:
    await started(say)
    await say(f"rota m1 swap 2026-12-03 {ALICE}", sender=BOB)
    assert (await say.react("rota-swap:1", "✅", sender=CAROL)).replies == []  # not hers
    assert (await say.react("rota-swap:1", "👀", sender=ALICE)).replies == []
    ctx = await say.react("rota-swap:1", "✅", sender=ALICE)
    assert ctx.replies[0].plain().startswith("Swapped in m1 Network call:")
    assert "Thu 3 Dec 2026, 11:00 (UTC) — Facilitator Alice" in await say("rota m1")
    assert (await say.react("rota-swap:1", "✅", sender=ALICE)).replies == []  # done already


async def test_swap_exchanging_roles_on_one_day(say: Say) -> None:
    await started(say)
    text = await say(f"rota m1 swap 2026-11-26 {ALICE} {BOB}", sender=MOD)
    assert text == ("Swapped in m1 Network call:\n"
                    "• Thu 26 Nov 2026, 11:00 (UTC): Facilitator Bob instead of Alice\n"
                    "• Thu 26 Nov 2026, 11:00 (UTC): Notes Alice instead of Bob")


@pytest.mark.parametrize(("sender", "line", "message"), [
    (BOB, f"rota m1 swap 2026-12-03 {BOB}", "You can't swap with yourself; name the other "
                                           "person."),
    (BOB, "rota m1 swap 2026-12-03", "Name the two people who trade (or just the other one, "
                                     "if you are one of them)."),
    (BOB, f"rota m1 swap {CAROL}", "Which date? Give the day of the turn to trade."),
    (BOB, f"rota m1 swap 2026-12-04 {CAROL}", "m1 has no occurrence on Fri 4 Dec 2026."),
    (BOB, f"rota m1 swap 2026-12-03 {EVE}", "Eve is not on the rota for m1."),
    (MOD, f"rota m1 swap 2026-12-03 {ALICE}", "You are not on the rota for m1."),
    (ALICE, f"rota m1 swap 2026-12-24 {BOB} {CAROL}",
     "Only the two people trading, or a room moderator, can swap turns."),
    (ALICE, f"rota m1 swap 2026-12-10 {BOB}",
     "Neither Alice nor Bob holds a role in m1 on Thu 10 Dec."),
])
async def test_swap_errors(say: Say, sender: str, line: str, message: str) -> None:
    await started(say)
    text = await say(line, sender=sender)
    assert text.splitlines()[0] == message


async def test_swap_with_someone_away(say: Say) -> None:
    await started(say)
    await say("away 2026-12-03", sender=DAN)
    text = await say(f"rota m1 swap 2026-12-03 {DAN}", sender=BOB)
    assert text.splitlines()[0] == ("Dan is away or skipping on Thu 3 Dec, so can't take a "
                                    "turn then.")


# ---- history --------------------------------------------------------------------------------


async def test_history_is_recorded_once_and_never_rewritten(say: Say, db: Database) -> None:
    await started(say)
    say.now = NOW + timedelta(days=9)  # 26 Nov and 3 Dec happened
    await say("rota m1", sender=BOB)
    rows = await db.fetchall("SELECT occurrence_local, role, user_id FROM rota_history "
                             "ORDER BY occurrence_local, role")
    assert [tuple(r) for r in rows] == [
        ("2026-11-26T11:00", "facilitator", ALICE), ("2026-11-26T11:00", "notes", BOB),
        ("2026-12-03T11:00", "facilitator", BOB), ("2026-12-03T11:00", "notes", CAROL)]
    # Later changes (a new order, an away entered afterwards) leave the past alone.
    await say(f"rota m1 set {DAN} {CAROL} {BOB} {ALICE}")
    await say("away 2026-12-03", sender=BOB)
    text = await say("rota m1")
    assert "  Alice — facilitator 1 · notes 0" in text
    assert "  Bob — facilitator 1 · notes 1" in text
    again = await db.fetchall("SELECT occurrence_local, role, user_id FROM rota_history "
                              "ORDER BY occurrence_local, role")
    assert [tuple(r) for r in again] == [tuple(r) for r in rows]


async def test_moved_and_skipped_occurrences(say: Say) -> None:
    await started(say)
    await say("meeting skip m1 2026-12-03")
    text = await say("rota m1")
    assert lines_with(text, "•")[1] == ("• Thu 10 Dec 2026, 11:00 (UTC) — Facilitator Bob · "
                                        "Notes Carol")
    await say("meeting move m1 fri 15:00")  # moves the next one, 26 Nov
    text = await say("rota m1")
    assert lines_with(text, "•")[0] == ("• Fri 27 Nov 2026, 15:00 (UTC) — Facilitator Alice · "
                                        "Notes Bob")
