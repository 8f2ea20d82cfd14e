"""A meeting poll on a real Synapse, in an encrypted room: a `with` list, votes from inside
and outside it, the tally, more time, and the poll closing by itself when its window ends."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from nio import Event

from bot.clock import OffsetClock
from commands.meetings.suggest import close_job
from devtools.harness import Network
from devtools.member import Member
from tests.integration.helpers import ask_body as ask

pytestmark = pytest.mark.integration
POLL_START = "org.matrix.msc3381.poll.start"
POLL_END = "org.matrix.msc3381.poll.end"


async def vote(member: Member, room: str, poll_event: str, answer: int) -> None:
    """What Element sends when a member picks an answer (encrypted in an encrypted room)."""
    await member.client.room_send(
        room, "org.matrix.msc3381.poll.response",
        {"m.relates_to": {"rel_type": "m.reference", "event_id": poll_event},
         "org.matrix.msc3381.poll.response": {"answers": [str(answer)]}},
        ignore_unverified_devices=True)


def name(member: Member) -> str:
    """How the room shows a member (the harness sets no display names)."""
    return member.user_id[1:].split(":", 1)[0]


def of_type(kind: str) -> Callable[[Event], bool]:
    def check(event: Event) -> bool:
        return event.source.get("type") == kind
    return check


def notice_starting(text: str) -> Callable[[Event], bool]:
    def check(event: Event) -> bool:
        return getattr(event, "body", "").startswith(text)
    return check


async def test_a_poll_with_a_with_list_is_tallied_extended_and_closes_by_itself(
        network: Network) -> None:
    clock = OffsetClock()
    config = network.bot_config()
    bot = await network.start_bot(config, clock=clock)
    assert bot.db is not None and bot.scheduler is not None
    alice = await network.member("alice")
    bob = await network.member("bob")
    carol = await network.member("carol")
    room = await network.room(alice, [bob, carol], config.matrix.user_id)
    for member, zone, hours in ((alice, "Nairobi", "08:00-17:00 Mon-Fri"),
                                (bob, "Bogota", "09:00-18:00 Mon-Fri"),
                                (carol, "Manila", "09:00-17:00 Mon-Fri")):
        await ask(member, room, f"!tz set {zone}")
        await ask(member, room, f"!hours set {hours}")

    asked = datetime.now(UTC)
    sent = await alice.send(
        room, f'!meeting suggest 60m within 5 days with {alice.user_id} {bob.user_id} "Budget"')
    poll = await alice.wait_for(room, of_type(POLL_START))
    assert poll.decrypted, "the poll is encrypted like everything else in the room"
    listing = (await alice.reply_to(room, sent)).body
    assert listing.startswith("Poll p1: When should we meet for “Budget” (1h)?")
    decide = next(line for line in listing.splitlines() if line.startswith("Votes that decide"))
    assert decide == (f"Votes that decide: {name(alice)}, {name(bob)}. Others may vote too; "
                      "their votes are shown as advisory.")
    answers = poll.source["content"]["org.matrix.msc3381.poll.start"]["answers"]
    assert 2 <= len(answers) <= 5
    assert all(" — " in a["org.matrix.msc1767.text"] for a in answers), "each says its cost"

    # Bob is on the with list; Carol is not (her vote is advisory).
    await vote(bob, room, poll.event_id, 2)
    await vote(carol, room, poll.event_id, 1)

    async def votes_recorded() -> int:
        rows = await bot.db.fetchall("SELECT user_id FROM poll_votes")
        return len(rows)

    for _ in range(150):
        if await votes_recorded() == 2:
            break
        await asyncio.sleep(0.1)
    assert await votes_recorded() == 2

    tally = (await ask(alice, room, "!poll")).splitlines()
    assert tally[2].endswith("— 0 votes (+1 advisory)")
    assert tally[3].endswith("— 1 vote")
    assert tally[-3] == f"Not voted yet: {name(alice)}."
    assert tally[-2] == "Advisory votes from 1 other member: 1."

    # Only the asker (or a moderator) gives more time; the closing job moves with it.
    refused = await ask(bob, room, "!poll p1 extend 2h")
    assert refused == "Only whoever asked for p1 or a room moderator can give it more time."
    extended = await ask(alice, room, "!poll p1 extend 2h")
    assert extended.startswith("p1 now closes ") and "2h later" in extended
    row = await bot.db.fetchone("SELECT id, created_at, closes_at FROM polls")
    assert row is not None
    created = datetime.fromisoformat(row["created_at"])
    closes = datetime.fromisoformat(row["closes_at"])
    assert closes - created == timedelta(hours=14), "12 h window + 2 h"
    assert created >= asked.replace(microsecond=0) - timedelta(seconds=1)
    job = bot.scheduler.aps.get_job(close_job(row["id"]))
    assert job is not None and job.trigger.run_date == closes

    # Nothing closes before the window ends: an hour before, the job changes nothing.
    clock.offset = closes - datetime.now(UTC) - timedelta(hours=1)
    await bot.scheduler.run_job("poll-close", (row["id"],))
    still = await bot.db.fetchone("SELECT closed_at FROM polls")
    assert still is not None and still["closed_at"] is None

    # When the window ends, the poll closes by itself: Bob's vote decides.
    clock.offset = closes - datetime.now(UTC) + timedelta(seconds=1)
    await bot.scheduler.run_job("poll-close", (row["id"],))
    ended = await alice.wait_for(room, of_type(POLL_END), timeout=20)
    assert ended.source["content"]["m.relates_to"]["event_id"] == poll.event_id
    notice = await alice.wait_for(room, notice_starting("Poll p1 closed"), timeout=20)
    lines = notice.body.splitlines()
    assert lines[0].startswith("Poll p1 closed (1 of 1 vote): option 2 wins. Scheduled m1: "
                               "Budget")
    assert lines[-1] == "1 advisory vote from outside the with list was not counted."
    assert "Budget" in await ask(bob, room, "!meetings 7d")
