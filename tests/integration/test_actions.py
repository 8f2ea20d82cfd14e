"""Action items, minutes and the weekly digest on a real Synapse, in an encrypted room."""

from __future__ import annotations

import asyncio
import re

import pytest
from nio import RoomMessageNotice

from devtools.harness import Network
from devtools.member import relates_to
from tests.integration.helpers import alice_and_bob, digest_this_minute
from tests.integration.helpers import ask_encrypted as ask

pytestmark = pytest.mark.integration


async def test_add_list_and_close_with_a_reaction(network: Network) -> None:
    pair = await alice_and_bob(network)
    alice, bob, room = pair.alice, pair.bob, pair.room

    added = await ask(alice, room, f"!action {bob.user_id} Send the budget draft due fri")
    assert added.body.startswith("Action #1 for ")
    # "fri" is restated as "today, Fri" or "tomorrow, Fri" when it is that close in Kolkata.
    assert re.search(r"Send the budget draft — due (today, |tomorrow, )?Fri ", added.body)
    assert "(end of day, Kolkata)" in added.body
    assert added.source["content"]["m.mentions"] == {"user_ids": [bob.user_id]}

    listed = await ask(bob, room, "!actions mine")
    assert "#1 Send the budget draft" in listed.body and "Kolkata" in listed.body

    await bob.client.room_send(
        room, "m.reaction", {"m.relates_to": {"rel_type": "m.annotation",
                                              "event_id": added.event_id, "key": "✅"}},
        ignore_unverified_devices=True)
    closed = await alice.reply_to(room, added.event_id)
    assert closed.body.startswith("Closed #1 Send the budget draft — done by ")
    assert "Nothing open" in (await ask(alice, room, "!actions")).body
    assert "#1 Send the budget draft" in (await ask(alice, room, "!actions done 7d")).body

    past = await ask(alice, room, "!action Report due 2020-01-10")
    assert "That date is in the past" in past.body and "Did you mean" in past.body
    assert "Example: " in past.body


async def test_minutes_record_only_tagged_lines(network: Network) -> None:
    config = network.bot_config()
    await network.start_bot(config)
    alice = await network.member("alice")
    bob = await network.member("bob")
    room = await network.room(alice, [bob], config.matrix.user_id)
    await ask(alice, room, '!meeting add "Network call" in 30 minutes')

    opened = await ask(alice, room, "!meeting start m1")
    assert opened.body.startswith("Minutes are open for m1 Network call")
    await bob.send(room, "Just chatting, this is not recorded")
    await bob.send(room, "!decision We meet in person in May")
    await ask(bob, room, f"!action {alice.user_id} Book the venue due next week")
    ended = await ask(alice, room, "!meeting end")
    lines = ended.body.splitlines()
    assert lines[0] == "Minutes — m1 Network call"
    assert lines[2].startswith("Attendees: ") and lines[2].count(",") == 1  # alice and bob
    assert lines[3] == "Decisions" and lines[4].startswith("1. We meet in person in May (")
    assert "Just chatting" not in ended.body
    assert "Actions" in lines and any("#1 Book the venue" in line for line in lines)
    assert "<a " not in ended.source["content"]["formatted_body"]


async def test_digest_now_and_a_scheduled_digest_sent_once_across_a_restart(
        network: Network) -> None:
    config = network.bot_config()
    bot = await network.start_bot(config)
    alice = await network.member("alice")
    room = await network.room(alice, [], config.matrix.user_id)
    await ask(alice, room, "!action Overdue-proof item due next week")

    shown = await ask(alice, room, "!digest now")
    assert shown.body.startswith("Weekly digest — ")
    assert "#1 Overdue-proof item" in shown.body

    await digest_this_minute(alice, room)

    def scheduled() -> list[RoomMessageNotice]:
        return [n for n in alice.notices(room) if n.body.startswith("Weekly digest — ")
                and "m.in_reply_to" not in relates_to(n)]

    await alice.wait_until(lambda: bool(scheduled()), 20)
    await network.stop_bot(bot)
    await network.start_bot(config)
    await ask(alice, room, "!digest")  # the restarted bot is up and has planned its jobs
    await asyncio.sleep(2)
    assert len(scheduled()) == 1
    assert scheduled()[0].decrypted
