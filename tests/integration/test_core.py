"""The core against a real Synapse, through real E2EE clients in encrypted rooms."""

from __future__ import annotations

import pytest
from nio import RoomMessageNotice

from devtools.harness import Network
from devtools.member import is_reply_to, relates_to

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


async def test_tz_set_then_show(network: Network) -> None:
    config = network.bot_config()
    await network.start_bot(config)
    alice = await network.member("alice")
    room = await network.room(alice, [], config.matrix.user_id)

    set_reply = await alice.reply_to(room, await alice.send(room, "!tz set Kathmandu"))
    assert "Asia/Kathmandu" in set_reply.body
    shown = await alice.reply_to(room, await alice.send(room, "!tz"))
    assert "Asia/Kathmandu" in shown.body and "UTC+05:45" in shown.body


async def test_bad_command_gets_helpful_error(network: Network) -> None:
    config = network.bot_config()
    await network.start_bot(config)
    alice = await network.member("alice")
    room = await network.room(alice, [], config.matrix.user_id)

    typo = await alice.reply_to(room, await alice.send(room, "!hlep"))
    assert "Did you mean !help" in typo.body
    bad_zone = await alice.reply_to(room, await alice.send(room, "!tz set Nairobbi"))
    assert "Africa/Nairobi" in bad_zone.body and "Example:" in bad_zone.body


async def test_restart_answers_nothing_twice_and_keeps_device(network: Network) -> None:
    config = network.bot_config()
    bot = await network.start_bot(config)
    device = bot.device_id
    alice = await network.member("alice")
    room = await network.room(alice, [], config.matrix.user_id)
    first = await alice.send(room, "!help")
    await alice.reply_to(room, first)
    await network.stop_bot(bot)

    # A command sent while the bot is down is answered once after the restart.
    while_down = await alice.send(room, "!tz")
    bot = await network.start_bot(config)
    assert bot.device_id == device
    await alice.reply_to(room, while_down)
    probe = await alice.send(room, "!help")
    await alice.reply_to(room, probe)

    replies_to_first = [n for n in alice.notices(room) if is_reply_to(n, first)]
    replies_to_down = [n for n in alice.notices(room) if is_reply_to(n, while_down)]
    assert len(replies_to_first) == 1
    assert len(replies_to_down) == 1
    assert network.server.user_devices(config.matrix.user_id) == [device]


async def test_invite_from_outsider_is_not_joined(network: Network) -> None:
    config = network.bot_config(allowed_inviters=("@trusted-*:localhost",))
    bot = await network.start_bot(config)
    alice = await network.member("alice")
    room = await alice.create_room(invite=[config.matrix.user_id])

    def bot_left_or_joined() -> bool:
        r = alice.client.rooms.get(room)
        return r is not None and config.matrix.user_id not in r.invited_users

    await alice.wait_until(bot_left_or_joined, 15)
    assert config.matrix.user_id not in alice.client.rooms[room].users
    assert room not in bot.client.rooms


async def test_command_in_thread_is_answered_in_thread(network: Network) -> None:
    config = network.bot_config()
    await network.start_bot(config)
    alice = await network.member("alice")
    room = await network.room(alice, [], config.matrix.user_id)
    root = await alice.send(room, "Planning thread")

    asked = await alice.send(room, "!help tz", thread_root=root)
    reply = await alice.reply_to(room, asked)

    relation = relates_to(reply)
    assert relation["rel_type"] == "m.thread"
    assert relation["event_id"] == root


async def test_notice_that_looks_like_a_command_is_ignored(network: Network) -> None:
    config = network.bot_config()
    await network.start_bot(config)
    alice = await network.member("alice")
    room = await network.room(alice, [], config.matrix.user_id)

    notice = await alice.send(room, "!help", msgtype="m.notice")
    control = await alice.send(room, "!tz")
    await alice.reply_to(room, control)
    assert not [n for n in alice.notices(room) if is_reply_to(n, notice)]


async def test_unencrypted_room_gets_only_an_explanation(network: Network) -> None:
    config = network.bot_config()
    bot = await network.start_bot(config)
    alice = await network.member("alice")
    room = await network.room(alice, [], config.matrix.user_id, encrypted=False)

    reply = await alice.reply_to(room, await alice.send(room, "!tz set Nairobi"))
    assert "encrypted rooms" in reply.body
    assert bot.db is not None
    assert await bot.db.fetchone("SELECT 1 FROM members") is None


async def test_direct_message_opens_an_encrypted_chat_once(network: Network) -> None:
    """A reply addressed to one member goes to their direct chat, opened on first use."""
    from commands.reply import Msg

    config = network.bot_config()
    bot = await network.start_bot(config)
    alice = await network.member("alice")

    @bot.router.command("dmtest", summary="test only", usage="!dmtest")
    async def dmtest(ctx) -> None:
        ctx.reply(Msg(direct_to=ctx.sender).text("psst"))
        ctx.reply(Msg().text("sent you a message"))

    room = await network.room(alice, [], config.matrix.user_id)
    await alice.reply_to(room, await alice.send(room, "!dmtest"))
    first = await alice.wait_for_any(
        lambda rid, e: rid != room and getattr(e, "body", "") == "psst")
    await alice.reply_to(room, await alice.send(room, "!dmtest"))
    await alice.wait_until(lambda: sum(
        1 for rid, e in alice.events if getattr(e, "body", "") == "psst") == 2, 20)
    dm_rooms = {rid for rid, e in alice.events if getattr(e, "body", "") == "psst"}
    assert dm_rooms == {first[0]}, "the second message reuses the same direct chat"
    assert first[1].decrypted
