"""`!rota`: who facilitates and takes notes in a meeting series, shared fairly.

The meeting comes first (`!rota m1 skip …`): it is the command's target, parsed before
one of its verbs (show, set, roles, join, leave, skip, swap); `!rota confirm` (no
meeting) is a plain subcommand. The rules of assignment are in domain.rotation;
recording and computing over time in commands.rota.plan; swaps in commands.rota.swap;
scheduled work in commands.rota.jobs.
"""

from __future__ import annotations

import re
from dataclasses import replace

from commands.common import zone_of
from commands.context import ChangeKind, Context
from commands.errors import UserError
from commands.meetings.commands import parse_ref, require_owner
from commands.reply import Msg
from commands.rota import swap as rota_swap
from commands.rota.plan import TICK, upcoming
from commands.rota.support import (
    EXAMPLE_SET,
    check_in_room,
    check_on_rota,
    load,
    names,
    occurrence_at,
    people_in,
    role_label,
    role_name,
)
from commands.router import Arg, CommandSet, Interaction, take_token
from domain.i18n import N_, _, ngettext
from domain.rotation import DEFAULT_ROLES, Rota, joined, left, reordered, with_roles
from domain.timefmt import format_local
from storage.meetings import Meeting
from storage.rota import RotaRow, add_skip, create_rota, get_rota, save_rota, turns_held

SHOWN = 4
LOOK_AHEAD = 60
MAX_ROLES = 5
# A letter in any script, then letters, digits or dashes: "secrétaire" and "مقرر" are roles.
ROLE_NAME = re.compile(r"[^\W\d_][\w-]{0,19}")
# Translators: keep "!rota m1 roles"; the role names are examples a member might choose
# (each one word of letters, digits or dashes, in any language).
ROLES_EXAMPLE = N_("!rota m1 roles facilitator notes timekeeper")
EXAMPLES = (
    "!rota m1",
    EXAMPLE_SET,
    "!rota m1 join",
    "!rota m1 skip",
    "!rota m1 skip @bob:example.org 2026-12-10",
    "!rota m1 swap 2026-12-10 @bob:example.org",
    ROLES_EXAMPLE,
    "!rota confirm",
)


async def table(ctx: Context, msg: Msg, meeting: Meeting, row: RotaRow) -> Msg:
    """The next occurrences with their holders, then everyone's turns so far."""
    if not row.rota.order:
        raise UserError(_("The rota for m{number} is empty; join it, or set it.").format(
            number=meeting.number), f"!rota m{meeting.number} join")
    reader, _default = await zone_of(ctx)
    slots = await upcoming(ctx.db, row, meeting, ctx.now, SHOWN)
    if not slots:
        msg.text(_("m{number} has no upcoming occurrences.").format(number=meeting.number))
        msg.line()
    for slot in slots:
        msg.text(f"• {format_local(slot.occurrence.start_utc, reader)} — ")
        for index, role in enumerate(row.rota.roles):
            msg.text(" · " if index else "").text(f"{role_label(role)} ")
            _holder(ctx, msg, slot.holders.get(role))
        if slot.swapped:
            # Translators: after an occurrence's roles, when a swap changed who holds them.
            msg.text(" " + _("(swapped)"))
        if slot.away:
            # Translators: followed by the names of members who are away that day.
            names(ctx, msg.text(" · " + _("away:") + " "), slot.away)
        if slot.holiday:
            # Translators: followed by the names of members on a public holiday or day off.
            names(ctx, msg.text(" · " + _("on holiday:") + " "), slot.holiday)
        if slot.skipped:
            # Translators: followed by the names of members who skip that occurrence.
            names(ctx, msg.text(" · " + _("skipping:") + " "), slot.skipped)
        msg.line()
    held = await turns_held(ctx.db, ctx.room_id, None, ctx.now, row.id)
    msg.text(_("Turns so far:")).line()
    for member in row.rota.order:
        counts = " · ".join(f"{role_name(role)} {held.get(member, {}).get(role, 0)}"
                            for role in row.rota.roles)
        names(ctx, msg.text("  "), [member]).text(f" — {counts}").line()
    # Translators: followed by the members of the rota in the order they take turns.
    return names(ctx, msg.text(_("Order:") + " "), row.rota.order, " → ")


async def show(ctx: Context, meeting: Meeting, row: RotaRow, dropped: list[str]) -> None:
    msg = Msg().bold(_("Rota for m{number}: {title}").format(number=meeting.number,
                                                            title=meeting.title)).line()
    for user in dropped:
        # Translators: followed by the name of a member removed from the rota.
        names(ctx, msg.text(_("Dropped (left the room):") + " "), [user]).line()
    ctx.reply(await table(ctx, msg, meeting, row))


