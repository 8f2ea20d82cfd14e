"""`!meeting add | list | show | move | skip | cancel` and `!meetings`."""

from __future__ import annotations

import bisect
import re
from dataclasses import replace
from datetime import datetime, time, timedelta

from commands.common import room_default_zone, zone_of
from commands.context import Context
from commands.domain.recurrence import (
    Occurrence,
    RuleError,
    Series,
    next_occurrence,
    occurrence_on,
    occurrences,
    occurrences_cached,
    parse_rule,
)
from commands.domain.when import WhenError, localize, parse_duration, parse_when
from commands.domain.zones import ZoneError, resolve_zone
from commands.errors import PermissionDenied, UserError
from commands.meeting_format import TZ_HINT, occurrence_lines, series_words, zones_for
from commands.reply import Msg
from commands.router import QUOTES, Arg, Router, take_token
from storage.meetings import (
    Meeting,
    get_meeting,
    insert_meeting,
    iso,
    overrides_for,
    overrides_for_many,
    put_override,
    room_meetings_before,
    touch,
)

ADD_EXAMPLE = '!meeting add "Network call" thu 14:00 every 2 weeks for 90m'
MAX_TITLE = 200
MAX_LIST_DAYS = 366
CLAUSE = re.compile(r"\s+(every|for|alternate)\s+", re.IGNORECASE)
TRAILING_ZONE = re.compile(r"^(.*?)\s+in\s+(\S.*?)\s*$", re.IGNORECASE | re.DOTALL)


def parse_ref(text: str) -> int:
    """`m3`, `M3`, `3` or `#3` → 3."""
    match = re.fullmatch(r"[#mM]?([0-9]{1,9})", text.strip())
    if not match:
        raise ValueError(f"{text[:30]!r} is not a meeting id; ids look like m3.")
    return int(match.group(1))


def parse_days(text: str) -> int:
    match = re.fullmatch(r"([0-9]{1,4})\s*d(ays?)?", text.strip().lower())
    if not match or not 1 <= int(match.group(1)) <= MAX_LIST_DAYS:
        raise ValueError(f"Give a number of days from 1 to {MAX_LIST_DAYS}, like 30d.")
    return int(match.group(1))


async def find_meeting(ctx: Context, number: int) -> Meeting:
    meeting = await get_meeting(ctx.db, ctx.room_id, number)
    if meeting is None:
        raise UserError(f"There is no meeting m{number} in this room.", "!meetings")
    return meeting


def require_owner(ctx: Context, meeting: Meeting, what: str) -> None:
    if ctx.sender != meeting.created_by and not ctx.is_moderator():
        raise PermissionDenied(
            f"Only the person who scheduled {meeting.ref} or a room moderator can {what} it."
        )


def _user_error(err: ValueError, example: str = ADD_EXAMPLE) -> UserError:
    message = str(err)
    if isinstance(err, ZoneError) and err.suggestions:
        message += f" Did you mean {', '.join(err.suggestions[:3])}?"
    return UserError(message, example)


def split_add(text: str) -> tuple[str, dict[str, str]]:
    """`"Title" <when> every <rule> for <duration> alternate <time>` → title and clauses."""
    stripped = text.strip()
    if not stripped or stripped[0] not in QUOTES:
        raise UserError("Put the meeting's title in quotes first.", ADD_EXAMPLE)
    title, rest = take_token(stripped)
    title = " ".join(title.split())
    if not title:
        raise UserError("The title is empty.", ADD_EXAMPLE)
    if len(title) > MAX_TITLE:
        raise UserError(f"The title is {len(title)} characters; at most {MAX_TITLE} fit.",
                        ADD_EXAMPLE)
    pieces = CLAUSE.split(" " + rest)
    clauses = {"when": pieces[0].strip()}
    for keyword, value in zip(pieces[1::2], pieces[2::2], strict=True):
        key = keyword.lower()
        if key in clauses:
            raise UserError(f'"{key}" is given twice.', ADD_EXAMPLE)
        clauses[key] = value.strip()
    if not clauses["when"]:
        raise UserError("When is it? Give a day and a time after the title.", ADD_EXAMPLE)
    return title, clauses


def _zone_clause(clauses: dict[str, str]) -> str | None:
    """A trailing `in <zone>` on a rule, duration or alternate clause."""
    for key in ("every", "for", "alternate"):
        match = TRAILING_ZONE.match(clauses.get(key, ""))
        if match:
            try:
                zone = resolve_zone(match.group(2))
            except ZoneError:
                continue
            clauses[key] = match.group(1)
            return zone
    return None


