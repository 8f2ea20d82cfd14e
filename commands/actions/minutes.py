"""`!meeting start|end`, `!decision`, `!info`, `!minutes`: minutes of what members tag.

Only lines tagged with a command are recorded, never the conversation around them.
Attendees are the members who used a command while the minutes were open, whatever its
outcome (refused or mistyped too), and those who closed an item with ✅. Open actions
recorded at one occurrence of a series are carried into the next: its 24-hour reminder
lists them (the "reminder" hook), and so does its agenda once `!meeting agenda` calls the
"agenda" hook registered here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from commands.actions.common import (
    action_line,
    check_text,
    note_presence,
    owner_zones,
    zone_for,
)
from commands.common import room_default_zone, room_lang, room_zone
from commands.context import Context, RoomView
from commands.errors import UserError, errors_show
from commands.jobs import JobEnv
from commands.meetings.commands import find_meeting, meeting_cmd, parse_ref
from commands.reply import Attachment, Msg, assemble, bolded, coded, fill, react
from commands.router import Arg, CommandSet
from domain.due import format_due
from domain.i18n import N_, _, ngettext, use_language
from domain.recurrence import Occurrence, occurrences
from domain.timefmt import format_day, format_local
from domain.zones import zone_info, zone_label
from storage.actions import Action, carried_actions, minutes_actions
from storage.db import Database
from storage.meetings import Meeting, get_meeting_by_id, overrides_for, room_meetings
from storage.minutes import (
    MAX_OPEN,
    Minutes,
    add_line,
    attend,
    attendees,
    end_minutes,
    last_minutes,
    lines,
    start_minutes,
    unended_minutes,
)

# Translators: the usage of a command: keep "!decision"/"!info"; translate <text>.
DECISION_USAGE, INFO_USAGE = N_("!decision <text>"), N_("!info <text>")
DECISION_EXAMPLE = N_("!decision We meet in person in May")
INFO_EXAMPLE = N_("!info The venue moved to the library")
# Headings of the minutes.
DECISIONS, INFORMATION, ACTIONS = N_("Decisions"), N_("Information"), N_("Actions")
NOW_WINDOW = timedelta(minutes=30)  # "happening now": from 30 min before to 30 min after
CARRY_LEAD_MIN = 12 * 60
MAX_CARRIED = 20


@dataclass(frozen=True)
class MinutesView:
    """Everything the minutes say, ready to render as a message or a Markdown file."""

    title: str
    when: str
    attendees: list[str]
    decisions: list[tuple[str, str]]
    info: list[tuple[str, str]]
    actions: list[str]


async def occurrence_now(ctx: Context, number: int | None) -> tuple[Meeting, Occurrence] | None:
    """The occurrence of meeting `number` nearest now (within a day), or any happening now."""
    meetings = [await find_meeting(ctx, number)] if number else await room_meetings(
        ctx.db, ctx.room_id)
    reach = timedelta(days=1) if number else NOW_WINDOW
    found: list[tuple[timedelta, Meeting, Occurrence]] = []
    for meeting in meetings:
        window = reach + (meeting.series.duration if not number else timedelta(0))
        for occ in occurrences(meeting.series, ctx.now - window, ctx.now + reach,
                               await overrides_for(ctx.db, meeting.id), limit=50):
            if number or occ.end_utc + NOW_WINDOW >= ctx.now:
                found.append((abs(occ.start_utc - ctx.now), meeting, occ))
    if not found:
        if number:
            raise UserError(_("m{number} has no occurrence within a day of now.").format(
                number=number), f"!meeting show m{number}")
        return None
    _distance, meeting, occ = min(found, key=lambda item: (item[0], item[1].number))
    return meeting, occ


def action_text(action: Action, room: RoomView, zones: dict[str, str], default: str,
                now: datetime) -> str:
    """One action as plain text: no pills, so minutes link to nothing."""
    owners = ", ".join(room.display_name(u) for u in action.owners) or _("nobody")
    text = f"#{action.number} {action.text} — {owners}"
    if action.due:
        text += " · " + _("due {when}").format(
            when=format_due(action.due, zone_for(action, zones, default), now))
    if action.closed_at:
        # Translators: the state of an action item in the minutes.
        text += " · " + _("done ✓")
    return text


async def minutes_view(db: Database, room: RoomView, minutes: Minutes, default: str,
                       now: datetime) -> MinutesView:
    meeting = await get_meeting_by_id(db, minutes.meeting_id) if minutes.meeting_id else None
    zone = meeting.series.zone if meeting else default
    title = f"m{meeting.number} {meeting.title}" if meeting else _("a meeting without a schedule")
    if minutes.ended_at:
        started = minutes.started_at.astimezone(zone_info(zone))
        # Translators: when minutes were taken, e.g. "Thu 3 Dec 2026, 14:00–15:10 (Nairobi)".
        when = _("{date}, {start}–{end} ({place})").format(
            date=format_day(started.date(), with_year=True), start=f"{started:%H:%M}",
            end=f"{minutes.ended_at.astimezone(zone_info(zone)):%H:%M}", place=zone_label(zone))
    else:
        # Translators: {when} is when the minutes were opened (a date, time and place).
        when = _("{when}, still open").format(when=format_local(minutes.started_at, zone))
    said = await lines(db, minutes.id)
    items = await minutes_actions(db, minutes.id)
    zones = await owner_zones(db, items, default)
    return MinutesView(
        title=title, when=when,
        attendees=[room.display_name(u) for u in await attendees(db, minutes.id)],
        decisions=[(t, room.display_name(u)) for kind, t, u in said if kind == "decision"],
        info=[(t, room.display_name(u)) for kind, t, u in said if kind == "info"],
        actions=[action_text(a, room, zones, default, now) for a in items])


def as_messages(view: MinutesView) -> list[Msg]:
    attending = ", ".join(view.attendees) or _("nobody")
    # Translators: {title} is a meeting's id and title ("m1 Network call").
    blocks = [Msg().bold(_("Minutes — {title}").format(title=view.title)).line()
              .text(view.when).line()
              .text(_("Attendees: {names}").format(names=attending)).line()]
    for heading, entries, numbered in ((DECISIONS, view.decisions, True),
                                       (INFORMATION, view.info, False)):
        if entries:
            blocks.append(Msg().bold(_(heading)).line())
            blocks += [Msg().text(f"{i}. " if numbered else "• ").text(f"{t} ({who})").line()
                       for i, (t, who) in enumerate(entries, 1)]
    if view.actions:
        blocks.append(Msg().bold(_(ACTIONS)).line())
        blocks += [Msg().text(f"• {line}").line() for line in view.actions]
    if len(blocks) == 1:
        blocks.append(Msg().italic(_("Nothing was recorded.")).line())
    return assemble(blocks)


def _md(text: str) -> str:
    """User text inside Markdown: escape what would become markup or a link."""
    return re.sub(r"([\\`*_{}\[\]<>()#+!|~-])", r"\\\1", text)


def as_markdown(view: MinutesView) -> str:
    """The minutes as a Markdown file, in the active language."""
    attending = _md(", ".join(view.attendees) or _("nobody"))
    out = ["# " + _("Minutes — {title}").format(title=_md(view.title)), "", _md(view.when), "",
           "**" + _("Attendees:") + "** " + attending, ""]
    if view.decisions:
        out += ["## " + _(DECISIONS), ""] + [f"{i}. {_md(t)} ({_md(who)})"
                                             for i, (t, who) in enumerate(view.decisions, 1)]
        out.append("")
    if view.info:
        out += ["## " + _(INFORMATION), ""] + [f"- {_md(t)} ({_md(who)})"
                                               for t, who in view.info]
        out.append("")
    if view.actions:
        out += ["## " + _(ACTIONS), ""] + [f"- {_md(line)}" for line in view.actions] + [""]
    return "\n".join(out)


async def carried_lines(db: Database, meeting: Meeting, before_local: datetime, room: RoomView,
                        default: str, now: datetime, msg: Msg) -> None:
    """"Open actions from earlier meetings:" and one line each (no notifications)."""
    items = await carried_actions(db, meeting.id, before_local)
    if not items:
        return
    zones = await owner_zones(db, items, default)
    msg.text(_("Open actions from earlier meetings:")).line()
    for action in items[:MAX_CARRIED]:
        action_line(msg.text("• "), action, room, zones, default, now)
    if len(items) > MAX_CARRIED:
        more = len(items) - MAX_CARRIED
        # Translators: {command} is the command that lists them all (!actions).
        fill(msg, ngettext("… and {count} more ({command})", "… and {count} more ({command})",
                           more), count=more, command=coded("!actions")).line()


cmds = CommandSet()


@cmds.sub(meeting_cmd, "start", summary=N_("Open minutes for the meeting happening now."),
          usage=N_("!meeting start [<id>]"),
          examples=("!meeting start", "!meeting start m1"),
          args=(Arg("id", parse_ref, optional=True),))
async def meeting_start(ctx: Context, id: int | None) -> None:
    await note_presence(ctx)
    current = await unended_minutes(ctx.db, ctx.room_id)
    if current and ctx.now - current.started_at <= MAX_OPEN:
        raise UserError(_("Minutes are already open here; end them first."),
                        "!meeting end")
    if current:  # forgotten: they stopped recording after MAX_OPEN anyway
        await end_minutes(ctx.db.conn, current.id, current.started_at + MAX_OPEN)
    found = await occurrence_now(ctx, id)
    await start_minutes(ctx.db.conn, room_id=ctx.room_id,
                        meeting_id=found[0].id if found else None,
                        occurrence_local=found[1].original_local if found else None,
                        user_id=ctx.sender, now=ctx.now)
    msg = Msg()
    if found:
        # Translators: {meeting} is a meeting's id and title ("m1 Network call"), {when}
        # its date, time and place.
        fill(msg, _("Minutes are open for {meeting} ({when})."),
             meeting=bolded(f"m{found[0].number} {found[0].title}"),
             when=format_local(found[1].start_utc, found[0].series.zone))
    else:
        fill(msg, _("Minutes are open (no scheduled meeting is happening now; name one "
                    "with {command})."), command=coded("!meeting start m1"))
    # Translators: {decision}, {info}, {action} and {end} are commands.
    fill(msg.text(" "), _("I record only tagged lines: {decision}, {info}, {action}. "
                          "End with {end}."),
         decision=coded(_(DECISION_USAGE)), info=coded(_(INFO_USAGE)),
         action=coded("!action …"), end=coded("!meeting end")).line()
    if found:
        await carried_lines(ctx.db, found[0], found[1].original_local, ctx.room,
                            await room_default_zone(ctx), ctx.now, msg)
    ctx.reply(msg)


@cmds.sub(meeting_cmd, "end", summary=N_("Close the minutes and post them."), usage="!meeting end",
          examples=("!meeting end",))
async def meeting_end(ctx: Context) -> None:
    current = await unended_minutes(ctx.db, ctx.room_id)
    if current is None:
        raise UserError(_("No minutes are open in this room."), "!meeting start")
    await attend(ctx.db.conn, current.id, ctx.sender, ctx.now)
    finished = min(ctx.now, current.started_at + MAX_OPEN)
    await end_minutes(ctx.db.conn, current.id, finished)
    default = await room_default_zone(ctx)
    # The minutes are the room's record, posted for everyone: in the room's language.
    with use_language(await room_lang(ctx.db, ctx.room_id, ctx.settings)):
        view = await minutes_view(ctx.db, ctx.room, replace(current, ended_at=finished),
                                  default, ctx.now)
        for msg in as_messages(view):
            ctx.reply(msg)


@cmds.command("decision", summary=N_("Record a decision in the open minutes."),
              usage=DECISION_USAGE, examples=(DECISION_EXAMPLE,),
              args=(Arg("text", optional=True, rest=True),))
async def decision(ctx: Context, text: str | None) -> None:
    await record(ctx, text, "decision", DECISION_EXAMPLE)


@cmds.command("info", summary=N_("Record a piece of information in the open minutes."),
              usage=INFO_USAGE, examples=(INFO_EXAMPLE,),
              args=(Arg("text", optional=True, rest=True),))
async def info(ctx: Context, text: str | None) -> None:
    await record(ctx, text, "info", INFO_EXAMPLE)


@dataclass(frozen=True)
class MinutesAsk:
    """What `!minutes` asks for: one meeting's last minutes (else the room's), as a file?"""

    number: int | None = None
    as_file: bool = False


def minutes_ask(text: str) -> MinutesAsk:
    """`[<id>] [file]`, in either order."""
    words = text.lower().split()
    refs = [w for w in words if w != "file"]
    if len(refs) > 1:
        # Translators: “file” is a command word: keep it.
        raise UserError(_("Give one meeting id, and optionally “file”."), "!minutes m1 file")
    with errors_show("!minutes m1"):
        return MinutesAsk(parse_ref(refs[0]) if refs else None, "file" in words)


@cmds.command("minutes", summary=N_("Show the last minutes, or get them as a file."),
              usage=N_("!minutes [<id>] [file]"),
              examples=("!minutes", "!minutes m1", "!minutes m1 file"),
              args=(Arg("ask", minutes_ask, optional=True, rest=True, default=MinutesAsk()),))
async def minutes_cmd(ctx: Context, ask: MinutesAsk) -> None:
    await note_presence(ctx)
    as_file = ask.as_file
    found = await find_meeting(ctx, ask.number) if ask.number is not None else None
    minutes = await last_minutes(ctx.db, ctx.room_id, found.id if found else None)
    if minutes is None:
        if found:
            raise UserError(_("There are no minutes for m{number} yet.").format(
                number=found.number), "!meeting start")
        raise UserError(_("There are no minutes in this room yet."), "!meeting start")
    view = await minutes_view(ctx.db, ctx.room, minutes, await room_default_zone(ctx),
                              ctx.now)
    if not as_file:
        for msg in as_messages(view):
            ctx.reply(msg)
        return
    name = f"minutes-{f'm{found.number}-' if found else ''}"
    name += f"{minutes.started_at:%Y-%m-%d}.md"
    ctx.reply(Msg(attachment=Attachment(name, "text/markdown",
                                        as_markdown(view).encode())).text(name))


@cmds.schedules.hooks.reminder.register
async def carried_in_reminder(env: JobEnv, meeting: Meeting, original_local: datetime,
                              start_utc: datetime, lead_min: int, msg: Msg,
                              room: RoomView) -> None:
    """The day-before reminder lists what is still open from earlier occurrences."""
    if lead_min < CARRY_LEAD_MIN:
        return
    default = await room_zone(env.db, meeting.room_id, env.settings)
    await carried_lines(env.db, meeting, original_local, room, default, env.now, msg)


@cmds.schedules.hooks.command.register
async def present(ctx: Context, command: object) -> None:
    """Any command used while minutes are open counts its sender as present, whether it
    worked, was refused or was mistyped (`command` is None for an unknown one), except
    `!forget`: asking to be forgotten must not put the member back in the minutes."""
    if getattr(command, "name", None) != "forget":
        await note_presence(ctx)


@cmds.schedules.hooks.agenda.register
async def carried_in_agenda(ctx: Context, meeting: Meeting, occurrence: Occurrence,
                            msg: Msg) -> None:
    """For `!meeting agenda`: the carried actions under the agenda items."""
    await carried_lines(ctx.db, meeting, occurrence.original_local, ctx.room,
                        await room_default_zone(ctx), ctx.now, msg)


async def record(ctx: Context, text: str | None, kind: str, example: str) -> None:
    """`!decision` / `!info`: a line of `kind` in the open minutes; `example` is marked
    with N_."""
    minutes = await note_presence(ctx)
    if minutes is None:
        raise UserError(_("No minutes are open, so there is nowhere to record this. "
                          "Start them first."), "!meeting start")
    await add_line(ctx.db.conn, minutes.id, kind, check_text(text or "", _(example), kind),
                   ctx.sender, ctx.now)
    ctx.reply(react(ctx.event_id, "📝"))
