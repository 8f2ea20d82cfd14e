"""`!tz`: a member's time zone, kept only in the bot's database."""

from __future__ import annotations

from commands.common import room_default_zone, zone_of
from commands.context import Context
from commands.domain.timefmt import format_local
from commands.domain.zones import ZoneError, find_zones, resolve_zone, utc_offset_label
from commands.errors import PermissionDenied, UserError
from commands.reply import Msg
from commands.router import Arg, Router
from storage.members import set_zone

SET_EXAMPLE = "!tz set Africa/Nairobi"


def _resolve(text: str) -> str:
    try:
        return resolve_zone(text)
    except ZoneError as err:
        hint = f" Did you mean {', '.join(err.suggestions[:5])}?" if err.suggestions else ""
        raise UserError(
            f"{err}{hint} A fixed offset like UTC+03:00 works too.", SET_EXAMPLE
        ) from None


def _describe(ctx: Context, zone: str) -> str:
    return f"{zone}, {utc_offset_label(zone, ctx.now)} — now {format_local(ctx.now, zone)}"


def register(router: Router) -> None:
    @router.command(
        "tz",
        summary="Your time zone: every time is shown to you in it.",
        usage="!tz [set <zone> | find <text> | room <zone>]",
        examples=("!tz set Kathmandu", "!tz find kolk"),
    )
    async def tz(ctx: Context) -> None:
        zone, is_default = await zone_of(ctx)
        if is_default:
            ctx.reply(
                Msg().text(f"You have not set a time zone, so you see the room's default: "
                           f"{_describe(ctx, zone)}. Set yours with ").code("!tz set <city>")
            )
        else:
            ctx.reply(Msg().text(f"Your time zone: {_describe(ctx, zone)}."))

    @tz.sub("set", summary="Set your zone (a city, an IANA name or UTC±HH:MM).",
            usage="!tz set <zone>", examples=("!tz set Kathmandu", "!tz set UTC+03:00"),
            args=(Arg("zone", _resolve, rest=True),))
    async def tz_set(ctx: Context, zone: str) -> None:
        await set_zone(ctx.db, ctx.sender, zone, ctx.now.isoformat())
        ctx.reply(Msg().text(f"Saved. Your time zone is {_describe(ctx, zone)}."))

    @tz.sub("find", summary="Search zone names.", usage="!tz find <text>",
            examples=("!tz find kolk",), args=(Arg("text", rest=True),))
    async def tz_find(ctx: Context, text: str) -> None:
        found = find_zones(text, limit=10)
        if not found:
            raise UserError(f"No time zone matches {text[:40]!r}.", "!tz find nairobi")
        msg = Msg().text(f"Zones matching {text[:40]!r}:").line()
        for zone in found:
            msg.text(f"• {zone} ({utc_offset_label(zone, ctx.now)})").line()
        ctx.reply(msg)

    @tz.sub("room", summary="Set the room's default zone (moderators).",
            usage="!tz room <zone>", examples=("!tz room Africa/Nairobi",),
            args=(Arg("zone", _resolve, rest=True),))
    async def tz_room(ctx: Context, zone: str) -> None:
        if not ctx.is_moderator():
            current = await room_default_zone(ctx)
            raise PermissionDenied(
                f"Only room moderators can change the room's default zone (now {current})."
            )
        await ctx.db.conn.execute(
            "INSERT INTO rooms (room_id, joined_ts, default_zone) VALUES (?, 0, ?) "
            "ON CONFLICT(room_id) DO UPDATE SET default_zone = excluded.default_zone",
            (ctx.room_id, zone),
        )
        ctx.reply(Msg().text(f"The room's default zone is now {_describe(ctx, zone)}."))