async def build_series(ctx: Context, clauses: dict[str, str]) -> tuple[Series, str | None]:
    sender_zone, _ = await zone_of(ctx)
    zone_override = _zone_clause(clauses)
    try:
        wall = parse_when(clauses["when"], ctx.now, zone_override or sender_zone)
        rule = parse_rule(clauses["every"], wall.local) if "every" in clauses else None
        duration = parse_duration(clauses["for"]) if "for" in clauses else timedelta(minutes=60)
        alternate: time | None = None
        if "alternate" in clauses:
            alt = parse_when(clauses["alternate"], ctx.now, wall.zone)
            if alt.zone != wall.zone:
                raise UserError("The alternate time must be in the meeting's own zone "
                                f"({wall.zone}).", '!meeting add "Call" thu 06:00 UTC every 2 '
                                "weeks alternate 15:00 UTC")
            alternate = alt.local.time()
        series = Series(wall.local, wall.zone, rule, duration, alternate)
    except (WhenError, RuleError, ZoneError) as err:
        raise _user_error(err) from None
    start, note = localize(series.start_local, series.zone)
    if start <= ctx.now:
        raise UserError(
            f"{series.start_local:%a %d %b %Y %H:%M} ({series.zone}) has already passed.",
            ADD_EXAMPLE,
        )
    return series, note


