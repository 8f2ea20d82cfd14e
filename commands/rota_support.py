"""What the `!rota` handlers share: finding a series' rota, reading people and dates."""

from __future__ import annotations

import re
from datetime import time

from commands.context import Context
from commands.domain.recurrence import Occurrence, occurrence_on
from commands.domain.when import WhenError, parse_when
from commands.domain.zones import ZoneError
from commands.errors import UserError
from commands.meetings import find_meeting, parse_ref
from commands.reply import Msg
from commands.rota_plan import catch_up
from storage.meetings import Meeting, overrides_for
from storage.rota import RotaRow, get_rota

EXAMPLE_SET = "!rota m1 set @alice:example.org @bob:example.org @carol:example.org"
SEPARATORS = re.compile(r"^(,|;|and|&|then|→|->|>)+$", re.IGNORECASE)


def ref_of(text: str) -> int:
    try:
        return parse_ref(text)
    except ValueError as err:
        raise UserError(str(err), "!rota m1") from None


def role_label(role: str) -> str:
    return role[:1].upper() + role[1:]


async def load(ctx: Context, number: int, *, required: bool = True
               ) -> tuple[Meeting, RotaRow | None, list[str]]:
    """The meeting, its rota brought up to date (history recorded, leavers dropped), and
    who was dropped for having left the room."""
    meeting = await find_meeting(ctx, number)
    row = await get_rota(ctx.db, meeting.id)
    if row is None:
        if required:
            raise UserError(f"m{number} has no rota yet. The person who scheduled it or a "
                            "room moderator can start one.",
                            EXAMPLE_SET.replace("m1", f"m{number}"))
        return meeting, None, []
    row, dropped = await catch_up(ctx.db, row, meeting, ctx.now, ctx.room.members())
    if dropped:
        ctx.changed.add(("rota", meeting.id))
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
        for label in (user, "@" + ctx.room.display_name(user), ctx.room.display_name(user)):
            at = lowered.find(label.lower()) if label.strip("@") else -1
            if at >= 0 and not any(s <= at < e for s, e, _ in spans):
                spans.append((at, at + len(label), user))
                break
        else:
            spans.append((len(text) + len(spans), len(text) + len(spans), user))
    spans.sort()
    rest = text
    for start, end, _ in sorted(spans, reverse=True):
        rest = rest[:start] + " " + rest[end:]
    for word in rest.split():
        if word.startswith("@"):
            raise UserError(f"I don't know who {word[:60]} is. Mention them (a pill), or write "
                            "their full Matrix id.", example)
    leftover = " ".join(w for w in rest.split() if not SEPARATORS.match(w))
    return list(dict.fromkeys(user for _, _, user in spans)), leftover


def check_in_room(ctx: Context, users: list[str], example: str) -> None:
    present = set(ctx.room.members())
    for user in users:
        if user not in present:
            raise UserError(f"{user} is not in this room, so they can't be on its rota.",
                            example)


def check_on_rota(row: RotaRow, user: str, meeting: Meeting, you: bool) -> None:
    if user not in row.rota.order:
        who = "You are" if you else f"{user} is"
        raise UserError(f"{who} not on the rota for m{meeting.number}.",
                        f"!rota m{meeting.number}" if not you else f"!rota m{meeting.number} join")


async def occurrence_at(ctx: Context, meeting: Meeting, text: str, example: str) -> Occurrence:
    """The upcoming occurrence on the date in `text` (read in the meeting's own zone)."""
    try:
        day = parse_when(text, ctx.now, meeting.series.zone,
                         default_time=time(12, 0)).local.date()
    except (WhenError, ZoneError) as err:
        raise UserError(f"I couldn't read a date in {text[:60]!r}: {err}", example) from None
    found = occurrence_on(meeting.series, day, await overrides_for(ctx.db, meeting.id))
    if found is None:
        raise UserError(f"m{meeting.number} has no occurrence on {day:%a} {day.day} "
                        f"{day:%b %Y}.", f"!rota m{meeting.number}")
    if found.start_utc <= ctx.now:
        raise UserError(f"m{meeting.number} of {day:%a} {day.day} {day:%b} has already "
                        "started; its roles are history.", f"!rota m{meeting.number}")
    return found


def names(ctx: Context, msg: Msg, users: list[str] | tuple[str, ...] | frozenset[str],
          sep: str = ", ") -> Msg:
    """Pills that show who without notifying them."""
    for index, user in enumerate(sorted(users) if isinstance(users, frozenset) else users):
        if index:
            msg.text(sep)
        msg.mention(user, ctx.room.display_name(user), notify=False)
    return msg
