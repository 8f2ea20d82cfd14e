"""`!poll`: the tally of a meeting poll and who has not voted, more time to vote, and how
long the room's polls stay open at least.

Like the poll itself, the tally is in the room's language.
"""

from __future__ import annotations

import re
from datetime import timedelta

from commands.common import room_lang, zone_of
from commands.context import ChangeKind, Context
from commands.errors import PermissionDenied, UserError
from commands.meetings.format import duration_words
from commands.meetings.people import named
from commands.meetings.suggest import DEFAULT_POLL_WINDOW, deciding, poll_question, poll_ref
from commands.reply import Msg, coded, fill
from commands.router import Arg, CommandSet
from domain.i18n import N_, _, ngettext, use_language
from domain.timefmt import format_local, relative
from storage.polls import Poll, extend_poll, room_poll, votes
from storage.room_settings import poll_window, set_poll_window

POLL_EXAMPLE = "!poll p1"
EXTEND_EXAMPLE = "!poll p1 extend 6h"
WINDOW_EXAMPLE = "!poll window 12h"
MIN_WINDOW = timedelta(hours=1)
MAX_WINDOW = timedelta(days=7)
_SPAN = re.compile(r"([0-9]{1,3})\s*(d|days?|h|hours?|hrs?|m|min|mins|minutes?)",
                   re.IGNORECASE)


def parse_span(text: str) -> timedelta:
    """"6h", "90m", "1d", "1d 12h" → a timedelta; ValueError when unreadable."""
    rest = text.strip().lower()
    total = timedelta(0)
    if not rest:
        raise ValueError(text)
    while rest:
        match = _SPAN.match(rest)
        if not match:
            raise ValueError(text)
        unit = match.group(2)[0]
        total += int(match.group(1)) * {"d": timedelta(days=1), "h": timedelta(hours=1),
                                        "m": timedelta(minutes=1)}[unit]
        rest = rest[match.end():].lstrip(" ,")
    return total


def span_words(span: timedelta) -> str:
    """"2 days 3h" style: days, then the rest as `duration_words` says it."""
    days, rest = divmod(span, timedelta(days=1))
    parts = [ngettext("{count} day", "{count} days", days).format(count=days)] if days else []
    if rest or not parts:
        parts.append(duration_words(rest))
    return " ".join(parts)


cmds = CommandSet()


@cmds.command(
    "poll",
    summary=N_("A meeting poll's votes and who has not voted; more time to vote."),
    usage=N_("!poll [p<n>] [extend <duration>] | !poll window [<duration>|default]"),
    examples=(POLL_EXAMPLE, EXTEND_EXAMPLE, WINDOW_EXAMPLE),
    args=(Arg("text", optional=True, rest=True),),
)
async def poll_cmd(ctx: Context, text: str | None) -> None:
    words = (text or "").split()
    if words and words[0].lower() == "window":
        await window(ctx, " ".join(words[1:]))
        return
    number: int | None = None
    if words:
        try:
            number = poll_ref(words[0])
        except ValueError as err:
            raise UserError(str(err), POLL_EXAMPLE) from None
        words = words[1:]
    found = await room_poll(ctx.db, ctx.room_id, number)
    if found is None:
        if number is not None:
            raise UserError(_("There is no p{number} in this room.").format(number=number),
                            "!poll")
        raise UserError(_("There is no open poll in this room."),
                        "!meeting suggest 60m within 7 days")
    if words and words[0].lower() == "extend":
        await extend(ctx, found, " ".join(words[1:]))
        return
    if words:
        raise UserError(_("I can show a poll or extend it."), EXTEND_EXAMPLE)
    await tally(ctx, found)


async def tally(ctx: Context, poll: Poll) -> None:
    """The votes per option (deciding and advisory) and who has not voted yet."""
    reader, _default = await zone_of(ctx)
    decide, advice = deciding(poll, await votes(ctx.db, poll.id))
    with use_language(await room_lang(ctx.db, ctx.room_id, ctx.settings)):
        msg = Msg().bold(_("Poll p{number}: {question}").format(
            number=poll.number, question=poll_question(poll.title, poll.duration))).line()
        if poll.closed:
            if poll.meeting_number is not None:
                msg.text(_("Closed; it became m{number}.").format(
                    number=poll.meeting_number)).line()
            else:
                msg.text(_("Closed without a meeting.")).line()
        else:
            # Translators: {when} is a date and time, {distance} e.g. "in 9 hours".
            msg.text(_("Open until {when} ({distance}).").format(
                when=format_local(poll.closes_at, reader),
                distance=relative(poll.closes_at, ctx.now))).line()
        for index, start in enumerate(poll.options, 1):
            count = sum(1 for choice in decide.values() if choice == index)
            line = ngettext("{count} vote", "{count} votes", count).format(count=count)
            advisory = sum(1 for choice in advice.values() if choice == index)
            if advisory:
                # Translators: added to an option's votes, e.g. "2 votes (+1 advisory)".
                line += " " + _("(+{count} advisory)").format(count=advisory)
            msg.text(f"{index}. {format_local(start, reader)} — {line}").line()
        members = ctx.room.members()
        if poll.voters:
            waiting = [u for u in poll.voters if u not in decide]
            if waiting:
                # Translators: followed by the names of members who have not voted.
                msg.text(_("Not voted yet:") + " ")
                named(ctx.room, msg, waiting).text(".").line()
            else:
                msg.text(_("Everyone whose vote decides has voted.")).line()
            others = [u for u in members if u not in set(poll.voters)]
            if others:
                voted = sum(1 for u in others if u in advice)
                # Translators: {voted} is how many of the {count} members outside the with
                # list voted (their votes are advisory).
                msg.text(ngettext("Advisory votes from {count} other member: {voted}.",
                                  "Advisory votes from {count} other members: {voted}.",
                                  len(others)).format(voted=voted, count=len(others))).line()
        else:
            waiting_count = sum(1 for u in members if u not in decide)
            msg.text(ngettext("{waiting} of {count} member has not voted yet.",
                              "{waiting} of {count} members have not voted yet.",
                              len(members)).format(waiting=waiting_count,
                                                   count=len(members))).line()
        if not poll.closed:
            # Translators: {command} is a command in a code span.
            fill(msg, _("More time: {command}"), command=coded(
                f"!poll p{poll.number} extend 6h"))
    ctx.reply(msg)


