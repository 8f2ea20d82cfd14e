"""What the action, minutes and digest commands share: reading owners and due dates,
showing an item in its owners' zones, presence in open minutes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from commands.common import room_default_zone, zone_of
from commands.context import Context, RoomView
from commands.errors import PermissionDenied, UserError, errors_show, with_readings
from commands.jobs import JobEnv
from commands.reply import Msg
from domain.due import (
    Due,
    DuePassed,
    clean_text,
    day_words,
    format_due,
    leading_people,
    overdue_by,
    parse_due,
)
from domain.i18n import N_, _, ngettext
from domain.when import WhenError
from domain.zones import ZoneError, zone_info
from storage import rooms
from storage.actions import Action, get_action
from storage.db import Database
from storage.members import get_members
from storage.minutes import Minutes, attend, open_minutes
from storage.state import get_value, set_value

# Translators: an example command; keep "!action" and "due" (command words), translate the
# text of the item.
EXAMPLE = N_("!action @bob Send the budget draft due fri")
CONFIG_ZONE_KEY = "actions:config_default_zone"
# What an empty item or minutes line is told, by kind (`what`).
_NO_TEXT = {
    "action": N_("What is the action? Give its text."),
    "decision": N_("What is the decision? Give its text."),
    "info": N_("What is the info? Give its text."),
}


def check_text(text: str, example: str | None = None, what: str = "action") -> str:
    """The text of an item or a minutes line, or a reply saying what is wrong with it.

    `example` is shown as it is (already translated); the default is `EXAMPLE`'s."""
    example = _(EXAMPLE) if example is None else example
    if not text.split() and what in _NO_TEXT:
        raise UserError(_(_NO_TEXT[what]), example)
    with errors_show(example):
        return clean_text(text, what)


def take_owners(ctx: Context, text: str) -> tuple[list[str], str]:
    """Leading mentions → owners (members of this room only), and the rest of the text;
    whichever command asks (`!actions @who` too), a bad name shows how `!action` names."""
    with errors_show(_(EXAMPLE)):
        owners, rest = leading_people(text, ctx.mentioned, ctx.room.members(),
                                      ctx.room.display_name, ctx.pills)
    return owners, rest


async def read_due(ctx: Context, when: str, owner: str, example: str, *, typed: str,
                   in_text: bool = False) -> Due:
    """A due date in the owner's zone; a past one is refused with a date to use instead.

    `typed` is the whole command as typed: a date with two readings is refused with the
    command for each. `in_text`: the date came from `<text> due <when>`, where the word
    "due" may have been meant as part of the text, so say how to keep it there. `example`
    is already translated and keeps the command word "due".
    """
    zone, _default = await zone_of(ctx, owner)
    try:
        return parse_due(when, ctx.now, zone)
    except DuePassed as err:
        at = typed.rfind(when)
        fixed = typed[:at] + err.suggestion if at >= 0 else re.sub(
            r"\bdue\s+\S.*$", f"due {err.suggestion}", example)
        raise UserError(str(err), fixed) from None
    except (WhenError, ZoneError) as err:
        if isinstance(err, WhenError) and err.readings:
            raise with_readings(err, typed, when) from None
        message = str(err)
        if in_text:
            # Translators: "due" is the command word of `!action <text> due <when>`; keep it.
            message += " " + _("To keep the word “due” in the text, put the text in quotes.")
        raise UserError(message, example) from None


async def find_action(ctx: Context, number: int) -> Action:
    """This room's item `number`; other rooms' items do not exist from here."""
    action = await get_action(ctx.db, ctx.room_id, number)
    if action is None:
        raise UserError(_("There is no action #{number} in this room.").format(number=number),
                        "!actions")
    if action.dropped_at is not None:
        raise UserError(_("Action #{number} was dropped.").format(number=number), "!actions")
    return action


# One rule for every change, by command or by ✅: whoever added the item, its owners and
# room moderators. One whole sentence per verb, so translators never glue a verb in.
_ONLY = {
    "change": N_("Only whoever added #{number}, its owners or a room moderator can change it."),
    "close": N_("Only whoever added #{number}, its owners or a room moderator can close it."),
    "reopen": N_("Only whoever added #{number}, its owners or a room moderator can reopen it."),
}


def may_change(ctx: Context, action: Action) -> bool:
    """Whoever added the item, its owners and room moderators may close, reopen or change it."""
    return ctx.sender in (action.created_by, *action.owners) or ctx.is_moderator()


def refusal(action: Action, verb: str = "change") -> str:
    """Why the sender may not `verb` ("change", "close", "reopen") this item."""
    return _(_ONLY[verb]).format(number=action.number)


