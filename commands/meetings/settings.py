"""`!meeting agenda | link | reminders | notify | ics`."""

from __future__ import annotations

import re
from datetime import timedelta

from commands.context import ChangeKind, Context
from commands.errors import PermissionDenied, UserError
from commands.meetings.commands import find_meeting, meeting_cmd, parse_ref, require_owner
from commands.meetings.people import room_night
from commands.reply import Attachment, Msg, coded, fill
from commands.router import Arg, CommandSet, Router
from domain.availability import DEFAULT_NIGHT, parse_night
from domain.errors import DomainError
from domain.i18n import N_, _, ngettext
from domain.ics import series_to_ics
from domain.recurrence import next_occurrence
from domain.timefmt import format_day
from storage.meetings import (
    active_meeting_ids,
    add_agenda,
    agenda,
    overrides_for,
    room_leads,
    set_notify,
    set_room_leads,
    touch,
)
from storage.room_settings import set_night_window

MAX_LEAD = timedelta(days=7)
MAX_AGENDA_TEXT = 1000
LEAD = re.compile(r"([0-9]{1,4})\s*(d|h|m|min|mins|minutes?|hours?|days?)", re.IGNORECASE)


def parse_leads(text: str) -> tuple[int, ...]:
    """`24h 15m` → (1440, 15): minutes before the start, longest first."""
    words = text.replace(",", " ").split()
    if not words or len(words) > 5:
        raise DomainError(_("Give one to five lead times, like 24h 15m."))
    minutes: set[int] = set()
    for word in words:
        match = LEAD.fullmatch(word)
        if not match:
            # Translators: {text} is what the member typed, in quotes; m, h and d are the
            # units the command accepts.
            raise DomainError(_("{text} is not a lead time; use m, h or d, like 15m or 24h.")
                             .format(text=repr(word[:20])))
        unit = match.group(2)[0].lower()
        value = int(match.group(1)) * {"d": 1440, "h": 60, "m": 1}[unit]
        if not 1 <= value <= MAX_LEAD.total_seconds() // 60:
            raise DomainError(_("Lead times go from 1m to 7d."))
        minutes.add(value)
    return tuple(sorted(minutes, reverse=True))


def describe_leads(leads: tuple[int, ...]) -> str:
    def one(m: int) -> str:
        if m % 1440 == 0:
            return f"{m // 1440}d"
        if m % 60 == 0:
            return f"{m // 60}h"
        return f"{m}m" if m < 60 else f"{m // 60}h{m % 60:02d}m"

    return ", ".join(one(m) for m in leads)


def check_link(url: str) -> str:
    if not re.fullmatch(r"https?://[^\s<>\"']{1,500}", url):
        raise DomainError(_("A join link must be an http:// or https:// address."))
    return url


cmds = CommandSet()


@cmds.sub(meeting_cmd, "agenda", summary=N_("Show or add to the next occurrence's agenda."),
          usage=N_("!meeting agenda <id> [add <text>]"),
          examples=(N_("!meeting agenda m1 add Budget for 2027"), "!meeting agenda m1"),
          args=(Arg("id", parse_ref), Arg("text", optional=True, rest=True)))
