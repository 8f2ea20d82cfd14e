"""Check-in messages and their logical keys: what prompts and summaries say.

Keys name each message for the outbox and for routing answers back: everything a member
answers in the thread of, or in reply to, a "checkin:<cycle>:…" message belongs to that
cycle; "checkin:<cycle>:dm:<user>" is that member's own prompt in their direct chat.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from commands.context import RoomView
from commands.reply import Msg, coded, fill
from domain.checkin import DEFAULT_QUESTIONS, Summary, describe_window
from domain.i18n import _, colon, ngettext
from domain.timefmt import format_day
from storage.checkins import Cycle

# How `day_label` writes months in the stored label (always English: it is a storage value).
_LABEL_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                 "Dec")


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


def shown_questions(questions: Sequence[str]) -> tuple[str, ...]:
    """The questions as members read them: the defaults in the active language.

    Stored questions stay as they are (the defaults in English); only a room that never
    chose its own questions (they equal the defaults) sees them translated.
    """
    if tuple(questions) == DEFAULT_QUESTIONS:
        return tuple(_(question) for question in questions)
    return tuple(questions)


def cycle_day(cycle: Cycle) -> date | None:
    """The day a cycle is for: a scheduled cycle's key, else read back from its stored label."""
    try:
        return date.fromisoformat(cycle.key)
    except ValueError:
        pass
    words = cycle.label.split()
    if len(words) != 3 or words[2] not in _LABEL_MONTHS or not words[1].isdigit():
        return None
    month, day = _LABEL_MONTHS.index(words[2]) + 1, int(words[1])
    around = cycle.created_at.date()
    for year in (around.year, around.year - 1, around.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if abs((candidate - around).days) <= 2:
            return candidate
    return None


def cycle_label(cycle: Cycle) -> str:
    """"Mon 30 Nov" in the active language (the stored label is English)."""
    day = cycle_day(cycle)
    return format_day(day) if day else cycle.label


def _late(msg: Msg) -> None:
    msg.italic(_("Late — I was offline when this was due.")).line()


def _questions(msg: Msg, cycle: Cycle) -> None:
    for index, question in enumerate(shown_questions(cycle.questions), 1):
        msg.text(f"{index}. {question}").line()


def prompt_msg(cycle: Cycle, room: RoomView, users: list[str], *, first: bool, late: bool,
               dm_count: int, later: bool = False) -> Msg:
    """The thread root (first) or a nudge inside the thread for members asked later."""
    msg = Msg(is_reply=False)
    label = cycle_label(cycle)
    if late:
        _late(msg)
    if first:
        msg.bold(_("Check-in — {day}.").format(day=label)).text(" ").text(
            _("Answer in this thread: all in one message, or one message per question.")).line()
    else:
        msg.bold(_("Your turn for the check-in of {day}").format(day=label)).text(" — ").text(
            # Translators: follows "Your turn for the check-in of {day} — ".
            _("answer in this thread, all in one message or one per question.")).line()
    _questions(msg, cycle)
    if first:
        window = describe_window(cycle.window)
        msg.text(_("Answers are collected for {window} after each prompt.").format(
            window=window))
        if later and cycle.at and cycle.zone is None:
            # Translators: {time} is the check-in's time of day, e.g. 10:00.
            msg.text(" ").text(_("Others are asked at their own {time}.").format(
                time=f"{cycle.at:%H:%M}"))
        msg.text(" ")
        if dm_count:
            msg.text(ngettext("{count} asked by direct message.",
                              "{count} asked by direct message.", dm_count).format(
                count=dm_count)).text(" ")
        fill(msg, _("Opt out with {command}."), command=coded("!checkin mute")).line()
    if users:
        msg.text(_("For:")).text(" ")
        for index, user_id in enumerate(users):
            msg.text(", " if index else "").mention(user_id, room.display_name(user_id))
    return msg


def dm_msg(cycle: Cycle, late: bool) -> Msg:
    msg = Msg(is_reply=False)
    if late:
        _late(msg)
    msg.bold(_("Check-in — {day}").format(day=cycle_label(cycle))).text(" ").text(
        # Translators: follows "Check-in — {day}" in bold; {room} is a link to the room.
        _("for {room} — reply here, all in one message or one per question:").format(
            room=f"https://matrix.to/#/{cycle.room_id}")).line()
    _questions(msg, cycle)
    fill(msg, _("Your answers go into the room's summary ({window} to answer). Rather "
                     "answer in the room? Say {command} there."),
         command=coded("!checkin dm off"), window=describe_window(cycle.window))
    return msg


def summary_msg(cycle: Cycle, summary: Summary) -> Msg:
    """Blockers first (with names), then each person's answers condensed in question order."""
    msg = Msg(is_reply=False)
    msg.bold(_("Check-in summary — {day}").format(day=cycle_label(cycle))).text(" · ").text(
        ngettext("{count} answered", "{count} answered", summary.answered).format(
            count=summary.answered))
    if summary.not_heard:
        silent = len(summary.not_heard)
        msg.text(" · ").text(ngettext("{count} not heard from", "{count} not heard from",
                                      silent).format(count=silent))
    msg.line()
    if summary.blockers:
        msg.bold(_("Blockers")).line()
        for who, text in summary.blockers:
            msg.text("• ").bold(who).text(colon() + text).line()
    if summary.people:
        questions = shown_questions(summary.questions)
        msg.italic(" · ".join(f"{i}. {q}" for i, q in enumerate(questions, 1))).line()
    else:
        msg.text(_("No answers this time.")).line()
    for person in summary.people:
        msg.bold(person.name)
        msg.text(" " + _("(added late)") if person.late else "").line()
        for index, answer in enumerate(person.answers, 1):
            if answer:
                msg.text(f"  {index}. {answer}").line()
        for loose in person.loose:
            msg.text(f"  {loose}").line()
    if summary.not_heard:
        # Translators: {names} is a comma-separated list of members' names.
        msg.text(_("Not heard from (no pressure — answers in this thread are still added): "
                   "{names}").format(names=", ".join(summary.not_heard))).line()
    return msg


def pointer_msg(cycle: Cycle, summary: Summary) -> Msg:
    blockers = len(summary.blockers)
    answered = ngettext("{count} answered", "{count} answered", summary.answered).format(
        count=summary.answered)
    label = cycle_label(cycle)
    if blockers:
        # Translators: {answered} is e.g. "3 answered", {blockers} e.g. "1 blocker".
        text = _("The check-in summary for {day} is in its thread: {answered}, {blockers}."
                 ).format(day=label, answered=answered, blockers=ngettext(
                     "{count} blocker", "{count} blockers", blockers).format(count=blockers))
    else:
        # Translators: {answered} is e.g. "3 answered".
        text = _("The check-in summary for {day} is in its thread: {answered}.").format(
            day=label, answered=answered)
    return Msg(is_reply=False).text(text)
