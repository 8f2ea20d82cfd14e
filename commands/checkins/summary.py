"""Check-in summaries: posted once in the cycle's thread when the last window closes.

The summary goes into the thread of the cycle's first prompt, with a one-line pointer in
the room. Answers that arrive later (or edits) ask for one more edit of the summary; the
edit is a job, so it is sent to the check-in room even when the answer came by direct
message, and it survives a restart (the planner re-plans unsent edits from the DB).
"""

from __future__ import annotations

from datetime import timedelta

from commands.checkins.format import (
    cycle_label,
    edit_key,
    pointer_key,
    pointer_msg,
    root_key,
    summary_key,
    summary_msg,
)
from commands.checkins.jobs import CLOSE, EDIT
from commands.common import room_lang
from commands.context import RoomView
from commands.jobs import JobEnv, Post
from commands.reply import Msg
from commands.router import CommandSet
from domain.checkin import PersonAnswers, Summary, summarise
from domain.i18n import _, colon, use_language
from domain.people import shown_name
from storage.checkins import (
    Cycle,
    answers_of,
    get_cycle,
    last_summarised,
    mark_skipped,
    prompts_of,
    update_cycle,
)
from storage.db import Database
from storage.outbox import event_id_of

# Blockers older than this are not news in a weekly digest (fortnightly check-ins still fit).
DIGEST_RECENT = timedelta(days=15)


async def build_summary(db: Database, cycle: Cycle, room: RoomView | None = None) -> Summary:
    """Everything the summary says, from the DB (names as stored when people were asked)."""
    prompts = await prompts_of(db, cycle.id)
    answers = await answers_of(db, cycle.id)
    names = {p.user_id: p.name for p in prompts if p.name}
    for answer in answers:
        if answer.name:
            names.setdefault(answer.user_id, answer.name)

    def name(user_id: str) -> str:
        if user_id in names:
            return shown_name(user_id, names[user_id])
        return room.display_name(user_id) if room else shown_name(user_id)

    by_user: dict[str, list[tuple[str, bool]]] = {}
    for answer in answers:
        by_user.setdefault(answer.user_id, []).append((answer.text, answer.late))
    people = [PersonAnswers(name(user), tuple(t for t, _ in said), all(late for _, late in said))
              for user, said in by_user.items()]
    asked = [p for p in prompts if p.status == "sent"]
    silent = [name(p.user_id) for p in asked if p.user_id not in by_user]
    return summarise(cycle.questions, people, silent, len(asked))


async def fire_close(env: JobEnv, cycle_id: int) -> list[Post]:
    """Post the summary once, when the last member's window has closed."""
    cycle = await get_cycle(env.db, cycle_id)
    if cycle is None or cycle.void or cycle.summary_at is not None:
        return []
    if cycle.closes_at > env.now:
        return []  # closes later now (a member joined); the plan has the new time
    for prompt in await prompts_of(env.db, cycle.id):
        if prompt.status == "planned":
            await mark_skipped(env.db.conn, cycle.id, prompt.user_id, "missed")
    await update_cycle(env.db.conn, cycle.id, summary_at=env.now)
    room = await env.room(cycle.room_id)
    summary = await build_summary(env.db, cycle, room)
    if room is None or (summary.asked == 0 and not summary.people):
        return []  # left the room, or nobody was asked and nobody answered: nothing to say
    root = await event_id_of(env.db, root_key(cycle.id))
    with use_language(await room_lang(env.db, cycle.room_id, env.settings)):
        msg = summary_msg(cycle, summary)
        pointer = pointer_msg(cycle, summary)
    msg.thread_root = root
    posts = [Post(cycle.room_id, summary_key(cycle.id), msg)]
    if root:
        posts.append(Post(cycle.room_id, pointer_key(cycle.id), pointer))
    return posts


async def fire_edit(env: JobEnv, cycle_id: int) -> list[Post]:
    """Late answers or edits: replace the summary's text with the full new one."""
    cycle = await get_cycle(env.db, cycle_id)
    if cycle is None or cycle.summary_at is None or cycle.summary_edits <= cycle.summary_edits_sent:
        return []
    await update_cycle(env.db.conn, cycle.id, summary_edits_sent=cycle.summary_edits)
    summary = await build_summary(env.db, cycle, await env.room(cycle.room_id))
    with use_language(await room_lang(env.db, cycle.room_id, env.settings)):
        msg = summary_msg(cycle, summary)
    original = await event_id_of(env.db, summary_key(cycle.id))
    if original:
        msg.replaces = original
    else:  # the summary itself is not out yet (or never was): post the new text in the thread
        msg.thread_root = await event_id_of(env.db, root_key(cycle.id))
    return [Post(cycle.room_id, edit_key(cycle.id, cycle.summary_edits), msg)]


async def digest_section(env: JobEnv, room_id: str, msg: Msg, room: RoomView) -> None:
    """The weekly digest: blockers from the room's last check-in, if it had any.

    A check-in summarised more than DIGEST_RECENT ago is old news and is left out.
    """
    cycle = await last_summarised(env.db, room_id)
    if cycle is None or cycle.summary_at is None or env.now - cycle.summary_at > DIGEST_RECENT:
        return
    summary = await build_summary(env.db, cycle, room)
    if not summary.blockers:
        return
    if msg.parts and msg.parts[-1][0] != "newline":
        msg.line()
    with use_language(msg.lang):  # the digest's language, whoever asked for it
        msg.bold(_("Blockers from the last check-in")).text(f" ({cycle_label(cycle)})").line()
    for who, text in summary.blockers:
        msg.text("• ").bold(who).text(colon() + text).line()


cmds = CommandSet()
cmds.schedules.job(CLOSE)(fire_close)
cmds.schedules.job(EDIT)(fire_edit)
cmds.schedules.hook("digest")(digest_section)
