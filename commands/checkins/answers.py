"""Answers to check-in prompts: in the prompt's thread, as a reply to a DM prompt, or as a
plain direct message; edits update them. Everyone in the room may answer.

A plain direct message goes to the newest cycle that asked this member by DM and still
takes answers. After the summary, answers are still added (marked late, and the summary
is edited) for one more window; after that the cycle is closed and the bot says so.
"""

from __future__ import annotations

from datetime import timedelta

from commands.checkins.format import cycle_label
from commands.context import ChangeKind, Context
from commands.errors import UserError
from commands.reply import Msg, react
from commands.router import CommandSet, Interaction
from domain.checkin import MAX_WINDOW, answer_state
from domain.i18n import _
from storage.checkins import (
    Cycle,
    add_answer,
    answer_by_event,
    dm_prompted_cycles,
    edit_answer,
    get_cycle,
    prompts_of,
    want_summary_edit,
)
from storage.direct import direct_room_of

MAX_ANSWER = 4000
# How far back a plain DM looks for the cycle it answers: a day of prompts, the window and
# the late window, at their longest.
DM_LOOKBACK = 2 * MAX_WINDOW + timedelta(days=2)


def cycle_id_of(key: str | None) -> tuple[int, str] | None:
    """(cycle id, the rest) from a logical key like "checkin:12:dm:@bob:example.org"."""
    parts = (key or "").split(":", 2)
    if len(parts) != 3 or parts[0] != "checkin" or not parts[1].isdigit():
        return None
    return int(parts[1]), parts[2]


def _closed(cycle: Cycle, refusal: str) -> UserError:
    """`refusal`: a translated "The check-in of {day} is closed, so …" sentence."""
    return UserError(refusal.format(day=cycle_label(cycle)) + " "
                     + _("Answer the next one when it comes."), "!checkin show")


def _state(ctx: Context, cycle: Cycle) -> str:
    return answer_state(ctx.now, cycle.closes_at, cycle.summary_at, cycle.window)


async def take_answer(ctx: Context, cycle: Cycle, text: str) -> None:
    """Store the answer, ✅ it; after the summary, add it late (the summary is edited)."""
    text = text.strip()[:MAX_ANSWER]
    if not text:
        return
    state = _state(ctx, cycle)
    if state == "closed":
        raise _closed(cycle, _("The check-in of {day} is closed, so I didn't add your answer."))
    name = ctx.room.display_name(ctx.sender) if ctx.room_id == cycle.room_id else None
    if name is None:
        asked = {p.user_id: p.name for p in await prompts_of(ctx.db, cycle.id)}
        name = asked.get(ctx.sender)
    late = state == "late"
    added = await add_answer(ctx.db.conn, cycle_id=cycle.id, user_id=ctx.sender, name=name,
                             event_id=ctx.event_id, text=text, late=late, now=ctx.now)
    if not added:
        return
    ctx.reply(react(ctx.event_id))
    if late:
        await want_summary_edit(ctx.db.conn, cycle.id)
        ctx.changed.add((ChangeKind.CHECKIN_SUMMARY, cycle.id))
        ctx.reply(Msg().text(_("Thanks — the check-in of {day} had already been summarised; "
                               "I added your answer to it, marked late.").format(
            day=cycle_label(cycle))))


cmds = CommandSet()


@cmds.on("reply", "checkin:")
async def on_reply(ctx: Context, interaction: Interaction) -> bool:
    found = cycle_id_of(interaction.key)
    cycle = await get_cycle(ctx.db, found[0]) if found else None
    if found is None or cycle is None or cycle.void:
        return False
    rest = found[1]
    if rest.startswith("dm:"):
        if rest[3:] != ctx.sender:
            return False
    elif ctx.room_id != cycle.room_id or ctx.sender not in ctx.room.members():
        return False
    await take_answer(ctx, cycle, interaction.text)
    return True


@cmds.on("direct")
async def on_direct(ctx: Context, interaction: Interaction) -> bool:
    if await direct_room_of(ctx.db, ctx.sender) != ctx.room_id:
        return False
    cycles = await dm_prompted_cycles(ctx.db, ctx.sender, ctx.now - DM_LOOKBACK)
    for cycle in cycles:
        if _state(ctx, cycle) != "closed":
            await take_answer(ctx, cycle, interaction.text)
            return True
    if cycles:
        raise _closed(cycles[0], _("The check-in of {day} is closed, so I didn't add this "
                                   "as an answer."))
    return False


@cmds.on("edit")
async def on_edit(ctx: Context, interaction: Interaction) -> bool:
    if not interaction.target_event_id:
        return False
    answer = await answer_by_event(ctx.db, interaction.target_event_id)
    if answer is None or answer.user_id != ctx.sender:
        return False
    cycle = await get_cycle(ctx.db, answer.cycle_id)
    if cycle is None:
        return False
    if _state(ctx, cycle) == "closed":
        raise _closed(cycle, _("The check-in of {day} is closed, so your edit was not "
                               "applied."))
    text = interaction.text.strip()[:MAX_ANSWER]
    if text and text != answer.text:
        await edit_answer(ctx.db.conn, answer.id, text, ctx.now)
        if cycle.summary_at is not None:
            await want_summary_edit(ctx.db.conn, cycle.id)
            ctx.changed.add((ChangeKind.CHECKIN_SUMMARY, cycle.id))
    return True