async def agenda_cmd(ctx: Context, id: int, text: str | None, router: Router) -> None:
    found = await find_meeting(ctx, id)
    upcoming = next_occurrence(found.series, ctx.now, await overrides_for(ctx.db, found.id))
    if upcoming is None:
        raise UserError(_("m{number} has no more occurrences.").format(number=found.number),
                        "!meetings")
    when = format_day(upcoming.original_local.date())
    if text:
        match = re.fullmatch(r"add(?:\s+(.*))?", text.strip(), re.IGNORECASE | re.DOTALL)
        item = (match.group(1) or "").strip() if match else ""
        if not item:
            raise UserError(_("Add an item with “add” and its text."),
                            _("!meeting agenda m{number} add Budget for 2027").format(
                                number=found.number))
        if len(item) > MAX_AGENDA_TEXT:
            raise UserError(ngettext("Keep an agenda item under {count} character.",
                                     "Keep an agenda item under {count} characters.",
                                     MAX_AGENDA_TEXT).format(count=MAX_AGENDA_TEXT),
                            _("!meeting agenda m{number} add Budget for 2027").format(
                                number=found.number))
        await add_agenda(ctx.db.conn, found.id, upcoming.original_local, item, ctx.sender,
                         ctx.now)
    items = await agenda(ctx.db, found.id, upcoming.original_local)
    # Translators: {title} is the meeting's title, {date} the day of the occurrence.
    msg = Msg().bold(_("Agenda for m{number} {title}, {date}").format(
        number=found.number, title=found.title, date=when)).line()
    if not items:
        # Translators: {command} is a command in a code span.
        fill(msg, _("Nothing yet. Add with {command}"), command=coded(
            _("!meeting agenda m{number} add <text>").format(number=found.number)))
    for index, (line, who) in enumerate(items, 1):
        msg.text(f"{index}. {line} (").mention(who, ctx.room.display_name(who),
                                               notify=False).text(")").line()
    for section in router.schedules.hooks.agenda:
        await section(ctx, found, upcoming, msg)
    ctx.reply(msg)


@cmds.sub(meeting_cmd, "link", summary=N_("Set the join link shown in reminders."),
          usage=N_("!meeting link <id> <url>"),
          examples=("!meeting link m1 https://meet.example.org/network",),
          args=(Arg("id", parse_ref), Arg("url", check_link)))
async def link(ctx: Context, id: int, url: str) -> None:
    found = await find_meeting(ctx, id)
    require_owner(ctx, found, "change the link of")
    await touch(ctx.db.conn, found.id, ctx.now, link=url)
    ctx.reply(Msg().text(_("Join link for m{number} set: {url}").format(
        number=found.number, url=url)))


@cmds.sub(meeting_cmd, "reminders", summary=N_("Lead times for the room, or for one meeting."),
          usage=N_("!meeting reminders [<id>] <lead> …"),
          examples=("!meeting reminders 24h 15m", "!meeting reminders m1 1h"),
          args=(Arg("text", optional=True, rest=True),))
async def reminders(ctx: Context, text: str | None) -> None:
    words = (text or "").split()
    if words and re.fullmatch(r"[#mM]?[0-9]{1,9}", words[0]) and len(words) > 1:
        found = await find_meeting(ctx, parse_ref(words[0]))
        require_owner(ctx, found, "change the reminders of")
        leads = parse_leads(" ".join(words[1:]))
        await touch(ctx.db.conn, found.id, ctx.now, leads=",".join(map(str, leads)))
        ctx.changed.add((ChangeKind.MEETING, found.id))
        # Translators: {leads} is a list of lead times, e.g. "1d, 15m".
        ctx.reply(Msg().text(_("m{number} reminds {leads} before.").format(
            number=found.number, leads=describe_leads(leads))))
        return
    if not words:
        current = await room_leads(ctx.db, ctx.room_id)
        # Translators: {leads} is a list of lead times, e.g. "1d, 15m"; {command} a
        # command in a code span.
        ctx.reply(fill(Msg(), _("This room's reminders: {leads} before each meeting. "
                                "Change with {command}"),
                       leads=describe_leads(current),
                       command=coded("!meeting reminders 24h 15m")))
        return
    if not ctx.is_moderator():
        raise PermissionDenied(_("Only room moderators can change the room's reminders."))
    leads = parse_leads(" ".join(words))
    await set_room_leads(ctx.db.conn, ctx.room_id, leads)
    ids = await active_meeting_ids(ctx.db, ctx.room_id)
    ctx.changed.update((ChangeKind.MEETING, meeting_id) for meeting_id in ids)
    # Translators: {leads} is a list of lead times, e.g. "1d, 15m".
    ctx.reply(Msg().text(_("Meetings in this room now remind {leads} before they start.")
                         .format(leads=describe_leads(leads))))


@cmds.sub(meeting_cmd, "notify", summary=N_("Be mentioned in this room's meeting reminders."),
          usage=N_("!meeting notify on|off"), examples=("!meeting notify on",),
          args=(Arg("state"),))
