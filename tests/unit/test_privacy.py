"""`!forget me`: what is erased, what becomes "former member N", who may ask, and that no
column naming a person is left out of the rules."""

from __future__ import annotations

import itertools
import json
import re
from datetime import datetime, timedelta

import pytest

from commands import build_router
from commands.context import Context, Settings
from commands.reply import Msg
from storage import Database
from storage.checkins import (
    add_answer,
    ensure_settings,
    insert_cycle,
    mark_sent,
    plan_prompt,
    set_choice,
    update_cycle,
)
from storage.polls import insert_poll, record_vote
from storage.privacy import ANONYMISE, ERASE
from tests.fakes import Seed, dispatch, localpart_name
from tests.unit.test_actions_fixtures import (
    ALICE,
    BOB,
    MOD,
    NOW,
    OTHER_ROOM,
    ROOM,
    SEED,
    room_view,
)

ROUTER = build_router()
EVENTS = itertools.count()
USER_COLUMNS = re.compile(r"^(user_id|\w+_by|sender|confirmer|instead_of|requester|target)$")


def name_of(user_id: str) -> str:
    return user_id if not user_id.startswith("@") else localpart_name(user_id)


async def cmd(db: Database, line: str, *, sender: str = ALICE, room: str = ROOM,
              now: datetime = NOW, admins: tuple[str, ...] = (),
              mentioned: tuple[str, ...] = ()) -> str:
    ctx = Context(room_view(room, names=name_of), sender, f"$e{next(EVENTS)}", now, db,
                  Settings(admins=admins), mentioned=mentioned)
    await dispatch(ROUTER, ctx, line)
    return "\n".join(m.plain() for m in ctx.replies)


@pytest.fixture
def db_seed() -> Seed:
    return SEED


async def seed(db: Database) -> None:
    """Alice's traces in two rooms: settings, words, shared records, bookkeeping."""
    await cmd(db, "hours set 09:00-17:00")
    await cmd(db, "away 2026-12-20 to 2026-12-24 holidays")
    await cmd(db, 'meeting add "Network call" thu 11:00 every week')
    await cmd(db, "meeting notify on")
    await cmd(db, f"rota m1 set {ALICE} {BOB}", mentioned=(ALICE, BOB))
    await cmd(db, "meeting start")
    await cmd(db, "decision We go ahead")
    await cmd(db, "info Budget is fine", sender=BOB)
    assert "#1" in await cmd(db, "action Solo task")
    assert "#2" in await cmd(db, f"action {ALICE} {BOB} Shared task", mentioned=(ALICE, BOB))
    await cmd(db, "action Finished task")
    await cmd(db, "action 3 note Draft shared")
    await cmd(db, "done 3")
    await cmd(db, "meeting end")
    # Added by Alice for Bob, closed by Bob (its owner).
    await cmd(db, f"action {BOB} Elsewhere", room=OTHER_ROOM, mentioned=(BOB,))
    await cmd(db, "done 1", room=OTHER_ROOM, sender=BOB)
    async with db.transaction() as conn:
        settings = await ensure_settings(conn, ROOM, "UTC", NOW)
        for key, summarised in (("2026-11-24", True), ("2026-11-25", False)):
            cycle = await insert_cycle(conn, settings_id=settings.id, room_id=ROOM, key=key,
                                       label=key, schedule=None, questions=("How?",),
                                       window=timedelta(days=1), now=NOW, closes_at=NOW)
            await plan_prompt(conn, cycle, ALICE, NOW)
            await mark_sent(conn, cycle, ALICE, via="room", key="k", name="Alice", now=NOW)
            if summarised:
                await add_answer(conn, cycle_id=cycle, user_id=ALICE, name="Alice",
                                 event_id="$answer", text="All fine", late=False, now=NOW)
                await update_cycle(conn, cycle, summary_at=NOW)
        await set_choice(conn, ROOM, ALICE, NOW, muted=True)
        await insert_poll(conn, room_id=ROOM, txn_for=lambda n: f"poll{n}", title="When?",
                          created_by=ALICE, zone="UTC", duration=timedelta(hours=1),
                          options=[NOW], now=NOW, closes_at=NOW + timedelta(days=1))
        await record_vote(conn, 1, ALICE, 1, 1)
        await conn.execute("INSERT INTO direct_rooms VALUES (?, '!dm:example.org', 'n')",
                           (ALICE,))
        await conn.execute("INSERT INTO pending_decryption (event_id, room_id, sender, source,"
                           " received_at) VALUES ('$x', ?, ?, '{}', 0)", (ROOM, ALICE))
        for txn, room, content, sent in (
                ("t1", ROOM, {"m.mentions": {"user_ids": [ALICE]}}, "n"),
                ("t2", ROOM, {"body": "no one"}, "n"),
                ("t3", f"direct:{ALICE}", {"body": "a prompt"}, None)):
            await conn.execute("INSERT INTO outbox (txn_id, room_id, event_type, content, "
                               "created_at, sent_at) VALUES (?, ?, 'm', ?, 'n', ?)",
                               (txn, room, json.dumps(content), sent))


async def dump(db: Database) -> dict[str, list[tuple[object, ...]]]:
    tables = [r[0] for r in await db.fetchall("SELECT name FROM sqlite_master "
                                              "WHERE type = 'table'")]
    return {t: sorted(map(tuple, await db.fetchall(f"SELECT * FROM {t}")), key=repr)
            for t in tables}


async def cells_naming(db: Database, user: str) -> list[str]:
    return [f"{table}: {row}" for table, rows in (await dump(db)).items() for row in rows
            if any(isinstance(cell, str) and user in cell for cell in row)]


