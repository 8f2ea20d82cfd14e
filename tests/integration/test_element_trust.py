"""Element's own stack trusts Minga: shields, strict modes, withheld keys, emoji verification.

The member here is matrix-js-sdk with its Rust crypto (tests/element/), the crypto Element
runs, because nio members are lenient where Element is strict.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import pytest

from bot.client import MingaBot
from bot.crosssign import KeysApi, public_key_of, verify_json
from devtools.element import ElementMember, SeenEvent
from devtools.harness import Network

pytestmark = pytest.mark.integration


def from_bot(bot_user: str, room_id: str) -> object:
    def check(e: SeenEvent) -> bool:
        return (e.room_id == room_id and e.sender == bot_user and e.type == "m.room.message"
                and e.decrypted)
    return check


async def until_verified(member: ElementMember, user_id: str, timeout: float = 10) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status = await member.user_status(user_id)
        if status["is_verified"] or time.monotonic() > deadline:
            return status
        await asyncio.sleep(0.2)


async def signed_by_bot(bot: MingaBot, user_id: str) -> bool:
    """Whether the bot's user-signing key has signed `user_id`'s master key on the server."""
    assert bot.client and bot.cross_signing and bot.cross_signing.identity
    usk = bot.cross_signing.identity.user_signing
    theirs = await KeysApi(bot.client).query(user_id)
    return bool(theirs.master) and verify_json(theirs.master or {}, bot.client.user_id,
                                               usk.key_id, usk.public)


async def test_replies_carry_no_red_shield(network: Network) -> None:
    """(a) Before cross-signing Element marks every reply red; after, no shield at all."""
    shields = {}
    for cross_sign in (False, True):
        config = network.bot_config()
        bot = await network.start_bot(config, cross_sign=cross_sign)
        member = await network.element_member("shield")
        room = await network.element_room(member, config.matrix.user_id)
        reply = await member.reply_to(room, await member.send(room, "!tz"))
        shields[cross_sign] = reply.shield
        await network.stop_bot(bot)

    assert shields[False] == {"colour": "RED", "reason": "UNSIGNED_DEVICE"}, \
        "the check must see the red shield Element shows for an unsigned device"
    assert shields[True] == {"colour": "NONE", "reason": None}


async def test_exclude_insecure_devices_member_talks_both_ways(network: Network) -> None:
    """(b) Element's "exclude insecure devices": each side reads the other."""
    config = network.bot_config()
    bot = await network.start_bot(config)
    member = await network.element_member("strict")
    await member.set_trust(isolation="only_signed")
    room = await network.element_room(member, config.matrix.user_id)

    replies = [await member.reply_to(room, await member.send(room, text))
               for text in ("!tz", "!help", "!tz set Nairobi")]
    assert all(r.decrypted and r.shield == {"colour": "NONE", "reason": None} for r in replies)
    assert "Africa/Nairobi" in replies[2].body, "Minga read the command itself"
    assert bot.handler and bot.handler.commands_handled == 3


async def test_withheld_key_is_explained_once_in_the_members_language(network: Network) -> None:
    """(c) "Never send to unverified sessions": one notice, in Spanish, and no generic one."""
    config = network.bot_config(undecryptable_grace_seconds=1)
    bot = await network.start_bot(config)
    member = await network.element_member("careful")
    room = await network.element_room(member, config.matrix.user_id)
    await member.reply_to(room, await member.send(room, "!lang es"))
    await member.set_trust(blacklist_unverified=True)
    before = len([e for e in member.in_room(room) if from_bot(config.matrix.user_id, room)(e)])

    first = await member.send(room, "!tz")
    for text in ("!help", "!tz set Lima"):
        await member.send(room, text)
    notice = await member.reply_to(room, first)
    assert "no enviar nunca mensajes cifrados a sesiones no verificadas" in notice.body, notice.body
    assert "verifícame una vez" in notice.body
    assert notice.content.get("m.mentions") == {"user_ids": [member.user_id]}
    # All three are held as explained, so the generic "couldn't decrypt" notice (grace 1 s,
    # checked every 5 s) never follows; watch long enough for that check to have run.
    assert bot.db
    for _ in range(100):
        if bot.handler and len(bot.handler.pending) >= 3:
            break
        await asyncio.sleep(0.1)
    rows = await bot.db.fetchall("SELECT notified FROM pending_decryption")
    assert [r["notified"] for r in rows] == [1, 1, 1], [dict(r) for r in rows]
    await asyncio.sleep(6)
    said = [e for e in member.in_room(room) if from_bot(config.matrix.user_id, room)(e)]
    assert len(said) - before == 1, [e.body for e in said[before:]]
    assert bot.handler and bot.handler.commands_handled == 1, "only !lang es was read"


