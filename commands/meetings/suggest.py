"""`!meeting suggest` (a poll of fair times) and `!meeting pick`; polls close by themselves."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from commands.common import (
    effective_hours,
    member_calendars,
    room_default_zone,
    room_lang,
    zone_of,
)
from commands.context import Context
from commands.errors import PermissionDenied, UserError
from commands.jobs import JobEnv, PlannedJob, Post
from commands.meetings.commands import meeting_cmd
from commands.meetings.format import duration_words, member_zones, minutes_words, series_words
from commands.reply import Msg, PollEnd, PollSpec, coded, fill
from commands.router import Arg, CommandSet
from domain.errors import DomainError
from domain.i18n import N_, _, ngettext, use_language
from domain.recurrence import Series
from domain.suggest import DEFAULT_HOURS, Person, rank_slots
from domain.timefmt import format_local, local_time_line
from domain.when import parse_duration
from domain.zones import zone_info
from storage.db import Database
from storage.meetings import get_meeting, insert_meeting
from storage.members import get_members
from storage.outbox import txn_id_for
from storage.polls import (
    Poll,
    close_poll,
    get_poll,
    insert_poll,
    open_polls,
    poll_event_id,
    room_poll,
    tally,
)

SUGGEST_EXAMPLE = "!meeting suggest 60m within 7 days"
MAX_WITHIN_DAYS = 21
POLL_OPEN_FOR = timedelta(hours=24)
SUGGEST = re.compile(
    r"^(?P<duration>\S+)(?:\s+within\s+(?P<days>[0-9]{1,3})\s*d(?:ays?)?)?"
    r"(?:\s+with\s+(?P<with>.+?))?(?:\s+(?P<title>\"[^\"]*\"|“[^”]*”))?\s*$",
    re.IGNORECASE,
)


def poll_key(room_id: str, number: int) -> str:
    """Logical key of a poll's start event in the outbox."""
    return f"poll:{room_id}:{number}"