async def set_order(ctx: Context, meeting: Meeting, row: RotaRow | None, text: str) -> None:
    example = EXAMPLE_SET.replace("m1", f"m{meeting.number}")
    require_owner(ctx, meeting, "set the rota of")
    people, leftover = people_in(ctx, text, example)
    if leftover:
        raise UserError(_("I don't know who “{name}” is. Mention each person (a pill), or "
                          "write their full Matrix id.").format(name=leftover[:60]), example)
    if not people:
        raise UserError(_("A rota needs people: name them in the order they take turns."),
                        example)
    check_in_room(ctx, people, example)
    if row is None:
        await create_rota(ctx.db.conn, room_id=ctx.room_id, meeting_id=meeting.id,
                          roles=DEFAULT_ROLES, created_by=ctx.sender, now=ctx.now)
        row = await get_rota(ctx.db, meeting.id)
        assert row is not None
    rota = reordered(row.rota, people)
    await _save(ctx, meeting, row, rota)
    msg = Msg().text(_("Rota for m{number} {title} set. Newcomers start level with the "
                       "fewest turns; nobody owes past turns.").format(
                           number=meeting.number, title=meeting.title)).line()
    ctx.reply(await table(ctx, msg, meeting, replace(row, rota=rota)))


async def set_roles(ctx: Context, meeting: Meeting, row: RotaRow | None, text: str) -> None:
    example = _(ROLES_EXAMPLE).replace("m1", f"m{meeting.number}", 1)
    require_owner(ctx, meeting, "change the roles of")
    roles = tuple(dict.fromkeys(text.lower().replace(",", " ").split()))
    if not roles or len(roles) > MAX_ROLES:
        raise UserError(ngettext("Give one to {count} role, the most important first.",
                                 "Give one to {count} roles, the most important first.",
                                 MAX_ROLES).format(count=MAX_ROLES), example)
    for role in roles:
        if not ROLE_NAME.fullmatch(role):
            raise UserError(_("“{role}” can't be a role name: one word of letters, digits or "
                              "dashes, up to 20 characters.").format(role=role[:30]), example)
    shown = ", ".join(role_name(role) for role in roles)
    if row is None:
        await create_rota(ctx.db.conn, room_id=ctx.room_id, meeting_id=meeting.id,
                          roles=roles, created_by=ctx.sender, now=ctx.now)
        # Translators: followed by an example command that names the people.
        ctx.reply(Msg().text(_("Roles for m{number}: {roles}. Now name the people:").format(
            number=meeting.number, roles=shown) + " ").code(
                EXAMPLE_SET.replace("m1", f"m{meeting.number}")))
        return
    rota = with_roles(row.rota, roles)
    await _save(ctx, meeting, row, rota)
    msg = Msg().text(_("Roles for m{number}: {roles}. New roles start everyone at zero, in "
                       "rota order.").format(number=meeting.number, roles=shown)).line()
    if not rota.order:
        ctx.reply(msg.text(_("Nobody is on the rota yet.")))
        return
    ctx.reply(await table(ctx, msg, meeting, replace(row, rota=rota)))


async def join_or_leave(ctx: Context, meeting: Meeting, row: RotaRow, joining: bool) -> None:
    on = ctx.sender in row.rota.order
    if joining and on:
        raise UserError(_("You are already on the rota for m{number}.").format(
            number=meeting.number), f"!rota m{meeting.number}")
    if not joining:
        check_on_rota(row, ctx.sender, meeting, True)
    rota = joined(row.rota, ctx.sender) if joining else left(row.rota, ctx.sender)
    await _save(ctx, meeting, row, rota)
    if joining:
        msg = Msg().text(_("You joined the rota for m{number}, at the end of the order, level "
                           "with those who have had the fewest turns.").format(
                               number=meeting.number)).line()
        ctx.reply(await table(ctx, msg, meeting, replace(row, rota=rota)))
    else:
        # Translators: followed by the command to join again.
        ctx.reply(Msg().text(_("You left the rota for m{number}; your past turns stay in the "
                               "history. Come back with").format(number=meeting.number) + " ")
                  .code(f"!rota m{meeting.number} join"))


async def skip(ctx: Context, meeting: Meeting, row: RotaRow, text: str) -> None:
    example = f"!rota m{meeting.number} skip @bob:example.org 2026-12-10"
    people, date_text = people_in(ctx, text, example)
    if len(people) > 1:
        raise UserError(_("Skip one person at a time."), example)
    who = people[0] if people else ctx.sender
    if who != ctx.sender:
        require_owner(ctx, meeting, "skip others on the rota of")
    check_on_rota(row, who, meeting, who == ctx.sender, ctx.room.display_name(who))
    if date_text:
        target = await occurrence_at(ctx, meeting, date_text, example)
    else:
        slots = await upcoming(ctx.db, row, meeting, ctx.now, LOOK_AHEAD)
        due = next((s for s in slots if who in s.holders.values()), None)
        if due is None:
            raise UserError(ngettext(
                "{user} has no turn in the next {count} occurrence; give a date to skip anyway.",
                "{user} has no turn in the next {count} occurrences; give a date to skip anyway.",
                LOOK_AHEAD).format(user=ctx.room.display_name(who), count=LOOK_AHEAD), example)
        target = due.occurrence
    await add_skip(ctx.db.conn, row.id, target.original_local, who, ctx.sender, ctx.now)
    ctx.changed.add((ChangeKind.ROTA, meeting.id))
    slot = (await upcoming(ctx.db, row, meeting, target.start_utc - TICK, 1))[0]
    zone, _default = await zone_of(ctx)
    # Translators: after a member's name: "Bob skips m3 on Thu 3 Dec 2026, 11:00 (UTC):",
    # followed by who holds each role then.
    msg = names(ctx, Msg(), [who]).text(" " + _("skips m{number} on {when}:").format(
        number=meeting.number, when=format_local(target.start_utc, zone)) + " ")
    for index, role in enumerate(row.rota.roles):
        msg.text(" · " if index else "").text(f"{role_label(role)} ")
        _holder(ctx, msg, slot.holders.get(role))
    ctx.reply(msg.line().text(_("Nobody loses or gains turns: the skipped person is first in "
                                "line for the following turn.")))


