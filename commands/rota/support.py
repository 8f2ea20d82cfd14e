"""What the `!rota` handlers share: finding a series' rota, reading people and dates."""

from __future__ import annotations

import re
from datetime import time

from commands.context import ChangeKind, Context
from commands.errors import UserError
from commands.meetings.commands import find_meeting
from commands.reply import Msg
from commands.rota.plan import catch_up
from domain.i18n import N_, _
from domain.people import shown_name
from domain.recurrence import Occurrence, occurrence_on
from domain.timefmt import format_day
from domain.when import WhenError, parse_when
from domain.zones import ZoneError
from storage.meetings import Meeting, overrides_for
from storage.rota import RotaRow, get_rota

EXAMPLE_SET = "!rota m1 set @alice:example.org @bob:example.org @carol:example.org"
SEPARATORS = re.compile(r"^(,|;|and|&|then|→|->|>)+$", re.IGNORECASE)
# The built-in roles (DEFAULT_ROLES) are stored as these English keys; members see them in
# their language. Roles a member named themselves are their text and shown as typed.
_ROLE_NAMES = {
    # Translators: a rota role, inside a line: the person who runs the meeting.
    "facilitator": N_("facilitator"),
    # Translators: a rota role, inside a line: the person who takes the meeting's notes.
    "notes": N_("notes"),
}
_ROLE_LABELS = {
    # Translators: a rota role as a label before a name: the person who runs the meeting.
    "facilitator": N_("Facilitator"),
    # Translators: a rota role as a label before a name: who takes the meeting's notes.
    "notes": N_("Notes"),
}


def role_name(role: str) -> str:
    """A stored role key as members read it inside a line ("facilitator 2 · notes 1")."""
    known = _ROLE_NAMES.get(role)
    return _(known) if known else role


def role_label(role: str) -> str:
    """A stored role key as a label before its holder ("Facilitator Alice")."""
    known = _ROLE_LABELS.get(role)
    return _(known) if known else role[:1].upper() + role[1:]


async def load(ctx: Context, number: int, *, required: bool = True
               ) -> tuple[Meeting, RotaRow | None, list[str]]:
    """The meeting, its rota brought up to date (history recorded, leavers dropped), and
    who was dropped for having left the room."""
    meeting = await find_meeting(ctx, number)
    row = await get_rota(ctx.db, meeting.id)
    if row is None:
        if required:
            # Translators: m{number} is a meeting id such as m3.
            raise UserError(_("m{number} has no rota yet. The person who scheduled it or a "
                              "room moderator can start one.").format(number=number),
                            EXAMPLE_SET.replace("m1", f"m{number}"))
        return meeting, None, []
    row, dropped = await catch_up(ctx.db, row, meeting, ctx.now, ctx.room.members())
    if dropped:
        ctx.changed.add((ChangeKind.ROTA, meeting.id))
    return meeting, row, dropped


def people_in(ctx: Context, text: str, example: str) -> tuple[list[str], str]:
    """Mentioned members in the order they appear in `text`, and the text left over.

    Mentions come from ctx.mentioned (m.mentions and literal user ids); a pill's body is the
    display name, so a member is found by id first, then by name. A leftover word starting
    with "@" is someone we could not identify: an error, with how to name them.
    """
    spans: list[tuple[int, int, str]] = []
    lowered = text.lower()
    for user in ctx.mentioned:
        pill = ctx.pills.get(user, "")
        for label in (user, pill, "@" + ctx.room.display_name(user), ctx.room.display_name(user)):
            at = lowered.find(label.lower()) if label.strip("@") else -1
            if at >= 0 and not any(s <= at < e for s, e, _user in spans):
                spans.append((at, at + len(label), user))
                break
        else:
            spans.append((len(text) + len(spans), len(text) + len(spans), user))
    spans.sort()
    rest = text
    for start, end, _user in sorted(spans, reverse=True):
        rest = rest[:start] + " " + rest[end:]
    for word in rest.split():
        if word.startswith("@"):
            raise UserError(_("I don't know who {name} is. Mention them (a pill), or write "
                              "their full Matrix id.").format(name=word[:60]), example)
    leftover = " ".join(w for w in rest.split() if not SEPARATORS.match(w))
    return list(dict.fromkeys(user for _start, _end, user in spans)), leftover


def check_in_room(ctx: Context, users: list[str], example: str) -> None:
    present = set(ctx.room.members())
    for user in users:
        if user not in present:
            raise UserError(_("{user} is not in this room, so they can't be on its rota.")
                            .format(user=ctx.room.display_name(user)), example)


def check_on_rota(row: RotaRow, user: str, meeting: Meeting, you: bool,
                  name: str | None = None) -> None:
    """`name`: how to show `user` (their display name); by default, their localpart."""
    if user not in row.rota.order:
        if you:
            raise UserError(_("You are not on the rota for m{number}.").format(
                number=meeting.number), f"!rota m{meeting.number} join")
        raise UserError(_("{user} is not on the rota for m{number}.").format(
            user=name or shown_name(user), number=meeting.number), f"!rota m{meeting.number}")


async def occurrence_at(ctx: Context, meeting: Meeting, text: str, example: str) -> Occurrence:
    """The upcoming occurrence on the date in `text` (read in the meeting's own zone)."""
    try:
        day = parse_when(text, ctx.now, meeting.series.zone,
                         default_time=time(12, 0)).local.date()
    except (WhenError, ZoneError) as err:
        # Translators: {text} is what the member typed, in quotes; {error} says what is wrong.
        raise UserError(_("I couldn't read a date in {text}: {error}").format(
            text=repr(text[:60]), error=err), example) from None
    found = occurrence_on(meeting.series, day, await overrides_for(ctx.db, meeting.id))
    if found is None:
        raise UserError(_("m{number} has no occurrence on {day}.").format(
            number=meeting.number, day=format_day(day, with_year=True)),
            f"!rota m{meeting.number}")
    if found.start_utc <= ctx.now:
        # Translators: e.g. "m3 of Thu 3 Dec has already started; its roles are history."
        raise UserError(_("m{number} of {day} has already started; its roles are history.")
                        .format(number=meeting.number, day=format_day(day)),
                        f"!rota m{meeting.number}")
    return found


def names(ctx: Context, msg: Msg, users: list[str] | tuple[str, ...] | frozenset[str],
          sep: str = ", ") -> Msg:
    """Pills that show who without notifying them."""
    for index, user in enumerate(sorted(users) if isinstance(users, frozenset) else users):
        if index:
            msg.text(sep)
        msg.mention(user, ctx.room.display_name(user), notify=False)
    return msg
