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

from commands.context import Context
from commands.errors import PermissionDenied, UserError
from commands.jobs import JobEnv, PlannedJob, Post
from commands.reply import Msg
from commands.router import Arg, Router
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
    if not words:
        raise UserError(f"Say whose data: {ctx.settings.prefix}forget me erases what I keep "
                        "about you (I ask you to confirm first).", EXAMPLE)
    confirm = len(words) > 1 and words[-1].lower() == "confirm"
    who = words[0]
    if who.lower() == "me":
        target = ctx.sender
        if len(words) > 1 + confirm:
            raise UserError(f"I didn't expect {' '.join(words[1:])[:40]!r}.", CONFIRM)
    elif who.startswith("@") and ":" in who and len(words) == 1 + confirm:
        target = who
    elif len(ctx.mentioned) == 1:
        target = ctx.mentioned[0]
    else:
        raise UserError("Say me, or (bot admins) one full user id.", EXAMPLE)
    if target != ctx.sender and ctx.sender not in ctx.settings.admins:
        raise PermissionDenied(
            f"Only members themselves can ask me to forget them, with "
            f"{ctx.settings.prefix}forget me. If they no longer can, the bot's admin can do "
            "it for them.", EXAMPLE)
    return target, confirm


def _counts(msg: Msg, counts: dict[str, int]) -> Msg:
    shown = [f"{label} ({n})" for label, n in counts.items() if n]
    return msg.text(", ".join(shown) if shown else "nothing").text(".").line()


def describe(ctx: Context, target: str, report: Report, done: bool) -> Msg:
    """The preview (done=False) and the receipt: every count, and what is not touched."""
    own = target == ctx.sender
    you, they = ("you", "you are") if own else (target, "they are")
    msg = Msg()
    if done:
        msg.bold(f"Done: I have forgotten {you}.").line().text("Erased: ")
    else:
        msg.bold(f"Here is exactly what forgetting {you} means.").line()
        msg.text("Erased for good: ")
    _counts(msg, report.erased)
    msg.text(f"Where {they} named in shared records, replaced by “former member N” (numbered "
             "per room: the records stay readable, but cannot be linked across rooms): ")
    _counts(msg, report.anonymised)
    if report.open_actions:
        msg.text(f"Open action items: {you} {'are' if own else 'is'} removed as owner of "
                 f"{len(report.open_actions)}; {report.unassigned} with no other owner "
                 f"{'is' if report.unassigned == 1 else 'are'} unassigned now, for the room "
                 "to take up.").line()
    msg.text(f"Not touched: messages already in rooms ({'yours' if own else 'theirs'}, and "
             f"mine that named {'you' if own else 'them'}). Matrix keeps them; redact them "
             "in a client (a room moderator can redact mine).").line()
    if done:
        return msg.text("Anything done from now on is recorded as usual.")
    example = CONFIRM if own else f"!forget {target} confirm"
    minutes = int(CONFIRM_WINDOW.total_seconds() // 60)
    return msg.text("Check-ins will ask again like everyone else (a mute is erased too). "
                    "This cannot be undone. To go ahead, send ").code(example).text(
                        f" within {minutes} minutes.")


def next_run(now: datetime) -> datetime:
    """The next 03:30 UTC strictly after `now`."""
    today = datetime.combine(now.astimezone(UTC).date(), RUN_AT, tzinfo=UTC)
    return today if today > now else today + timedelta(days=1)


async def plan_retention(db: Database, now: datetime) -> list[PlannedJob]:
    at = next_run(now)
    day = at.date().isoformat()
    return [PlannedJob(f"retention:{day}", at, "retention", (day,))]


async def run_retention(env: JobEnv, day: str) -> list[Post]:
    """Once per day (the key), purge what is older than `retention_days`; says nothing."""
    key = f"retention:{day}"
    if not await claim_run(env.db, key, env.now):
        return []
    counts = await purge(env.db, env.now, env.settings.retention_days)
    removed = sum(counts.values())
    await finish_run(env.db, key, removed)
    log.info("retention (%d days): %d rows removed or blanked (%s)",
             env.settings.retention_days, removed,
             ", ".join(f"{label} {n}" for label, n in counts.items() if n) or "none")
    return []


def register(router: Router) -> None:
    router.schedules.job("retention")(run_retention)
    router.schedules.planner(plan_retention)

    @router.command(
        "forget", summary="Erase what I keep about you (asks you to confirm first).",
        usage="!forget me [confirm]", examples=(EXAMPLE, CONFIRM),
        args=(Arg("who", optional=True, rest=True),))
    async def forget(ctx: Context, who: str | None) -> None:
        target, confirm = _target(ctx, who)
        if not confirm:
            report = await preview(ctx.db, target, ctx.now)
            await ask(ctx.db, ctx.sender, target, ctx.now)
            ctx.reply(describe(ctx, target, report, done=False))
            return
        if not await take_confirmation(ctx.db, ctx.sender, target, ctx.now):
            raise UserError(f"Nothing is waiting for confirmation: first send "
                            f"{ctx.settings.prefix}forget me and read what it will do "
                            "(the confirmation lasts 10 minutes).",
                            EXAMPLE if target == ctx.sender else f"!forget {target}")
        report = await forget_member(ctx.db, target, ctx.now)
        ctx.changed.update(("action", action_id) for action_id in report.open_actions)
        ctx.changed.update(("rota", meeting_id) for meeting_id in report.rota_meetings)
        log.info("forgot a member (%s): %d rows erased or anonymised in %d rooms",
                 "own request" if target == ctx.sender else "by a bot admin", report.total,
                 report.rooms)
        ctx.reply(describe(ctx, target, report, done=True))