async def test_emoji_verification_makes_minga_verified(network: Network) -> None:
    """(d) Verify by emoji in a DM: Minga shows the same emoji, confirms after the member,
    is verified in Element, signs the member, and a blacklisting member now talks to it."""
    config = network.bot_config()
    bot = await network.start_bot(config)
    member = await network.element_member("verifier")
    await member.set_trust(blacklist_unverified=True)
    dm = await network.element_room(member, config.matrix.user_id, is_direct=True)
    assert not (await member.user_status(config.matrix.user_id))["is_verified"]

    sas = await member.verify_start(config.matrix.user_id, room_id=dm)
    symbols = " ".join(symbol for symbol, _name in sas["emoji"])
    shown = await member.wait_for(lambda e: from_bot(config.matrix.user_id, dm)(e)
                                  and symbols in e.body)
    assert "They match" in shown.body
    assert not await signed_by_bot(bot, member.user_id), "nothing trusted before they confirm"
    ended = await member.verify_confirm(match=True)
    assert ended["phase"] == "Done", ended

    assert (await until_verified(member, config.matrix.user_id))["is_verified"]
    assert await signed_by_bot(bot, member.user_id)
    reply = await member.reply_to(dm, await member.send(dm, "!tz set Kathmandu"))
    assert "Asia/Kathmandu" in reply.body


async def test_emoji_mismatch_trusts_nothing(network: Network) -> None:
    config = network.bot_config()
    bot = await network.start_bot(config)
    member = await network.element_member("doubter")
    dm = await network.element_room(member, config.matrix.user_id, is_direct=True)

    await member.verify_start(config.matrix.user_id, room_id=dm)
    ended = await member.verify_confirm(match=False)
    assert ended["phase"] == "Cancelled" and ended["cancellation"] == "m.mismatched_sas"

    stopped = await member.wait_for(lambda e: from_bot(config.matrix.user_id, dm)(e)
                                    and "did not match" in e.body)
    assert "nothing was trusted" in stopped.body
    assert not (await member.user_status(config.matrix.user_id))["is_verified"]
    assert not await signed_by_bot(bot, member.user_id)
    assert bot.handler and bot.handler.verification and not bot.handler.verification.flows


async def test_verifying_minga_s_device_to_device(network: Network) -> None:
    """Element's "Verify session" on Minga's device: to-device, emoji posted in a DM."""
    config = network.bot_config()
    bot = await network.start_bot(config)
    member = await network.element_member("sessions")
    await network.element_room(member, config.matrix.user_id)
    assert bot.device_id

    sas = await member.verify_start(config.matrix.user_id, device_id=bot.device_id)
    symbols = " ".join(symbol for symbol, _name in sas["emoji"])
    shown = await member.wait_for(lambda e: e.sender == config.matrix.user_id
                                  and e.decrypted and symbols in e.body)
    assert bot.db
    direct = await bot.db.fetchone("SELECT room_id FROM direct_rooms WHERE user_id = ?",
                                   (member.user_id,))
    assert direct and shown.room_id == direct["room_id"]
    ended = await member.verify_confirm(match=True)
    assert ended["phase"] == "Done", ended
    assert (await until_verified(member, config.matrix.user_id))["is_verified"]
    assert await signed_by_bot(bot, member.user_id)
    assert public_key_of((await KeysApi(bot.client).query(member.user_id)).master)


async def test_reset_identity_shows_what_the_cli_says(network: Network, tmp_path) -> None:
    """After `minga reset-identity`, a member who had verified Minga sees the red shield
    the command warned about, and is asked to acknowledge the new identity."""
    config = network.bot_config()
    user = config.matrix.user_id
    bot = await network.start_bot(config)
    member = await network.element_member("loyal")
    dm = await network.element_room(member, user, is_direct=True)
    await member.verify_start(user, room_id=dm)
    await member.verify_confirm(match=True)
    assert (await until_verified(member, user))["is_verified"]
    await network.stop_bot(bot)

    path = network.write_config(config, tmp_path / "minga.toml")
    done = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "bot.cli", "reset-identity", "--config",
                         str(path), "--yes"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "verified Minga see a red shield" in done.stdout
    await network.start_bot(config)

    reply = await member.reply_to(dm, await member.send(dm, "!tz"))
    assert reply.shield == {"colour": "RED", "reason": "VERIFICATION_VIOLATION"}
    status = await member.user_status(user)
    assert status["needs_approval"] and status["was_verified"] and not status["is_verified"]
