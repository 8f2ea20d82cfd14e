"""`!away` / `!back`: a member's absences, honoured by every rota and check-in."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from commands.common import zone_of
from commands.context import Context
from commands.errors import UserError, with_readings
from commands.reply import Msg
from commands.router import Arg, CommandSet
from domain.i18n import N_, _, ngettext
from domain.ranges import Span, describe_span, parse_span
from domain.when import WhenError, localize
from domain.zones import ZoneError, zone_info, zone_label
from storage.away import add_away, current_and_future, end_current

# Translators: keep "!away" and "to" (the word that separates the two dates); translate
# the reason ("holidays").
EXAMPLE = N_("!away 2026-12-20 to 2027-01-05 holidays")
MAX_REASON = 200
MAX_DAYS = 366


def read_span(text: str, now: datetime, zone: str) -> Span:
    """The days (and times) `text` names, or a reply offering what it could mean."""
    try:
        return parse_span(text, now, zone)
    except WhenError as err:
        raise with_readings(err, f"!away {text}", text) from None
    except ZoneError as err:
        raise UserError(str(err), _(EXAMPLE)) from None


def check_span(span: Span, now: datetime) -> tuple[datetime, datetime, str | None]:
    """The span as UTC instants and a reason, if it is one `!away` can keep."""
    start, _start_note = localize(span.start, span.zone)
    end, _end_note = localize(span.end, span.zone)
    if end <= start:
        raise UserError(_("The end of an absence must come after its start."), _(EXAMPLE))
    if end <= now:
        raise UserError(_("That absence is already over."), _(EXAMPLE))
    if end - start > timedelta(days=MAX_DAYS):
        raise UserError(ngettext("Absences can be at most {count} day; add another after.",
                                 "Absences can be at most {count} days; add another after.",
                                 MAX_DAYS).format(count=MAX_DAYS), _(EXAMPLE))
    reason = span.rest.strip() or None
    if reason and len(reason) > MAX_REASON:
        raise UserError(ngettext("Keep the reason under {count} character.",
                                 "Keep the reason under {count} characters.",
                                 MAX_REASON).format(count=MAX_REASON), _(EXAMPLE))
    return max(start, now - timedelta(days=1)), end, reason


def parse_away(text: str, now: datetime, zone: str) -> tuple[datetime, datetime, str | None]:
    """`<from> [to <until>] [reason]`, whole days in the member's zone unless times are given."""
    return check_span(read_span(text, now, zone), now)


def stored_span(start: datetime, end: datetime, zone: str) -> Span:
    """A stored absence as a span in `zone`: whole days when both ends are midnights there."""
    tz = zone_info(zone)
    first, last = (moment.astimezone(tz).replace(tzinfo=None) for moment in (start, end))
    whole = first.time() == last.time() == time(0)
    return Span(first, last, zone, whole, "")


def restated(span: Span, now: datetime) -> str:
    """"tomorrow, Fri 4 Dec (whole day, Bogota)": the span as the member should check it."""
    place = zone_label(span.zone)
    if not span.whole_days:
        detail = place
    elif span.end - span.start == timedelta(days=1):
        # Translators: after a restated day, e.g. "tomorrow, Fri 4 Dec (whole day, Bogota)".
        detail = _("whole day, {place}").format(place=place)
    else:
        # Translators: after restated days, e.g. "Mon 14 Dec – Tue 15 Dec (whole days, Bogota)".
        detail = _("whole days, {place}").format(place=place)
    return f"{describe_span(span, now)} ({detail})"


cmds = CommandSet()


@cmds.command(
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
        span = read_span(text, ctx.now, zone)
        start, end, reason = check_span(span, ctx.now)
        await add_away(ctx.db.conn, ctx.sender, start, end, reason, ctx.now)
        when = restated(span, ctx.now)
        if reason:
            # Translators: {when} e.g. "Mon 14 Dec – Tue 15 Dec (whole days, Bogota)";
            # {reason} is the member's own words.
            noted = _("Noted: away {when}: {reason}.").format(when=when, reason=reason)
        else:
            noted = _("Noted: away {when}.").format(when=when)
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
        when = restated(stored_span(period.start, period.end, zone), ctx.now)
        # Translators: an absence in a list, e.g. "Mon 14 Dec – Tue 15 Dec (whole days,
        # Bogota): holidays"; {reason} is the member's own words.
        line = _("{when}: {reason}").format(when=when, reason=period.reason) \
            if period.reason else when
        msg.text(f"• {line}").line()
    ctx.reply(msg)


@cmds.command("back", summary=N_("End the absence you are on now."), usage="!back",
              examples=("!back",))
async def back(ctx: Context) -> None:
    ended = await end_current(ctx.db.conn, ctx.sender, ctx.now)
    if not ended:
        ctx.reply(Msg().text(_("You were not marked away. Welcome anyway!")))
        return
    ctx.reply(Msg().text(_("Welcome back — you are in the rotas and check-ins again.")))
