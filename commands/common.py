"""Lookups several command modules need: whose zone, which room default."""

from __future__ import annotations

from commands.context import Context
from storage.members import get_member


async def room_default_zone(ctx: Context) -> str:
    row = await ctx.db.fetchone("SELECT default_zone FROM rooms WHERE room_id = ?", (ctx.room_id,))
    return (row["default_zone"] if row else None) or ctx.settings.default_zone


async def zone_of(ctx: Context, user_id: str | None = None) -> tuple[str, bool]:
    """The member's zone, or the room default; the flag says the default was used."""
    member = await get_member(ctx.db, user_id or ctx.sender)
    if member.zone:
        return member.zone, False
    return await room_default_zone(ctx), True
