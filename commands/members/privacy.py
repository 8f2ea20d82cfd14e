"""`!forget me`: a member erases what Minga keeps about them; and the daily retention run.

Members may be targets of surveillance, so the bot must be able to let go of them. Only the
member can ask (a configured bot admin may too, for someone who can no longer ask: the
operator could do it by hand in SQL anyway, and this way it is confirmed and complete);
room moderators cannot, because their power is per room and forgetting is network-wide.
The first `!forget me` shows exactly what would happen; `!forget me confirm` within ten
minutes does it. The rules themselves live in `storage.privacy`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta

from commands.context import ChangeKind, Context
from commands.errors import PermissionDenied, UserError
from commands.jobs import JobEnv, JobKind, PlannedJob, Post
from commands.reply import Msg, coded, fill
from commands.router import Arg, CommandSet
from domain.i18n import N_, _, ngettext
from storage.db import Database
from storage.privacy import (
    CONFIRM_WINDOW,
    Report,
    ask,
    claim_run,
    finish_run,
    forget_member,
    preview,
    purge,
    take_confirmation,
)

log = logging.getLogger(__name__)

EXAMPLE = "!forget me"
CONFIRM = "!forget me confirm"
RUN_AT = time(3, 30)  # UTC: a quiet hour almost everywhere the network lives


def _target(ctx: Context, text: str | None) -> tuple[str, bool]:
    """(whose data, confirmed?) from `me [confirm]` or, for bot admins, `@user [confirm]`."""
    words = (text or "").split()
    forget_me = f"{ctx.settings.prefix}forget me"
    if not words:
        # Translators: {command} is "!forget me".
        raise UserError(_("Say whose data: {command} erases what I keep about you (I ask you "
                          "to confirm first).").format(command=forget_me), EXAMPLE)
    confirm = len(words) > 1 and words[-1].lower() == "confirm"
    who = words[0]
    if who.lower() == "me":
        target = ctx.sender
        if len(words) > 1 + confirm:
            # Translators: {text} is what the member typed, in quotes.
            raise UserError(_("I didn't expect {text}.").format(
                text=repr(" ".join(words[1:])[:40])), CONFIRM)
    elif who.startswith("@") and ":" in who and len(words) == 1 + confirm:
        target = who
    elif len(ctx.mentioned) == 1:
        target = ctx.mentioned[0]
    else:
        # Translators: "me" is a command word (!forget me): keep it.
        raise UserError(_("Say me, or (bot admins) one full user id."), EXAMPLE)
    if target != ctx.sender and ctx.sender not in ctx.settings.admins:
        # Translators: {command} is "!forget me".
        raise PermissionDenied(
            _("Only members themselves can ask me to forget them, with {command}. If they no "
              "longer can, the bot's admin can do it for them.").format(command=forget_me),
            EXAMPLE)
    return target, confirm


def _counts(counts: dict[str, int]) -> str:
    """"poll votes (2), minutes (1)", or "nothing"; the labels are marked with N_ in
    `storage.privacy` and translated here."""
    shown = [f"{_(label)} ({n})" for label, n in counts.items() if n]
    return ", ".join(shown) if shown else _("nothing")


def describe(ctx: Context, target: str, report: Report, done: bool) -> Msg:
    """The preview (done=False) and the receipt: every count, and what is not touched."""
    own = target == ctx.sender
    name = ctx.room.display_name(target)
    msg = Msg()
    erased = _counts(report.erased)
    if done:
        heading = (_("Done: I have forgotten you.") if own
                   else _("Done: I have forgotten {user}.").format(user=name))
        msg.bold(heading).line()
        # Translators: {items} is a list such as "poll votes (2), away periods (1)".
        msg.text(_("Erased: {items}.").format(items=erased)).line()
    else:
        heading = (_("Here is exactly what forgetting you means.") if own
                   else _("Here is exactly what forgetting {user} means.").format(user=name))
        msg.bold(heading).line()
        # Translators: {items} is a list such as "poll votes (2), away periods (1)".
        msg.text(_("Erased for good: {items}.").format(items=erased)).line()
    anonymised = _counts(report.anonymised)
    if own:
        # Translators: {items} is a list such as "minutes (3), action items (2)".
        msg.text(_("Where you are named in shared records, replaced by “former member N” "
                   "(numbered per room: the records stay readable, but cannot be linked "
                   "across rooms): {items}.").format(items=anonymised)).line()
    else:
        # Translators: {items} is a list such as "minutes (3), action items (2)".
        msg.text(_("Where they are named in shared records, replaced by “former member N” "
                   "(numbered per room: the records stay readable, but cannot be linked "
                   "across rooms): {items}.").format(items=anonymised)).line()
    if report.open_actions:
        count, unassigned = len(report.open_actions), report.unassigned
        if own:
            # Translators: {count} is a number of action items, {unassigned} how many of
            # them nobody owns now (the plural follows {unassigned}).
            text = ngettext("Open action items: you are removed as owner of {count}; "
                            "{unassigned} with no other owner is unassigned now, for the room "
                            "to take up.",
                            "Open action items: you are removed as owner of {count}; "
                            "{unassigned} with no other owner are unassigned now, for the "
                            "room to take up.", unassigned)
        else:
            # Translators: {user} is a member's name, {count} a number of action items,
            # {unassigned} how many of them nobody owns now (the plural follows it).
            text = ngettext("Open action items: {user} is removed as owner of {count}; "
                            "{unassigned} with no other owner is unassigned now, for the room "
                            "to take up.",
                            "Open action items: {user} is removed as owner of {count}; "
                            "{unassigned} with no other owner are unassigned now, for the "
                            "room to take up.", unassigned)
        msg.text(text.format(user=name, count=count, unassigned=unassigned)).line()
    if own:
        msg.text(_("Not touched: messages already in rooms (yours, and mine that named you). "
                   "Matrix keeps them; redact them in a client (a room moderator can redact "
                   "mine).")).line()
    else:
        msg.text(_("Not touched: messages already in rooms (theirs, and mine that named "
                   "them). Matrix keeps them; redact them in a client (a room moderator can "
                   "redact mine).")).line()
    if done:
        return msg.text(_("Anything done from now on is recorded as usual."))
    example = CONFIRM if own else f"!forget {target} confirm"
    minutes = int(CONFIRM_WINDOW.total_seconds() // 60)
    # Translators: {command} is the confirming command (!forget me confirm).
    return fill(msg, ngettext(
        "Check-ins will ask again like everyone else (a mute is erased too). This cannot be "
        "undone. To go ahead, send {command} within {minutes} minute.",
        "Check-ins will ask again like everyone else (a mute is erased too). This cannot be "
        "undone. To go ahead, send {command} within {minutes} minutes.", minutes),
        command=coded(example), minutes=minutes)


def next_run(now: datetime) -> datetime:
    """The next 03:30 UTC strictly after `now`."""
    today = datetime.combine(now.astimezone(UTC).date(), RUN_AT, tzinfo=UTC)
    return today if today > now else today + timedelta(days=1)


async def plan_retention(db: Database, now: datetime) -> list[PlannedJob]:
    at = next_run(now)
    day = at.date().isoformat()
    return [PlannedJob(f"retention:{day}", at, JobKind.RETENTION, (day,))]


async def run_retention(env: JobEnv, day: str) -> list[Post]:
    """Once per day (the key), purge what is older than `retention_days`; says nothing."""
    key = f"retention:{day}"
    if not await claim_run(env.db.conn, key, env.now):
        return []
    counts = await purge(env.db.conn, env.now, env.settings.retention_days)
    removed = sum(counts.values())
    await finish_run(env.db.conn, key, removed)
    log.info("retention (%d days): %d rows removed or blanked (%s)",
             env.settings.retention_days, removed,
             ", ".join(f"{label} {n}" for label, n in counts.items() if n) or "none")
    return []


cmds = CommandSet()
cmds.schedules.job(JobKind.RETENTION)(run_retention)
cmds.schedules.planner(plan_retention)


@cmds.command(
    "forget", summary=N_("Erase what I keep about you (asks you to confirm first)."),
    usage="!forget me [confirm]", examples=(EXAMPLE, CONFIRM),
    args=(Arg("who", optional=True, rest=True),))
async def forget(ctx: Context, who: str | None) -> None:
    target, confirm = _target(ctx, who)
    if not confirm:
        report = await preview(ctx.db, target, ctx.now)
        await ask(ctx.db.conn, ctx.sender, target, ctx.now)
        ctx.reply(describe(ctx, target, report, done=False))
        return
    if not await take_confirmation(ctx.db.conn, ctx.sender, target, ctx.now):
        minutes = int(CONFIRM_WINDOW.total_seconds() // 60)
        # Translators: {command} is "!forget me".
        raise UserError(ngettext(
            "Nothing is waiting for confirmation: first send {command} and read what it "
            "will do (the confirmation lasts {minutes} minute).",
            "Nothing is waiting for confirmation: first send {command} and read what it "
            "will do (the confirmation lasts {minutes} minutes).", minutes).format(
                command=f"{ctx.settings.prefix}forget me", minutes=minutes),
            EXAMPLE if target == ctx.sender else f"!forget {target}")
    report = await forget_member(ctx.db.conn, target, ctx.now)
    ctx.changed.update((ChangeKind.ACTION, action_id) for action_id in report.open_actions)
    ctx.changed.update((ChangeKind.ROTA, meeting_id) for meeting_id in report.rota_meetings)
    log.info("forgot a member (%s): %d rows erased or anonymised in %d rooms",
             "own request" if target == ctx.sender else "by a bot admin", report.total,
             report.rooms)
    ctx.reply(describe(ctx, target, report, done=True))