async def test_the_preview_says_exactly_what_and_changes_nothing(db: Database) -> None:
    await seed(db)
    before = await dump(db)
    text = await cmd(db, "forget me")
    for part in ("time zone, working hours, calendar country and language (1)", "away periods (1)",
                 "check-in answers (1)",
                 "check-in choices (muted, asked by DM) (1)", "poll votes (1)",
                 "meeting reminder sign-ups (1)", "places on rotas (1)",
                 "the link to your direct chat with me (1)", "removed as owner of 2",
                 "1 with no other owner is unassigned", "send `!forget me confirm` within 10"):
        assert part in text, part
    after = await dump(db)
    assert {t for t in after if after[t] != before[t]} == {"forget_requests"}


async def test_confirm_erases_and_leaves_only_pseudonyms(db: Database) -> None:
    await seed(db)
    await cmd(db, "forget me")
    text = await cmd(db, "forget me confirm", room=OTHER_ROOM)
    assert text.startswith("Done: I have forgotten you.")
    assert "action items (" in text and "minutes (" in text
    # Only the check-in still open keeps a nameless "skipped" marker (so Alice is not asked
    # again in it); the daily retention run deletes it once that check-in is summarised.
    left = await cells_naming(db, ALICE)
    assert len(left) == 1 and "checkin_prompts" in left[0] and "forgotten" in left[0]
    assert "You have not set a time zone" in await cmd(db, "tz")
    done = await cmd(db, "actions done 30d")
    assert "#3 Finished task — done by former member 1" in done
    assert "#1 Elsewhere — done by Bob" in await cmd(db, "actions done 30d", room=OTHER_ROOM)
    minutes = await cmd(db, "minutes")
    assert "We go ahead (former member 1)" in minutes and "Alice" not in minutes
    assert "Attendees: Bob, former member 1" in minutes and "#1 Solo task — nobody" in minutes
    listed = await cmd(db, "actions", sender=BOB)
    assert "#1 Solo task\n" in listed + "\n" and "#2 Shared task — Bob" in listed
    rota = await db.fetchall("SELECT user_id FROM rota_members")
    assert [r[0] for r in rota] == [BOB]
    outbox = {r["txn_id"]: (r["content"], r["failed"]) for r in
              await db.fetchall("SELECT txn_id, content, failed FROM outbox")}
    assert outbox["t1"] == ("{}", None) and "t3" not in outbox
    assert outbox["t2"][0] != "{}"
    # Someone else forgotten later in that room is a different former member there.
    await cmd(db, "forget me", sender=BOB)
    await cmd(db, "forget me confirm", sender=BOB)
    assert "done by former member 2" in await cmd(db, "actions done 30d", room=OTHER_ROOM)


async def test_forgetting_does_not_put_the_member_back_into_open_minutes(db: Database
                                                                          ) -> None:
    await cmd(db, "meeting start", sender=BOB)
    await cmd(db, "decision Yes")
    await cmd(db, "forget me")
    await cmd(db, "forget me confirm")
    attendees = await db.fetchall("SELECT user_id FROM minutes_attendees ORDER BY user_id")
    assert [r[0] for r in attendees] == [BOB, "former member 1"]


async def test_who_may_confirm_and_when(db: Database) -> None:
    assert "Nothing is waiting for confirmation" in await cmd(db, "forget me confirm")
    await cmd(db, "forget me")
    late = NOW + timedelta(minutes=11)
    assert "Nothing is waiting" in await cmd(db, "forget me confirm", now=late)
    assert "Example: `!forget me confirm`" in await cmd(db, "forget me please")
    assert "Say whose data" in await cmd(db, "forget")
    denied = await cmd(db, f"forget {BOB}", sender=MOD)  # a room moderator is not enough
    assert "Only members themselves can ask me to forget them" in denied
    await cmd(db, "tz set Asia/Kolkata", sender=BOB)
    preview = await cmd(db, f"forget {BOB}", sender=MOD, admins=(MOD,))
    assert "forgetting Bob means" in preview and f"!forget {BOB} confirm" in preview
    assert "Nothing is waiting" in await cmd(db, f"forget {BOB} confirm", admins=(ALICE,))
    done = await cmd(db, f"forget {BOB} confirm", sender=MOD, admins=(MOD,))
    assert done.startswith("Done: I have forgotten Bob.")
    assert await db.fetchone("SELECT 1 FROM members WHERE user_id = ?", (BOB,)) is None


async def test_every_column_naming_a_person_is_covered(db: Database) -> None:
    """A new table with a user id must be added to storage.privacy's ERASE or ANONYMISE."""
    covered = {(table, column) for _, table, column, _ in ANONYMISE}
    for _, where in ERASE:
        table = where.split()[1]
        covered |= {(table, c) for c in re.findall(r"(\w+) = :u", where)}
    tables = [r[0] for r in await db.fetchall("SELECT name FROM sqlite_master "
                                              "WHERE type = 'table'")]
    missing = [(t, r["name"]) for t in tables for r in await db.fetchall(
        f"PRAGMA table_info({t})") if USER_COLUMNS.match(r["name"])
        and (t, r["name"]) not in covered]
    assert missing == []


def test_a_pseudonym_is_plain_text_never_a_pill() -> None:
    msg = Msg().mention("former member 2", "antiguo miembro 2").mention(BOB, "Bob")
    assert msg.plain() == "antiguo miembro 2Bob" and msg.mentions == [BOB]
    assert [kind for kind, _value, _target in msg.parts] == ["text", "mention"]
