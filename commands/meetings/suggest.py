"""`!meeting suggest` (a poll of fair times) and `!meeting pick`; polls close by themselves.

Everything about a poll (the poll itself, its list of options, the tally and the closing
notice) is in the room's language: it is one conversation for the whole room.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta

from commands.common import room_default_zone, room_lang, room_zone, zone_of
from commands.context import ChangeKind, Context, RoomView
from commands.errors import PermissionDenied, UserError
from commands.jobs import LATE_AFTER, JobEnv, JobKind, PlannedJob, Post
from commands.meetings.commands import meeting_cmd
from commands.meetings.format import duration_words, member_zones, minutes_words, series_words
from commands.meetings.overlap import suggestion_picture
from commands.meetings.people import cost_phrases, named, note_for, people_of, short_cost
from commands.reply import Msg, PollEnd, PollSpec, coded, fill
from commands.router import Arg, CommandSet
from domain.availability import Person
from domain.errors import DomainError
from domain.i18n import N_, _, ngettext, use_language
from domain.recurrence import Series
from domain.suggest import Suggestion, option_for, suggest
from domain.timefmt import format_local, local_time_line
from domain.when import parse_duration
from domain.zones import zone_info
from storage.db import Database
from storage.meetings import get_meeting, insert_meeting
from storage.outbox import txn_id_for
from storage.polls import (
    Poll,
    close_poll,
    get_poll,
    insert_poll,
    open_polls,
    poll_event_id,
    room_poll,
    votes,
)
from storage.room_settings import poll_window

SUGGEST_EXAMPLE = "!meeting suggest 60m within 7 days"
MAX_WITHIN_DAYS = 21
# A poll stays open at least this long unless the room chose otherwise (`!poll window`).
DEFAULT_POLL_WINDOW = timedelta(hours=12)
# Options start at least this long after the poll closes, so the result reaches people first.
AFTER_CLOSING = timedelta(hours=1)
SUGGEST = re.compile(
    r"^(?P<duration>\S+)(?:\s+within\s+(?P<days>[0-9]{1,3})\s*d(?:ays?)?)?"
    r"(?:\s+with\s+(?P<with>.+?))?(?:\s+(?P<title>\"[^\"]*\"|“[^”]*”))?\s*$",
    re.IGNORECASE,
)
# Translators: the ranking of suggested times, shown by !help meeting suggest.
RANKING = N_("Times are ranked: nobody in their night (22:00–06:00 unless the room set "
             "another with !meeting night) comes first; then the most people inside their "
             "working hours; then the least time outside them; then sparing whoever carried "
             "the bad hours in this room over the last 30 days; ties go to the sooner date. "
             "The options are different times of day; the same time on another day is offered "
             "only when nothing else fits, and the list says so.")
# Translators: the poll rules, shown by !help meeting suggest.
POLL_RULES = N_("The poll stays open 12 hours (or what the room chose with !poll window) "
                "and offers only times after that. With a “with” list, only those members' "
                "votes decide; others are shown as advisory. See the tally with !poll, give "
                "more time with !poll p1 extend 6h.")


def poll_key(room_id: str, number: int) -> str:
    """Logical key of a poll's start event in the outbox."""
    return f"poll:{room_id}:{number}"


def close_job(poll_id: int) -> str:
    """The scheduler's id for a poll's closing. It ends with ":" so that replanning p1
    (dropping jobs by prefix) never drops p10's."""
    return f"poll-close:{poll_id}:"


