"""What the integration tests share: asking the bot something and reading its reply."""

from __future__ import annotations

from nio import RoomMessageNotice

from bot.member import Member


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
