"""`!action`, `!actions`, `!done`, `!reopen`, and ✅ on an item's message.

Items belong to one room and are numbered per room (#1, #2 …). Owners are the members
named first (`!action @bob @carol …`), else the sender; due dates are read in the first
owner's zone. While minutes are open, a new item is recorded into them. A ✅ works on the
messages that are about one item (its confirmation, its overdue nudge): a reaction on one
line of a list cannot say which item it meant.
"""

from __future__ import annotations

import re
from datetime import timedelta

from commands.actions.common import (
    EXAMPLE,
    action_line,
    check_text,
    closed_heading,
    day_in_zone,
    due_part,
    find_action,
    may_change,
    note_presence,
    open_heading,
    overdue_count,
    owners_part,
    read_due,
    refusal,
    require_say,
    room_zones,
    take_owners,
    zone_for,
)
from commands.common import zone_of
from commands.context import ChangeKind, Context
from commands.errors import UserError, errors_show
from commands.meetings.commands import parse_days
from commands.reply import Msg, Span, assemble, bolded, coded, fill
from commands.router import Arg, CommandSet, Interaction
from domain.due import END_OF_DAY, format_due, parse_number, parse_numbers, split_due_clause
from domain.i18n import N_, _, ngettext
from domain.when import localize
from domain.zones import zone_info
from storage.actions import (
    Action,
    add_note,
    closed_since,
    get_action,
    insert_action,
    notes,
    open_page,
    set_owners,
    update_action,
)
from storage.meetings import iso

DONE_EMOJI = frozenset({"✅", "✔", "☑", "✔️", "☑️"})
MAX_LISTED = 50  # a list longer than this says how to narrow it instead


async def close(ctx: Context, action: Action) -> Msg:
    """Close an item, crediting whoever closed it; closing twice only says who did.

    Only whoever added it, its owners and moderators may close it (`require_say`)."""
    if action.closed_at is not None:
        who = ctx.room.display_name(action.closed_by or "")
        # Translators: {day} is a date such as "Wed 25 Nov".
        return Msg().text(_("#{number} was already closed by {name} on {day}.").format(
            number=action.number, name=who, day=await day_in_zone(ctx, action.closed_at)))
    require_say(ctx, action, "close")
    await update_action(ctx.db.conn, action.id, ctx.now, closed_at=iso(ctx.now),
                        closed_by=ctx.sender)
    # Translators: {ref} is the item's number ("#12"), {text} its text, {name} a member.
    return fill(Msg(), _("Closed {ref} {text} — done by {name}. Thank you!"),
                ref=bolded(action.ref), text=action.text,
                name=lambda m: m.mention(ctx.sender, ctx.room.display_name(ctx.sender),
                                         notify=False))


async def add(ctx: Context, text: str) -> None:
    """`[@who …] <text> [due <when>]`: the confirmation carries the key ✅ is routed by."""
    minutes = await note_presence(ctx)
    owners, rest = take_owners(ctx, text)
    owners = owners or [ctx.sender]
    body, when = split_due_clause(rest)
    body = check_text(body)
    short = body if len(body) <= 40 else body[:40].rsplit(" ", 1)[0]
    # Translators: an example command: keep "!action" and "due"; {text} is the member's text.
    example = _("!action {text} due fri").format(text=short)
    due = await read_due(ctx, when, owners[0], example, typed=f"!action {text.strip()}",
                         in_text=True) if when else None
    action_id, number = await insert_action(
        ctx.db.conn, room_id=ctx.room_id, text=body, owners=owners,
        due=due.instant if due else None, created_by=ctx.sender, now=ctx.now,
        minutes_id=minutes.id if minutes else None,
        meeting_id=minutes.meeting_id if minutes else None,
        occurrence_local=minutes.occurrence_local if minutes else None)
    action = await get_action(ctx.db, ctx.room_id, number)
    assert action is not None
    ctx.changed.add((ChangeKind.ACTION, action_id))
    zone, is_default = await zone_of(ctx, owners[0])
    msg = Msg(key=f"action:{ctx.room_id}:{number}")
    spans: dict[str, object] = {
        "ref": bolded(f"#{number}"),
        "owners": lambda m: owners_part(m, action, ctx.room, frozenset(owners) - {ctx.sender}),
        "text": body}
    if action.due:
        # Translators: {ref} is "#12", {owners} one or more members, {text} the item's text,
        # {when} its due date.
        fill(msg, _("Action {ref} for {owners}: {text} — due {when}."), **spans,
             when=format_due(action.due, zone, ctx.now)).line()
    else:
        fill(msg, _("Action {ref} for {owners}: {text}."), **spans).line()
    if action.due and is_default:
        # Translators: {zone} is a time zone such as "Africa/Nairobi".
        msg.text(_("{name} has no time zone set, so I used the room's ({zone}).").format(
            name=ctx.room.display_name(owners[0]), zone=zone)).line()
    if minutes:
        msg.text(_("Recorded in the minutes.")).line()
    ctx.reply(fill(msg, _("Done? React ✅ to this message or send {command}"),
                   command=coded(f"!done {number}")))