async def extend(ctx: Context, poll: Poll, text: str) -> None:
    example = f"!poll p{poll.number} extend 6h"
    if poll.closed:
        raise UserError(_("p{number} has already closed.").format(number=poll.number),
                        "!meeting suggest 60m within 7 days")
    if ctx.sender != poll.created_by and not ctx.is_moderator():
        raise PermissionDenied(_("Only whoever asked for p{number} or a room moderator can "
                                 "give it more time.").format(number=poll.number))
    try:
        more = parse_span(text)
    except ValueError:
        raise UserError(_("Say how much longer, like 6h or 1d."), example) from None
    latest = max(poll.options) - timedelta(hours=1)
    if more <= timedelta(0) or poll.closes_at + more > latest:
        room = max(latest - poll.closes_at, timedelta(0))
        if room < timedelta(minutes=15):
            raise UserError(_("p{number} cannot stay open longer: its last option starts "
                              "soon after it closes.").format(number=poll.number),
                            "!meeting suggest 60m within 7 days")
        hours = max(int(room.total_seconds() // 3600), 1) if room >= timedelta(hours=1) else 0
        shown = f"{hours}h" if hours else f"{int(room.total_seconds() // 60)}m"
        raise UserError(_("p{number} can be extended by at most {span}, so that it closes an "
                          "hour before its last option.").format(
                              number=poll.number, span=span_words(room)),
                        f"!poll p{poll.number} extend {shown}")
    closes = poll.closes_at + more
    await extend_poll(ctx.db.conn, poll.id, closes)
    ctx.changed.add((ChangeKind.POLL, poll.id))
    reader, _default = await zone_of(ctx)
    dropped = [i for i, start in enumerate(poll.options, 1) if start <= closes]
    with use_language(await room_lang(ctx.db, ctx.room_id, ctx.settings)):
        # Translators: {when} is a date and time, {span} how much later, e.g. "6h".
        msg = Msg().text(_("p{number} now closes {when}, {span} later.").format(
            number=poll.number, when=format_local(closes, reader),
            span=span_words(more))).line()
        if dropped:
            # Translators: {options} is a list of option numbers, e.g. "1, 3".
            msg.text(ngettext("Option {options} starts before that and can no longer win.",
                              "Options {options} start before that and can no longer win.",
                              len(dropped)).format(
                options=", ".join(map(str, dropped)))).line()
    ctx.reply(msg)


async def window(ctx: Context, text: str) -> None:
    current = await poll_window(ctx.db, ctx.room_id)
    if not text.strip():
        # Translators: {window} is how long polls stay open, e.g. "12h"; {command} a command.
        ctx.reply(fill(Msg(), _("Polls in this room stay open at least {window}. Change with "
                                "{command}"),
                       window=span_words(current or DEFAULT_POLL_WINDOW),
                       command=coded(WINDOW_EXAMPLE)))
        return
    if not ctx.is_moderator():
        raise PermissionDenied(_("Only room moderators can change how long polls stay open."))
    if text.strip().lower() == "default":
        chosen = None
    else:
        try:
            chosen = parse_span(text)
        except ValueError:
            raise UserError(_("Say how long, like 12h or 1d."), WINDOW_EXAMPLE) from None
        if not MIN_WINDOW <= chosen <= MAX_WINDOW:
            raise UserError(_("A poll window is from 1h to 7 days."), WINDOW_EXAMPLE)
    await set_poll_window(ctx.db.conn, ctx.room_id, chosen)
    ctx.reply(Msg().text(_("Polls in this room now stay open at least {window}, and offer only "
                           "times after that.").format(
                               window=span_words(chosen or DEFAULT_POLL_WINDOW))))
