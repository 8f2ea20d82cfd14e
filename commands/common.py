"""Lookups several command modules need: whose zone, which room default, which language."""

from __future__ import annotations

from commands.context import Context, Settings
from storage import rooms
from storage.db import Database
from storage.languages import member_and_room_language, room_language
from storage.members import get_member


async def room_zone(db: Database, room_id: str, settings: Settings) -> str:
    """The zone for members who set none: the room's default, else the bot's configured one.

    For commands and jobs alike (a planner has no `Settings`; see `planner_default_zone`)."""
    return await rooms.room_default_zone(db, room_id) or settings.default_zone


async def room_default_zone(ctx: Context) -> str:
    return await room_zone(ctx.db, ctx.room_id, ctx.settings)


async def zone_of(ctx: Context, user_id: str | None = None) -> tuple[str, bool]:
    """The member's zone, or the room default; the flag says the default was used."""
    member = await get_member(ctx.db, user_id or ctx.sender)
    if member.zone:
        return member.zone, False
    return await room_default_zone(ctx), True


async def room_lang(db: Database, room_id: str, settings: Settings) -> str:
    """The language of room-wide messages (reminders, digests, summaries, polls)."""
    return await room_language(db, room_id) or settings.language


async def member_lang(db: Database, user_id: str, room_id: str, settings: Settings) -> str:
    """The language of a message addressed to one member: theirs, else their room's."""
    own, room = await member_and_room_language(db, user_id, room_id)
    return own or room or settings.language
