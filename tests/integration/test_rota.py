"""Rotas on a real Synapse, in an encrypted room: set, see, skip, swap confirmed by a ✅
reaction, the facilitator's nudge in a direct chat, and a reminder that names and mentions
the role holders. One test, so the minute spent waiting for the reminder is used."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from nio import RoomMessageNotice

from devtools.harness import Network
from tests.integration.helpers import ask

pytestmark = pytest.mark.integration


def first_date(text: str) -> str:
    """The date of the first occurrence listed in a `!rota` reply, as YYYY-MM-DD."""
    match = re.search(r"• \w{3} (\d{1,2} \w{3} \d{4}),", text)
    assert match, text
    return datetime.strptime(match.group(1), "%d %b %Y").date().isoformat()


async def test_rota_in_an_encrypted_room(network: Network) -> None:
    config = network.bot_config()
    await network.start_bot(config)
    alice = await network.member("alice")  # created the room: a moderator
    bob = await network.member("bob")
    carol = await network.member("carol")
    room = await network.room(alice, [bob, carol], config.matrix.user_id)

    # The slow part first: a meeting in two minutes, reminded one minute before.
    added = await ask(alice, room, '!meeting add "Quick sync" in 2 minutes')
    assert "m1" in added.body
    await ask(alice, room, "!meeting reminders m1 1m")
    await ask(alice, room, f"!rota m1 set {bob.user_id} {carol.user_id}")

    # Meanwhile, a weekly series with a rota of three.
    await ask(alice, room, '!meeting add "Network call" next thu 14:00 UTC every week')
    people = f"{alice.user_id} {bob.user_id} {carol.user_id}"
    listed = (await ask(alice, room, f"!rota m2 set {people}")).body
    assert listed.count("• ") == 4 and "Facilitator" in listed and "Notes" in listed
    seen = await ask(bob, room, "!rota m2")
    assert seen.body.startswith("Rota for m2: Network call")
    assert seen.source["content"]["m.mentions"] == {}  # a listing pings nobody

    refused = await ask(bob, room, f"!rota m2 set {bob.user_id}")
    assert refused.body.startswith("Only the person who scheduled m2 or a room moderator")
    stranger = await ask(alice, room, "!rota m2 set @nobody:localhost")
    assert "is not in this room" in stranger.body and "Example:" in stranger.body

    # Bob (not a moderator) asks Carol to take his notes turn on the first date ...
    day = first_date(listed)
    asked = await ask(bob, room, f"!rota m2 swap {day} {carol.user_id}")
    assert "asks to trade turns" in asked.body
    assert asked.source["content"]["m.mentions"] == {"user_ids": [carol.user_id]}
    # ... and she agrees with a ✅ on the bot's message, encrypted like everything else.
    await carol.client.room_send(
        room, "m.reaction",
        {"m.relates_to": {"rel_type": "m.annotation", "event_id": asked.event_id,
                          "key": "✅"}},
        ignore_unverified_devices=True)
    done = await carol.reply_to(room, asked.event_id)
    assert done.body.startswith("Swapped in m2 Network call")

    skipped = await ask(alice, room, "!rota m2 skip")
    assert "skips m2" in skipped.body and "first in line" in skipped.body
    shown = (await ask(carol, room, "!rota m2")).body
    assert "(swapped)" in shown and "skipping:" in shown

    # The reminder names the facilitator and note-taker and mentions both.
    def reminder(event: object) -> bool:
        return isinstance(event, RoomMessageNotice) and event.body.startswith(
            "Reminder: Quick sync")

    found = await bob.wait_for(room, reminder, timeout=110)
    assert isinstance(found, RoomMessageNotice)
    assert re.search(r"^Facilitator: .+ · Notes: .+$", found.body, re.MULTILINE), found.body
    assert set(found.source["content"]["m.mentions"]["user_ids"]) == {bob.user_id,
                                                                      carol.user_id}
    assert found.decrypted

    # Bob, facilitating m1, was nudged in his direct chat with the bot.
    _, nudge = await bob.wait_for_any(
        lambda rid, e: rid != room and isinstance(e, RoomMessageNotice)
        and e.body.startswith("Your turn as facilitator: Quick sync"), timeout=20)
    assert "m1" in nudge.body