def _holder(ctx: Context, msg: Msg, who: str | None) -> None:
    if who:
        names(ctx, msg, [who])
    else:
        # Translators: in place of a name, when nobody can take a rota role.
        msg.italic(_("nobody available"))


async def _save(ctx: Context, meeting: Meeting, row: RotaRow, rota: Rota) -> None:
    await save_rota(ctx.db.conn, row.id, rota)
    ctx.changed.add((ChangeKind.ROTA, meeting.id))


cmds = CommandSet()


@cmds.command(
    "rota",
    summary=N_("Share facilitation and note-taking fairly across a meeting series."),
    # Translators: keep the command words (set, roles, join, leave, skip, swap).
    usage=N_("!rota <id> [set @a @b …|roles <role> …|join|leave|skip [@who] [<date>]|"
             "swap <date> [@a] @b]"),
    examples=EXAMPLES,
    args=(Arg("text", optional=True, rest=True),),
    target=Arg("id", parse_ref),
)
async def rota_cmd(ctx: Context, text: str | None) -> None:
    """`!rota` without a meeting, with a word that is not one, or with an unknown verb."""
    ref, rest = take_token(text or "")
    if not ref:
        raise UserError(_("Which meeting's rota? Give its id."), "!rota m1")
    parse_ref(ref)  # not a meeting id: says so
    action, rest = take_token(rest)
    action = action.lower()
    raise UserError(_("I don't know “{word}” for !rota.").format(word=action[:30]),
                    "!rota m1 skip")


# What follows the verb: people, roles, a date; or nothing, for show, join and leave.
TEXT = Arg("text", optional=True, rest=True, default="")


@rota_cmd.verb("", aliases=("show",), args=(TEXT,))
async def rota_show(ctx: Context, id: int, text: str) -> None:
    meeting, row, dropped = await loaded(ctx, id, text)
    await show(ctx, meeting, row, dropped)


@rota_cmd.verb("set", args=(TEXT,))
async def rota_set(ctx: Context, id: int, text: str) -> None:
    meeting, row, _dropped = await load(ctx, id, required=False)
    await set_order(ctx, meeting, row, text)


@rota_cmd.verb("roles", args=(TEXT,))
async def rota_roles(ctx: Context, id: int, text: str) -> None:
    meeting, row, _dropped = await load(ctx, id, required=False)
    await set_roles(ctx, meeting, row, text)


@rota_cmd.verb("join", args=(TEXT,))
async def rota_join(ctx: Context, id: int, text: str) -> None:
    meeting, row, _dropped = await loaded(ctx, id, text)
    await join_or_leave(ctx, meeting, row, True)


@rota_cmd.verb("leave", args=(TEXT,))
async def rota_leave(ctx: Context, id: int, text: str) -> None:
    meeting, row, _dropped = await loaded(ctx, id, text)
    await join_or_leave(ctx, meeting, row, False)


@rota_cmd.verb("skip", args=(TEXT,))
async def rota_skip(ctx: Context, id: int, text: str) -> None:
    meeting, row, _dropped = await load(ctx, id)
    assert row is not None
    await skip(ctx, meeting, row, text)


@rota_cmd.verb("swap", args=(TEXT,))
async def rota_swap_cmd(ctx: Context, id: int, text: str) -> None:
    await rota_swap.swap(ctx, id, text)


async def loaded(ctx: Context, number: int, extra: str) -> tuple[Meeting, RotaRow, list[str]]:
    """The meeting and its rota, for a verb that takes nothing more than the meeting."""
    meeting, row, dropped = await load(ctx, number)
    assert row is not None
    if extra:
        raise UserError(_("I didn't expect {text} there.").format(text=repr(extra[:40])),
                        f"!rota m{number}")
    return meeting, row, dropped


@rota_cmd.sub("confirm", summary=N_("Agree to a swap someone asked you for."),
              usage="!rota confirm", examples=("!rota confirm",))
async def confirm(ctx: Context) -> None:
    await rota_swap.confirm_latest(ctx)


@cmds.on("reaction", "rota-swap:")
async def reacted(ctx: Context, interaction: Interaction) -> bool:
    return await rota_swap.on_reaction(ctx, interaction.key, interaction.text)

