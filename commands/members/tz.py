"""`!tz`: a member's time zone, kept only in the bot's database."""

from __future__ import annotations

from collections.abc import Callable

from commands.common import member_calendars, room_default_zone, zone_of
from commands.context import Context
from commands.errors import PermissionDenied, UserError
from commands.members.calendar import SET_EXAMPLE as SET_CALENDAR
from commands.members.calendar import describe_calendar
from commands.reply import Msg, coded, fill
from commands.router import Arg, CommandSet
from domain.i18n import N_, _
from domain.timefmt import format_local
from domain.zones import (
    ZoneError,
    abbreviation,
    find_zones,
    resolve_zone,
    utc_offset_label,
    zone_info,
    zone_label,
)
from storage.members import get_member, set_zone
from storage.rooms import set_room_default_zone

SET_EXAMPLE = "!tz set Africa/Nairobi"


def _zone(verb: str) -> Callable[[str], tuple[str, str]]:
    """The argument parser of `!tz <verb> <zone>`: the key, and what was typed."""

    def resolve(text: str) -> tuple[str, str]:
        try:
            return resolve_zone(text, any_case=True), text.strip()
        except ZoneError as err:
            if err.ambiguous:
                raise UserError(str(err), offers=[f"!tz {verb} {zone}"
                                                  for zone in err.suggestions]) from None
            message = str(err)
            if err.suggestions:
                # Translators: {zones} is a list of time zone names.
                message += " " + _("Did you mean {zones}?").format(
                    zones=", ".join(err.suggestions[:5]))
            message += " " + _("A fixed offset like UTC+03:00 works too.")
            raise UserError(message, SET_EXAMPLE) from None

    return resolve


def abbreviation_warning(msg: Msg, typed: str) -> None:
    """After a zone given as "EST": it never follows daylight saving; name a city instead."""
    found = abbreviation(typed)
    if found is None:
        return
    offset, cities = found
    # Translators: {text} is what was typed, e.g. "EST"; {offset} e.g. "UTC-05:00"; {cities}
    # one or two cities, e.g. "New York or Bogota"; {command} e.g. "!tz set America/New_York".
    fill(msg.line(), _("{text} is the fixed offset {offset}: it never changes for daylight "
                       "saving. If you live in {cities}, {command} follows its clock all "
                       "year."),
         text=typed.upper(), offset=offset,
         cities=_(" or ").join(zone_label(city) for city in cities),
         command=coded(f"!tz set {cities[0]}"))


def _describe(ctx: Context, zone: str) -> str:
    if zone == utc_offset_label(zone, ctx.now):
        # Translators: a fixed offset and the time there now, e.g.
        # "UTC-05:00 — now Thu 3 Dec 2026, 10:00 (UTC-05:00)".
        return _("{zone} — now {time}").format(zone=zone, time=format_local(ctx.now, zone))
    # Translators: a time zone, its offset and the time there now, e.g.
    # "Africa/Nairobi, UTC+03:00 — now Thu 3 Dec 2026, 14:00 (Nairobi)".
    return _("{zone}, {offset} — now {time}").format(
        zone=zone, offset=utc_offset_label(zone, ctx.now), time=format_local(ctx.now, zone))


cmds = CommandSet()


@cmds.command(
    "tz",
    summary=N_("Your time zone: every time is shown to you in it."),
    # Translators: keep the command words (set, find, room); translate <zone> and <text>.
    usage=N_("!tz [set <zone> | find <text> | room <zone>]"),
    examples=("!tz set Kathmandu", "!tz find kolk"),
)
async def tz(ctx: Context) -> None:
    zone, is_default = await zone_of(ctx)
    if is_default:
        # Translators: followed by the command that sets one's zone.
        ctx.reply(Msg().text(_("You have not set a time zone, so you see the room's "
                               "default: {zone}. Set yours with").format(
                                   zone=_describe(ctx, zone)) + " ").code(
            # Translators: a command; keep "!tz set", translate <city>.
            _("!tz set <city>")))
    else:
        ctx.reply(Msg().text(_("Your time zone: {zone}.").format(zone=_describe(ctx, zone))))


@tz.sub("set", summary=N_("Set your zone (a city, an IANA name or UTC±HH:MM)."),
        usage=N_("!tz set <zone>"), examples=("!tz set Kathmandu", "!tz set UTC+03:00"),
        args=(Arg("zone", _zone("set"), rest=True),))
async def tz_set(ctx: Context, zone: tuple[str, str]) -> None:
    key, typed = zone
    await set_zone(ctx.db.conn, ctx.sender, key, ctx.now.isoformat())
    msg = Msg().text(_("Saved. Your time zone is {zone}.").format(zone=_describe(ctx, key)))
    abbreviation_warning(msg, typed)
    await _calendar_note(ctx, msg, key)
    ctx.reply(msg)


async def _calendar_note(ctx: Context, msg: Msg, zone: str) -> None:
    """The calendar the new zone implies (or the one the member chose, which stays)."""
    member = await get_member(ctx.db, ctx.sender)
    calendars = await member_calendars(ctx.db, {ctx.sender: member}, zone, ctx.now.date())
    today = ctx.now.astimezone(zone_info(zone)).date()
    described = describe_calendar(calendars[ctx.sender], today, ctx.lang)
    if member.calendar is None:
        # Translators: {calendar} is e.g. "weekend Fri–Sat, public holidays of Jordan".
        msg.line().text(_("Calendar: {calendar}. Change it with").format(
            calendar=described) + " ").code(SET_CALENDAR)
    else:
        msg.line().text(_("Your chosen calendar stays: {calendar}.").format(
            calendar=described))


@tz.sub("find", summary=N_("Search zone names."), usage=N_("!tz find <text>"),
        examples=("!tz find kolk",), args=(Arg("text", rest=True),))
async def tz_find(ctx: Context, text: str) -> None:
    found = find_zones(text, limit=10)
    if not found:
        # Translators: {text} is what the member typed, in quotes.
        raise UserError(_("No time zone matches {text}.").format(text=repr(text[:40])),
                        "!tz find nairobi")
    # Translators: {text} is what the member typed, in quotes.
    msg = Msg().text(_("Zones matching {text}:").format(text=repr(text[:40]))).line()
    for zone in found:
        msg.text(f"• {zone} ({utc_offset_label(zone, ctx.now)})").line()
    ctx.reply(msg)


@tz.sub("room", summary=N_("Set the room's default zone (moderators)."),
        usage=N_("!tz room <zone>"), examples=("!tz room Africa/Nairobi",),
        args=(Arg("zone", _zone("room"), rest=True),))
async def tz_room(ctx: Context, zone: tuple[str, str]) -> None:
    key, typed = zone
    if not ctx.is_moderator():
        current = await room_default_zone(ctx)
        raise PermissionDenied(
            _("Only room moderators can change the room's default zone (now {zone}).")
            .format(zone=current)
        )
    await set_room_default_zone(ctx.db.conn, ctx.room_id, key)
    msg = Msg().text(_("The room's default zone is now {zone}.").format(
        zone=_describe(ctx, key)))
    abbreviation_warning(msg, typed)
    ctx.reply(msg)
