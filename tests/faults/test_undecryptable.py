"""Scenario 9: a message whose room key arrives late is processed once with no alarm;
one whose key never arrives gets exactly one notice."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import pytest
from nio import RoomSendResponse
from nio.api import Api

from devtools.harness import Network
from devtools.member import Member, is_reply_to
from tests.faults.conftest import Report

pytestmark = pytest.mark.faults

GRACE = 10.0  # seconds; production default is 60
KEY_DELAY = 5.0
NOTICE = "couldn't decrypt"


class KeyFromStart:
    """An outbound session that hands out its key as it was before the first message.

    nio shares the session's current ratchet position; a key shared after the
    message was encrypted would not decrypt it, unlike a real delayed key.
    """

    def __init__(self, inner: object) -> None:
        object.__setattr__(self, "_inner", inner)
        object.__setattr__(self, "_key", inner.session_key)  # type: ignore[attr-defined]

    @property
    def session_key(self) -> str:
        return self._key  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    def __setattr__(self, name: str, value: object) -> None:
        setattr(self._inner, name, value)


async def send_withholding_key(member: Member, room_id: str, body: str) -> str:
    """Encrypt with a fresh Megolm session that nobody has been given the key to."""
    client = member.client
    assert client.olm is not None
    client.olm.create_outbound_group_session(room_id)
    sessions = client.olm.outbound_group_sessions
    sessions[room_id] = KeyFromStart(sessions[room_id])  # type: ignore[assignment]
    sessions[room_id].shared = True  # let nio encrypt with it
    event_type, content = client.encrypt(room_id, "m.room.message",
                                         {"msgtype": "m.text", "body": body})
    method, path, data = Api.room_send(client.access_token, room_id, event_type, content,
                                       uuid4())
    resp = await client._send(RoomSendResponse, method, path, data, (room_id,))
    assert isinstance(resp, RoomSendResponse), resp
    return resp.event_id


async def share_key_now(member: Member, room_id: str) -> None:
    """Hand out the withheld session (nio re-shares only a session marked unshared)."""
    client = member.client
    assert client.olm is not None
    client.olm.outbound_group_sessions[room_id].shared = False
    await client.share_group_session(room_id, ignore_unverified_devices=True)


async def test_undecryptable(network: Network, report: Report) -> None:
    config = network.bot_config(undecryptable_grace_seconds=GRACE)
    await network.start_bot(config)
    alice = await network.member("alice")
    room = await network.room(alice, [], config.matrix.user_id)
    await alice.reply_to(room, await alice.send(room, "!help"), timeout=30)

    def notices_about(event_id: str) -> list[object]:
        return [n for n in alice.notices(room) if is_reply_to(n, event_id) and NOTICE in n.body]

    late = await send_withholding_key(alice, room, "!tz")
    await asyncio.sleep(KEY_DELAY)
    await share_key_now(alice, room)
    reply = await alice.reply_to(room, late, timeout=30)
    assert NOTICE not in reply.body

    never = await send_withholding_key(alice, room, "!hours")
    await alice.wait_until(lambda: bool(notices_about(never)), GRACE + 30)
    await asyncio.sleep(GRACE)  # a second notice would have come by now
    late_replies = [n for n in alice.notices(room) if is_reply_to(n, late)]
    never_notices = notices_about(never)
    mention = never_notices[0].source["content"]["m.mentions"] if never_notices else {}

    passed = (len(late_replies) == 1 and not notices_about(late) and len(never_notices) == 1
              and mention == {"user_ids": [alice.user_id]})
    report.add(
        "9. Undecryptable messages",
        f"key {KEY_DELAY:.0f} s late: processed once, no notice; key never: exactly 1 notice",
        f"late key: {len(late_replies)} reply, {len(notices_about(late))} notices; "
        f"no key: {len(never_notices)} notice after the {GRACE:.0f} s grace",
        passed, "test_undecryptable")
    assert passed
