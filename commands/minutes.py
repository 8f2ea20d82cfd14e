"""`!meeting start|end`, `!decision`, `!info`, `!minutes`: minutes of what members tag.

Only lines tagged with a command are recorded, never the conversation around them.
Attendees are the members who used a command while the minutes were open. Open actions
recorded at one occurrence of a series are carried into the next: its 24-hour reminder
lists them (the "reminder" hook), and so does its agenda once `!meeting agenda` calls the
"agenda" hook registered here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from commands.action_common import (
    action_line,
    assemble,
    check_text,
    note_presence,
    owner_zones,
    zone_for,
)
from commands.common import room_default_zone
from commands.context import Context, RoomView
from commands.domain.due import format_due
from commands.domain.recurrence import Occurrence, occurrences
from commands.domain.timefmt import format_local
from commands.domain.zones import zone_info
from commands.errors import UserError
from commands.jobs import JobEnv
from commands.meetings import find_meeting, parse_ref
from commands.reply import Attachment, Msg, react
from commands.router import Arg, Router
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
    room_zone,
    start_minutes,
    unended_minutes,
)

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
            raise UserError(f"m{number} has no occurrence within a day of now.",
                            f"!meeting show m{number}")
        return None
    _, meeting, occ = min(found, key=lambda item: (item[0], item[1].number))
    return meeting, occ


def action_text(action: Action, room: RoomView, zones: dict[str, str], default: str,
                now: datetime) -> str:
    """One action as plain text: no pills, so minutes link to nothing."""
    owners = ", ".join(room.display_name(u) for u in action.owners) or "nobody"
    text = f"#{action.number} {action.text} — {owners}"
    if action.due:
        text += f" · due {format_due(action.due, zone_for(action, zones, default), now)}"
    if action.closed_at:
        text += " · done ✓"
    return text


async def minutes_view(db: Database, room: RoomView, minutes: Minutes, default: str,
                       now: datetime) -> MinutesView:
    meeting = await get_meeting_by_id(db, minutes.meeting_id) if minutes.meeting_id else None
    zone = meeting.series.zone if meeting else default
    title = f"m{meeting.number} {meeting.title}" if meeting else "a meeting without a schedule"
    when = format_local(minutes.started_at, zone)
    if minutes.ended_at:
        when = when.replace(" (", f"–{minutes.ended_at.astimezone(zone_info(zone)):%H:%M} (", 1)
    else:
        when += ", still open"
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
    blocks = [Msg().bold(f"Minutes — {view.title}").line().text(view.when).line()
              .text("Attendees: " + (", ".join(view.attendees) or "nobody")).line()]
    for heading, entries, numbered in (("Decisions", view.decisions, True),
                                       ("Information", view.info, False)):
        if entries:
            blocks.append(Msg().bold(heading).line())
            blocks += [Msg().text(f"{i}. " if numbered else "• ").text(f"{t} ({who})").line()
                       for i, (t, who) in enumerate(entries, 1)]
    if view.actions:
        blocks.append(Msg().bold("Actions").line())
        blocks += [Msg().text(f"• {line}").line() for line in view.actions]
    if len(blocks) == 1:
        blocks.append(Msg().italic("Nothing was recorded.").line())
    return assemble(blocks)


def _md(text: str) -> str:
    """User text inside Markdown: escape what would become markup or a link."""
    return re.sub(r"([\\`*_{}\[\]<>()#+!|~-])", r"\\\1", text)


def as_markdown(view: MinutesView) -> str:
    out = [f"# Minutes — {_md(view.title)}", "", _md(view.when), "",
           f"**Attendees:** {_md(', '.join(view.attendees) or 'nobody')}", ""]
    if view.decisions:
        out += ["## Decisions", ""] + [f"{i}. {_md(t)} ({_md(who)})"
                                       for i, (t, who) in enumerate(view.decisions, 1)] + [""]
    if view.info:
        out += ["## Information", ""] + [f"- {_md(t)} ({_md(who)})" for t, who in view.info]
        out.append("")
    if view.actions:
        out += ["## Actions", ""] + [f"- {_md(line)}" for line in view.actions] + [""]
    return "\n".join(out)


async def carried_lines(db: Database, meeting: Meeting, before_local: datetime, room: RoomView,
                        default: str, now: datetime, msg: Msg) -> None:
    """"Open actions from earlier meetings:" and one line each (no notifications)."""
    items = await carried_actions(db, meeting.id, before_local)
    if not items:
        return
    zones = await owner_zones(db, items, default)
    msg.text("Open actions from earlier meetings:").line()
    for action in items[:MAX_CARRIED]:
        action_line(msg.text("• "), action, room, zones, default, now)
    if len(items) > MAX_CARRIED:
        msg.text(f"… and {len(items) - MAX_CARRIED} more (").code("!actions").text(")").line()


def register(router: Router) -> None:
    meeting = router.find("meeting")
    assert meeting is not None

    @meeting.sub("start", summary="Open minutes for the meeting happening now.",
                 usage="!meeting start [<id>]", examples=("!meeting start", "!meeting start m1"),
                 args=(Arg("id", parse_ref, optional=True),))
    async def start(ctx: Context, id: int | None) -> None:
        await note_presence(ctx)
        current = await unended_minutes(ctx.db, ctx.room_id)
        if current and ctx.now - current.started_at <= MAX_OPEN:
            raise UserError("Minutes are already open here; end them first.", "!meeting end")
        if current:  # forgotten: they stopped recording after MAX_OPEN anyway
            await end_minutes(ctx.db.conn, current.id, current.started_at + MAX_OPEN)
        found = await occurrence_now(ctx, id)
        await start_minutes(ctx.db.conn, room_id=ctx.room_id,
                            meeting_id=found[0].id if found else None,
                            occurrence_local=found[1].original_local if found else None,
                            user_id=ctx.sender, now=ctx.now)
        msg = Msg().text("Minutes are open")
        if found:
            msg.text(" for ").bold(f"m{found[0].number} {found[0].title}").text(
                f" ({format_local(found[1].start_utc, found[0].series.zone)})")
        else:
            msg.text(" (no scheduled meeting is happening now; name one with ").code(
                "!meeting start m1").text(")")
        msg.text(". I record only tagged lines: ").code("!decision <text>").text(", ").code(
            "!info <text>").text(", ").code("!action …").text(". End with ").code(
            "!meeting end").text(".").line()
        if found:
            await carried_lines(ctx.db, found[0], found[1].original_local, ctx.room,
                                await room_default_zone(ctx), ctx.now, msg)
        ctx.reply(msg)

    @meeting.sub("end", summary="Close the minutes and post them.", usage="!meeting end",
                 examples=("!meeting end",))
    async def end(ctx: Context) -> None:
        current = await unended_minutes(ctx.db, ctx.room_id)
        if current is None:
            raise UserError("No minutes are open in this room.", "!meeting start")
        await attend(ctx.db.conn, current.id, ctx.sender, ctx.now)
        finished = min(ctx.now, current.started_at + MAX_OPEN)
        await end_minutes(ctx.db.conn, current.id, finished)
        view = await minutes_view(ctx.db, ctx.room, replace(current, ended_at=finished),
                                  await room_default_zone(ctx), ctx.now)
        for msg in as_messages(view):
            ctx.reply(msg)

    register_line(router, "decision", "Record a decision in the open minutes.",
                  "!decision We meet in person in May")
    register_line(router, "info", "Record a piece of information in the open minutes.",
                  "!info The venue moved to the library")

    @router.command("minutes", summary="Show the last minutes, or get them as a file.",
                    usage="!minutes [<id>] [file]",
                    examples=("!minutes", "!minutes m1", "!minutes m1 file"),
                    args=(Arg("text", optional=True, rest=True),))
    async def minutes_cmd(ctx: Context, text: str | None) -> None:
        await note_presence(ctx)
        words = (text or "").lower().split()
        as_file = "file" in words
        refs = [w for w in words if w != "file"]
        if len(refs) > 1:
            raise UserError("Give one meeting id, and optionally “file”.", "!minutes m1 file")
        found = await find_meeting(ctx, _ref(refs[0])) if refs else None
        minutes = await last_minutes(ctx.db, ctx.room_id, found.id if found else None)
        if minutes is None:
            where = f" for m{found.number}" if found else " in this room"
            raise UserError(f"There are no minutes{where} yet.", "!meeting start")
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

    @router.schedules.hook("reminder")
    async def carried_in_reminder(env: JobEnv, meeting: Meeting, original_local: datetime,
                                  start_utc: datetime, lead_min: int, msg: Msg,
                                  room: RoomView) -> None:
        """The day-before reminder lists what is still open from earlier occurrences."""
        if lead_min < CARRY_LEAD_MIN:
            return
        default = await room_zone(env.db, meeting.room_id) or env.settings.default_zone
        await carried_lines(env.db, meeting, original_local, room, default, env.now, msg)

    @router.schedules.hook("command")
    async def present(ctx: Context, command: object) -> None:
        """Any command used while minutes are open counts its sender as present, except
        `!forget`: asking to be forgotten must not put the member back in the minutes."""
        if getattr(command, "name", None) != "forget":
            await note_presence(ctx)

    @router.schedules.hook("agenda")
    async def carried_in_agenda(ctx: Context, meeting: Meeting, occurrence: Occurrence,
                                msg: Msg) -> None:
        """For `!meeting agenda`: the carried actions under the agenda items."""
        await carried_lines(ctx.db, meeting, occurrence.original_local, ctx.room,
                            await room_default_zone(ctx), ctx.now, msg)


def register_line(router: Router, kind: str, summary: str, example: str) -> None:
    @router.command(kind, summary=summary, usage=f"!{kind} <text>", examples=(example,),
                    args=(Arg("text", optional=True, rest=True),))
    async def record(ctx: Context, text: str | None) -> None:
        minutes = await note_presence(ctx)
        if minutes is None:
            raise UserError("No minutes are open, so there is nowhere to record this. "
                            "Start them first.", "!meeting start")
        await add_line(ctx.db.conn, minutes.id, kind, check_text(text or "", example, kind),
                       ctx.sender, ctx.now)
        ctx.reply(react(ctx.event_id, "📝"))


def _ref(word: str) -> int:
    try:
        return parse_ref(word)
    except ValueError as err:
        raise UserError(str(err), "!minutes m1") from None
