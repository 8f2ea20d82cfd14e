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

from commands.action_common import (
    EXAMPLE,
    action_line,
    assemble,
    check_text,
    day_in_zone,
    due_part,
    find_action,
    note_presence,
    owners_part,
    read_due,
    require_say,
    room_zones,
    split_due,
    take_owners,
    zone_for,
)
from commands.common import zone_of
from commands.context import Context
from commands.domain.due import END_OF_DAY, format_due, parse_number
from commands.domain.when import localize
from commands.domain.zones import zone_info
from commands.errors import UserError
from commands.meetings import parse_days
from commands.reply import Msg
from commands.router import Arg, Interaction, Router, take_token
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
VERBS = frozenset({"due", "owner", "owners", "edit", "drop", "note", "done"})
MAX_LISTED = 50  # a list longer than this says how to narrow it instead


async def close(ctx: Context, action: Action) -> Msg:
    """Close an item, crediting whoever closed it; closing twice only says who did."""
    if action.closed_at is not None:
        who = ctx.room.display_name(action.closed_by or "")
        return Msg().text(f"#{action.number} was already closed by {who} on "
                          f"{await day_in_zone(ctx, action.closed_at)}.")
    await update_action(ctx.db.conn, action.id, ctx.now, closed_at=iso(ctx.now),
                        closed_by=ctx.sender)
    return Msg().text("Closed ").bold(action.ref).text(f" {action.text} — done by ").mention(
        ctx.sender, ctx.room.display_name(ctx.sender), notify=False).text(". Thank you!")


async def add(ctx: Context, text: str) -> None:
    """`[@who …] <text> [due <when>]`: the confirmation carries the key ✅ is routed by."""
    minutes = await note_presence(ctx)
    owners, rest = take_owners(ctx, text)
    owners = owners or [ctx.sender]
    body, when = split_due(rest)
    body = check_text(body)
    short = body if len(body) <= 40 else body[:40].rsplit(" ", 1)[0]
    due = await read_due(ctx, when, owners[0], f"!action {short} due fri",
                         in_text=True) if when else None
    action_id, number = await insert_action(
        ctx.db.conn, room_id=ctx.room_id, text=body, owners=owners,
        due=due.instant if due else None, created_by=ctx.sender, now=ctx.now,
        minutes_id=minutes.id if minutes else None,
        meeting_id=minutes.meeting_id if minutes else None,
        occurrence_local=minutes.occurrence_local if minutes else None)
    action = await get_action(ctx.db, ctx.room_id, number)
    assert action is not None
    ctx.changed.add(("action", action_id))
    zone, is_default = await zone_of(ctx, owners[0])
    msg = Msg(key=f"action:{ctx.room_id}:{number}").text("Action ").bold(f"#{number}")
    owners_part(msg.text(" for "), action, ctx.room, frozenset(owners) - {ctx.sender})
    msg.text(f": {body}")
    if action.due:
        msg.text(f" — due {format_due(action.due, zone, ctx.now)}")
    msg.text(".").line()
    if action.due and is_default:
        msg.text(f"{ctx.room.display_name(owners[0])} has no time zone set, so I used the "
                 f"room's ({zone}).").line()
    if minutes:
        msg.text("Recorded in the minutes.").line()
    ctx.reply(msg.text("Done? React ✅ to this message or send ").code(f"!done {number}"))


async def follow_owner(ctx: Context, action: Action, owner: str) -> None:
    """An "end of day" due date moves to the end of the same day where the new owner lives."""
    if action.due is None or not action.owners:
        return
    old_zone, _ = await zone_of(ctx, action.owners[0])
    local = action.due.astimezone(zone_info(old_zone)).replace(tzinfo=None)
    if local.time() == END_OF_DAY:
        new_zone, _ = await zone_of(ctx, owner)
        due, _ = localize(local, new_zone)
        await update_action(ctx.db.conn, action.id, ctx.now, due_utc=iso(due))