def register(router: Router) -> None:
    @router.command(
        "meeting",
        summary="Schedule meetings across time zones, with reminders.",
        usage="!meeting add|list|show|move|skip|cancel|agenda|link|reminders|notify|ics …",
        examples=(ADD_EXAMPLE, "!meeting show m1"),
    )
    async def meeting(ctx: Context) -> None:
        raise UserError("Which meeting command? See !help meeting.", ADD_EXAMPLE)

    @meeting.sub("add", summary="Schedule a meeting or a series.",
                 usage='!meeting add "<title>" <when> [every <rule>] [for <duration>] '
                       "[in <zone>] [alternate <time>]",
                 examples=(ADD_EXAMPLE, '!meeting add "Check-in" tomorrow 15:00 in Nairobi',
                           '!meeting add "Board" 2026-12-03 14:00 every month on the first tue'),
                 args=(Arg("text", rest=True),))
    async def add(ctx: Context, text: str) -> None:
        title, clauses = split_add(text)
        series, note = await build_series(ctx, clauses)
        number = await insert_meeting(ctx.db.conn, room_id=ctx.room_id, title=title,
                                      series=series, created_by=ctx.sender, now=ctx.now)
        created = await get_meeting(ctx.db, ctx.room_id, number)
        assert created is not None
        ctx.changed.add(("meeting", created.id))
        msg = Msg().text(f"Scheduled m{number}: ").bold(title).text(
            f" — {series_words(created)}.").line()
        if note:
            msg.text(note).line()
        await _next_block(ctx, msg, created)
        ctx.reply(msg)

    @router.command(
        "meetings",
        summary="The room's upcoming meetings in everyone's time.",
        usage="!meetings [<days>d]",
        examples=("!meetings", "!meetings 30d"),
        args=(Arg("days", parse_days, optional=True, default=14),),
    )
    async def meetings(ctx: Context, days: int) -> None:
        await list_meetings(ctx, days)

    @meeting.sub("list", summary="Same as !meetings.", usage="!meeting list [<days>d]",
                 examples=("!meeting list 30d",),
                 args=(Arg("days", parse_days, optional=True, default=14),))
    async def meeting_list(ctx: Context, days: int) -> None:
        await list_meetings(ctx, days)

    @meeting.sub("show", summary="One meeting in detail.", usage="!meeting show <id>",
                 examples=("!meeting show m1",), args=(Arg("id", parse_ref),))
    async def show(ctx: Context, id: int) -> None:
        found = await find_meeting(ctx, id)
        msg = Msg().bold(f"m{found.number}: {found.title}").line()
        msg.text(f"Repeats: {series_words(found)}.").line()
        if found.link:
            msg.text(f"Join: {found.link}").line()
        msg.text("Scheduled by ").mention(found.created_by, ctx.room.display_name(
            found.created_by), notify=False).line()
        await _next_block(ctx, msg, found, count=3)
        ctx.reply(msg)

    @meeting.sub("cancel", summary="Cancel a meeting or a whole series.",
                 usage="!meeting cancel <id>", examples=("!meeting cancel m2",),
                 args=(Arg("id", parse_ref),))
    async def cancel(ctx: Context, id: int) -> None:
        found = await find_meeting(ctx, id)
        require_owner(ctx, found, "cancel")
        await touch(ctx.db.conn, found.id, ctx.now, cancelled_at=iso(ctx.now))
        ctx.changed.add(("meeting", found.id))
        ctx.reply(Msg().text(f"Cancelled m{found.number}: {found.title}. Its reminders are off."))

    @meeting.sub("skip", summary="Skip one occurrence (the next one by default).",
                 usage="!meeting skip <id> [<date>]",
                 examples=("!meeting skip m1", "!meeting skip m1 2026-12-10"),
                 args=(Arg("id", parse_ref), Arg("date", optional=True, rest=True)))
    async def skip(ctx: Context, id: int, date: str | None) -> None:
        found = await find_meeting(ctx, id)
        require_owner(ctx, found, "skip")
        if found.series.rule is None:
            raise UserError(f"m{found.number} happens only once; cancel it instead.",
                            f"!meeting cancel m{found.number}")
        target = await pick_occurrence(ctx, found, date)
        await put_override(ctx.db.conn, found.id, target.original_local, skipped=True)
        await touch(ctx.db.conn, found.id, ctx.now)
        ctx.changed.add(("meeting", found.id))
        msg = Msg().text(f"Skipped m{found.number} on "
                         f"{target.original_local:%a %d %b %Y}.").line()
        await _next_block(ctx, msg, found, heading="Next after that:")
        ctx.reply(msg)

    @meeting.sub("move", summary="Move the next occurrence, or the whole series with --series.",
                 usage="!meeting move <id> <when> [--series]",
                 examples=("!meeting move m1 fri 15:00", "!meeting move m1 thu 16:00 --series"),
                 args=(Arg("id", parse_ref), Arg("when", rest=True)))
    async def move(ctx: Context, id: int, when: str) -> None:
        found = await find_meeting(ctx, id)
        require_owner(ctx, found, "move")
        whole = bool(re.search(r"(^|\s)--series\b", when))
        when = re.sub(r"(^|\s)--series\b", " ", when).strip()
        zone = found.series.zone if whole else (await zone_of(ctx))[0]
        try:
            wall = parse_when(when, ctx.now, zone)
        except (WhenError, ZoneError) as err:
            raise _user_error(err, f"!meeting move m{found.number} fri 15:00") from None
        start, note = localize(wall.local, wall.zone)
        if start <= ctx.now:
            raise UserError("That time has already passed.",
                            f"!meeting move m{found.number} fri 15:00")
        if whole or found.series.rule is None:
            series = moved_series(found.series, wall.local, wall.zone)
            await touch(ctx.db.conn, found.id, ctx.now,
                        start_local=series.start_local.isoformat(timespec="minutes"),
                        zone=series.zone, rule=series.rule)
            found = replace(found, series=series)
            text = f"Moved the series m{found.number}: {series_words(found)}."
        else:
            target = await pick_occurrence(ctx, found, None)
            await put_override(ctx.db.conn, found.id, target.original_local, new_start=start)
            await touch(ctx.db.conn, found.id, ctx.now)
            text = (f"Moved m{found.number} of {target.original_local:%a %d %b} "
                    "(this occurrence only; add --series to move them all).")
        ctx.changed.add(("meeting", found.id))
        msg = Msg().text(text).line()
        if note:
            msg.text(note).line()
        await _next_block(ctx, msg, found)
        ctx.reply(msg)


def moved_series(series: Series, start_local: datetime, zone: str) -> Series:
    """Re-anchor a series; a weekly rule on one weekday follows the new weekday."""
    rule = series.rule
    if rule and "FREQ=WEEKLY" in rule and re.search(r"BYDAY=[A-Z]{2}(;|$)", rule):
        code = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[start_local.weekday()]
        rule = re.sub(r"BYDAY=[A-Z]{2}", f"BYDAY={code}", rule)
    if rule and "FREQ=MONTHLY" in rule and re.search(r"BYMONTHDAY=[0-9]+(;|$)", rule):
        rule = re.sub(r"BYMONTHDAY=[0-9]+", f"BYMONTHDAY={start_local.day}", rule)
    if (rule and "FREQ=YEARLY" in rule and re.search(r"BYMONTH=[0-9]+(;|$)", rule)
            and re.search(r"BYMONTHDAY=[0-9]+(;|$)", rule)):
        rule = re.sub(r"BYMONTH=[0-9]+", f"BYMONTH={start_local.month}", rule)
        rule = re.sub(r"BYMONTHDAY=[0-9]+", f"BYMONTHDAY={start_local.day}", rule)
    return replace(series, start_local=start_local, zone=zone, rule=rule)