async def notify(ctx: Context, state: str) -> None:
    if state.lower() not in ("on", "off"):
        raise UserError(_("Say on or off."), "!meeting notify on")
    if state.lower() == "on":
        await set_notify(ctx.db.conn, ctx.room_id, ctx.sender, True)
        ctx.reply(Msg().text(_("You will be mentioned in this room's meeting reminders.")))
    else:
        await set_notify(ctx.db.conn, ctx.room_id, ctx.sender, False)
        ctx.reply(Msg().text(
            _("You will no longer be mentioned in meeting reminders here.")))


@cmds.sub(meeting_cmd, "ping",
          summary=N_("Who a meeting's reminders mention: opted-in members or @room."),
          usage=N_("!meeting ping <id> room|members"),
          examples=("!meeting ping m1 room", "!meeting ping m1 members"),
          args=(Arg("id", parse_ref), Arg("target")))
async def ping(ctx: Context, id: int, target: str) -> None:
    found = await find_meeting(ctx, id)
    require_owner(ctx, found, "change who is mentioned for")
    target = target.lower()
    if target not in ("room", "members"):
        raise UserError(_("Say room or members."), f"!meeting ping m{found.number} members")
    needed = ctx.room.required_level("notifications.room")
    if target == "room" and min(ctx.room.power_level(ctx.sender),
                                ctx.room.power_level(found.created_by)) < needed:
        raise PermissionDenied(
            _("@room needs power level {level} in this room, for you and for whoever "
              "scheduled m{number}; I won't notify the whole room otherwise.").format(
                level=needed, number=found.number)
        )
    await touch(ctx.db.conn, found.id, ctx.now, ping_room=int(target == "room"))
    if target == "room":
        text = _("Reminders for m{number} will mention @room.")
    else:
        text = _("Reminders for m{number} will mention members who ran !meeting notify on.")
    ctx.reply(Msg().text(text.format(number=found.number)))


@cmds.sub(meeting_cmd, "night",
          summary=N_("The hours counted as night for every member, in their own time."),
          usage=N_("!meeting night [<from>-<to>|default]"),
          examples=("!meeting night", "!meeting night 22:00-07:00"),
          args=(Arg("window", optional=True, rest=True),))
async def night(ctx: Context, window: str | None) -> None:
    if not window:
        current = await room_night(ctx.db, ctx.room_id)
        # Translators: {night} is e.g. "22:00–06:00"; {command} a command in a code span.
        ctx.reply(fill(Msg(), _("Night here is {night} in each member's own time: "
                                "suggestions avoid it first and notes name who it hits. "
                                "Change with {command}"),
                       night=current.describe(), command=coded("!meeting night 22:00-07:00")))
        return
    if not ctx.is_moderator():
        raise PermissionDenied(_("Only room moderators can change the room's night."))
    if window.strip().lower() == "default":
        chosen = DEFAULT_NIGHT
        await set_night_window(ctx.db.conn, ctx.room_id, None)
    else:
        try:
            chosen = parse_night(window)
        except ValueError:
            raise UserError(_("Give the night as two times, 4 to 12 hours apart, like "
                              "22:00-07:00."), "!meeting night 22:00-07:00") from None
        await set_night_window(ctx.db.conn, ctx.room_id, chosen.to_storage())
    # Translators: {night} is e.g. "22:00–07:00".
    ctx.reply(Msg().text(_("Night in this room is now {night}, in each member's own "
                           "time.").format(night=chosen.describe())))


@cmds.sub(meeting_cmd, "ics", summary=N_("Get a calendar file (.ics) for a meeting."),
          usage=N_("!meeting ics <id>"), examples=("!meeting ics m1",),
          args=(Arg("id", parse_ref),))
async def ics(ctx: Context, id: int) -> None:
    found = await find_meeting(ctx, id)
    data = series_to_ics(
        uid=f"{found.room_id}-m{found.number}@minga",
        title=found.title,
        series=found.series,
        overrides=await overrides_for(ctx.db, found.id),
        url=found.link,
        now_utc=ctx.now,
        sequence=found.revision,
    )
    filename = f"meeting-m{found.number}.ics"
    ctx.reply(Msg(attachment=Attachment(filename, "text/calendar", data)).text(filename))