async def show(ctx: Context, action: Action) -> None:
    """`!action <n>`: one item with its owners, due date, state and notes."""
    zones, default = await room_zones(ctx, [action])
    msg = Msg().bold(action.ref).text(f" {action.text}").line()
    if action.owners:
        owners_part(msg.text("Owner: " if len(action.owners) == 1 else "Owners: "), action,
                    ctx.room)
    due_part(msg, action, zone_for(action, zones, default), ctx.now).line()
    if action.closed_at:
        msg.text(f"Closed by {ctx.room.display_name(action.closed_by or '')} on "
                 f"{await day_in_zone(ctx, action.closed_at)}.").line()
    msg.text(f"Added by {ctx.room.display_name(action.created_by)} on "
             f"{await day_in_zone(ctx, action.created_at)}.").line()
    for text, who, when in await notes(ctx.db, action.id):
        msg.text(f"• {text} — {ctx.room.display_name(who)}, {await day_in_zone(ctx, when)}").line()
    ctx.reply(msg)


async def change(ctx: Context, number: int, text: str) -> None:
    """`!action <n> due|owner|edit|drop|note|done …`."""
    action = await find_action(ctx, number)
    await note_presence(ctx)
    verb, rest = take_token(text)
    verb, rest, n = verb.lower(), rest.strip(), action.number
    if not verb:
        await show(ctx, action)
        return
    if verb in ("due", "owner", "owners", "edit", "drop"):
        require_say(ctx, action, "change it")
    if verb == "due":
        if rest.lower() in ("none", "off", "clear", "-"):
            await update_action(ctx.db.conn, action.id, ctx.now, due_utc=None)
            ctx.reply(Msg().text(f"#{n} has no due date now."))
            return
        if not rest:
            raise UserError("Give the new due date.", f"!action {n} due next week")
        owner = action.owners[0] if action.owners else ctx.sender
        due = await read_due(ctx, rest, owner, f"!action {n} due next week")
        await update_action(ctx.db.conn, action.id, ctx.now, due_utc=iso(due.instant))
        ctx.changed.add(("action", action.id))
        zone, _ = await zone_of(ctx, owner)
        ctx.reply(Msg().text(f"#{n} is now due {format_due(due.instant, zone, ctx.now)}."))
    elif verb in ("owner", "owners"):
        owners, leftover = take_owners(ctx, rest)
        if not owners or leftover:
            raise UserError("Name the new owner(s) with @, and nothing else.",
                            f"!action {n} owner @bob")
        await set_owners(ctx.db.conn, action.id, owners)
        await follow_owner(ctx, action, owners[0])
        ctx.changed.add(("action", action.id))
        changed = await find_action(ctx, n)
        msg = owners_part(Msg().text(f"#{n} now belongs to "), changed, ctx.room,
                          frozenset(owners) - {ctx.sender})
        if changed.due:
            zone, _ = await zone_of(ctx, owners[0])
            msg.text(f", due {format_due(changed.due, zone, ctx.now)}")
        ctx.reply(msg.text("."))
    elif verb == "edit":
        new = check_text(rest, f"!action {n} edit Send the final budget")
        await update_action(ctx.db.conn, action.id, ctx.now, text=new)
        ctx.reply(Msg().text(f"#{n} now reads: {new}"))
    elif verb == "drop":
        await update_action(ctx.db.conn, action.id, ctx.now, dropped_at=iso(ctx.now),
                            dropped_by=ctx.sender)
        ctx.reply(Msg().text(f"Dropped #{n} ({action.text[:80]}). It no longer appears in "
                             "lists or digests."))
    elif verb == "note":
        note = check_text(rest, f"!action {n} note Draft shared with the board")
        await add_note(ctx.db.conn, action.id, note, ctx.sender, ctx.now)
        ctx.reply(Msg().text(f"Noted on #{n}."))
    elif verb == "done":
        ctx.reply(await close(ctx, action))
    else:
        raise UserError(f"I don't know {verb[:20]!r} for an action: use due, owner, edit, "
                        "drop or note.", f"!action {n} due fri")