async def pick_occurrence(ctx: Context, meeting: Meeting, date_text: str | None) -> Occurrence:
    overrides = await overrides_for(ctx.db, meeting.id)
    if not date_text:
        upcoming = next_occurrence(meeting.series, ctx.now, overrides)
        if upcoming is None:
            raise UserError(f"m{meeting.number} has no more occurrences.", "!meetings")
        return upcoming
    try:
        day = parse_when(date_text, ctx.now, meeting.series.zone,
                         default_time=time(12, 0)).local.date()
    except (WhenError, ZoneError) as err:
        raise _user_error(err, f"!meeting skip m{meeting.number} 2026-12-10") from None
    found = occurrence_on(meeting.series, day, overrides)
    if found is None:
        raise UserError(f"m{meeting.number} has no occurrence on {day:%a} {day.day} {day:%b %Y}.",
                        f"!meeting show m{meeting.number}")
    if found.start_utc <= ctx.now:
        raise UserError(f"m{meeting.number} of {day:%a} {day.day} {day:%b} has already "
                        "started; only upcoming occurrences can change.",
                        f"!meeting show m{meeting.number}")
    return found


async def _next_block(ctx: Context, msg: Msg, meeting: Meeting, *, count: int = 1,
                      heading: str = "Next:") -> None:
    zones, reader, is_default = await zones_for(ctx)
    overrides = await overrides_for(ctx.db, meeting.id)
    upcoming = occurrences(meeting.series, ctx.now, ctx.now + timedelta(days=3660), overrides,
                           limit=count)
    if not upcoming:
        msg.text("No upcoming occurrences.").line()
        return
    msg.text(heading).line()
    for occurrence in upcoming:
        occurrence_lines(msg, occurrence, zones, reader, ctx.now)
    if is_default:
        msg.text(TZ_HINT).code("!tz set <city>").line()


LIST_LIMIT = 50


async def list_meetings(ctx: Context, days: int) -> None:
    zones, reader, is_default = await zones_for(ctx)
    end = ctx.now + timedelta(days=days)
    candidates = await room_meetings_before(ctx.db, ctx.room_id, end, ctx.now)
    overrides = await overrides_for_many(ctx.db, [m.id for m in candidates])
    rows: list[tuple[datetime, int, int, Meeting, Occurrence]] = []  # sorted, bounded
    more = False
    for meeting in candidates:
        full = len(rows) >= LIST_LIMIT
        cutoff = rows[LIST_LIMIT - 1][0] if full else end
        # Candidates come in order of their stored next start (unknown ones first), so once
        # the list is full and a series starts after its last line, the rest can wait.
        known = meeting.next_start if meeting.next_start and meeting.next_start > ctx.now \
            else None
        if full and known is not None and known >= cutoff:
            more = True
            break
        until = min(end, cutoff + timedelta(microseconds=1))
        for occurrence in occurrences_cached(meeting.series, ctx.now, until,
                                             overrides.get(meeting.id, {}), limit=LIST_LIMIT + 1):
            bisect.insort(rows, (occurrence.start_utc, meeting.number, len(rows), meeting,
                                 occurrence))
        del rows[LIST_LIMIT + 1:]
    if not rows:
        default = await room_default_zone(ctx)
        ctx.reply(Msg().text(f"No meetings in the next {days} days (room zone {default}). "
                             "Schedule one with ").code(ADD_EXAMPLE))
        return
    msg = Msg().bold(f"Meetings in the next {days} days").line()
    for _, _, _, meeting, occurrence in rows[:LIST_LIMIT]:
        msg.text(f"m{meeting.number} · ").bold(meeting.title).text(" · ")
        occurrence_lines(msg, occurrence, zones, reader, ctx.now)
    if more or len(rows) > LIST_LIMIT:
        msg.text(f"Only the first {LIST_LIMIT} are shown; ask for fewer days.").line()
    if is_default:
        msg.text(TZ_HINT).code("!tz set <city>").line()
    ctx.reply(msg)
