"""`!checkin`: short written check-ins between meetings, asked in each member's own morning.

Scheduling or changing check-ins needs a room moderator; muting, the DM preference and
answering are for everyone. A change to the schedule, questions or window applies from
the next check-in: one already under way finishes as it was planned.
"""

from __future__ import annotations

from datetime import datetime

from commands.checkins.format import cycle_label, shown_questions
from commands.checkins.jobs import (
    checkin_default_zone,
    member_clocks,
    send_due,
    start_cycle,
)
from commands.common import room_default_zone, zone_of
from commands.context import ChangeKind, Context
from commands.errors import PermissionDenied, UserError
from commands.reply import Msg, coded, fill
from commands.router import Arg, CommandSet
from domain.checkin import (
    DEFAULT_QUESTIONS,
    DEFAULT_WINDOW,
    Schedule,
    day_label,
    describe_window,
    is_day_off,
    next_prompt,
    parse_questions,
    parse_schedule,
    parse_window,
)
from domain.errors import DomainError
from domain.i18n import N_, _, ngettext
from domain.timefmt import format_local
from domain.zones import zone_info
from storage.checkins import (
    CheckinSettings,
    answers_of,
    cancel_planned,
    ensure_settings,
    get_settings,
    member_choices,
    open_cycles,
    prompts_of,
    set_choice,
    set_questions,
    set_schedule,
    set_window,
)
from storage.direct import direct_room_of
from storage.meetings import iso

SCHEDULE_EXAMPLE = N_("!checkin schedule mon 10:00 local")
QUESTIONS_EXAMPLE = N_('!checkin questions "What did you work on?" "What\'s next?" '
                       '"Anything blocking you?"')
WINDOW_EXAMPLE = "!checkin window 48h"


def _on_off(text: str) -> bool:
    if text.lower() in ("on", "yes", "true"):
        return True
    if text.lower() in ("off", "no", "false"):
        return False
    raise DomainError(_("Say on or off, not {text}.").format(text=repr(text[:20])))


def _moderator(ctx: Context, refusal: str) -> None:
    """`refusal` is the translated "Only room moderators can …" sentence."""
    if not ctx.is_moderator():
        raise PermissionDenied(
            refusal + " " + _("Everyone can answer, and choose with !checkin mute or "
                              "!checkin dm on."), "!checkin show")


async def _in_room(ctx: Context) -> None:
    """Settings belong to a room: refuse them in the member's direct chat with the bot."""
    if await direct_room_of(ctx.db, ctx.sender) == ctx.room_id:
        raise UserError(_("Say this in the room whose check-ins you mean, not in our direct "
                          "chat."), "!checkin show")


async def _settings(ctx: Context) -> CheckinSettings:
    await _in_room(ctx)
    return await ensure_settings(ctx.db.conn, ctx.room_id, ctx.settings.default_zone, ctx.now)


async def your_next(ctx: Context, schedule: Schedule) -> str:
    """When the sender is next asked, in their zone, days off skipped."""
    zone, _default = await zone_of(ctx)
    clock = (await member_clocks(ctx.db, [ctx.sender], zone))[ctx.sender]
    when = next_prompt(schedule, clock.zone, ctx.now)
    for _attempt in range(14):
        if not is_day_off(clock, when):
            return format_local(when, clock.zone)
        when = next_prompt(schedule, clock.zone, when)
    # Translators: completes "Your next prompt: …".
    return _("never (none of the days is one of your working days)")


async def under_way(ctx: Context) -> list[tuple[str, datetime, int]]:
    """(label, closes at, answers so far) of the room's open check-ins that asked someone."""
    found = []
    for cycle in await open_cycles(ctx.db, ctx.room_id):
        if any(p.status == "sent" for p in await prompts_of(ctx.db, cycle.id)):
            people = {a.user_id for a in await answers_of(ctx.db, cycle.id)}
            found.append((cycle_label(cycle), cycle.closes_at, len(people)))
    return found


cmds = CommandSet()


@cmds.command(
    "checkin",
    summary=N_("Short written check-ins, asked in each member's own morning."),
    usage=N_("!checkin [schedule|questions|window|now|off|show|mute|unmute|dm]"),
    examples=(SCHEDULE_EXAMPLE, N_("!checkin schedule fri 14:00 Africa/Nairobi"),
              "!checkin now", "!checkin dm on"),
)
async def checkin_cmd(ctx: Context) -> None:
    await show(ctx)


@checkin_cmd.sub("schedule", summary=N_("When the room checks in (moderators)."),
                 usage=N_("!checkin schedule <days> <time> [local|<zone>]"),
                 examples=(SCHEDULE_EXAMPLE, N_("!checkin schedule mon,thu 09:30"),
                           N_("!checkin schedule fri 14:00 Africa/Nairobi")),
                 args=(Arg("when", rest=True),))
