"""Charts on a real Synapse: encrypted m.image events a member downloads, decrypts and opens
as a PNG of the size the event states."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from nio import Event
from nio.crypto.attachments import decrypt_attachment
from PIL import Image

from bot.clock import OffsetClock
from devtools.harness import Network
from devtools.member import Member
from tests.integration.helpers import ask_body as ask

pytestmark = pytest.mark.integration


def is_image(event: Event) -> bool:
    return getattr(event, "source", {}).get("content", {}).get("msgtype") == "m.image"


async def open_image(member: Member, event: Event) -> tuple[dict[str, Any], Image.Image]:
    """The event's content and its picture, downloaded and decrypted as a member would."""
    content = event.source["content"]
    assert "file" in content and "url" not in content, "encrypted images carry `file` only"
    assert event.source["type"] == "m.room.message" and getattr(event, "decrypted", False)
    blob = await member.client.download(content["file"]["url"])
    data = decrypt_attachment(blob.body, content["file"]["key"]["k"],
                              content["file"]["hashes"]["sha256"], content["file"]["iv"])
    assert len(data) == content["info"]["size"]
    picture = Image.open(io.BytesIO(data))
    assert picture.format == "PNG"
    assert picture.size == (content["info"]["w"], content["info"]["h"])
    assert content["info"]["mimetype"] == "image/png"
    assert content["filename"].endswith(".png")
    return content, picture


async def test_suggest_and_chart_post_encrypted_images(network: Network) -> None:
    config = network.bot_config()
    await network.start_bot(config)
    alice = await network.member("alice")
    bob = await network.member("bob")
    room = await network.room(alice, [bob], config.matrix.user_id)
    await ask(alice, room, "!tz set Nairobi")
    await ask(bob, room, "!tz set Asia/Manila")
    await ask(bob, room, "!hours set 09:00-17:00 Mon-Fri")

    await alice.send(room, '!meeting suggest 60m within 5 days "Budget"')
    event = await alice.wait_for(room, is_image, timeout=30)
    content, picture = await open_image(alice, event)
    assert picture.size == (1152, 648)
    assert content["body"].startswith("Poll p1: When should we meet for “Budget”")

    await ask(alice, room, '!meeting add "Board" next tue 14:00 every week')
    seen = len(alice.events)
    await alice.send(room, "!meeting chart m1")
    event = await alice.wait_for(room, is_image, timeout=30, after=seen)
    content, picture = await open_image(alice, event)
    assert content["body"].startswith("m1 “Board”, next ")


async def test_fairness_posts_an_encrypted_image_after_meetings_happened(
        network: Network) -> None:
    config = network.bot_config()
    clock = OffsetClock()
    await network.start_bot(config, clock=clock)
    alice = await network.member("alice")
    room = await network.room(alice, [], config.matrix.user_id)
    await ask(alice, room, "!tz set America/Bogota")
    nothing = await ask(alice, room, "!fairness")
    assert nothing.startswith("No meetings happened")
    await ask(alice, room, '!meeting add "Standup" tomorrow 06:00 every day')
    # Ten days on: the daily 06:00 meetings (early for 09:00–17:00) have happened.
    clock.offset = timedelta(days=10)
    assert clock.now() > datetime.now(UTC)
    seen = len(alice.events)
    await alice.send(room, "!fairness")
    event = await alice.wait_for(room, is_image, timeout=30, after=seen)
    content, picture = await open_image(alice, event)
    assert picture.size == (1152, 648)
    assert content["body"].startswith("Fairness in this room, the last 90 days — ")
    assert not any(is_image(e) for _r, e in alice.events[:seen]), "no chart without data"
