"""`!action`, `!actions`, `!done`, `!reopen` and ✅ reactions, through the router."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commands.router import Router
from storage import Database
from storage.actions import get_action
from storage.meetings import iso
from tests.fakes import Seed
from tests.unit.test_actions_fixtures import (
    ALICE,
    BOB,
    CAROL,
    DAN,
    MOD,
    NOW,
    OTHER_ROOM,
    ROOM,
    SEED,
    react,
    run,
    say,
)


@pytest.fixture
def db_seed() -> Seed:
    return SEED


async def test_add_defaults_to_the_sender_and_their_zone(router: Router, db: Database) -> None:
    ctx = await run(router, db, "action Send the budget draft due fri")
    reply = ctx.replies[0]
    assert reply.plain().splitlines()[0] == (
        "Action #1 for Alice: Send the budget draft — due Fri 27 Nov (end of day, Nairobi).")
    assert reply.key == f"action:{ROOM}:1"
    assert reply.mentions == []  # nobody to tell: the sender owns it
    action = await get_action(db, ROOM, 1)
    assert action is not None and action.owners == (ALICE,) and action.created_by == ALICE
    assert action.due is not None and iso(action.due) == "2026-11-27T20:59:00+00:00"
    assert ctx.changed == {("action", action.id)}


async def test_owners_are_the_mentioned_members_and_due_is_in_the_first_owners_zone(
        router: Router, db: Database) -> None:
    # A pill puts the display name in the body and the id in m.mentions.
    ctx = await run(router, db, "action Bob Carol: Book the venue due fri",
                    mentioned=(BOB, CAROL))
    text = ctx.replies[0].plain()
    assert text.startswith("Action #1 for Bob & Carol: Book the venue — due Fri 27 Nov "
                           "(end of day, Kolkata).")
    assert ctx.replies[0].mentions == [BOB, CAROL]
    action = await get_action(db, ROOM, 1)
    assert action is not None and action.owners == (BOB, CAROL)
    assert action.due is not None and iso(action.due) == "2026-11-27T18:29:00+00:00"


async def test_literal_ids_and_localparts_name_owners_too(router: Router, db: Database) -> None:
    await run(router, db, "action @carol Call the printer due tomorrow")
    action = await get_action(db, ROOM, 1)
    assert action is not None and action.owners == (CAROL,)
    assert action.due is not None and iso(action.due) == "2026-11-27T04:59:00+00:00"


async def test_owner_without_a_zone_gets_the_room_default_and_is_told(
        router: Router, db: Database) -> None:
    text = await say(router, db, f"action {DAN} Print flyers due fri", mentioned=(DAN,))
    assert "due Fri 27 Nov (end of day, UTC)" in text
    assert "Dan has no time zone set, so I used the room's (UTC)." in text


async def test_numbers_are_per_room(router: Router, db: Database) -> None:
    await run(router, db, "action One")
    await run(router, db, "action Two")
    text = await say(router, db, "action Elsewhere", room=OTHER_ROOM)
    assert text.startswith("Action #1 for Alice: Elsewhere.")
    assert "There is no action #2 in this room." in await say(router, db, "done 2",
                                                              room=OTHER_ROOM)
    assert "Nothing overdue" in await say(router, db, "actions overdue", room=OTHER_ROOM)


async def test_text_starting_with_a_number_is_still_a_new_item(router: Router,
                                                               db: Database) -> None:
    assert (await say(router, db, "action 3 chairs for the hall")).startswith(
        "Action #1 for Alice: 3 chairs for the hall.")


@pytest.mark.parametrize(("line", "message", "example"), [
    ("action", "What is the action?", "!action @bob Send the budget draft due fri"),
    ("action    due fri", "What is the action?", "!action @bob Send the budget draft due fri"),
    ("action " + "x" * 1001, "That text is 1,001 characters; keep it under 1,000.",
     "!action @bob Send the budget draft due fri"),
    ("action Report due 2026-11-20", "That date is in the past: Fri 20 Nov (end of day, "
     "Nairobi). Did you "
     "mean 2026-11-27?", "!action Report due 2026-11-27"),
    ("action Report due today 09:00", "Did you mean 2026-11-26 09:00?",
     "!action Report due 2026-11-26 09:00"),
    ("action Report due fri 25:00", '"25:00" is not a time of day.', "!action Report due fri"),
    ("action Check what is due soon", "put the text in quotes", "!action Check what is due fri"),
    ("action @zed Report", "I can't find @zed among this room's members.",
     "!action @bob Send the budget draft due fri"),
    ("done 7", "There is no action #7 in this room.", "!actions"),
    ("done seven", "'seven' is not an item number", "!done 12"),
    ("actions @bob @carol", "name one member", "!actions @bob"),
    ("actions done 0d", "Give a number of days", "!actions done 7d"),
])
async def test_bad_input_gets_a_clear_reply_with_an_example(
        router: Router, db: Database, line: str, message: str, example: str) -> None:
    text = await say(router, db, line)
    first, _, last = text.rpartition("\n")
    assert message in first, text
    assert last == f"Example: `{example}`"
    assert await get_action(db, ROOM, 1) is None


async def test_changing_a_due_date_to_the_past_suggests_one(router: Router,
                                                            db: Database) -> None:
    await run(router, db, f"action {BOB} Report due fri", mentioned=(BOB,))
    text = await say(router, db, "action 1 due 2026-11-24", sender=BOB)
    assert text == ("That date is in the past: yesterday, Tue 24 Nov (end of day, Kolkata). "
                    "Did you mean 2026-12-01?\n"
                    "Example: `!action 1 due 2026-12-01`")


async def test_list_is_overdue_first_then_by_due_date(router: Router, db: Database) -> None:
    await run(router, db, "action Later due 2026-12-10")
    await run(router, db, f"action {BOB} Soon due fri", mentioned=(BOB,))
    await run(router, db, "action Undated")
    await run(router, db, "action Late due today 14:00")  # 14:00 Nairobi = 11:00 UTC
    later = NOW + timedelta(hours=2)
    text = await say(router, db, "actions", now=later)
    assert text.splitlines() == [
        "Open actions: 4 (1 overdue)",
        "#4 Late — Alice · due today, Wed 25 Nov, 14:00 (Nairobi) · ⚠ overdue by 1 hour",
        "#2 Soon — Bob · due Fri 27 Nov (end of day, Kolkata)",
        "#1 Later — Alice · due Thu 10 Dec (end of day, Nairobi)",
        "#3 Undated — Alice",
    ]
    assert (await say(router, db, "actions overdue", now=later)).splitlines()[1:] == \
        [text.splitlines()[1]]
    assert [line[:3] for line in (await say(router, db, "actions mine", sender=BOB))
            .splitlines()[1:]] == ["#2 "]
    assert (await say(router, db, f"actions {BOB}", mentioned=(BOB,))).startswith(
        "Open actions for Bob: 1")


async def test_done_and_reopen_record_who_and_when(router: Router, db: Database) -> None:
    await run(router, db, f"action {BOB} Report", mentioned=(BOB,))
    assert await say(router, db, "done #1", sender=BOB) == \
        "Closed #1 Report — done by Bob. Thank you!"
    action = await get_action(db, ROOM, 1)
    assert action is not None and action.closed_by == BOB and action.closed_at == NOW
    assert await say(router, db, "done 1") == "#1 was already closed by Bob on Wed 25 Nov."
    assert "Nothing open" in await say(router, db, "actions")
    assert (await say(router, db, "actions done 7d")).splitlines() == [
        "Closed in the last 7 days: 1", "✓ #1 Report — done by Bob, Wed 25 Nov"]
    assert await say(router, db, "reopen 1") == "Reopened #1 Report."
    assert await say(router, db, "reopen 1") == "#1 is still open."


@pytest.mark.parametrize(("line", "verb"), [("done 1", "close"), ("action 1 done", "close"),
                                            ("action 1 due fri", "change"),
                                            ("action 1 drop", "change")])
async def test_only_creator_owners_and_moderators_act_on_an_item(
        router: Router, db: Database, line: str, verb: str) -> None:
    await run(router, db, f"action {BOB} Report", mentioned=(BOB,))  # added by Alice for Bob
    assert await say(router, db, line, sender=CAROL) == (
        f"Only whoever added #1, its owners or a room moderator can {verb} it.")
    action = await get_action(db, ROOM, 1)
    assert action is not None and action.is_open and action.due is None
    for allowed in (ALICE, BOB, MOD):  # creator, owner, moderator
        assert not (await say(router, db, line, sender=allowed)).startswith("Only")
        await run(router, db, "reopen 1", sender=allowed)
        await run(router, db, "action 1 due none", sender=allowed)


async def test_reopening_is_for_the_same_people(router: Router, db: Database) -> None:
    await run(router, db, f"action {BOB} Report", mentioned=(BOB,))
    await run(router, db, "done 1", sender=BOB)
    assert await say(router, db, "reopen 1", sender=CAROL) == (
        "Only whoever added #1, its owners or a room moderator can reopen it.")
    action = await get_action(db, ROOM, 1)
    assert action is not None and not action.is_open


async def test_done_with_several_numbers_closes_what_the_sender_may(router: Router,
                                                                    db: Database) -> None:
    await run(router, db, "action Mine", sender=CAROL)
    await run(router, db, "action Not mine")  # Alice's
    assert (await say(router, db, "done 1 2", sender=CAROL)).splitlines() == [
        "Closed #1 Mine — done by Carol. Thank you!",
        "Only whoever added #2, its owners or a room moderator can close it."]
    assert (await get_action(db, ROOM, 2)) is not None
    second = await get_action(db, ROOM, 2)
    assert second is not None and second.is_open


async def test_a_check_reaction_on_the_confirmation_closes_the_item(router: Router,
                                                                     db: Database) -> None:
    await run(router, db, f"action {BOB} Report", mentioned=(BOB,))
    taken, ctx = await react(router, db, f"action:{ROOM}:1", "✔️", sender=BOB)
    assert taken and ctx.replies[0].plain() == "Closed #1 Report — done by Bob. Thank you!"
    action = await get_action(db, ROOM, 1)
    assert action is not None and action.closed_by == BOB
    again, ctx = await react(router, db, f"action:{ROOM}:1", "✅")
    assert again and ctx.replies == []  # already closed: nothing to say


async def test_a_check_reaction_from_anyone_else_is_ignored_with_one_explanation(
        router: Router, db: Database) -> None:
    await run(router, db, f"action {BOB} Report", mentioned=(BOB,))
    taken, ctx = await react(router, db, f"action:{ROOM}:1", "✅", sender=CAROL)
    assert taken and [m.plain() for m in ctx.replies] == [
        "Your ✅ did not close #1: only whoever added it, its owners or a room moderator can. "
        "Ask one of them, or add what you know as a note: `!action 1 note …`"]
    action = await get_action(db, ROOM, 1)
    assert action is not None and action.is_open
    # The same ✅ again is explained under the same logical key, which the outbox sends once.
    _taken, again = await react(router, db, f"action:{ROOM}:1", "✅", sender=CAROL)
    assert again.replies[0].key == ctx.replies[0].key == f"action-refused:{ROOM}:1:{CAROL}"
    _taken, other = await react(router, db, f"action:{ROOM}:1", "✅", sender=DAN)
    assert other.replies[0].key != ctx.replies[0].key
    _closed, by_mod = await react(router, db, f"action:{ROOM}:1", "✅", sender=MOD)
    assert by_mod.replies[0].plain().startswith("Closed #1 Report — done by Mod")


async def test_other_reactions_and_other_rooms_keys_are_not_taken(router: Router,
                                                                  db: Database) -> None:
    await run(router, db, "action Report")
    assert not (await react(router, db, f"action:{ROOM}:1", "👀"))[0]
    assert not (await react(router, db, f"action:{ROOM}:1", "✅", room=OTHER_ROOM))[0]
    action = await get_action(db, ROOM, 1)
    assert action is not None and action.is_open


async def test_a_reaction_on_the_nudge_closes_the_item(router: Router, db: Database) -> None:
    await run(router, db, "action Report due fri")
    key = f"action:{ROOM}:1:nudge:2026-11-27T20:59:00+00:00"
    assert (await react(router, db, key))[0]
    action = await get_action(db, ROOM, 1)
    assert action is not None and not action.is_open


async def test_changes_need_creator_owner_or_moderator(router: Router, db: Database) -> None:
    await run(router, db, f"action {BOB} Report due fri", mentioned=(BOB,))
    denied = await say(router, db, "action 1 drop", sender=CAROL)
    assert denied.startswith("Only whoever added #1, its owners or a room moderator")
    assert await say(router, db, "action 1 edit Annual report", sender=BOB) == \
        "#1 now reads: Annual report"
    assert (await say(router, db, "action 1 due next week", sender=ALICE)) == \
        "#1 is now due Mon 30 Nov (end of day, Kolkata)."
    # A new owner keeps the due day, at the end of it where they live.
    changed = await say(router, db, f"action 1 owner {CAROL}", sender=MOD, mentioned=(CAROL,))
    assert changed == "#1 now belongs to Carol, due Mon 30 Nov (end of day, Bogota)."
    # Anyone may add a note.
    assert await say(router, db, "action 1 note Draft shared", sender=DAN) == "Noted on #1."
    shown = await say(router, db, "action 1")
    assert shown.splitlines() == [
        "#1 Annual report", "Owner: Carol · due Mon 30 Nov (end of day, Bogota)",
        "Added by Alice on Wed 25 Nov.", "• Draft shared — Dan, Wed 25 Nov"]
    assert (await say(router, db, "action 1 drop", sender=MOD)).startswith("Dropped #1")
    assert "was dropped" in await say(router, db, "done 1")
    assert "Nothing open" in await say(router, db, "actions")


async def test_a_changed_due_date_is_replanned(router: Router, db: Database) -> None:
    await run(router, db, "action Report")
    ctx = await run(router, db, "action 1 due fri")
    action = await get_action(db, ROOM, 1)
    assert action is not None and ctx.changed == {("action", action.id)}
    assert (await say(router, db, "action 1 due none")) == "#1 has no due date now."


async def test_a_long_list_is_capped_and_split_under_the_size_limit(router: Router,
                                                                    db: Database) -> None:
    for index in range(60):
        await run(router, db, f"action {index:02d} " + "w" * 990)
    ctx = await run(router, db, "actions")
    body = "\n".join(m.plain() for m in ctx.replies)
    assert len(ctx.replies) == 3  # ~2 KB per item (plain + HTML), 40 KB per message
    assert body.count("w" * 990) == 50
    assert "… and 10 more" in body
