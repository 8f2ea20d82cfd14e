"""What the integration tests share: asking the bot something and reading its reply."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

from nio import RoomMessageNotice

from bot.client import MingaBot
from bot.config import Config
from devtools.harness import Network
from devtools.member import Member

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


async def ask(member: Member, room: str, text: str) -> RoomMessageNotice:
    """Send `text` as `member` and return the bot's reply to it, a notice."""
    reply = await member.reply_to(room, await member.send(room, text))
    assert isinstance(reply, RoomMessageNotice)
    return reply


async def ask_encrypted(member: Member, room: str, text: str) -> RoomMessageNotice:
    """`ask`, in an encrypted room: the reply must have been encrypted too."""
    reply = await ask(member, room, text)
    assert reply.decrypted, "replies in an encrypted room are encrypted"
    return reply


async def ask_body(member: Member, room: str, text: str) -> str:
    """`ask`, when only the reply's text matters."""
    return (await ask(member, room, text)).body


@dataclass
class Pair:
    """A running bot and two members in one encrypted room."""

    config: Config
    bot: MingaBot
    alice: Member
    bob: Member
    room: str


async def alice_and_bob(network: Network, alice_zone: str | None = "Nairobi",
                        bob_zone: str | None = "Asia/Kolkata") -> Pair:
    """The usual start: a bot, alice and bob in an encrypted room, each with a zone."""
    config = network.bot_config()
    bot = await network.start_bot(config)
    alice = await network.member("alice")
    bob = await network.member("bob")
    room = await network.room(alice, [bob], config.matrix.user_id)
    for member, zone in ((alice, alice_zone), (bob, bob_zone)):
        if zone:
            await ask(member, room, f"!tz set {zone}")
    return Pair(config, bot, alice, bob, room)


async def digest_this_minute(member: Member, room: str) -> None:
    """Schedule the room's digest for the current minute, so it fires within seconds."""
    now = datetime.now(UTC)
    if now.second > 50:  # the schedule must name the minute the bot will see
        await asyncio.sleep(61 - now.second)
        now = datetime.now(UTC)
    await ask(member, room, f"!digest schedule {WEEKDAYS[now.weekday()]} {now:%H:%M} UTC")
