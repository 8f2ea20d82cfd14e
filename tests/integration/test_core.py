"""The core against a real Synapse, through real E2EE clients in encrypted rooms."""

from __future__ import annotations

import pytest
from nio import RoomMessageNotice

from bot.harness import Network

pytestmark = pytest.mark.integration


async def test_help_is_answered_encrypted(network: Network) -> None:
    config = network.bot_config()
    bot = await network.start_bot(config)
    alice = await network.member("alice")
    room = await network.room(alice, [], config.matrix.user_id)

    asked = await alice.send(room, "!help")
    reply = await alice.reply_to(room, asked)

    assert isinstance(reply, RoomMessageNotice)
    assert reply.sender == config.matrix.user_id
    assert reply.decrypted, "the reply must have been encrypted"
    assert "!tz" in reply.body and "!help" in reply.body
    assert reply.source["content"]["m.mentions"] == {}
    assert bot.device_id
