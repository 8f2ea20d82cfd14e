"""Minga stays reachable when its one-time keys run out (a fallback key, Matrix spec v1.2).

A member's client opens an olm session with Minga's device by claiming one of its one-time
keys; Minga keeps 50 on the server and tops them up after each sync. A client that finds
none left shares the room key with every device but Minga's, and Minga can never read that
message. `make bench`'s burst hit this: 10 members sending in 20 rooms at once claimed up
to 60 keys, 20 of the 200 commands were never read and got only the "couldn't decrypt"
notice 60 s later.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from nio import RoomMessageNotice

from devtools.harness import Network
from devtools.member import Member

pytestmark = pytest.mark.integration

CLAIM = "/_matrix/client/v3/keys/claim"


async def claim(member: Member, user_id: str, device_id: str) -> dict[str, Any] | None:
    """The key a client opening an olm session with the device gets (None: none at all)."""
    body = {"one_time_keys": {user_id: {device_id: "signed_curve25519"}}}
    resp = await member.client.send(
        "POST", CLAIM, json.dumps(body),
        headers={"Authorization": f"Bearer {member.client.access_token}",
                 "Content-Type": "application/json"})
    try:
        assert resp.status == 200, await resp.text()
        answer = await resp.json()
    finally:
        resp.release()
    keys = answer.get("one_time_keys", {}).get(user_id, {}).get(device_id, {})
    for key in keys.values():
        return key if isinstance(key, dict) else None
    return None


async def drain(member: Member, user_id: str, device_id: str) -> dict[str, Any] | None:
    """Claim one-time keys until there are none left; then what the server hands out instead
    (the fallback key, or None)."""
    for _ in range(200):
        key = await claim(member, user_id, device_id)
        if key is None or key.get("fallback"):
            return key
    raise AssertionError("the one-time keys never ran out")


async def test_reachable_after_one_time_keys_run_out(network: Network) -> None:
    config = network.bot_config()
    bot = await network.start_bot(config)
    user, device = config.matrix.user_id, bot.device_id
    assert device
    alice = await network.member("alice")
    bob = await network.member("bob")
    room = await network.room(bob, [], user)

    # Other clients take every one-time key before Bob's first message (Bob has no olm
    # session with Minga yet, so his client claims a key as it sends).
    first = await drain(alice, user, device)
    event_id = await bob.send(room, "!help")
    reply = await bob.reply_to(room, event_id, timeout=20)
    assert isinstance(reply, RoomMessageNotice)
    assert "couldn't decrypt" not in reply.body, "Minga read Bob's message"

    assert first is not None and first.get("fallback"), "the server had a fallback key"
    # The sync after it was claimed said so, and Minga put a new one up before answering.
    second = await drain(alice, user, device)
    assert second is not None and second.get("fallback")
    assert second["key"] != first["key"], "a used fallback key is replaced"
