"""Check-in messages and their logical keys: what prompts and summaries say.

Keys name each message for the outbox and for routing answers back: everything a member
answers in the thread of, or in reply to, a "checkin:<cycle>:…" message belongs to that
cycle; "checkin:<cycle>:dm:<user>" is that member's own prompt in their direct chat.
"""

from __future__ import annotations

from commands.context import RoomView
from commands.domain.checkin import Summary, describe_window
from commands.reply import Msg
from storage.checkins import Cycle


def root_key(cycle_id: int) -> str:
    return f"checkin:{cycle_id}:room:1"


def room_key(cycle_id: int, n: int) -> str:
    return f"checkin:{cycle_id}:room:{n}"


def dm_key(cycle_id: int, user_id: str) -> str:
    return f"checkin:{cycle_id}:dm:{user_id}"


def summary_key(cycle_id: int) -> str:
    return f"checkin:{cycle_id}:summary"


def pointer_key(cycle_id: int) -> str:
    return f"checkin:{cycle_id}:pointer"


def edit_key(cycle_id: int, n: int) -> str:
    return f"checkin:{cycle_id}:summary-edit:{n}"


def _questions(msg: Msg, cycle: Cycle) -> None:
    for index, question in enumerate(cycle.questions, 1):
        msg.text(f"{index}. {question}").line()


def prompt_msg(cycle: Cycle, room: RoomView, users: list[str], *, first: bool, late: bool,
               dm_count: int, later: bool = False) -> Msg:
    """The thread root (first) or a nudge inside the thread for members asked later."""
    msg = Msg(is_reply=False)
    if late:
        msg.italic("Late — I was offline when this was due.").line()
    if first:
        msg.bold(f"Check-in — {cycle.label}.").text(
            " Answer in this thread: all in one message, or one message per question.").line()
    else:
        msg.bold("Your turn").text(f" for the check-in of {cycle.label} — answer in this "
                                   "thread, all in one message or one per question.").line()
    _questions(msg, cycle)
    if first:
        window = describe_window(cycle.window)
        local = f" Others are asked at their own {cycle.at:%H:%M}." if (
            later and cycle.at and cycle.zone is None) else ""
        msg.text(f"Answers are collected for {window} after each prompt.{local} ")
        if dm_count:
            msg.text(f"{dm_count} asked by direct message. ")
        msg.text("Opt out with ").code("!checkin mute").text(".").line()
    if users:
        msg.text("For: ")
        for index, user_id in enumerate(users):
            msg.text(", " if index else "").mention(user_id, room.display_name(user_id))
    return msg


def dm_msg(cycle: Cycle, late: bool) -> Msg:
    msg = Msg(is_reply=False)
    if late:
        msg.italic("Late — I was offline when this was due.").line()
    msg.bold(f"Check-in — {cycle.label}").text(
        f" for https://matrix.to/#/{cycle.room_id} — reply here, all in one message or "
        "one per question:").line()
    _questions(msg, cycle)
    msg.text(f"Your answers go into the room's summary ({describe_window(cycle.window)} to "
             "answer). Rather answer in the room? Say ").code("!checkin dm off").text(
        " there.")
    return msg


def summary_msg(cycle: Cycle, summary: Summary) -> Msg:
    """Blockers first (with names), then each person's answers condensed in question order."""
    msg = Msg(is_reply=False)
    msg.bold(f"Check-in summary — {cycle.label}").text(f" · {summary.answered} answered")
    if summary.not_heard:
        msg.text(f" · {len(summary.not_heard)} not heard from")
    msg.line()
    if summary.blockers:
        msg.bold("Blockers").line()
        for who, text in summary.blockers:
            msg.text("• ").bold(who).text(f": {text}").line()
    if summary.people:
        msg.italic(" · ".join(f"{i}. {q}" for i, q in enumerate(summary.questions, 1))).line()
    else:
        msg.text("No answers this time.").line()
    for person in summary.people:
        msg.bold(person.name)
        msg.text(" (added late)" if person.late else "").line()
        for index, answer in enumerate(person.answers, 1):
            if answer:
                msg.text(f"  {index}. {answer}").line()
        for loose in person.loose:
            msg.text(f"  {loose}").line()
    if summary.not_heard:
        msg.text("Not heard from (no pressure — answers in this thread are still added): "
                 + ", ".join(summary.not_heard)).line()
    return msg


def pointer_msg(cycle: Cycle, summary: Summary) -> Msg:
    blockers = len(summary.blockers)
    tail = f", {blockers} blocker{'s' if blockers != 1 else ''}" if blockers else ""
    return Msg(is_reply=False).text(
        f"The check-in summary for {cycle.label} is in its thread: "
        f"{summary.answered} answered{tail}.")