async def schedule_cmd(ctx: Context, when: str) -> None:
    _moderator(ctx, _("Only room moderators can schedule check-ins."))
    schedule = parse_schedule(when)
    settings = await _settings(ctx)
    await set_schedule(ctx.db.conn, settings.id, schedule, ctx.settings.default_zone,
                       ctx.sender, ctx.now)
    ctx.changed.add((ChangeKind.CHECKIN, settings.id))
    count = len(settings.questions)
    msg = Msg().text(_("Check-ins: {schedule}. Your next prompt: {when}.").format(
        schedule=schedule.describe(), when=await your_next(ctx, schedule))).line()
    fill(msg, ngettext(
        "{count} question, answers collected for {window}. Change them with "
        "{questions_command} and {window_command}.",
        "{count} questions, answers collected for {window}. Change them with "
        "{questions_command} and {window_command}.", count),
        questions_command=coded("!checkin questions"),
        window_command=coded("!checkin window"), count=count,
        window=describe_window(settings.window))
    ctx.reply(msg)


@checkin_cmd.sub("questions", summary=N_("The room's questions, up to 5 (moderators)."),
                 usage=N_('!checkin questions "<question>" ["<question>" …] | default'),
                 examples=(QUESTIONS_EXAMPLE, "!checkin questions default"),
                 args=(Arg("questions", rest=True, optional=True),))
async def questions_cmd(ctx: Context, questions: str | None) -> None:
    text = questions
    settings = await _settings(ctx)
    shown = settings.questions
    if text is not None:
        _moderator(ctx, _("Only room moderators can change the check-in questions."))
        chosen: tuple[str, ...] | None = None
        if text.lower() not in ("default", "defaults", "reset"):
            chosen = parse_questions(text)
        await set_questions(ctx.db.conn, settings.id, chosen, ctx.sender, ctx.now)
        shown = chosen or DEFAULT_QUESTIONS
    msg = Msg().text(_("Questions for the next check-ins:") if text is not None
                     else _("This room's check-in questions:")).line()
    for index, question in enumerate(shown_questions(shown), 1):
        msg.text(f"{index}. {question}").line()
    ctx.reply(msg)


@checkin_cmd.sub("window",
                 summary=N_("How long answers are collected, 1h to 7 days (moderators)."),
                 usage=N_("!checkin window <length>"),
                 examples=(WINDOW_EXAMPLE, "!checkin window 3d"),
                 args=(Arg("length", rest=True),))
async def window_cmd(ctx: Context, length: str) -> None:
    _moderator(ctx, _("Only room moderators can change the check-in window."))
    window = parse_window(length)
    settings = await _settings(ctx)
    await set_window(ctx.db.conn, settings.id, window, ctx.sender, ctx.now)
    ctx.reply(Msg().text(_("Answers to the next check-ins are collected for {window} after "
                           "each prompt; the summary follows when the last window "
                           "closes.").format(window=describe_window(window))))


@checkin_cmd.sub("now", summary=N_("Start a check-in right away (moderators)."),
                 usage=N_("!checkin now"), examples=("!checkin now",))
async def now_cmd(ctx: Context) -> None:
    _moderator(ctx, _("Only room moderators can start a check-in."))
    settings = await _settings(ctx)
    zone, _default = await zone_of(ctx)
    if running := await under_way(ctx):
        label, closes, _answered = running[0]
        # Translators: {when} is a date and time, e.g. "Thu 3 Dec 2026, 14:00 (Nairobi)".
        raise UserError(_("The check-in of {day} is still open; its summary comes {when}."
                          ).format(day=label, when=format_local(closes, zone)),
                        "!checkin show")
    room_zone = await room_default_zone(ctx)
    label = day_label(ctx.now.astimezone(zone_info(room_zone)).date())
    cycle = await start_cycle(ctx.db, settings, key=f"now:{iso(ctx.now)}", label=label,
                              schedule=None, dues=dict.fromkeys(ctx.room.members(), ctx.now),
                              now=ctx.now)
    posts = await send_due(ctx.db, ctx.room, cycle, ctx.now,
                           await checkin_default_zone(ctx.db, settings), ctx.settings)
    if not posts:
        raise UserError(_("Nobody to ask right now: everyone here is muted, away or on a "
                          "day off."), "!checkin show")
    for post in posts:
        ctx.reply(post.msg)
    ctx.changed.add((ChangeKind.CHECKIN, settings.id))


