"""`!away` / `!back`: a member's absences, honoured by every rota and check-in."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from commands.common import zone_of
from commands.context import Context
from commands.errors import UserError
from commands.reply import Msg
from commands.router import Arg, Router
from domain.i18n import N_, _, ngettext
from domain.timefmt import format_local
from domain.when import Wall, WhenError, localize, parse_when
from domain.zones import ZoneError
from storage.away import add_away, current_and_future, end_current

# Translators: keep "!away" and "to" (the word that separates the two dates); translate
# the reason ("holidays").
EXAMPLE = N_("!away 2026-12-20 to 2027-01-05 holidays")
MAX_REASON = 200
MAX_DAYS = 366


def longest_when(text: str, now: datetime, zone: str, default_time: time
                 ) -> tuple[Wall, str]:
    """The longest leading part of `text` that reads as a time, and the rest (a reason)."""
    words = text.split()
    for cut in range(len(words), 0, -1):
        try:
            wall = parse_when(" ".join(words[:cut]), now, zone, default_time=default_time)
        except (WhenError, ZoneError):
            continue
        return wall, " ".join(words[cut:])
    # Translators: {text} is what the member typed, in quotes.
    raise UserError(_("I couldn't read a date in {text}.").format(text=repr(text[:60])),
                    _(EXAMPLE))


def parse_away(text: str, now: datetime, zone: str) -> tuple[datetime, datetime, str | None]:
    """`<from> [to <until>] [reason]`, whole days in the member's zone unless times are given."""
    parts = re.split(r"\s+(?:to|until|till|-|–)\s+", text.strip(), maxsplit=1,
                     flags=re.IGNORECASE)
    start_wall, rest = longest_when(parts[0], now, zone, time(0, 0))
    if len(parts) == 2:
        if rest:
            # Translators: {text} is what the member typed; “to” is the word they typed
            # between the two dates (keep it).
            raise UserError(_("I didn't understand {text} before “to”.").format(
                text=repr(rest[:40])), _(EXAMPLE))
        end_wall, reason = longest_when(parts[1], now, zone, time(0, 0))
        end_local = end_wall.local
        if end_local.time() == time(0, 0):
            end_local += timedelta(days=1)  # "to fri" includes Friday
    else:
        reason = rest
        end_local = datetime.combine(start_wall.local.date() + timedelta(days=1), time(0, 0))
    start, _start_note = localize(start_wall.local, start_wall.zone)
    end, _end_note = localize(end_local, start_wall.zone)
    if end <= start:
        raise UserError(_("The end of an absence must come after its start."), _(EXAMPLE))
    if end <= now:
        raise UserError(_("That absence is already over."), _(EXAMPLE))
    if end - start > timedelta(days=MAX_DAYS):
        raise UserError(ngettext("Absences can be at most {count} day; add another after.",
                                 "Absences can be at most {count} days; add another after.",
                                 MAX_DAYS).format(count=MAX_DAYS), _(EXAMPLE))
    note = reason.strip() or None
    if note and len(note) > MAX_REASON:
        raise UserError(ngettext("Keep the reason under {count} character.",
                                 "Keep the reason under {count} characters.",
                                 MAX_REASON).format(count=MAX_REASON), _(EXAMPLE))
    return max(start, now - timedelta(days=1)), end, note


def register(router: Router) -> None:
    @router.command(
        "away",
        summary=N_("Say when you are away: rotas and check-ins skip you."),
        # Translators: keep "!away" and "to"; translate <from>, <until> and reason.
        usage=N_("!away [<from> [to <until>] [reason]]"),
        examples=(EXAMPLE,
                  # Translators: an example: "tomorrow" as members may type it, and a reason.
                  N_("!away tomorrow sick"),
                  # Translators: an example: "today", "to", a weekday as members may type
                  # them, and a reason.
                  N_("!away today to fri travelling")),
        args=(Arg("text", optional=True, rest=True),),
    )
    async def away(ctx: Context, text: str | None) -> None:
        zone, _default = await zone_of(ctx)
        if text:
            start, end, reason = parse_away(text, ctx.now, zone)
            await add_away(ctx.db.conn, ctx.sender, start, end, reason, ctx.now)
            since, until = format_local(start, zone), format_local(end, zone)
            if reason:
                # Translators: {reason} is the member's own words.
                noted = _("Noted: away from {start} until {end} ({reason}).").format(
                    start=since, end=until, reason=reason)
            else:
                noted = _("Noted: away from {start} until {end}.").format(start=since,
                                                                          end=until)
            ctx.reply(Msg().text(noted))
            return
        periods = await current_and_future(ctx.db, ctx.sender, ctx.now)
        if not periods:
            # Translators: followed by an example command.
            ctx.reply(Msg().text(_("You have no absences noted. Add one with") + " ").code(
                _(EXAMPLE)))
            return
        msg = Msg().text(_("Your absences:")).line()
        for period in periods:
            msg.text(f"• {format_local(period.start, zone)} → {format_local(period.end, zone)}")
            msg.text(f" ({period.reason})" if period.reason else "").line()
        ctx.reply(msg)

    @router.command("back", summary=N_("End the absence you are on now."), usage="!back",
                    examples=("!back",))
    async def back(ctx: Context) -> None:
        ended = await end_current(ctx.db.conn, ctx.sender, ctx.now)
        if not ended:
            ctx.reply(Msg().text(_("You were not marked away. Welcome anyway!")))
            return
        ctx.reply(Msg().text(_("Welcome back — you are in the rotas and check-ins again.")))
