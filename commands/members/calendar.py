"""`!calendar` and `!holidays`: the weekends and public holidays where each member lives.

A member's country is inferred from their zone unless they chose one; their own days off
and the holidays they work through are theirs alone. All of it lives only in this database
(`storage.calendars`), like zones, and `!forget me` erases it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime, timedelta

from commands.common import member_calendars, room_default_zone, zone_of
from commands.context import Context
from commands.errors import UserError, with_readings
from commands.meetings.people import MAX_NAMED, others
from commands.reply import READABLE_CHARS, Msg, assemble
from commands.router import Arg, CommandSet
from domain.calendars import (
    CalendarError,
    Holiday,
    MemberCalendar,
    Region,
    country_name,
    parse_region,
)
from domain.hours import describe_days
from domain.i18n import N_, _, ngettext
from domain.ranges import Span, parse_span
from domain.timefmt import format_day
from domain.when import WhenError
from domain.zones import ZoneError, zone_info
from storage.calendars import add_day_off, remove_days_off_on, set_calendar
from storage.members import get_member, get_members

SET_EXAMPLE = "!calendar set JO"
# Translators: keep "!calendar off" and "to"; translate the note ("family visit").
OFF_EXAMPLE = N_("!calendar off 2026-12-21 to 2026-12-23 family visit")
ON_EXAMPLE = "!calendar on 2026-12-25"
HOLIDAYS_EXAMPLE = "!holidays 60d"
NEXT_HOLIDAYS = 5
MAX_DAYS_OFF = 366
MAX_NOTE = 200
MAX_HOLIDAY_DAYS = 366
_DAYS = re.compile(r"([0-9]{1,3})\s*d(?:ays?)?", re.IGNORECASE)


def describe_calendar(calendar: MemberCalendar, today: date, lang: str) -> str:
    """"weekend Fri–Sat, public holidays of Jordan" in the active language."""
    weekend = frozenset(range(7)) - calendar.working_days(today)
    week = (_("weekend {days}").format(days=describe_days(weekend)) if weekend
            else _("no weekend"))
    if calendar.region is None:
        return _("{week}, no public holidays").format(week=week)
    place = country_name(calendar.region.country, lang)
    if calendar.region.subdivision:
        place = f"{place} ({calendar.region.subdivision})"
    if not calendar.region.has_holidays:
        # Translators: {country} has no public holidays in the library Minga uses.
        return _("{week}; I know no public holidays for {country}").format(
            week=week, country=place)
    # Translators: e.g. "weekend Fri–Sat, public holidays of Jordan".
    return _("{week}, public holidays of {country}").format(week=week, country=place)


def _region(text: str) -> Region | None:
    """What follows `!calendar set`: a region, or None for "none"."""
    if text.strip().lower() in ("none", "off", "-"):
        return None
    try:
        return parse_region(text)
    except CalendarError as err:
        if err.kind == "subdivision":
            known = ", ".join(err.known[:12]) + (" …" if len(err.known) > 12 else "")
            message = (_("{country} has no subdivision {code}.").format(
                country=err.country, code=err.subdivision) + " " + (
                _("Known: {codes}.").format(codes=known) if known else
                _("I know no subdivisions for it: set the country alone.")))
            example = f"!calendar set {err.country}-{err.known[0]}" if err.known else \
                f"!calendar set {err.country}"
            raise UserError(message, example) from None
        # Translators: {code} is what the member typed.
        raise UserError(_("{code} is not a country code I know. Use the two-letter ISO code, "
                          "with a state or province after a dash if you like.").format(
                              code=repr(err.country)), SET_EXAMPLE) from None


def read_days(text: str, now: datetime, zone: str, command: str) -> Span:
    """The dates `text` names (`domain.ranges`, any of the five languages), or a reply that
    offers each reading as a whole command; a range typed backwards is offered the right
    way round."""
    try:
        return parse_span(text, now, zone)
    except WhenError as err:
        backwards = _backwards(text, now, zone)
        if backwards is not None:
            first, last, rest = backwards
            # Translators: {first} and {last} are dates as the member typed them, restated.
            raise UserError(_("That range runs backwards: {last} comes before {first}.")
                            .format(first=format_day(first, with_year=True),
                                    last=format_day(last, with_year=True)),
                            f"{command} {last.isoformat()} to {first.isoformat()}"
                            + (f" {rest}" if rest else "")) from None
        raise with_readings(err, f"{command} {text}", text) from None
    except ZoneError as err:
        raise UserError(str(err), _(OFF_EXAMPLE)) from None


def _backwards(text: str, now: datetime, zone: str) -> tuple[date, date, str] | None:
    """(first, last, rest) when `text` is two dates joined by "to" with the later first."""
    parts = re.split(r"\s+(?:to|until|till|-|–)\s+", text.strip(), maxsplit=1,
                     flags=re.IGNORECASE)
    if len(parts) != 2:
        return None
    try:
        one = parse_span(parts[0], now, zone)
        other = parse_span(parts[1], now, zone)
    except (WhenError, ZoneError):
        return None
    if one.rest or other.start.date() >= one.start.date():
        return None
    return one.start.date(), other.start.date(), other.rest.strip()


def span_dates(span: Span) -> tuple[date, date]:
    """The local dates a span touches, inclusive (its end is exclusive)."""
    first = span.start.date()
    last = (span.end - timedelta(microseconds=1)).date() if span.end > span.start else first
    return first, max(first, last)


def parse_days_off(text: str, today: date, now_zone: str, ctx: Context
                   ) -> tuple[date, date, str | None]:
    """`<date> [to <date>] [note]` → local dates (inclusive) and the note; refuses ranges
    that run backwards, lie in the past or are too long."""
    first, last = span_dates(span := read_days(text, ctx.now, now_zone, "!calendar off"))
    note = span.rest
    if first < today:
        raise UserError(_("{day} has already passed; days off start today or later.").format(
            day=format_day(first, with_year=True)), _(OFF_EXAMPLE))
    if (last - first).days + 1 > MAX_DAYS_OFF:
        raise UserError(ngettext("Days off can span at most {count} day; add another after.",
                                 "Days off can span at most {count} days; add another after.",
                                 MAX_DAYS_OFF).format(count=MAX_DAYS_OFF), _(OFF_EXAMPLE))
    cleaned = note.strip() or None
    if cleaned and len(cleaned) > MAX_NOTE:
        raise UserError(ngettext("Keep the note under {count} character.",
                                 "Keep the note under {count} characters.",
                                 MAX_NOTE).format(count=MAX_NOTE), _(OFF_EXAMPLE))
    return first, last, cleaned


def _span(first: date, last: date) -> str:
    if first == last:
        return format_day(first, with_year=True)
    return f"{format_day(first, with_year=True)} – {format_day(last, with_year=True)}"


def holiday_line(day: date, name: str) -> str:
    return f"{format_day(day)}: {name}"


async def _own_calendar(ctx: Context) -> tuple[MemberCalendar, str]:
    zone, _default = await zone_of(ctx)
    settings = await get_members(ctx.db, [ctx.sender])
    today = ctx.now.date() - timedelta(days=1)
    calendars = await member_calendars(ctx.db, settings, zone, today)
    return calendars[ctx.sender], zone


cmds = CommandSet()


@cmds.command(
    "calendar",
    summary=N_("Your weekends, public holidays and days off: meetings, rotas and "
               "check-ins respect them."),
    # Translators: keep the command words (set, off, on, none); translate the rest.
    usage=N_("!calendar [set <country>[-<region>] | set none | off <date> [to <date>] "
             "[note] | on <date>]"),
    examples=("!calendar", SET_EXAMPLE, "!calendar set IN-KA", OFF_EXAMPLE),
)
async def calendar(ctx: Context) -> None:
    cal, zone = await _own_calendar(ctx)
    member = await get_member(ctx.db, ctx.sender)
    today = ctx.now.astimezone(zone_info(zone)).date()
    msg = Msg().text(_("Your calendar: {calendar}.").format(
        calendar=describe_calendar(cal, today, ctx.lang)))
    if member.calendar is None and cal.region is not None:
        # Translators: {zone} is the member's time zone, e.g. "Asia/Amman".
        msg.text(" " + _("(from your time zone {zone})").format(zone=zone))
    msg.line().text(_("Working days: {days}.").format(
        days=describe_days(cal.working_days(today)))).line()
    coming = _next_holidays(cal, today, ctx.lang)
    if coming:
        msg.text(_("Next public holidays:")).line()
        for holiday in coming:
            mark = " " + _("(you work)") if cal.worked(holiday.day) else ""
            msg.text("• " + holiday_line(holiday.day, holiday.name) + mark).line()
    own = [e for e in cal.own if e.last >= today]
    if own:
        msg.text(_("Your days off:")).line()
        for entry in own:
            label = _("working") if entry.worked else ""
            extra = ", ".join(x for x in (label, entry.note or "") if x)
            msg.text("• " + _span(entry.first, entry.last) +
                     (f" ({extra})" if extra else "")).line()
    else:
        # Translators: followed by an example command.
        msg.text(_("No days off of your own. Add one with") + " ").code(_(OFF_EXAMPLE))
    ctx.reply(msg)


@calendar.sub("set", summary=N_("Choose your country (and state), or none."),
              usage=N_("!calendar set <country>[-<region>] | none"),
              examples=(SET_EXAMPLE, "!calendar set IN-KA", "!calendar set none"),
              args=(Arg("region", _region, rest=True),))
async def calendar_set(ctx: Context, region: Region | None) -> None:
    await set_calendar(ctx.db.conn, ctx.sender, str(region) if region else "",
                       ctx.now.isoformat())
    cal, zone = await _own_calendar(ctx)
    today = ctx.now.astimezone(zone_info(zone)).date()
    ctx.reply(Msg().text(_("Saved. Your calendar: {calendar}.").format(
        calendar=describe_calendar(cal, today, ctx.lang))))


@calendar.sub("off", summary=N_("Note days off of your own."),
              # Translators: keep "!calendar off" and "to"; translate the rest.
              usage=N_("!calendar off <date> [to <date>] [note]"),
              examples=(OFF_EXAMPLE, "!calendar off tomorrow"),
              args=(Arg("text", rest=True),))
async def calendar_off(ctx: Context, text: str) -> None:
    zone, _default = await zone_of(ctx)
    today = ctx.now.astimezone(zone_info(zone)).date()
    first, last, note = parse_days_off(text, today, zone, ctx)
    await add_day_off(ctx.db.conn, ctx.sender, first, last, note, ctx.now.isoformat())
    span = _span(first, last)
    done = (_("Noted: days off {span} ({note}).").format(span=span, note=note) if note
            else _("Noted: days off {span}.").format(span=span))
    ctx.reply(Msg().text(done + " " + _("Meetings, rotas and check-ins will leave you "
                                        "out.")))


@calendar.sub("on", summary=N_("Work on a date that is a holiday or day off for you."),
              usage=N_("!calendar on <date>"), examples=(ON_EXAMPLE,),
              args=(Arg("text", rest=True),))
async def calendar_on(ctx: Context, text: str) -> None:
    zone, _default = await zone_of(ctx)
    today = ctx.now.astimezone(zone_info(zone)).date()
    span = read_days(text, ctx.now, zone, "!calendar on")
    day, last = span_dates(span)
    if span.rest.strip():
        raise UserError(_("I didn't expect {text}.").format(text=repr(span.rest[:40])),
                        ON_EXAMPLE)
    if last != day:
        # Translators: `!calendar on` was given a range of dates.
        raise UserError(_("One date at a time, please."), f"!calendar on {day.isoformat()}")
    if day < today:
        raise UserError(_("{day} has already passed.").format(
            day=format_day(day, with_year=True)), ON_EXAMPLE)
    await remove_days_off_on(ctx.db.conn, ctx.sender, day)
    await add_day_off(ctx.db.conn, ctx.sender, day, day, None, ctx.now.isoformat(),
                      worked=True)
    ctx.reply(Msg().text(_("Noted: you work on {day}.").format(
        day=format_day(day, with_year=True))))


@cmds.command(
    "holidays",
    summary=N_("The coming public holidays of this room's members."),
    usage=N_("!holidays [<N>d]"),
    examples=("!holidays", HOLIDAYS_EXAMPLE),
    args=(Arg("days", optional=True, rest=True),),
)
async def holidays(ctx: Context, days: str | None) -> None:
    span = 30
    if days:
        match = _DAYS.fullmatch(days.strip())
        if not match or not 1 <= int(match[1]) <= MAX_HOLIDAY_DAYS:
            raise UserError(ngettext("Give a number of days, up to {count}.",
                                     "Give a number of days, up to {count}.",
                                     MAX_HOLIDAY_DAYS).format(count=MAX_HOLIDAY_DAYS),
                            HOLIDAYS_EXAMPLE)
        span = int(match[1])
    default = await room_default_zone(ctx)
    settings = await get_members(ctx.db, ctx.room.members())
    today = ctx.now.date()
    calendars = await member_calendars(ctx.db, settings, default, today)
    affected = room_holidays(calendars, today, today + timedelta(days=span), ctx.lang)
    if not affected:
        ctx.reply(Msg().text(ngettext(
            "No public holidays for anyone here in the next {count} day.",
            "No public holidays for anyone here in the next {count} days.",
            span).format(count=span)))
        return
    blocks = [Msg().bold(ngettext("Public holidays in the next {count} day:",
                                  "Public holidays in the next {count} days:",
                                  span).format(count=span)).line()]
    for (day, name), members in affected.items():
        # A big room: ten names a holiday and a count of the rest, in parts if need be.
        names = ", ".join(ctx.room.display_name(m) for m in members[:MAX_NAMED])
        blocks.append(others(Msg().text("• " + holiday_line(day, name) + " — " + names),
                             len(members) - MAX_NAMED).line())
    for msg in assemble(blocks, chars=READABLE_CHARS):
        ctx.reply(msg)


def room_holidays(calendars: dict[str, MemberCalendar], first: date, last: date, lang: str
                  ) -> dict[tuple[date, str], list[str]]:
    """(date, holiday name) → members it falls on, in date order; members who work that
    day (`!calendar on`) are left out."""
    found: dict[tuple[date, str], list[str]] = defaultdict(list)
    for user_id, cal in calendars.items():
        for holiday in cal.holidays(first, last, lang):
            if not cal.worked(holiday.day):
                found[(holiday.day, holiday.name)].append(user_id)
    return dict(sorted(found.items()))


def _next_holidays(cal: MemberCalendar, today: date, lang: str) -> list[Holiday]:
    return cal.holidays(today, today + timedelta(days=400), lang)[:NEXT_HOLIDAYS]
