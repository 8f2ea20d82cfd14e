"""`!hours`: a member's working hours, used to rank meeting times and time prompts."""

from __future__ import annotations

from commands.common import effective_hours, member_calendars, zone_of
from commands.context import Context
from commands.reply import Msg
from commands.router import Arg, CommandSet
from domain.hours import WorkingHours, read_hours_and_days
from domain.i18n import N_, _
from domain.zones import zone_info
from storage.members import get_member, get_members, set_hours

# Translators: keep "!hours set" and the times; the days as members may type them.
EXAMPLE = N_("!hours set 09:00-17:00 Mon-Fri")


def _room_default(msg: Msg) -> None:
    # Translators: followed by the command that sets one's zone.
    msg.text(" " + _("That is the room's default zone; set yours with") + " ").code(
        # Translators: a command; keep "!tz set", translate <city>.
        _("!tz set <city>"))


async def _with_calendar(ctx: Context, zone: str) -> WorkingHours:
    """The member's hours with their calendar's working days (see `!calendar`)."""
    settings = await get_members(ctx.db, [ctx.sender])
    calendars = await member_calendars(ctx.db, settings, zone, ctx.now.date())
    return effective_hours(settings[ctx.sender].hours, calendars[ctx.sender],
                           ctx.now.astimezone(zone_info(zone)).date())


cmds = CommandSet()


@cmds.command(
    "hours",
    summary=N_("Your working hours, in your own zone."),
    # Translators: keep "!hours set"; translate <from>, <to> and <days>.
    usage=N_("!hours [set <from>-<to> [<days>]]"),
    # Translators: keep "!hours set" and the times; the days as members may type them.
    examples=(EXAMPLE, N_("!hours set 08:00-16:00 Sun-Thu"),
              # Translators: keep "!hours set" and the times; the days as members may type
              # them. Two shifts a day, with a break between.
              N_("!hours set 09:00-12:00 14:00-18:00 Mon-Fri")),
)
async def hours(ctx: Context) -> None:
    member = await get_member(ctx.db, ctx.sender)
    zone, is_default = await zone_of(ctx)
    if not member.hours:
        # Translators: followed by an example command.
        ctx.reply(Msg().text(_("You have not set working hours. Set them with") + " ").code(
            _(EXAMPLE)))
        return
    described = (await _with_calendar(ctx, zone)).describe()
    # Translators: {hours} describes the hours and days, e.g. "09:00–17:00 Mon–Fri".
    msg = Msg().text(_("Your working hours: {hours}, {zone}.").format(hours=described,
                                                                      zone=zone))
    if is_default:
        _room_default(msg)
    ctx.reply(msg)


@hours.sub("set", summary=N_("Set your working hours and working days."),
           # Translators: keep "!hours set"; translate <from>, <to> and <days>.
           usage=N_("!hours set <from>-<to> [<days>]"),
           # Translators: keep "!hours set" and the times; the days as members may type
           # them.
           examples=(EXAMPLE, N_("!hours set 9am-5pm Sun-Thu")),
           args=(Arg("hours", read_hours_and_days, rest=True),))
async def hours_set(ctx: Context, hours: tuple[WorkingHours, tuple[str, ...], bool]) -> None:
    """Saved and restated; a reading the member should check ("9-5") is said too. Without
    named days the calendar's week applies (Sun–Thu in Amman): the restatement shows it."""
    read, notes, named = hours
    zone, is_default = await zone_of(ctx)
    await set_hours(ctx.db.conn, ctx.sender, read.to_storage(), ctx.now.isoformat(), named)
    msg = Msg().text(_("Saved. Your working hours: {hours}, {zone}.").format(
        hours=(await _with_calendar(ctx, zone)).describe(), zone=zone))
    for note in notes:
        msg.text(" " + note)
    if is_default:
        _room_default(msg)
    ctx.reply(msg)
