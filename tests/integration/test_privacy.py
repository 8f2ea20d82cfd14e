"""`!forget me` on a real Synapse, in an encrypted room."""

from __future__ import annotations

import pytest

from devtools.harness import Network
from tests.integration.helpers import alice_and_bob
from tests.integration.helpers import ask_encrypted as ask

pytestmark = pytest.mark.integration


async def test_forget_me_then_confirm(network: Network) -> None:
    pair = await alice_and_bob(network, bob_zone=None)
    alice, bob, room = pair.alice, pair.bob, pair.room
    await ask(alice, room, "!action Book the venue")
    await ask(alice, room, "!done 1")

    preview = await ask(alice, room, "!forget me")
    assert preview.body.startswith("Here is exactly what forgetting you means.")
    assert "time zone, working hours, calendar country and language (1)" in preview.body
    assert "!forget me confirm" in preview.body
    assert "Africa/Nairobi" in (await ask(alice, room, "!tz")).body  # nothing changed yet

    done = await ask(alice, room, "!forget me confirm")
    assert done.body.startswith("Done: I have forgotten you.")
    assert "action items (" in done.body

    assert "You have not set a time zone" in (await ask(alice, room, "!tz")).body
    closed = await ask(bob, room, "!actions done 30d")
    assert "#1 Book the venue — done by former member 1" in closed.body
    content = closed.source["content"]
    assert alice.user_id not in content["formatted_body"] and "m.mentions" in content
    assert content["m.mentions"] == {}