@checkin_cmd.sub("off", summary=N_("Stop scheduled check-ins (moderators)."),
                 usage=N_("!checkin off"), examples=("!checkin off",))
async def off_cmd(ctx: Context) -> None:
    _moderator(ctx, _("Only room moderators can turn check-ins off."))
    settings = await _settings(ctx)
    await set_schedule(ctx.db.conn, settings.id, None, ctx.settings.default_zone,
                       ctx.sender, ctx.now)
    cancelled = await cancel_planned(ctx.db.conn, ctx.room_id, "off")
    ctx.changed.add((ChangeKind.CHECKIN, settings.id))
    msg = Msg().text(_("Scheduled check-ins are off. A check-in under way still gets its "
                       "summary."))
    if cancelled:
        msg.text(" ").text(ngettext("{count} prompt not yet sent will not be.",
                                    "{count} prompts not yet sent will not be.",
                                    cancelled).format(count=cancelled))
    msg.text(" ")
    ctx.reply(fill(msg, _("Start again with {command}"),
                   command=coded(_(SCHEDULE_EXAMPLE))))


@checkin_cmd.sub("show", summary=N_("The schedule, questions and your choices."),
                 usage=N_("!checkin show"), examples=("!checkin show",))
async def show(ctx: Context) -> None:
    settings = await get_settings(ctx.db, ctx.room_id)
    msg = Msg()
    if settings is None or settings.schedule is None:
        fill(msg, _("No check-in schedule in this room. Set one with {command}"),
             command=coded(_(SCHEDULE_EXAMPLE)))
        msg.line()
    else:
        msg.text(_("Check-ins: {schedule}. Your next prompt: {when}.").format(
            schedule=settings.schedule.describe(),
            when=await your_next(ctx, settings.schedule))).line()
    questions = shown_questions(settings.questions if settings else DEFAULT_QUESTIONS)
    window = settings.window if settings else DEFAULT_WINDOW
    msg.text(_("Questions: {questions}").format(
        questions=" · ".join(f"{i}. {q}" for i, q in enumerate(questions, 1))))
    msg.line().text(_("Answers are collected for {window}.").format(
        window=describe_window(window))).line()
    muted, dm = (await member_choices(ctx.db, ctx.room_id, [ctx.sender]))[ctx.sender]
    if muted:
        msg.text(_("You are muted: you are not asked.")).text(" ").code("!checkin unmute")
    else:
        msg.text(_("You are asked by direct message.") if dm
                 else _("You are asked in the room.")).text(" ")
        msg.code("!checkin dm off" if dm else "!checkin dm on")
    msg.line()
    zone, _default = await zone_of(ctx)
    for label, closes, answered in await under_way(ctx):
        # Translators: {when} is a date and time, e.g. "Thu 3 Dec 2026, 14:00 (Nairobi)".
        msg.text(ngettext("Open: the check-in of {day}, {count} answered so far; summary "
                          "{when}.",
                          "Open: the check-in of {day}, {count} answered so far; summary "
                          "{when}.", answered).format(
            day=label, count=answered, when=format_local(closes, zone))).line()
    ctx.reply(msg)


async def choose(ctx: Context, *, muted: bool | None = None, dm: bool | None = None
                 ) -> None:
    await _in_room(ctx)
    await set_choice(ctx.db.conn, ctx.room_id, ctx.sender, ctx.now, muted=muted, dm=dm)


@checkin_cmd.sub("mute", summary=N_("Stop being asked in this room."),
                 usage=N_("!checkin mute"), examples=("!checkin mute",))
async def mute(ctx: Context) -> None:
    await choose(ctx, muted=True)
    ctx.reply(fill(Msg(), _("Muted: I won't ask you in this room's check-ins. You can "
                            "still answer in a check-in thread. Undo with {command}"),
                   command=coded("!checkin unmute")))


@checkin_cmd.sub("unmute", summary=N_("Be asked again."), usage=N_("!checkin unmute"),
                 examples=("!checkin unmute",))
async def unmute(ctx: Context) -> None:
    await choose(ctx, muted=False)
    ctx.reply(Msg().text(_("Welcome back: you are asked in the next check-ins again.")))


@checkin_cmd.sub("dm", summary=N_("Get the questions by direct message (on) or here (off)."),
                 usage=N_("!checkin dm on|off"), examples=("!checkin dm on", "!checkin dm off"),
                 args=(Arg("state", _on_off),))
async def dm_cmd(ctx: Context, state: bool) -> None:
    await choose(ctx, dm=state)
    ctx.reply(Msg().text(
        _("From the next check-in I'll ask you by direct message; your answers still go "
          "into this room's summary.") if state else
        _("From the next check-in I'll ask you here in the room.")))

