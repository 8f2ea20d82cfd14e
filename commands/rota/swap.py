"""`!rota <id> swap <date> [@a] @b` and its confirmation (`!rota confirm` or a ✅ reaction).

A swap is a trade, not a gift: if only one of the two holds a role that day, the other
takes it, and gives back their own next turn in that role. Both are stored as pins, so
neither total changes. If both hold roles that day, they exchange them. One member asks,
the other confirms; a room moderator's swap applies at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from commands.common import member_lang, zone_of
from commands.context import ChangeKind, Context
from commands.errors import PermissionDenied, UserError
from commands.reply import Msg
from commands.rota.plan import TICK, upcoming
from commands.rota.support import (
    check_on_rota,
    load,
    names,
    occurrence_at,
    people_in,
    role_label,
)
from domain.i18n import _, colon, ngettext, use_language
from domain.recurrence import Occurrence, occurrence_on
from domain.rotation import Pin
from domain.timefmt import format_day, format_local
from storage.meetings import Meeting, get_meeting_by_id, overrides_for
from storage.rota import (
    RotaRow,
    Swap,
    add_swap,
    close_swap,
    get_rota_by_id,
    get_swap,
    pending_swaps,
    put_pin,
)

CONFIRM_KEYS = {"✅", "✔️", "✔", "👍", "☑️"}
LOOK_AHEAD = 60  # occurrences searched for the turn given back


@dataclass(frozen=True)
class Leg:
    """One side of a swap: in `occurrence`, `user` holds `role` instead of `instead_of`."""

    occurrence: Occurrence
    role: str
    user: str
    instead_of: str
    traded: bool  # a turn given for a later one (counts for instead_of), not an exchange


async def plan_swap(ctx: Context, row: RotaRow, meeting: Meeting, target: Occurrence,
                    a: str, b: str) -> list[Leg]:
    """The legs that make the trade, computed from the assignments as they stand now."""
    slots = await upcoming(ctx.db, row, meeting, target.start_utc - TICK, LOOK_AHEAD)
    slots = [s for s in slots if s.occurrence.start_utc > target.start_utc
             or s.occurrence.original_local == target.original_local]
    first = slots[0]
    day = format_day(target.original_local.date())
    example = f"!rota m{meeting.number}"
    held_a = [r for r, w in first.holders.items() if w == a]
    held_b = [r for r, w in first.holders.items() if w == b]
    if not held_a and not held_b:
        raise UserError(_("Neither {first} nor {second} holds a role in m{number} on {day}.")
                        .format(first=ctx.room.display_name(a), second=ctx.room.display_name(b),
                                number=meeting.number, day=day), example)
    for who in (a, b):
        if who in first.away or who in first.skipped or who in first.holiday:
            raise UserError(_("{user} is away or skipping on {day}, so can't take a turn then.")
                            .format(user=ctx.room.display_name(who), day=day), example)
    if held_a and held_b:
        return ([Leg(first.occurrence, r, b, a, False) for r in held_a]
                + [Leg(first.occurrence, r, a, b, False) for r in held_b])
    giver, taker = (a, b) if held_a else (b, a)
    legs: list[Leg] = []
    for role in held_a or held_b:
        back = next((s for s in slots[1:] if s.holders.get(role) == taker), None)
        # Without a turn to give back in sight, it is a plain handover that counts for
        # whoever holds it; with one, two traded legs that leave the counters as they were.
        legs.append(Leg(first.occurrence, role, taker, giver, back is not None))
        if back is None:
            continue
        legs.append(Leg(back.occurrence, role, giver, taker, True))
        for other, holder in back.holders.items():
            if holder == giver and other != role:  # the giver is busy then: they change roles
                legs.append(Leg(back.occurrence, other, taker, giver, False))
    return legs


def describe(ctx: Context, msg: Msg, legs: list[Leg], zone: str) -> Msg:
    for leg in legs:
        msg.text(f"• {format_local(leg.occurrence.start_utc, zone)}: {role_label(leg.role)} ")
        names(ctx, msg, [leg.user])
        # Translators: between two names: "Facilitator Alice instead of Carol".
        names(ctx, msg.text(" " + _("instead of") + " "), [leg.instead_of]).line()
    return msg


async def apply(ctx: Context, row: RotaRow, meeting: Meeting, legs: list[Leg]) -> Msg:
    for leg in legs:
        await put_pin(ctx.db.conn, row.id, leg.occurrence.original_local, leg.role,
                      Pin(leg.user, leg.instead_of if leg.traded else None))
    ctx.changed.add((ChangeKind.ROTA, meeting.id))
    msg = Msg().text(_("Swapped in m{number} {title}:").format(number=meeting.number,
                                                              title=meeting.title)).line()
    return describe(ctx, msg, legs, (await zone_of(ctx))[0])


async def swap(ctx: Context, number: int, text: str) -> None:
    example = f"!rota m{number} swap 2026-12-10 @bob:example.org"
    meeting, row, _dropped = await load(ctx, number)
    assert row is not None
    people, date_text = people_in(ctx, text, example)
    if len(people) == 1 and people[0] != ctx.sender:
        people = [ctx.sender, people[0]]
    if len(people) == 1:
        raise UserError(_("You can't swap with yourself; name the other person."), example)
    if len(people) != 2:
        raise UserError(_("Name the two people who trade (or just the other one, if you are "
                          "one of them)."), example)
    a, b = people
    for who in (a, b):
        check_on_rota(row, who, meeting, who == ctx.sender, ctx.room.display_name(who))
    if not date_text:
        raise UserError(_("Which date? Give the day of the turn to trade."), example)
    target = await occurrence_at(ctx, meeting, date_text, example)
    legs = await plan_swap(ctx, row, meeting, target, a, b)
    if ctx.is_moderator():
        ctx.reply(await apply(ctx, row, meeting, legs))
        return
    if ctx.sender not in (a, b):
        raise PermissionDenied(_("Only the two people trading, or a room moderator, can swap "
                                 "turns."))
    other = b if ctx.sender == a else a
    swap_id = await add_swap(ctx.db.conn, rota_id=row.id, room_id=ctx.room_id,
                             occurrence_local=target.original_local, start_utc=target.start_utc,
                             asked_by=ctx.sender, confirmer=other, now=ctx.now)
    # Addressed to the other person: in their language.
    with use_language(await member_lang(ctx.db, other, ctx.room_id, ctx.settings)):
        msg = Msg(key=f"rota-swap:{swap_id}").mention(other, ctx.room.display_name(other))
        msg.text(colon()).mention(ctx.sender, ctx.room.display_name(ctx.sender), notify=False)
        # Translators: after the name of the member asking; followed by the trade's turns.
        msg.text(" " + _("asks to trade turns in m{number} {title}:").format(
            number=meeting.number, title=meeting.title)).line()
        describe(ctx, msg, legs, (await zone_of(ctx, other))[0])
        # Translators: followed by the command that confirms.
        msg.text(_("To agree, react ✅ to this message or send") + " ").code("!rota confirm")
    ctx.reply(msg)


async def confirm(ctx: Context, pending: Swap) -> None:
    """The second person agrees: recompute the trade as things stand now, and apply it."""
    await close_swap(ctx.db.conn, pending.id, ctx.now)
    base = await get_rota_by_id(ctx.db, pending.rota_id)
    meeting = await get_meeting_by_id(ctx.db, base.meeting_id) if base else None
    if meeting is None or meeting.cancelled:
        raise UserError(_("That meeting has been cancelled; nothing to swap."), "!meetings")
    _meeting, row, _dropped = await load(ctx, meeting.number)
    assert row is not None
    overrides = await overrides_for(ctx.db, meeting.id)
    target = occurrence_on(meeting.series, pending.occurrence_local.date(), overrides)
    if target is None or target.start_utc <= ctx.now:
        raise UserError(_("That occurrence is no longer ahead; nothing to swap."),
                        f"!rota m{meeting.number}")
    for who in (pending.asked_by, pending.confirmer):
        check_on_rota(row, who, meeting, who == ctx.sender, ctx.room.display_name(who))
    legs = await plan_swap(ctx, row, meeting, target, pending.asked_by, pending.confirmer)
    ctx.reply(await apply(ctx, row, meeting, legs))


async def confirm_latest(ctx: Context) -> None:
    waiting = await pending_swaps(ctx.db, ctx.room_id, ctx.sender, ctx.now)
    if not waiting:
        raise UserError(_("Nobody is waiting for you to confirm a swap in this room."),
                        "!rota m1")
    await confirm(ctx, waiting[0])
    if len(waiting) > 1:
        more = len(waiting) - 1
        # Translators: followed by the command that confirms the next swap.
        ctx.replies[-1].line().text(ngettext(
            "{count} more swap request waits for you; confirm it with",
            "{count} more swap requests wait for you; confirm the next with",
            more).format(count=more) + " ").code("!rota confirm")


async def on_reaction(ctx: Context, key: str | None, emoji: str) -> bool:
    """A ✅ from the person asked confirms; anything else is left alone."""
    if not key or emoji not in CONFIRM_KEYS:
        return False
    try:
        pending = await get_swap(ctx.db, int(key.split(":", 1)[1]))
    except ValueError:
        return False
    if (pending is None or pending.done or pending.room_id != ctx.room_id
            or pending.confirmer != ctx.sender or pending.start_utc <= ctx.now):
        return False
    await confirm(ctx, pending)
    return True

