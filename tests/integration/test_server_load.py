"""What Minga costs its homeserver per message, against a real Synapse: small servers share
their few cores between Synapse and every member, so work Minga makes there is latency for
everyone (the flood scenario, tests/faults/test_flood.py, measures it)."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from bot.client import SYNC_FILTER
from devtools.harness import Network

pytestmark = pytest.mark.integration


async def test_the_account_asks_for_no_notifications(network: Network) -> None:
    config = network.bot_config()
    bot = await network.start_bot(config)
    alice = await network.member("alice")
    room = await network.room(alice, [], config.matrix.user_id)
    assert bot.client
    for _ in range(3):
        await alice.reply_to(room, await alice.send(room, "!help"))

    url = (f"{network.server.url}/_matrix/client/v3/pushrules/global/override/"
           ".m.rule.master/enabled")
    async with aiohttp.ClientSession() as session, session.get(
            url, headers={"Authorization": f"Bearer {bot.client.access_token}"}) as resp:
        assert resp.status == 200
        assert (await resp.json()) == {"enabled": True}
    # In a two-member encrypted room Synapse's default rules notify for every message;
    # muted, it keeps no count (and no push action row) for the bot.
    assert bot.client.rooms[room].unread_notifications == 0


async def test_our_own_keys_are_not_asked_for_after_every_reply(network: Network) -> None:
    config = network.bot_config()
    bot = await network.start_bot(config)
    client = bot.client
    assert client
    alice = await network.member("alice")
    room = await network.room(alice, [], config.matrix.user_id)
    bob = await network.member("bob")
    room_b = await network.room(bob, [], config.matrix.user_id)
    await alice.reply_to(room, await alice.send(room, "!help"))
    await bob.reply_to(room_b, await bob.send(room_b, "!help"))

    asked_for: list[set[str]] = []
    original = client.keys_query

    async def recording_keys_query(*args: Any, **kwargs: Any) -> Any:
        asked_for.append(set(client.users_for_key_query))
        return await original(*args, **kwargs)

    client.keys_query = recording_keys_query
    skipped_before = client.own_keys_skipped
    for _ in range(8):
        await alice.reply_to(room, await alice.send(room, "!help"))
        await bob.reply_to(room_b, await bob.send(room_b, "!help"))

    own = sum(1 for users in asked_for if config.matrix.user_id in users)
    # With members in two rooms Synapse says "changed" for our own user after each of our
    # replies (16 of 16 here); each was a keys query before the next batch was read.
    assert client.own_keys_skipped > skipped_before
    assert own <= 1, asked_for


async def test_syncs_use_the_filter_stored_on_the_homeserver(network: Network) -> None:
    config = network.bot_config()
    bot = await network.start_bot(config)
    client = bot.client
    assert client and bot.filter_id
    url = (f"{network.server.url}/_matrix/client/v3/user/{config.matrix.user_id}/filter/"
           f"{bot.filter_id}")
    async with aiohttp.ClientSession() as session, session.get(
            url, headers={"Authorization": f"Bearer {client.access_token}"}) as resp:
        assert resp.status == 200
        stored = await resp.json()
    assert stored["room"] == SYNC_FILTER["room"]
    assert stored["presence"] == SYNC_FILTER["presence"]

    filters: list[object] = []
    original = client.sync

    async def recording_sync(*args: Any, **kwargs: Any) -> Any:
        filters.append(kwargs.get("sync_filter"))
        return await original(*args, **kwargs)

    client.sync = recording_sync
    alice = await network.member("alice")
    room = await network.room(alice, [], config.matrix.user_id)
    for _ in range(2):
        await alice.reply_to(room, await alice.send(room, "!help"))
    # Every sync since (the invite, the join, both commands) named the stored filter.
    assert len(filters) >= 3
    assert set(filters) == {bot.filter_id}


async def test_a_filter_the_homeserver_lost_does_not_leave_the_bot_deaf(network: Network
                                                                        ) -> None:
    config = network.bot_config()
    bot = await network.start_bot(config)
    alice = await network.member("alice")
    room = await network.room(alice, [], config.matrix.user_id)
    await alice.reply_to(room, await alice.send(room, "!help"))
    bot.filter_id = "404404"  # as after the homeserver's database was restored from before

    await alice.reply_to(room, await alice.send(room, "!help"), timeout=30)
    assert bot.filter_id != "404404"