async def follow_owner(ctx: Context, action: Action, owner: str) -> None:
    """An "end of day" due date moves to the end of the same day where the new owner lives."""
    if action.due is None or not action.owners:
        return
    old_zone, _default = await zone_of(ctx, action.owners[0])
    local = action.due.astimezone(zone_info(old_zone)).replace(tzinfo=None)
    if local.time() == END_OF_DAY:
        new_zone, _default = await zone_of(ctx, owner)
        due, _shift = localize(local, new_zone)
        await update_action(ctx.db.conn, action.id, ctx.now, due_utc=iso(due))


async def show(ctx: Context, action: Action) -> None:
    """`!action <n>`: one item with its owners, due date, state and notes."""
    zones, default = await room_zones(ctx, [action])
    msg = Msg().bold(action.ref).text(f" {action.text}").line()
    if action.owners:
        names: Span = lambda m: owners_part(m, action, ctx.room)  # noqa: E731
        if len(action.owners) == 1:
            fill(msg, _("Owner: {names}"), names=names)
        else:
            fill(msg, _("Owners: {names}"), names=names)
    due_part(msg, action, zone_for(action, zones, default), ctx.now).line()
    if action.closed_at:
        msg.text(_("Closed by {name} on {day}.").format(
            name=ctx.room.display_name(action.closed_by or ""),
            day=await day_in_zone(ctx, action.closed_at))).line()
    msg.text(_("Added by {name} on {day}.").format(
        name=ctx.room.display_name(action.created_by),
        day=await day_in_zone(ctx, action.created_at))).line()
    for text, who, when in await notes(ctx.db, action.id):
        msg.text(f"• {text} — {ctx.room.display_name(who)}, {await day_in_zone(ctx, when)}").line()
    ctx.reply(msg)


cmds = CommandSet()


@cmds.command(
    "action",
    summary=N_("Add an action item (owners, due date), or change one by its number."),
    usage=N_("!action [@who …] <text> [due <when>] · "
             "!action <n> [due|owner|edit|drop|note] …"),
    examples=(EXAMPLE, N_("!action Book the venue due 2026-12-10"),
              N_("!action 12 due next week"), "!action 12 owner @carol",
              N_("!action 12 note Draft shared")),
    args=(Arg("text", optional=True, rest=True),),
    target=Arg("number", parse_number))
async def action_cmd(ctx: Context, text: str | None) -> None:
    """A new item. `!action <n>` and a verb is one of the verbs below; any other text is
    the new item's (`!action 12 chairs for the hall`)."""
    if not text:
        raise UserError(_("What is the action? Give its text."), _(EXAMPLE))
    await add(ctx, text)


async def changing(ctx: Context, number: int, *, say: bool = False) -> Action:
    """Item `number`, for one of its verbs (whoever uses one is present in open minutes);
    `say`: only whoever added it, its owners and moderators may do this."""
    action = await find_action(ctx, number)
    await note_presence(ctx)
    if say:
        require_say(ctx, action)
    return action


# Whatever follows the verb: a date, owners, a text.
REST = Arg("rest", optional=True, rest=True, default="")


@action_cmd.verb("")
async def action_show(ctx: Context, number: int) -> None:
    """`!action <n>`: the item with its owners, due date, state and notes."""
    await show(ctx, await changing(ctx, number))


@action_cmd.verb("due", args=(REST,))
async def action_due(ctx: Context, number: int, rest: str) -> None:
    action = await changing(ctx, number, say=True)
    n = action.number
    if rest.lower() in ("none", "off", "clear", "-"):
        await update_action(ctx.db.conn, action.id, ctx.now, due_utc=None)
        ctx.reply(Msg().text(_("#{number} has no due date now.").format(number=n)))
        return
    # Translators: an example command: keep "!action" and "due"; {number} is an item's.
    example = _("!action {number} due next week").format(number=n)
    if not rest:
        raise UserError(_("Give the new due date."), example)
    owner = action.owners[0] if action.owners else ctx.sender
    due = await read_due(ctx, rest, owner, example, typed=f"!action {n} due {rest}")
    await update_action(ctx.db.conn, action.id, ctx.now, due_utc=iso(due.instant))
    ctx.changed.add((ChangeKind.ACTION, action.id))
    zone, _default = await zone_of(ctx, owner)
    ctx.reply(Msg().text(_("#{number} is now due {when}.").format(
        number=n, when=format_due(due.instant, zone, ctx.now))))