def register(router: Router) -> None:
    @router.command(
        "action",
        summary="Add an action item (owners, due date), or change one by its number.",
        usage="!action [@who …] <text> [due <when>] · !action <n> [due|owner|edit|drop|note] …",
        examples=(EXAMPLE, "!action Book the venue due 2026-12-10",
                  "!action 12 due next week", "!action 12 owner @carol",
                  "!action 12 note Draft shared"),
        args=(Arg("text", optional=True, rest=True),))
    async def action_cmd(ctx: Context, text: str | None) -> None:
        if not text:
            raise UserError("What is the action? Give its text.", EXAMPLE)
        first, after = take_token(text)
        verb = take_token(after)[0].lower()
        if re.fullmatch(r"#?[0-9]{1,9}", first) and (not verb or verb in VERBS):
            await change(ctx, parse_number(first), after)
        else:
            await add(ctx, text)

    @router.command(
        "actions", summary="The room's open action items, overdue first.",
        usage="!actions [mine | @who | overdue | done [<days>d]]",
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
                raise UserError("Say mine, overdue, done 7d, or name one member with @.",
                                "!actions @bob")
            owner = owners[0]
        items, total, late = await open_page(ctx.db, ctx.room_id, owner, ctx.now,
                                             overdue_only=word == "overdue", limit=MAX_LISTED)
        whose = "" if owner is None else f" for {ctx.room.display_name(owner)}"
        if not items:
            ctx.reply(Msg().text(f"Nothing {'overdue' if word == 'overdue' else 'open'}{whose}"
                                 ". Add an item with ").code(EXAMPLE))
            return
        zones, default = await room_zones(ctx, items)
        head = Msg().bold(f"Open actions{whose}: {total}").text(
            f" ({late} overdue)" if late else "").line()
        blocks = [head] + [action_line(Msg(), a, ctx.room, zones, default, ctx.now)
                           for a in items]
        if total > MAX_LISTED:
            blocks.append(Msg().text(f"… and {total - MAX_LISTED} more; narrow it with ")
                          .code("!actions mine").text(" or ").code("!actions overdue"))
        for msg in assemble(blocks):
            ctx.reply(msg)

    @router.command("done", summary="Close action items (a ✅ on their message works too).",
                    usage="!done <n> [<n> …]", examples=("!done 12", "!done 3 4"),
                    args=(Arg("numbers", rest=True),))
    async def done(ctx: Context, numbers: str) -> None:
        await note_presence(ctx)
        msg = Msg()
        for word in numbers.replace(",", " ").split()[:20]:
            number = _number(word, "!done 12")
            msg.parts.extend((await close(ctx, await find_action(ctx, number))).parts)
            msg.line()
        ctx.reply(msg)

    @router.command("reopen", summary="Reopen a closed action item.", usage="!reopen <n>",
                    examples=("!reopen 12",), args=(Arg("number", rest=True),))
    async def reopen(ctx: Context, number: str) -> None:
        await note_presence(ctx)
        action = await find_action(ctx, _number(number, "!reopen 12"))
        if action.closed_at is None:
            ctx.reply(Msg().text(f"#{action.number} is still open."))
            return
        await update_action(ctx.db.conn, action.id, ctx.now, closed_at=None, closed_by=None)
        ctx.changed.add(("action", action.id))
        ctx.reply(Msg().text("Reopened ").bold(action.ref).text(f" {action.text}."))

    @router.on("reaction", "action:")
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
        ctx.reply(await close(ctx, action))
        return True


async def list_closed(ctx: Context, days_text: str) -> None:
    """`!actions done 7d`: what got done recently, and by whom."""
    try:
        days = parse_days(days_text)
    except ValueError as err:
        raise UserError(str(err), "!actions done 7d") from None
    items = await closed_since(ctx.db, ctx.room_id, ctx.now - timedelta(days=days))
    if not items:
        ctx.reply(Msg().text(f"Nothing was closed in the last {days} days."))
        return
    blocks = [Msg().bold(f"Closed in the last {days} days: {len(items)}").line()]
    for action in items[-MAX_LISTED:]:
        closer = action.closed_by or action.created_by
        assert action.closed_at is not None
        blocks.append(Msg().text("✓ ").bold(action.ref).text(f" {action.text} — done by ")
                      .mention(closer, ctx.room.display_name(closer), notify=False)
                      .text(f", {await day_in_zone(ctx, action.closed_at)}").line())
    for msg in assemble(blocks):
        ctx.reply(msg)


def _number(word: str, example: str) -> int:
    try:
        return parse_number(word)
    except ValueError as err:
        raise UserError(str(err), example) from None