def require_say(ctx: Context, action: Action, verb: str = "change") -> None:
    if not may_change(ctx, action):
        raise PermissionDenied(refusal(action, verb))


async def note_presence(ctx: Context) -> Minutes | None:
    """While minutes are open, everyone who uses a command here counts as present."""
    await remember_config_zone(ctx)
    minutes = await open_minutes(ctx.db, ctx.room_id, ctx.now)
    if minutes is not None:
        await attend(ctx.db.conn, minutes.id, ctx.sender, ctx.now)
    return minutes


async def remember_config_zone(ctx: Context | JobEnv) -> None:
    """Planners see only the DB: keep the configured default zone where they can read it."""
    if await get_value(ctx.db, CONFIG_ZONE_KEY) != ctx.settings.default_zone:
        await set_value(ctx.db.conn, CONFIG_ZONE_KEY, ctx.settings.default_zone)


async def planner_default_zone(db: Database, room_id: str) -> str:
    """`commands.common.room_zone` for a planner, which has no `Settings`: the configured
    zone is the one the last command or job remembered in the DB (`remember_config_zone`)."""
    return (await rooms.room_default_zone(db, room_id) or await get_value(db, CONFIG_ZONE_KEY)
            or "UTC")


async def owner_zones(db: Database, actions: Sequence[Action], default: str) -> dict[str, str]:
    """Each owner's zone (the default for owners who set none), in one query."""
    users = {user for action in actions for user in action.owners}
    return {u: s.zone or default for u, s in (await get_members(db, users)).items()}


def zone_for(action: Action, zones: dict[str, str], default: str) -> str:
    """Due dates are shown where the first owner lives."""
    return zones.get(action.owners[0], default) if action.owners else default


def owners_part(msg: Msg, action: Action, room: RoomView, notify: frozenset[str] = frozenset()
                ) -> Msg:
    """"Bob, Carol & Dan" as pills; only those in `notify` are notified."""
    for index, user in enumerate(action.owners):
        if index:
            # Translators: joins the last two names of a list of owners ("Bob, Carol & Dan").
            msg.text(", " if index < len(action.owners) - 1 else _(" & "))
        msg.mention(user, room.display_name(user), notify=user in notify)
    return msg


def due_part(msg: Msg, action: Action, zone: str, now: datetime) -> Msg:
    """" · due Fri 4 Dec (end of day, Kolkata) · ⚠ overdue by 2 days", or nothing."""
    if action.due is None:
        return msg
    # Translators: {when} is a due date, e.g. "Fri 4 Dec (end of day, Kolkata)".
    msg.text(" · " + _("due {when}").format(when=format_due(action.due, zone, now)))
    if action.overdue(now):
        msg.text(" · ").bold(f"⚠ {overdue_by(action.due, now)}")
    return msg


def open_heading(count: int, name: str = "") -> str:
    """"Open actions: 5", or "Open actions for Bob: 2"."""
    if name:
        return _("Open actions for {name}: {count}").format(name=name, count=count)
    return _("Open actions: {count}").format(count=count)


def overdue_count(count: int) -> str:
    """"(2 overdue)", after a count of open actions."""
    return ngettext("({count} overdue)", "({count} overdue)", count).format(count=count)


def closed_heading(days: int, count: int) -> str:
    """"Closed in the last 7 days: 3"."""
    return ngettext("Closed in the last {days} day: {count}",
                    "Closed in the last {days} days: {count}", days).format(days=days,
                                                                             count=count)


def action_line(msg: Msg, action: Action, room: RoomView, zones: dict[str, str],
                default_zone: str, now: datetime, *, notify: frozenset[str] = frozenset(),
                owners: bool = True) -> Msg:
    """"#12 Send the draft — Bob · due Fri 4 Dec (end of day, Kolkata) · ⚠ overdue by 2 days"."""
    msg.bold(action.ref).text(f" {action.text}")
    if owners and action.owners:
        owners_part(msg.text(" — "), action, room, notify)
    return due_part(msg, action, zone_for(action, zones, default_zone), now).line()


async def room_zones(ctx: Context, actions: Sequence[Action]) -> tuple[dict[str, str], str]:
    """(owners' zones, the room's default zone) for showing these items."""
    default = await room_default_zone(ctx)
    return await owner_zones(ctx.db, actions, default), default


async def day_in_zone(ctx: Context, instant: datetime) -> str:
    """"Wed 25 Nov" in the reader's zone."""
    zone, _default = await zone_of(ctx)
    return day_words(instant.astimezone(zone_info(zone)).replace(tzinfo=None), ctx.now, zone)