@action_cmd.verb("owner", aliases=("owners",), args=(REST,))
async def action_owner(ctx: Context, number: int, rest: str) -> None:
    action = await changing(ctx, number, say=True)
    n = action.number
    owners, leftover = take_owners(ctx, rest)
    if not owners or leftover:
        raise UserError(_("Name the new owner(s) with @, and nothing else."),
                        f"!action {n} owner @bob")
    await set_owners(ctx.db.conn, action.id, owners)
    await follow_owner(ctx, action, owners[0])
    ctx.changed.add((ChangeKind.ACTION, action.id))
    changed = await find_action(ctx, n)
    new_owners: Span = lambda m: owners_part(  # noqa: E731
        m, changed, ctx.room, frozenset(owners) - {ctx.sender})
    if changed.due:
        zone, _default = await zone_of(ctx, owners[0])
        # Translators: {owners} is one or more members, {when} a due date.
        ctx.reply(fill(Msg(), _("#{number} now belongs to {owners}, due {when}."),
                       number=n, owners=new_owners,
                       when=format_due(changed.due, zone, ctx.now)))
    else:
        ctx.reply(fill(Msg(), _("#{number} now belongs to {owners}."), number=n,
                       owners=new_owners))


@action_cmd.verb("edit", args=(REST,))
async def action_edit(ctx: Context, number: int, rest: str) -> None:
    action = await changing(ctx, number, say=True)
    n = action.number
    # Translators: an example command: keep "!action" and "edit"; translate the text.
    new = check_text(rest, _("!action {number} edit Send the final budget").format(number=n))
    await update_action(ctx.db.conn, action.id, ctx.now, text=new)
    ctx.reply(Msg().text(_("#{number} now reads: {text}").format(number=n, text=new)))


# Words after `drop` and `done` ("done, thanks!") are not refused: they never were.
@action_cmd.verb("drop", must_consume_args=False)
async def action_drop(ctx: Context, number: int) -> None:
    action = await changing(ctx, number, say=True)
    await update_action(ctx.db.conn, action.id, ctx.now, dropped_at=iso(ctx.now),
                        dropped_by=ctx.sender)
    ctx.reply(Msg().text(_("Dropped #{number} ({text}). It no longer appears in lists or "
                           "digests.").format(number=action.number, text=action.text[:80])))


@action_cmd.verb("note", args=(REST,))
async def action_note(ctx: Context, number: int, rest: str) -> None:
    action = await changing(ctx, number)
    n = action.number
    # Translators: an example command: keep "!action" and "note"; translate the text.
    note = check_text(rest, _("!action {number} note Draft shared with the board").format(
        number=n))
    await add_note(ctx.db.conn, action.id, note, ctx.sender, ctx.now)
    ctx.reply(Msg().text(_("Noted on #{number}.").format(number=n)))


@action_cmd.verb("done", must_consume_args=False)
async def action_done(ctx: Context, number: int) -> None:
    ctx.reply(await close(ctx, await changing(ctx, number)))


@cmds.command(
    "actions", summary=N_("The room's open action items, overdue first."),
    usage=N_("!actions [mine | @who | overdue | done [<days>d]]"),
    examples=("!actions", "!actions mine", "!actions @bob", "!actions overdue",
              "!actions done 7d"),
    args=(Arg("which", optional=True, rest=True),))
async def actions_cmd(ctx: Context, which: str | None) -> None:
    await note_presence(ctx)
    which = (which or "").strip()
    word = which.lower()
    if word.split()[:1] == ["done"]:
        await list_closed(ctx, word[4:].strip() or "7d")
        return
    owner: str | None = None
    if word == "mine":
        owner = ctx.sender
    elif word not in ("", "all", "open", "overdue"):
        owners, rest = take_owners(ctx, which)
        if len(owners) != 1 or rest:
            # Translators: mine, overdue and done 7d are command words: keep them.
            raise UserError(_("Say mine, overdue, done 7d, or name one member with @."),
                            "!actions @bob")
        owner = owners[0]
    items, total, late = await open_page(ctx.db, ctx.room_id, owner, ctx.now,
                                         overdue_only=word == "overdue", limit=MAX_LISTED)
    name = ctx.room.display_name(owner) if owner is not None else ""
    if not items:
        if word == "overdue":
            nothing = (_("Nothing overdue. Add an item with {example}") if owner is None
                       else _("Nothing overdue for {name}. Add an item with {example}"))
        else:
            nothing = (_("Nothing open. Add an item with {example}") if owner is None
                       else _("Nothing open for {name}. Add an item with {example}"))
        ctx.reply(fill(Msg(), nothing, name=name, example=coded(_(EXAMPLE))))
        return
    zones, default = await room_zones(ctx, items)
    head = Msg().bold(open_heading(total, name))
    if late:
        head.text(" " + overdue_count(late))
    blocks = [head.line()] + [action_line(Msg(), a, ctx.room, zones, default, ctx.now)
                              for a in items]
    if total > MAX_LISTED:
        more = total - MAX_LISTED
        blocks.append(fill(Msg(), ngettext(
            "… and {count} more; narrow it with {mine} or {overdue}",
            "… and {count} more; narrow it with {mine} or {overdue}", more),
            count=more, mine=coded("!actions mine"), overdue=coded("!actions overdue")))
    for msg in assemble(blocks):
        ctx.reply(msg)