def _option(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 9:
        # Translators: {text} is what the member typed, in quotes.
        raise DomainError(_("{text} is not an option number; options are 1 to 5.").format(
            text=repr(text[:20])))
    return int(text)


def poll_ref(text: str) -> int:
    match = re.fullmatch(r"[pP#]?([0-9]{1,9})", text)
    if not match:
        # Translators: {text} is what the member typed, in quotes.
        raise DomainError(_("{text} is not a poll id; they look like p2.").format(
            text=repr(text[:20])))
    return int(match.group(1))


cmds = CommandSet()


@cmds.schedules.replanner(ChangeKind.POLL)
async def replan_poll(db: Database, poll_id: int, now: datetime
                      ) -> tuple[str, list[PlannedJob]]:
    return close_job(poll_id), await plan_polls(db, poll_id)


@cmds.sub(meeting_cmd, "suggest",
          summary=N_("Propose fair times as a poll, from everyone's hours."),
          usage=N_('!meeting suggest <duration> [within <N> days] [with @a @b …] '
                   '["title"]'),
          examples=(SUGGEST_EXAMPLE,
                    N_('!meeting suggest 90m with @ana:example.org "Budget"')),
          args=(Arg("text", rest=True),), details=(RANKING, POLL_RULES))
async def suggest_cmd(ctx: Context, text: str) -> None:
    match = SUGGEST.match(text.strip())
    if not match:
        raise UserError(_("I couldn't read that; give a length first."), SUGGEST_EXAMPLE)
    duration = parse_duration(match.group("duration"))
    days = int(match.group("days") or 7)
    if not 1 <= days <= MAX_WITHIN_DAYS:
        raise UserError(ngettext("Look at most {count} day ahead.",
                                 "Look at most {count} days ahead.",
                                 MAX_WITHIN_DAYS).format(count=MAX_WITHIN_DAYS),
                        SUGGEST_EXAMPLE)
    window = await poll_window(ctx.db, ctx.room_id) or DEFAULT_POLL_WINDOW
    closes = ctx.now + window
    first = closes + AFTER_CLOSING
    end = ctx.now + timedelta(days=days)
    if end - first < duration:
        wider = min(MAX_WITHIN_DAYS, -(-(window + AFTER_CLOSING + duration) // timedelta(days=1)))
        # Translators: {window} is how long polls stay open here, e.g. "12h".
        raise UserError(_("Polls here stay open {window} so that everyone can vote; look "
                          "further ahead.").format(window=duration_words(window)),
                        f"!meeting suggest {match.group('duration')} within {wider} days")
    voters = await _with_list(ctx) if match.group("with") else ()
    default_zone = await room_default_zone(ctx)
    people = await people_of(ctx.db, ctx.room_id, list(voters) or ctx.room.members()
                             or [ctx.sender], default_zone, load_at=ctx.now)
    found = suggest(people, duration, first, end)
    if len(found.options) < 2:
        raise UserError(_("There are not enough possible times in that window."),
                        SUGGEST_EXAMPLE)
    options = [o.start_utc for o in found.options]
    asker_zone, _default = await zone_of(ctx)
    lang = await room_lang(ctx.db, ctx.room_id, ctx.settings)
    with use_language(lang):
        # Translators: the title of a meeting proposed without one.
        title = (match.group("title") or '""')[1:-1].strip() or _("Meeting")
    number = await insert_poll(
        ctx.db.conn, room_id=ctx.room_id,
        txn_for=lambda n: txn_id_for(poll_key(ctx.room_id, n)),
        title=title, created_by=ctx.sender, zone=asker_zone, duration=duration,
        options=options, now=ctx.now, closes_at=closes, voters=voters,
    )
    poll = await room_poll(ctx.db, ctx.room_id, number)
    assert poll is not None
    ctx.changed.add((ChangeKind.POLL, poll.id))
    zones = await member_zones(ctx.db, ctx.room, default_zone)
    # The poll is for the whole room: all of it in the room's language.
    with use_language(lang):
        question = poll_question(title, duration)
        answers = tuple(f"{format_local(o.start_utc, asker_zone)} — {short_cost(o)}"
                        for o in found.options)
        ctx.reply(Msg(is_reply=False, poll=PollSpec(question, answers),
                      key=poll_key(ctx.room_id, number)).text(question))
        options_text = listing(ctx, poll, found, people, zones, asker_zone)
        ctx.reply(options_text)
        # The picture after the text: the text alone already says everything.
        image = await suggestion_picture(ctx, people, found.options, duration, title,
                                         alt=options_text.plain().split("\n")[0])
        if image is not None:
            ctx.reply(image)


def listing(ctx: Context, poll: Poll, found: Suggestion, people: list[Person],
            zones: Mapping[str, int], reader: str) -> Msg:
    """The poll's options as text: each in every zone, with who pays for it and how."""
    msg = Msg().bold(_("Poll p{number}: {question}").format(
        number=poll.number, question=poll_question(poll.title, poll.duration))).line()
    if not found.night_free:
        # Translators: {night} is the night window, e.g. "22:00–06:00".
        msg.text(_("Every time in this window puts someone in their night ({night}); these "
                   "are the least bad.").format(night=people[0].night.describe())).line()
    elif not found.everyone_inside:
        msg.text(_("No time in this window is inside everyone's working hours; these are the "
                   "least bad.")).line()
    for index, option in enumerate(found.options, 1):
        when = format_local(option.start_utc, reader)
        # Translators: {inside} people of {count} have the meeting inside their hours.
        fit = ngettext("{inside} of {count} inside working hours",
                       "{inside} of {count} inside working hours",
                       len(people)).format(inside=option.inside, count=len(people))
        msg.text(f"{index}. {when}: {local_time_line(option.start_utc, zones, reader)} — {fit}")
        msg.line()
        msg.text("   ")
        if option.outside or option.at_night:
            cost_phrases(ctx.room, msg, option)
        else:
            msg.text(_("inside everyone's hours"))
        if option.same_time_as is not None:
            msg.text(" — " + _("same time as option {number}, another day: no other time of "
                               "day fits").format(number=option.same_time_as + 1))
        msg.line()
    if poll.voters:
        # Translators: followed by the names of the members whose votes decide.
        msg.text(_("Votes that decide:") + " ")
        named(ctx.room, msg, poll.voters)
        msg.text(". " + _("Others may vote too; their votes are shown as advisory.")).line()
    # Translators: {when} is a date and time; {tally} and {command} commands in code spans.
    fill(msg, _("Vote in the poll; it closes {when}, and the winner becomes a meeting. See the "
                "votes with {tally}, or decide now: {command}"),
         when=format_local(poll.closes_at, reader), tally=coded(f"!poll p{poll.number}"),
         command=coded("!meeting pick 1"))
    return msg


async def _with_list(ctx: Context) -> tuple[str, ...]:
    members = set(ctx.room.members())
    ids = tuple(dict.fromkeys(u for u in ctx.mentioned if u in members))
    unknown = [u for u in ctx.mentioned if u not in members]
    if unknown:
        raise UserError(_("{user} is not in this room.").format(
            user=ctx.room.display_name(unknown[0])), SUGGEST_EXAMPLE)
    if not ids:
        raise UserError(_("Name the people with mentions (@name)."), SUGGEST_EXAMPLE)
    return ids


@cmds.sub(meeting_cmd, "pick", summary=N_("Turn a poll option into a meeting now."),
          usage=N_("!meeting pick <option> [p<poll>]"),
          examples=("!meeting pick 2", "!meeting pick 1 p3"),
          args=(Arg("option", _option), Arg("poll", poll_ref, optional=True)))
async def pick(ctx: Context, option: int, poll: int | None) -> None:
    found = await room_poll(ctx.db, ctx.room_id, poll)
    if found is None or found.closed:
        if poll:
            missing = _("There is no p{number} in this room to pick from.").format(number=poll)
        else:
            missing = _("There is no open poll in this room to pick from.")
        raise UserError(missing, SUGGEST_EXAMPLE)
    if ctx.sender != found.created_by and not ctx.is_moderator():
        raise PermissionDenied(_("Only whoever asked for p{number} or a room moderator "
                                 "can pick the time; everyone can vote in the poll.").format(
                                     number=found.number))
    if not 1 <= option <= len(found.options):
        raise UserError(_("p{number} has options 1 to {count}.").format(
            number=found.number, count=len(found.options)), "!meeting pick 1")
    if found.options[option - 1] <= ctx.now:
        raise UserError(_("That time has already passed; pick another."), "!meeting pick 2")
    lang = await room_lang(ctx.db, ctx.room_id, ctx.settings)
    posts = await conclude(ctx.db, found, option, ctx.now, lang, ctx.room,
                           await room_default_zone(ctx),
                           picked_by=ctx.room.display_name(ctx.sender))
    for post in posts:
        post.msg.is_reply = post.msg.poll_end is None  # the notice answers the command
        ctx.reply(post.msg)
    meeting_id = await _meeting_id(ctx.db, found)
    if meeting_id:
        ctx.changed.add((ChangeKind.MEETING, meeting_id))
    ctx.changed.add((ChangeKind.POLL, found.id))


def series_length(duration: timedelta) -> str:
    """"45 min", "90 min", "2h": whole hours in hours, anything else in minutes."""
    minutes = int(duration.total_seconds() // 60)
    if minutes < 60 or minutes % 60:
        return minutes_words(minutes)
    return duration_words(duration)


def poll_question(title: str, duration: timedelta) -> str:
    # Translators: {title} is the meeting's title, {length} its length ("60 min", "2h").
    return _("When should we meet for “{title}” ({length})?").format(
        title=title, length=series_length(duration))


def deciding(poll: Poll, ballots: dict[str, int]) -> tuple[dict[str, int], dict[str, int]]:
    """(votes that decide, advisory votes): with a `with` list only its members decide."""
    if not poll.voters:
        return ballots, {}
    inside = set(poll.voters)
    return ({u: o for u, o in ballots.items() if u in inside},
            {u: o for u, o in ballots.items() if u not in inside})


async def conclude(db: Database, poll: Poll, option: int, now: datetime, lang: str,
                   room: RoomView | None, zone: str, *, picked_by: str | None = None,
                   votes: tuple[int, int] = (0, 0), advisory: int = 0,
                   late: bool = False) -> list[Post]:
    """Create the meeting for `option`, close the poll and say so (poll end + notice).

    The notices are for the whole room, in its language `lang`; they say who picked the
    option (`picked_by`, their name as shown) or, without one, its (votes, total deciding
    votes) and how many advisory votes there were, and name whoever the time puts at night
    or outside their hours (the poll's `with` list, else the room's members; `zone` is the
    room's).
    """
    start = poll.options[option - 1]
    local = start.astimezone(zone_info(poll.zone)).replace(tzinfo=None)
    series = Series(local, poll.zone, None, poll.duration)
    number = await insert_meeting(db.conn, room_id=poll.room_id, title=poll.title,
                                  series=series, created_by=poll.created_by, now=now)
    await close_poll(db.conn, poll.id, now, number)
    meeting = await get_meeting(db, poll.room_id, number)
    assert meeting is not None
    event_id = await poll_event_id(db, poll)
    with use_language(lang):
        fields = {"poll": poll.number, "option": option, "number": number, "title": poll.title,
                  "schedule": series_words(meeting)}
        if picked_by is not None:
            # Translators: {poll} and {number} are ids (p2, m3), {name} a member's name, {title}
            # the meeting's title, {schedule} when it happens.
            text = _("Poll p{poll} closed (picked by {name}): option {option} wins. Scheduled "
                     "m{number}: {title} — {schedule}.").format(name=picked_by, **fields)
        else:
            won, total = votes
            # Translators: {poll} and {number} are ids (p2, m3), {votes} of {total} the votes
            # the option got, {title} the meeting's title, {schedule} when it happens.
            text = ngettext("Poll p{poll} closed ({votes} of {total} vote): option {option} "
                            "wins. Scheduled m{number}: {title} — {schedule}.",
                            "Poll p{poll} closed ({votes} of {total} votes): option {option} "
                            "wins. Scheduled m{number}: {title} — {schedule}.",
                            total).format(votes=won, total=total, **fields)
        notice = late_start().text(text).line() if late else Msg(is_reply=False).text(
            text).line()
        ids = list(poll.voters) or (room.members() if room is not None else [])
        if room is not None and ids:
            people = await people_of(db, poll.room_id, ids, zone)
            note_for(room, notice, option_for(people, start, poll.duration))
        if advisory:
            notice.text(ngettext("{count} advisory vote from outside the with list was not "
                                 "counted.",
                                 "{count} advisory votes from outside the with list were not "
                                 "counted.", advisory).format(count=advisory)).line()
        posts = [Post(poll.room_id, f"poll-result:{poll.id}", notice)]
        if event_id:
            end = Msg(is_reply=False, poll_end=PollEnd(event_id)).text(
                _("The poll has ended: option {option} wins.").format(option=option))
            posts.insert(0, Post(poll.room_id, f"poll-end:{poll.id}", end))
    return posts


async def _meeting_id(db: Database, poll: Poll) -> int | None:
    refreshed = await get_poll(db, poll.id)
    if refreshed is None or refreshed.meeting_number is None:
        return None
    meeting = await get_meeting(db, poll.room_id, refreshed.meeting_number)
    return meeting.id if meeting else None


async def plan_polls(db: Database, poll_id: int | None = None) -> list[PlannedJob]:
    polls = [await get_poll(db, poll_id)] if poll_id else await open_polls(db)
    return [PlannedJob(close_job(p.id), p.closes_at, JobKind.POLL_CLOSE, (p.id,))
            for p in polls if p is not None and not p.closed]


async def close_due_poll(env: JobEnv, poll_id: int) -> list[Post]:
    """The poll's closing: the option with most deciding votes (ties: the better-ranked)
    wins. A poll extended meanwhile is not due yet and waits for its new time."""
    poll = await get_poll(env.db, poll_id)
    if poll is None or poll.closed or poll.closes_at > env.now:
        return []
    decide, advice = deciding(poll, await votes(env.db, poll.id))
    counts: dict[int, int] = {}
    for choice in decide.values():
        counts[choice] = counts.get(choice, 0) + 1
    future = [i for i, start in enumerate(poll.options, 1) if start > env.now]
    lang = await room_lang(env.db, poll.room_id, env.settings)
    late = env.now - poll.closes_at > LATE_AFTER  # the bot was down when it was due
    if not counts or not future:
        await close_poll(env.db.conn, poll.id, env.now, None)
        with use_language(lang):
            if not counts and advice:
                text = ngettext("Poll p{number} closed: nobody on its with list voted ({count} "
                                "advisory vote), so no meeting was scheduled. Ask again with "
                                "!meeting suggest.",
                                "Poll p{number} closed: nobody on its with list voted ({count} "
                                "advisory votes), so no meeting was scheduled. Ask again with "
                                "!meeting suggest.", len(advice)).format(
                    number=poll.number, count=len(advice))
            elif not counts:
                text = _("Poll p{number} closed without votes; no meeting was scheduled. Ask "
                         "again with !meeting suggest.").format(number=poll.number)
            else:
                text = _("Poll p{number} closed without a future time; no meeting was "
                         "scheduled. Ask again with !meeting suggest.").format(
                    number=poll.number)
            msg = (late_start() if late else Msg(is_reply=False)).text(text)
            posts = [Post(poll.room_id, f"poll-result:{poll.id}", msg)]
            event_id = await poll_event_id(env.db, poll)
            if event_id:  # clients stop taking votes only once they see the poll end
                end = Msg(is_reply=False, poll_end=PollEnd(event_id)).text(
                    _("The poll has ended without a winner."))
                posts.insert(0, Post(poll.room_id, f"poll-end:{poll.id}", end))
        return posts
    winner = max(future, key=lambda i: (counts.get(i, 0), -i))
    zone = await room_zone(env.db, poll.room_id, env.settings)
    return await conclude(env.db, poll, winner, env.now, lang, await env.room(poll.room_id),
                          zone, votes=(counts.get(winner, 0), sum(counts.values())),
                          advisory=len(advice), late=late)


def late_start() -> Msg:
    """A result the bot gives late (it was down when the poll closed) says so first."""
    return Msg(is_reply=False).italic(_("Late — I was offline when this was due.")).line()


async def plan_all_polls(db: Database, now: datetime) -> list[PlannedJob]:
    """Every open poll's closing (a planner; polls do not depend on `now`)."""
    return await plan_polls(db)


cmds.schedules.job(JobKind.POLL_CLOSE)(close_due_poll)
cmds.schedules.planner(plan_all_polls)

