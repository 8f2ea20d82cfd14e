"""A series changed: rota skips, agreed swaps and waiting swap requests follow their
occurrence (the "series-change" hook of `commands.meetings.carry`)."""

from __future__ import annotations

from datetime import datetime

from commands.context import Context
from commands.meetings.carry import day
from commands.rota.support import role_name
from commands.router import CommandSet
from domain.i18n import _
from domain.reschedule import Carried, CarryOver
from storage.meetings import Meeting
from storage.rota import get_rota, pins_for, remap_rota, skips_for, swaps_waiting


async def carry_rota(ctx: Context, meeting: Meeting, carry: CarryOver) -> list[Carried]:
    """Remap this meeting's rota rows to the new series; what was carried or dropped."""
    row = await get_rota(ctx.db, meeting.id)
    if row is None:
        return []
    name = ctx.room.display_name
    moves: dict[datetime, tuple[datetime, datetime] | None] = {}
    found: list[Carried] = []

    def follow(original: datetime) -> datetime | None:
        new = carry.target(original)
        moves[original] = (new, carry.start_of(new)) if new is not None else None
        return new

    for original, users in sorted((await skips_for(ctx.db, row.id)).items()):
        if carry.is_ahead(original):
            new = follow(original)
            found += [Carried(_("{name} skipping their turn on {day}").format(
                name=name(user), day=day(original)), original, new) for user in sorted(users)]
    for original, pins in sorted((await pins_for(ctx.db, row.id)).items()):
        if carry.is_ahead(original):
            new = follow(original)
            for role, pin in sorted(pins.items()):
                # Translators: an agreed rota swap, e.g. "the swap on Mon 18 Jan 2027: Bob as
                # facilitator instead of Carol".
                what = _("the swap on {day}: {name} as {role} instead of {other}").format(
                    day=day(original), name=name(pin.member), role=role_name(role),
                    other=name(pin.instead_of)) if pin.instead_of else \
                    _("{name} as {role} on {day}").format(name=name(pin.member),
                                                          role=role_name(role), day=day(original))
                found.append(Carried(what, original, new))
    for swap in await swaps_waiting(ctx.db, row.id, ctx.now):
        if carry.is_ahead(swap.occurrence_local):
            new = follow(swap.occurrence_local)
            found.append(Carried(_("the swap {name} asked {other} for on {day}").format(
                name=name(swap.asked_by), other=name(swap.confirmer),
                day=day(swap.occurrence_local)), swap.occurrence_local, new))
    await remap_rota(ctx.db.conn, row.id, moves, ctx.now)
    return found


cmds = CommandSet()
cmds.schedules.hook("series-change")(carry_rota)