def _option(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 9:
        # Translators: {text} is what the member typed, in quotes.
        raise DomainError(_("{text} is not an option number; options are 1 to 5.").format(
            text=repr(text[:20])))
    return int(text)


def _poll_ref(text: str) -> int:
    match = re.fullmatch(r"[pP#]?([0-9]{1,9})", text)
    if not match:
        # Translators: {text} is what the member typed, in quotes.
        raise DomainError(_("{text} is not a poll id; they look like p2.").format(
            text=repr(text[:20])))
    return int(match.group(1))


cmds = CommandSet()


@cmds.schedules.replanner("poll")
async def replan_poll(db: Database, poll_id: int, now: datetime
                      ) -> tuple[str, list[PlannedJob]]:
    return f"poll:{poll_id}", await plan_polls(db, poll_id)


@cmds.sub(meeting_cmd, "suggest",
          summary=N_("Propose fair times as a poll, from everyone's hours."),
          usage=N_('!meeting suggest <duration> [within <N> days] [with @a @b …] '
                   '["title"]'),
          examples=(SUGGEST_EXAMPLE,
                    N_('!meeting suggest 90m with @ana:example.org "Budget"')),
          args=(Arg("text", rest=True),))
async def suggest(ctx: Context, text: str) -> None:
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
    # Translators: the title of a meeting proposed without one.
    title = (match.group("title") or '""')[1:-1].strip() or _("Meeting")
    people = await participants(ctx, bool(match.group("with")),
                                ctx.now + timedelta(days=days))
    start = ctx.now + timedelta(hours=1)
    ranked = rank_slots(people, duration, start, ctx.now + timedelta(days=days), top=5)
    if len(ranked) < 2:
        raise UserError(_("There are not enough possible times in that window."),
                        SUGGEST_EXAMPLE)
    options = [c.start_utc for c in ranked]
    creator_zone, _default = await zone_of(ctx)
    number = await insert_poll(
        ctx.db.conn, room_id=ctx.room_id,
        txn_for=lambda n: txn_id_for(poll_key(ctx.room_id, n)),
        title=title, created_by=ctx.sender, zone=creator_zone, duration=duration,
        options=options, now=ctx.now, closes_at=closes_at(ctx.now, options),
    )
    key = poll_key(ctx.room_id, number)
    poll = await room_poll(ctx.db, ctx.room_id, number)
    assert poll is not None
    ctx.changed.add(("poll", poll.id))
    zones = await member_zones(ctx.db, ctx.room, await room_default_zone(ctx))
    reader, _default = await zone_of(ctx)
    # The poll is for the whole room: in the room's language.
    with use_language(await room_lang(ctx.db, ctx.room_id, ctx.settings)):
        room_question = poll_question(title, duration)
        answers = tuple(format_local(o, reader) for o in options)
        fallback = Msg(is_reply=False, poll=PollSpec(room_question, answers), key=key).text(
            room_question)
    ctx.reply(fallback)
    question = poll_question(title, duration)
    listing = Msg().bold(_("Poll p{number}: {question}").format(
        number=number, question=question)).line()
    for index, candidate in enumerate(ranked, 1):
        when = format_local(candidate.start_utc, reader)
        msg_line = local_time_line(candidate.start_utc, zones, reader)
        # Translators: {inside} people of {count} have the meeting inside their hours.
        fit = ngettext("{inside} of {count} inside working hours",
                       "{inside} of {count} inside working hours",
                       len(people)).format(inside=candidate.inside, count=len(people))
        listing.text(f"{index}. {when}: {msg_line} — {fit}").line()
    # Translators: {when} is a date and time; {command} a command in a code span.
    fill(listing, _("Vote in the poll; it closes {when}, and the winner becomes a meeting. "
                    "Or decide now: {command}"),
         when=format_local(poll.closes_at, reader), command=coded("!meeting pick 1"))
    ctx.reply(listing)


@cmds.sub(meeting_cmd, "pick", summary=N_("Turn a poll option into a meeting now."),
          usage=N_("!meeting pick <option> [p<poll>]"),
          examples=("!meeting pick 2", "!meeting pick 1 p3"),
          args=(Arg("option", _option), Arg("poll", _poll_ref, optional=True)))
async def pick(ctx: Context, option: int, poll: int | None) -> None:
    found = await room_poll(ctx.db, ctx.room_id, poll)
    if found is None or found.closed:
        if poll:
            missing = _("There is no p{number} in this room to pick from.").format(
                number=poll)
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
    posts = await conclude(ctx.db, found, option, ctx.now,
                           await room_lang(ctx.db, ctx.room_id, ctx.settings),
                           picked_by=ctx.room.display_name(ctx.sender))
    for post in posts:
        post.msg.is_reply = post.msg.poll_end is None  # the notice answers the command
        ctx.reply(post.msg)
    meeting_id = await _meeting_id(ctx.db, found)
    if meeting_id:
        ctx.changed.add(("meeting", meeting_id))
    ctx.changed.add(("poll", found.id))


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


def closes_at(now: datetime, options: list[datetime]) -> datetime:
    """A day to vote, but always an hour before the earliest option starts."""
    return max(now + timedelta(minutes=5), min(now + POLL_OPEN_FOR,
                                               min(options) - timedelta(hours=1)))


async def participants(ctx: Context, named: bool, until: datetime | None = None
                       ) -> list[Person]:
    """Who should attend, each with their calendar's week and, up to `until`, their public
    holidays and own days off."""
    if named:
        ids = [u for u in ctx.mentioned if u in set(ctx.room.members())]
        unknown = [u for u in ctx.mentioned if u not in ids]
        if unknown:
            raise UserError(_("{user} is not in this room.").format(
                user=ctx.room.display_name(unknown[0])),
                            SUGGEST_EXAMPLE)
        if not ids:
            raise UserError(_("Name the people with mentions (@name)."), SUGGEST_EXAMPLE)
    else:
        ids = ctx.room.members()
    default = await room_default_zone(ctx)
    settings = await get_members(ctx.db, ids)
    today = ctx.now.date()
    last = (until or ctx.now).date() + timedelta(days=2)
    calendars = await member_calendars(ctx.db, settings, default, today - timedelta(days=2))
    return [
        Person(uid, s.zone or default, effective_hours(s.hours, calendars[uid], today),
               calendars[uid].days_off(today - timedelta(days=2), last))
        for uid, s in settings.items()
    ] or [Person(ctx.sender, default, DEFAULT_HOURS)]


async def conclude(db: Database, poll: Poll, option: int, now: datetime, lang: str, *,
                   picked_by: str | None = None, votes: tuple[int, int] = (0, 0)
                   ) -> list[Post]:
    """Create the meeting for `option`, close the poll and say so (poll end + notice).

    The notices are for the whole room, in its language `lang`; they say who picked the
    option (`picked_by`, their name as shown) or, without one, its (votes, total votes).
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
        posts = [Post(poll.room_id, f"poll-result:{poll.id}", Msg(is_reply=False).text(text))]
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
    return [PlannedJob(f"poll:{p.id}", p.closes_at, "poll-close", (p.id,))
            for p in polls if p is not None and not p.closed]


async def close_due_poll(env: JobEnv, poll_id: int) -> list[Post]:
    """The poll's closing: the option with most votes (ties: the better-ranked) wins."""
    poll = await get_poll(env.db, poll_id)
    if poll is None or poll.closed:
        return []
    votes = await tally(env.db, poll.id)
    future = [i for i, start in enumerate(poll.options, 1) if start > env.now]
    lang = await room_lang(env.db, poll.room_id, env.settings)
    if not votes or not future:
        await close_poll(env.db.conn, poll.id, env.now, None)
        with use_language(lang):
            if not votes:
                text = _("Poll p{number} closed without votes; no meeting was scheduled. Ask "
                         "again with !meeting suggest.")
            else:
                text = _("Poll p{number} closed without a future time; no meeting was "
                         "scheduled. Ask again with !meeting suggest.")
            msg = Msg(is_reply=False).text(text.format(number=poll.number))
        return [Post(poll.room_id, f"poll-result:{poll.id}", msg)]
    winner = max(future, key=lambda i: (votes.get(i, 0), -i))
    total = sum(votes.values())
    return await conclude(env.db, poll, winner, env.now, lang,
                          votes=(votes.get(winner, 0), total))


async def plan_all_polls(db: Database, now: datetime) -> list[PlannedJob]:
    """Every open poll's closing (a planner; polls do not depend on `now`)."""
    return await plan_polls(db)


cmds.schedules.job("poll-close")(close_due_poll)
cmds.schedules.planner(plan_all_polls)