@cmds.command("done", summary=N_("Close action items (a ✅ on their message works too)."),
              usage=N_("!done <n> [<n> …]"), examples=("!done 12", "!done 3 4"),
              args=(Arg("numbers", parse_numbers, rest=True),))
async def done(ctx: Context, numbers: list[int]) -> None:
    await note_presence(ctx)
    msg = Msg()
    for number in numbers:
        action = await find_action(ctx, number)
        if len(numbers) > 1 and action.is_open and not may_change(ctx, action):
            msg.text(refusal(action, "close")).line()  # the others still close
            continue
        msg.parts.extend((await close(ctx, action)).parts)
        msg.line()
    ctx.reply(msg)


@cmds.command("reopen", summary=N_("Reopen a closed action item."),
              usage=N_("!reopen <n>"),
              examples=("!reopen 12",), args=(Arg("number", parse_number, rest=True),))
async def reopen(ctx: Context, number: int) -> None:
    await note_presence(ctx)
    action = await find_action(ctx, number)
    if action.closed_at is None:
        ctx.reply(Msg().text(_("#{number} is still open.").format(number=action.number)))
        return
    require_say(ctx, action, "reopen")
    await update_action(ctx.db.conn, action.id, ctx.now, closed_at=None, closed_by=None)
    ctx.changed.add((ChangeKind.ACTION, action.id))
    # Translators: {ref} is the item's number ("#12"), {text} its text.
    ctx.reply(fill(Msg(), _("Reopened {ref} {text}."), ref=bolded(action.ref),
                   text=action.text))


@cmds.on("reaction", "action:")
async def on_reaction(ctx: Context, interaction: Interaction) -> bool:
    """✅ on an item's confirmation or nudge closes it; other reactions are not ours."""
    prefix = f"action:{ctx.room_id}:"
    match = re.match(r"([0-9]+)(:|$)", (interaction.key or "")[len(prefix):])
    if (interaction.text.replace("\ufe0f", "") not in DONE_EMOJI
            or not (interaction.key or "").startswith(prefix) or not match):
        return False
    action = await get_action(ctx.db, ctx.room_id, int(match.group(1)))
    if action is None or not action.is_open:
        return True  # already closed or dropped: a reaction needs no answer
    await note_presence(ctx)
    if not may_change(ctx, action):
        # The ✅ is ignored, and said so once per member and item: the logical key makes
        # a repeated ✅ queue nothing new (the outbox drops a key it has seen).
        ctx.reply(Msg(key=f"action-refused:{ctx.room_id}:{action.number}:{ctx.sender}")
                  .text(_("Your ✅ did not close #{number}: only whoever added it, its "
                          "owners or a room moderator can. Ask one of them, or add what "
                          "you know as a note:").format(number=action.number) + " ")
                  .code(f"!action {action.number} note …"))
        return True
    ctx.reply(await close(ctx, action))
    return True


async def list_closed(ctx: Context, days_text: str) -> None:
    """`!actions done 7d`: what got done recently, and by whom."""
    with errors_show("!actions done 7d"):
        days = parse_days(days_text)
    items = await closed_since(ctx.db, ctx.room_id, ctx.now - timedelta(days=days))
    if not items:
        ctx.reply(Msg().text(ngettext("Nothing was closed in the last {days} day.",
                                      "Nothing was closed in the last {days} days.",
                                      days).format(days=days)))
        return
    blocks = [Msg().bold(closed_heading(days, len(items))).line()]
    for action in items[-MAX_LISTED:]:
        closer = action.closed_by or action.created_by
        assert action.closed_at is not None
        # Translators: {ref} is "#12", {text} the item's text, {name} who closed it, {day}
        # when ("Wed 25 Nov").
        blocks.append(fill(Msg().text("✓ "), _("{ref} {text} — done by {name}, {day}"),
                           ref=bolded(action.ref), text=action.text,
                           name=lambda m, u=closer: m.mention(u, ctx.room.display_name(u),
                                                              notify=False),
                           day=await day_in_zone(ctx, action.closed_at)).line())
    for msg in assemble(blocks):
        ctx.reply(msg)
