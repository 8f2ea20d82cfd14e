"""`!hours`: a member's working hours, used to rank meeting times and time prompts."""

from __future__ import annotations

from commands.common import zone_of
from commands.context import Context
from commands.domain.hours import HoursError, WorkingHours, parse_hours
from commands.errors import UserError
from commands.reply import Msg
from commands.router import Arg, Router
from storage.members import get_member, set_hours

EXAMPLE = "!hours set 09:00-17:00 Mon-Fri"


def _parse(text: str) -> WorkingHours:
    try:
        return parse_hours(text)
    except HoursError as err:
        raise UserError(str(err), EXAMPLE) from None


def register(router: Router) -> None:
    @router.command(
        "hours",
        summary="Your working hours, in your own zone.",
        usage="!hours [set <from>-<to> [<days>]]",
        examples=(EXAMPLE, "!hours set 08:00-16:00 Sun-Thu"),
    )
    async def hours(ctx: Context) -> None:
        member = await get_member(ctx.db, ctx.sender)
        zone, is_default = await zone_of(ctx)
        if not member.hours:
            ctx.reply(Msg().text("You have not set working hours. Set them with ").code(EXAMPLE))
            return
        described = WorkingHours.from_storage(member.hours).describe()
        msg = Msg().text(f"Your working hours: {described}, {zone}.")
        if is_default:
            msg.text(" That is the room's default zone; set yours with ").code("!tz set <city>")
        ctx.reply(msg)

    @hours.sub("set", summary="Set your working hours and working days.",
               usage="!hours set <from>-<to> [<days>]",
               examples=(EXAMPLE, "!hours set 9am-5pm Sun-Thu"),
               args=(Arg("hours", _parse, rest=True),))
    async def hours_set(ctx: Context, hours: WorkingHours) -> None:
        zone, is_default = await zone_of(ctx)
        await set_hours(ctx.db, ctx.sender, hours.to_storage(), ctx.now.isoformat())
        msg = Msg().text(f"Saved. Your working hours: {hours.describe()}, {zone}.")
        if is_default:
            msg.text(" That is the room's default zone; set yours with ").code("!tz set <city>")
        ctx.reply(msg)
