"""Meetings on a real Synapse, in encrypted rooms, with members in different zones."""

from __future__ import annotations

import asyncio
import re

import pytest
from nio import RoomMessageFile, RoomMessageNotice

from devtools.harness import Network
from tests.integration.helpers import alice_and_bob
from tests.integration.helpers import ask_body as ask

pytestmark = pytest.mark.integration


async def test_recurring_meeting_listed_in_every_zone(network: Network) -> None:
    pair = await alice_and_bob(network)
    alice, bob, room = pair.alice, pair.bob, pair.room

    added = await ask(alice, room, '!meeting add "Network call" next thu 14:00 every 2 weeks')
    assert "m1" in added and "every 2 weeks on Thursday at 14:00" in added
    assert "14:00 Nairobi" in added and "16:30 Kolkata" in added

    # "next thu" is 1–7 days away, so 28 days hold exactly two fortnightly occurrences.
    listing = await ask(bob, room, "!meetings 28d")
    lines = [line for line in listing.splitlines() if "Kolkata" in line and "Nairobi" in line]
    assert len(lines) == 2, listing
    assert all(line.strip().startswith("16:30 Kolkata") for line in lines), "reader's zone first"


async def test_reminder_arrives_once_across_a_restart(network: Network) -> None:
    config = network.bot_config()
    bot = await network.start_bot(config)
    alice = await network.member("alice")
    room = await network.room(alice, [], config.matrix.user_id)
    await ask(alice, room, "!meeting notify on")
    added = await ask(alice, room, '!meeting add "Quick sync" in 2 minutes')
    number = re.search(r"m(\d+)", added)
    assert number
    await ask(alice, room, f"!meeting reminders m{number.group(1)} 1m")

    await network.stop_bot(bot)  # restart between scheduling and firing
    await network.start_bot(config)

    def reminders() -> list[RoomMessageNotice]:
        return [n for n in alice.notices(room) if n.body.startswith("Reminder: Quick sync")]

    await alice.wait_until(lambda: bool(reminders()), 100)
    await asyncio.sleep(3)  # a duplicate would arrive right behind the first
    found = reminders()
    assert len(found) == 1
    assert found[0].decrypted
    assert found[0].source["content"]["m.mentions"] == {"user_ids": [alice.user_id]}


async def test_ics_upload_is_encrypted_and_parses(network: Network) -> None:
    from icalendar import Calendar
    from nio.crypto.attachments import decrypt_attachment

    config = network.bot_config()
    await network.start_bot(config)
    alice = await network.member("alice")
    room = await network.room(alice, [], config.matrix.user_id)
    await ask(alice, room, '!meeting add "Board" next tue 14:00 every week in Europe/Lisbon')
    await ask(alice, room, "!meeting skip m1")

    asked = await alice.send(room, "!meeting ics m1")
    event = await alice.wait_for(room, lambda e: isinstance(e, RoomMessageFile)
                                 or getattr(e, "source", {}).get("content", {}).get("msgtype")
                                 == "m.file", timeout=20)
    content = event.source["content"]
    assert content["m.relates_to"]["m.in_reply_to"]["event_id"] == asked
    assert "file" in content and "url" not in content, "encrypted attachments carry `file`"
    blob = await alice.client.download(content["file"]["url"])
    data = decrypt_attachment(blob.body, content["file"]["key"]["k"],
                              content["file"]["hashes"]["sha256"], content["file"]["iv"])
    calendar = Calendar.from_ical(data)
    event_ical = next(c for c in calendar.walk("VEVENT"))
    assert "FREQ=WEEKLY" in event_ical["RRULE"].to_ical().decode()
    assert event_ical["DTSTART"].params["TZID"] == "Europe/Lisbon"
    assert "EXDATE" in event_ical


async def test_suggest_posts_a_poll_votes_are_counted_and_pick_schedules(
        network: Network) -> None:
    pair = await alice_and_bob(network)
    bot, alice, bob, room = pair.bot, pair.alice, pair.bob, pair.room
    await ask(bob, room, "!hours set 10:00-18:00 Mon-Fri")

    asked = await alice.send(room, '!meeting suggest 60m within 5 days "Budget"')
    poll = await alice.wait_for(
        room, lambda e: e.source.get("type") == "org.matrix.msc3381.poll.start")
    listing = await alice.reply_to(room, asked)
    assert "Poll p1" in listing.body and "Kolkata" in listing.body and "Nairobi" in listing.body
    start = poll.source["content"]["org.matrix.msc3381.poll.start"]
    assert 2 <= len(start["answers"]) <= 5
    assert poll.source["content"]["m.poll"]["answers"][0]["m.id"] == "1"

    await bob.client.room_send(
        room, "org.matrix.msc3381.poll.response",
        {"m.relates_to": {"rel_type": "m.reference", "event_id": poll.event_id},
         "org.matrix.msc3381.poll.response": {"answers": ["2"]}},
        ignore_unverified_devices=True)
    assert bot.db is not None

    async def vote_recorded() -> bool:
        row = await bot.db.fetchone("SELECT option FROM poll_votes WHERE user_id = ?",
                                    (bob.user_id,))
        return row is not None and row["option"] == 2

    for _ in range(100):
        if await vote_recorded():
            break
        await asyncio.sleep(0.1)
    assert await vote_recorded()

    picked = await ask(alice, room, "!meeting pick 2")
    assert "option 2 wins" in picked
    assert "m1" in picked
    ended = await alice.wait_for(
        room, lambda e: e.source.get("type") == "org.matrix.msc3381.poll.end")
    assert ended.source["content"]["m.relates_to"]["event_id"] == poll.event_id
    listed = await ask(bob, room, "!meetings 7d")
    assert "Budget" in listed
