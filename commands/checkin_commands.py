"""`!checkin`: short written check-ins between meetings, asked in each member's own morning.

Scheduling or changing check-ins needs a room moderator; muting, the DM preference and
answering are for everyone. A change to the schedule, questions or window applies from
the next check-in: one already under way finishes as it was planned.
"""

from __future__ import annotations

from datetime import datetime

from commands.checkin_jobs import (
    fallback_zone,
    member_clocks,
    send_due,
    start_cycle,
)
from commands.common import room_default_zone, zone_of
from commands.context import Context
from commands.domain.checkin import (
    DEFAULT_QUESTIONS,
    DEFAULT_WINDOW,
    CheckinError,
    Schedule,
    day_label,
    describe_window,
    is_day_off,
    next_prompt,
    parse_questions,
    parse_schedule,
    parse_window,
)
from commands.domain.timefmt import format_local
from commands.domain.zones import zone_info
from commands.errors import PermissionDenied, UserError
from commands.reply import Msg
from commands.router import Arg, Router
from storage.checkins import (
    CheckinSettings,
    answers_of,
    cancel_planned,
    direct_room_of,
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
from storage.meetings import iso

SCHEDULE_EXAMPLE = "!checkin schedule mon 10:00 local"
QUESTIONS_EXAMPLE = ('!checkin questions "What did you work on?" "What\'s next?" '
                     '"Anything blocking you?"')
WINDOW_EXAMPLE = "!checkin window 48h"


def _on_off(text: str) -> bool:
    if text.lower() in ("on", "yes", "true"):
        return True
    if text.lower() in ("off", "no", "false"):
        return False
    raise ValueError(f"Say on or off, not {text[:20]!r}.")


def _moderator(ctx: Context, what: str) -> None:
    if not ctx.is_moderator():
        raise PermissionDenied(
            f"Only room moderators can {what}. Everyone can answer, and choose with "
            "!checkin mute or !checkin dm on.", "!checkin show")


async def _in_room(ctx: Context) -> None:
    """Settings belong to a room: refuse them in the member's direct chat with the bot."""
    if await direct_room_of(ctx.db, ctx.sender) == ctx.room_id:
        raise UserError("Say this in the room whose check-ins you mean, not in our direct chat.",
                        "!checkin show")


async def _settings(ctx: Context) -> CheckinSettings:
    await _in_room(ctx)
    return await ensure_settings(ctx.db.conn, ctx.db, ctx.room_id, ctx.settings.default_zone,
                                 ctx.now)


def _user_error(err: CheckinError, example: str) -> UserError:
    return UserError(str(err), example)


async def your_next(ctx: Context, schedule: Schedule) -> str:
    """When the sender is next asked, in their zone, days off skipped."""
    zone, _ = await zone_of(ctx)
    clock = (await member_clocks(ctx.db, [ctx.sender], zone))[ctx.sender]
    when = next_prompt(schedule, clock.zone, ctx.now)
    for _ in range(14):
        if not is_day_off(clock, when):
            return format_local(when, clock.zone)
        when = next_prompt(schedule, clock.zone, when)
    return "never (none of the days is one of your working days)"


async def under_way(ctx: Context) -> list[tuple[str, datetime, int]]:
    """(label, closes at, answers so far) of the room's open check-ins that asked someone."""
    found = []
    for cycle in await open_cycles(ctx.db, ctx.room_id):
        if any(p.status == "sent" for p in await prompts_of(ctx.db, cycle.id)):
            people = {a.user_id for a in await answers_of(ctx.db, cycle.id)}
            found.append((cycle.label, cycle.closes_at, len(people)))
    return found


def register(router: Router) -> None:
    @router.command(
        "checkin",
        summary="Short written check-ins, asked in each member's own morning.",
        usage="!checkin [schedule|questions|window|now|off|show|mute|unmute|dm]",
        examples=(SCHEDULE_EXAMPLE, "!checkin schedule fri 14:00 Africa/Nairobi",
                  "!checkin now", "!checkin dm on"),
    )
    async def checkin(ctx: Context) -> None:
        await show(ctx)

    @checkin.sub("schedule", summary="When the room checks in (moderators).",
                 usage="!checkin schedule <days> <time> [local|<zone>]",
                 examples=(SCHEDULE_EXAMPLE, "!checkin schedule mon,thu 09:30",
                           "!checkin schedule fri 14:00 Africa/Nairobi"),
                 args=(Arg("when", rest=True),))
    async def schedule_cmd(ctx: Context, when: str) -> None:
        _moderator(ctx, "schedule check-ins")
        try:
            schedule = parse_schedule(when)
        except CheckinError as err:
            raise _user_error(err, SCHEDULE_EXAMPLE) from None
        settings = await _settings(ctx)
        await set_schedule(ctx.db.conn, settings.id, schedule, ctx.settings.default_zone,
                           ctx.sender, ctx.now)
        ctx.changed.add(("checkin", settings.id))
        ctx.reply(Msg().text(f"Check-ins: {schedule.describe()}. Your next prompt: "
                             f"{await your_next(ctx, schedule)}.").line()
                  .text(f"{len(settings.questions)} questions, answers collected for "
                        f"{describe_window(settings.window)}. Change them with ")
                  .code("!checkin questions").text(" and ").code("!checkin window").text("."))

    @checkin.sub("questions", summary="The room's questions, up to 5 (moderators).",
                 usage='!checkin questions "<question>" ["<question>" …] | default',
                 examples=(QUESTIONS_EXAMPLE, "!checkin questions default"),
                 args=(Arg("questions", rest=True, optional=True),))
    async def questions_cmd(ctx: Context, questions: str | None) -> None:
        text = questions
        settings = await _settings(ctx)
        shown = settings.questions
        if text is not None:
            _moderator(ctx, "change the check-in questions")
            chosen: tuple[str, ...] | None = None
            if text.lower() not in ("default", "defaults", "reset"):
                try:
                    chosen = parse_questions(text)
                except CheckinError as err:
                    raise _user_error(err, QUESTIONS_EXAMPLE) from None
            await set_questions(ctx.db.conn, settings.id, chosen, ctx.sender, ctx.now)
            shown = chosen or DEFAULT_QUESTIONS
        msg = Msg().text("Questions for the next check-ins:" if text is not None
                         else "This room's check-in questions:").line()
        for index, question in enumerate(shown, 1):
            msg.text(f"{index}. {question}").line()
        ctx.reply(msg)

    @checkin.sub("window", summary="How long answers are collected, 1h to 7 days (moderators).",
                 usage="!checkin window <length>", examples=(WINDOW_EXAMPLE, "!checkin window 3d"),
                 args=(Arg("length", rest=True),))
    async def window_cmd(ctx: Context, length: str) -> None:
        _moderator(ctx, "change the check-in window")
        try:
            window = parse_window(length)
        except CheckinError as err:
            raise _user_error(err, WINDOW_EXAMPLE) from None
        settings = await _settings(ctx)
        await set_window(ctx.db.conn, settings.id, window, ctx.sender, ctx.now)
        ctx.reply(Msg().text(f"Answers to the next check-ins are collected for "
                             f"{describe_window(window)} after each prompt; the summary "
                             "follows when the last window closes."))

    @checkin.sub("now", summary="Start a check-in right away (moderators).",
                 usage="!checkin now", examples=("!checkin now",))
    async def now_cmd(ctx: Context) -> None:
        _moderator(ctx, "start a check-in")
        settings = await _settings(ctx)
        zone, _ = await zone_of(ctx)
        if running := await under_way(ctx):
            label, closes, _ = running[0]
            raise UserError(f"The check-in of {label} is still open; its summary comes "
                            f"{format_local(closes, zone)}.", "!checkin show")
        room_zone = await room_default_zone(ctx)
        label = day_label(ctx.now.astimezone(zone_info(room_zone)).date())
        cycle = await start_cycle(ctx.db, settings, key=f"now:{iso(ctx.now)}", label=label,
                                  schedule=None, dues=dict.fromkeys(ctx.room.members(), ctx.now),
                                  now=ctx.now)
        posts = await send_due(ctx.db, ctx.room, cycle, ctx.now,
                               await fallback_zone(ctx.db, settings))
        if not posts:
            raise UserError("Nobody to ask right now: everyone here is muted, away or on a "
                            "day off.", "!checkin show")
        for post in posts:
            ctx.reply(post.msg)
        ctx.changed.add(("checkin", settings.id))

    @checkin.sub("off", summary="Stop scheduled check-ins (moderators).", usage="!checkin off",
                 examples=("!checkin off",))
    async def off_cmd(ctx: Context) -> None:
        _moderator(ctx, "turn check-ins off")
        settings = await _settings(ctx)
        await set_schedule(ctx.db.conn, settings.id, None, ctx.settings.default_zone,
                           ctx.sender, ctx.now)
        cancelled = await cancel_planned(ctx.db.conn, ctx.room_id, "off")
        ctx.changed.add(("checkin", settings.id))
        tail = (f" {cancelled} prompt{'s' if cancelled != 1 else ''} not yet sent will not be."
                if cancelled else "")
        ctx.reply(Msg().text("Scheduled check-ins are off. A check-in under way still gets "
                             f"its summary.{tail} Start again with ").code(SCHEDULE_EXAMPLE))

    @checkin.sub("show", summary="The schedule, questions and your choices.",
                 usage="!checkin show", examples=("!checkin show",))
    async def show(ctx: Context) -> None:
        settings = await get_settings(ctx.db, ctx.room_id)
        msg = Msg()
        if settings is None or settings.schedule is None:
            msg.text("No check-in schedule in this room. Set one with ").code(SCHEDULE_EXAMPLE)
            msg.line()
        else:
            msg.text(f"Check-ins: {settings.schedule.describe()}. Your next prompt: "
                     f"{await your_next(ctx, settings.schedule)}.").line()
        questions = settings.questions if settings else DEFAULT_QUESTIONS
        window = settings.window if settings else DEFAULT_WINDOW
        msg.text("Questions: " + " · ".join(f"{i}. {q}" for i, q in enumerate(questions, 1)))
        msg.line().text(f"Answers are collected for {describe_window(window)}.").line()
        muted, dm = (await member_choices(ctx.db, ctx.room_id, [ctx.sender]))[ctx.sender]
        if muted:
            msg.text("You are muted: you are not asked. ").code("!checkin unmute")
        else:
            msg.text("You are asked " + ("by direct message. " if dm else "in the room. "))
            msg.code("!checkin dm off" if dm else "!checkin dm on")
        msg.line()
        zone, _ = await zone_of(ctx)
        for label, closes, answered in await under_way(ctx):
            msg.text(f"Open: the check-in of {label}, {answered} answered so far; summary "
                     f"{format_local(closes, zone)}.").line()
        ctx.reply(msg)

    async def choose(ctx: Context, *, muted: bool | None = None, dm: bool | None = None
                     ) -> None:
        await _in_room(ctx)
        await set_choice(ctx.db.conn, ctx.room_id, ctx.sender, ctx.now, muted=muted, dm=dm)

    @checkin.sub("mute", summary="Stop being asked in this room.", usage="!checkin mute",
                 examples=("!checkin mute",))
    async def mute(ctx: Context) -> None:
        await choose(ctx, muted=True)
        ctx.reply(Msg().text("Muted: I won't ask you in this room's check-ins. You can still "
                             "answer in a check-in thread. Undo with ").code("!checkin unmute"))

    @checkin.sub("unmute", summary="Be asked again.", usage="!checkin unmute",
                 examples=("!checkin unmute",))
    async def unmute(ctx: Context) -> None:
        await choose(ctx, muted=False)
        ctx.reply(Msg().text("Welcome back: you are asked in the next check-ins again."))

    @checkin.sub("dm", summary="Get the questions by direct message (on) or here (off).",
                 usage="!checkin dm on|off", examples=("!checkin dm on", "!checkin dm off"),
                 args=(Arg("state", _on_off),))
    async def dm_cmd(ctx: Context, state: bool) -> None:
        await choose(ctx, dm=state)
        ctx.reply(Msg().text(
            "From the next check-in I'll ask you by direct message; your answers still go "
            "into this room's summary." if state else
            "From the next check-in I'll ask you here in the room."))

