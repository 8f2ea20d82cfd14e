"""`!meeting add | list | show | move | skip | cancel` and `!meetings`."""

from __future__ import annotations

import bisect
import re
from dataclasses import replace
from datetime import datetime, time, timedelta

from commands.common import room_default_zone, zone_of
from commands.context import Context
from commands.errors import PermissionDenied, UserError, errors_show
from commands.meetings.carry import carried_lines, carry_decisions
from commands.meetings.format import (
    holiday_notes,
    occurrence_lines,
    series_words,
    tz_hint,
    zones_for,
)
from commands.reply import Msg, bolded, coded, fill
from commands.router import QUOTES, Arg, CommandSet, Router, take_token
from domain.errors import DomainError
from domain.i18n import N_, _, ngettext
from domain.recurrence import (
    Occurrence,
    Series,
    next_occurrence,
    occurrence_on,
    occurrences,
    occurrences_cached,
    parse_rule,
)
from domain.reschedule import Carried
from domain.timefmt import format_day
from domain.when import Wall, clock_only, localize, parse_duration, parse_when
from domain.zones import ZoneError, resolve_zone, zone_info
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

ADD_EXAMPLE = N_('!meeting add "Network call" thu 14:00 every 2 weeks for 90m')
MAX_TITLE = 200
MAX_LIST_DAYS = 366
# "every" in the five languages starts the rule ("cada jueves", "tous les mardis", "كل خميس").
_EVERY = (r"every|cada|chaque|tous\s+les|toutes\s+les|todos\s+los|todas\s+las|todos\s+os"
          r"|todas\s+as|toda|todo|كل")
CLAUSE = re.compile(rf"\s+({_EVERY}|for|alternate)\s+", re.IGNORECASE)
EVERY_WORD = re.compile(rf"(?:{_EVERY})", re.IGNORECASE)
TRAILING_ZONE = re.compile(r"^(.*?)\s+in\s+(\S.*?)\s*$", re.IGNORECASE | re.DOTALL)


def parse_ref(text: str) -> int:
    """`m3`, `M3`, `3` or `#3` → 3."""
    match = re.fullmatch(r"[#mM]?([0-9]{1,9})", text.strip())
    if not match:
        # Translators: {text} is what the member typed, in quotes.
        raise DomainError(_("{text} is not a meeting id; ids look like m3.").format(
            text=repr(text[:30])))
    return int(match.group(1))


def parse_days(text: str) -> int:
    match = re.fullmatch(r"([0-9]{1,4})\s*d(ays?)?", text.strip().lower())
    if not match or not 1 <= int(match.group(1)) <= MAX_LIST_DAYS:
        raise DomainError(_("Give a number of days from 1 to {max_days}, like 30d.").format(
            max_days=MAX_LIST_DAYS))
    return int(match.group(1))


async def find_meeting(ctx: Context, number: int) -> Meeting:
    meeting = await get_meeting(ctx.db, ctx.room_id, number)
    if meeting is None:
        raise UserError(_("There is no meeting m{number} in this room.").format(number=number),
                        "!meetings")
    return meeting


# What only a meeting's scheduler (or a moderator) may do, by the `what` callers pass: one
# whole sentence each, so translators never see a verb glued into a sentence.
_OWNER_ONLY = {
    "cancel": N_("Only the person who scheduled {ref} or a room moderator can cancel it."),
    "skip": N_("Only the person who scheduled {ref} or a room moderator can skip it."),
    "move": N_("Only the person who scheduled {ref} or a room moderator can move it."),
    "change the link of": N_(
        "Only the person who scheduled {ref} or a room moderator can change the link of it."),
    "change the reminders of": N_(
        "Only the person who scheduled {ref} or a room moderator can change the reminders "
        "of it."),
    "change who is mentioned for": N_(
        "Only the person who scheduled {ref} or a room moderator can change who is "
        "mentioned for it."),
    "set the rota of": N_(
        "Only the person who scheduled {ref} or a room moderator can set the rota of it."),
    "change the roles of": N_(
        "Only the person who scheduled {ref} or a room moderator can change the roles of it."),
    "skip others on the rota of": N_(
        "Only the person who scheduled {ref} or a room moderator can skip others on the rota "
        "of it."),
}
_OWNER_ONLY_OTHER = N_("Only the person who scheduled {ref} or a room moderator can do that.")


def require_owner(ctx: Context, meeting: Meeting, what: str) -> None:
    """`what` is a key of _OWNER_ONLY ("cancel", "set the rota of", ...): a whole sentence each."""
    if ctx.sender != meeting.created_by and not ctx.is_moderator():
        template = _OWNER_ONLY.get(what, _OWNER_ONLY_OTHER)
        raise PermissionDenied(_(template).format(ref=meeting.ref))


def split_add(text: str) -> tuple[str, dict[str, str]]:
    """`"Title" <when> every <rule> for <duration> alternate <time>` → title and clauses."""
    stripped = text.strip()
    if not stripped or stripped[0] not in QUOTES:
        raise UserError(_("Put the meeting's title in quotes first."), _(ADD_EXAMPLE))
    title, rest = take_token(stripped)
    title = " ".join(title.split())
    if not title:
        raise UserError(_("The title is empty."), _(ADD_EXAMPLE))
    if len(title) > MAX_TITLE:
        raise UserError(ngettext("The title is {count} character; at most {max_chars} fit.",
                                 "The title is {count} characters; at most {max_chars} fit.",
                                 len(title)).format(count=len(title), max_chars=MAX_TITLE),
                        _(ADD_EXAMPLE))
    pieces = CLAUSE.split(" " + rest)
    clauses = {"when": pieces[0].strip()}
    for keyword, value in zip(pieces[1::2], pieces[2::2], strict=True):
        key = "every" if EVERY_WORD.fullmatch(keyword) else keyword.lower()
        if key in clauses:
            # Translators: {keyword} is a word of the command ("every", "for", "alternate").
            raise UserError(_('"{keyword}" is given twice.').format(keyword=key), _(ADD_EXAMPLE))
        clauses[key] = value.strip()
    if not clauses["when"]:
        raise UserError(_("When is it? Give a day and a time after the title."), _(ADD_EXAMPLE))
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
    sender_zone, _default = await zone_of(ctx)
    zone_override = _zone_clause(clauses)
    wall = parse_when(clauses["when"], ctx.now, zone_override or sender_zone)
    rule = parse_rule(clauses["every"], wall.local) if "every" in clauses else None
    duration = parse_duration(clauses["for"]) if "for" in clauses else timedelta(minutes=60)
    alternate: time | None = None
    if "alternate" in clauses:
        alt = parse_when(clauses["alternate"], ctx.now, wall.zone)
        if alt.zone != wall.zone:
            raise UserError(
                _("The alternate time must be in the meeting's own zone ({zone}).").format(
                    zone=wall.zone),
                _('!meeting add "Call" thu 06:00 UTC every 2 weeks alternate 15:00 UTC'))
        alternate = alt.local.time()
    series = Series(wall.local, wall.zone, rule, duration, alternate)
    start, note = localize(series.start_local, series.zone)
    if start <= ctx.now:
        raise UserError(
            # Translators: e.g. "Tue 24 Nov 2026 14:00 (Africa/Nairobi) has already passed."
            _("{date} {time} ({zone}) has already passed.").format(
                date=format_day(series.start_local.date(), with_year=True),
                time=f"{series.start_local:%H:%M}", zone=series.zone),
            _(ADD_EXAMPLE),
        )
    return series, note


cmds = CommandSet()


@cmds.command(
    "meeting",
    summary=N_("Schedule meetings across time zones, with reminders."),
    usage=N_("!meeting add|list|show|move|skip|cancel|agenda|link|reminders|notify|ics …"),
    examples=(ADD_EXAMPLE, "!meeting show m1"),
    # Declared here, registered by the modules that own them, listed by !help in this order.
    subcommands=("add", "list", "show", "cancel", "skip", "move",  # this module
                 "agenda", "link", "reminders", "notify", "ping", "ics",  # .settings
                 "suggest", "pick",  # .suggest
                 "start", "end"),  # commands.actions.minutes
)
async def meeting_cmd(ctx: Context) -> None:
    raise UserError(_("Which meeting command? See !help meeting."), _(ADD_EXAMPLE))


@meeting_cmd.sub("add", summary=N_("Schedule a meeting or a series."),
                 usage=N_('!meeting add "<title>" <when> [every <rule>] [for <duration>] '
                          "[in <zone>] [alternate <time>]"),
                 examples=(ADD_EXAMPLE, N_('!meeting add "Check-in" tomorrow 15:00 in Nairobi'),
                           N_('!meeting add "Board" 2026-12-03 14:00 every month on the '
                              "first tue")),
                 args=(Arg("text", rest=True),))
async def add(ctx: Context, text: str) -> None:
    title, clauses = split_add(text)
    series, note = await build_series(ctx, clauses)
    number = await insert_meeting(ctx.db.conn, room_id=ctx.room_id, title=title,
                                  series=series, created_by=ctx.sender, now=ctx.now)
    created = await get_meeting(ctx.db, ctx.room_id, number)
    assert created is not None
    ctx.changed.add(("meeting", created.id))
    # Translators: {title} is the meeting's title (in bold), {schedule} e.g. "every 2
    # weeks on Thursday at 14:00 (Nairobi time, Africa/Nairobi), 1h".
    msg = fill(Msg(), _("Scheduled m{number}: {title} — {schedule}."), number=number,
               title=bolded(title), schedule=series_words(created)).line()
    if note:
        msg.text(note).line()
    await _next_block(ctx, msg, created)
    await holiday_notes(ctx, msg, created, {})
    ctx.reply(msg)


@cmds.command(
    "meetings",
    summary=N_("The room's upcoming meetings in everyone's time."),
    usage=N_("!meetings [<days>d]"),
    examples=("!meetings", "!meetings 30d"),
    args=(Arg("days", parse_days, optional=True, default=14),),
)
async def meetings(ctx: Context, days: int) -> None:
    await list_meetings(ctx, days)


@meeting_cmd.sub("list", summary=N_("Same as !meetings."), usage=N_("!meeting list [<days>d]"),
                 examples=("!meeting list 30d",),
                 args=(Arg("days", parse_days, optional=True, default=14),))
async def meeting_list(ctx: Context, days: int) -> None:
    await list_meetings(ctx, days)


@meeting_cmd.sub("show", summary=N_("One meeting in detail."), usage=N_("!meeting show <id>"),
                 examples=("!meeting show m1",), args=(Arg("id", parse_ref),))
async def show(ctx: Context, id: int) -> None:
    found = await find_meeting(ctx, id)
    msg = Msg().bold(f"m{found.number}: {found.title}").line()
    msg.text(_("Repeats: {schedule}.").format(schedule=series_words(found))).line()
    if found.link:
        msg.text(_("Join: {link}").format(link=found.link)).line()
    creator = found.created_by
    fill(msg, _("Scheduled by {name}"), name=lambda m: m.mention(
        creator, ctx.room.display_name(creator), notify=False)).line()
    await _next_block(ctx, msg, found, count=3)
    await holiday_notes(ctx, msg, found, await overrides_for(ctx.db, found.id))
    ctx.reply(msg)


@meeting_cmd.sub("cancel", summary=N_("Cancel a meeting or a whole series."),
                 usage=N_("!meeting cancel <id>"), examples=("!meeting cancel m2",),
                 args=(Arg("id", parse_ref),))
async def cancel(ctx: Context, id: int) -> None:
    found = await find_meeting(ctx, id)
    require_owner(ctx, found, "cancel")
    await touch(ctx.db.conn, found.id, ctx.now, cancelled_at=iso(ctx.now))
    ctx.changed.add(("meeting", found.id))
    ctx.reply(Msg().text(_("Cancelled m{number}: {title}. Its reminders are off.").format(
        number=found.number, title=found.title)))


@meeting_cmd.sub("skip", summary=N_("Skip one occurrence (the next one by default)."),
                 usage=N_("!meeting skip <id> [<date>]"),
                 examples=("!meeting skip m1", "!meeting skip m1 2026-12-10"),
                 args=(Arg("id", parse_ref), Arg("date", optional=True, rest=True)))
async def skip(ctx: Context, id: int, date: str | None) -> None:
    found = await find_meeting(ctx, id)
    require_owner(ctx, found, "skip")
    if found.series.rule is None:
        raise UserError(_("m{number} happens only once; cancel it instead.").format(
            number=found.number), f"!meeting cancel m{found.number}")
    target = await pick_occurrence(ctx, found, date)
    await put_override(ctx.db.conn, found.id, target.original_local, skipped=True)
    await touch(ctx.db.conn, found.id, ctx.now)
    ctx.changed.add(("meeting", found.id))
    msg = Msg().text(_("Skipped m{number} on {date}.").format(
        number=found.number,
        date=format_day(target.original_local.date(), with_year=True))).line()
    await _next_block(ctx, msg, found, heading=_("Next after that:"))
    ctx.reply(msg)


@meeting_cmd.sub("move",
                 summary=N_("Move the next occurrence, or the whole series with --series."),
                 usage=N_("!meeting move <id> <when> [--series]"),
                 examples=(N_("!meeting move m1 fri 15:00"),
                           N_("!meeting move m1 thu 16:00 --series")),
                 args=(Arg("id", parse_ref), Arg("when", rest=True)))
async def move(ctx: Context, id: int, when: str, router: Router) -> None:
    found = await find_meeting(ctx, id)
    require_owner(ctx, found, "move")
    whole = bool(re.search(r"(^|\s)--series\b", when))
    when = re.sub(r"(^|\s)--series\b", " ", when).strip()
    when, rule_text = split_rule(when)
    whole = whole or rule_text is not None  # a new rule is for the whole series
    zone = found.series.zone if whole else (await zone_of(ctx))[0]
    example = _("!meeting move m{number} fri 15:00").format(number=found.number)
    with errors_show(example):
        wall = await moved_wall(ctx, found, when, zone, whole)
    start, note = localize(wall.local, wall.zone)
    if start <= ctx.now:
        raise UserError(_("That time has already passed."), example)
    carried: list[Carried] = []
    if whole or found.series.rule is None:
        series = moved_series(found.series, wall.local, wall.zone)
        if rule_text is not None:
            with errors_show(_("!meeting move m{number} thu 16:00 every 2 weeks "
                               "--series").format(number=found.number)):
                series = replace(series, rule=parse_rule(rule_text, wall.local))
        carried = await carry_decisions(ctx, found, series,
                                        router.schedules.hooks.get("series-change", []))
        await touch(ctx.db.conn, found.id, ctx.now,
                    start_local=series.start_local.isoformat(timespec="minutes"),
                    zone=series.zone, rule=series.rule)
        found = replace(found, series=series)
        text = _("Moved the series m{number}: {schedule}.").format(
            number=found.number, schedule=series_words(found))
    else:
        target = await pick_occurrence(ctx, found, None)
        await put_override(ctx.db.conn, found.id, target.original_local, new_start=start)
        await touch(ctx.db.conn, found.id, ctx.now)
        text = _("Moved m{number} of {date} (this occurrence only; add --series to move "
                 "them all).").format(number=found.number,
                                      date=format_day(target.original_local.date()))
    ctx.changed.add(("meeting", found.id))
    msg = Msg().text(text).line()
    if note:
        msg.text(note).line()
    carried_lines(msg, carried)
    await _next_block(ctx, msg, found)
    await holiday_notes(ctx, msg, found, await overrides_for(ctx.db, found.id))
    ctx.reply(msg)


def split_rule(text: str) -> tuple[str, str | None]:
    """`<when> every <rule>` → (when, rule); the rule is None when there is none."""
    pieces = re.split(rf"(?:^|\s+)(?:{_EVERY})\s+", text, maxsplit=1, flags=re.IGNORECASE)
    return (pieces[0].strip(), pieces[1].strip()) if len(pieces) == 2 else (text, None)


async def moved_wall(ctx: Context, meeting: Meeting, when: str, zone: str, whole: bool
                     ) -> Wall:
    """Where a move goes. A time alone ("16:00") keeps the day: the next occurrence's date,
    so `--series` keeps the series' days instead of moving them to today's weekday."""
    clock = clock_only(when)
    if clock is None:
        return parse_when(when, ctx.now, zone)
    overrides = await overrides_for(ctx.db, meeting.id)
    after = ctx.now
    for _attempt in range(3):  # the next occurrence, or the one after if that time is past
        upcoming = next_occurrence(meeting.series, after, overrides)
        if upcoming is None:
            break
        day = upcoming.original_local.date() if whole else \
            upcoming.start_utc.astimezone(zone_info(zone)).date()
        wall = Wall(datetime.combine(day, clock), zone)
        if localize(wall.local, zone)[0] > ctx.now:
            return wall
        after = upcoming.start_utc
    return parse_when(when, ctx.now, zone)


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
            raise UserError(_("m{number} has no more occurrences.").format(
                number=meeting.number), "!meetings")
        return upcoming
    with errors_show(f"!meeting skip m{meeting.number} 2026-12-10"):
        day = parse_when(date_text, ctx.now, meeting.series.zone,
                         default_time=time(12, 0)).local.date()
    found = occurrence_on(meeting.series, day, overrides)
    if found is None:
        raise UserError(_("m{number} has no occurrence on {date}.").format(
            number=meeting.number, date=format_day(day, with_year=True)),
            f"!meeting show m{meeting.number}")
    if found.start_utc <= ctx.now:
        raise UserError(_("m{number} of {date} has already started; only upcoming occurrences "
                          "can change.").format(number=meeting.number, date=format_day(day)),
                        f"!meeting show m{meeting.number}")
    return found


async def _next_block(ctx: Context, msg: Msg, meeting: Meeting, *, count: int = 1,
                      heading: str | None = None) -> None:
    zones, reader, is_default = await zones_for(ctx)
    overrides = await overrides_for(ctx.db, meeting.id)
    upcoming = occurrences(meeting.series, ctx.now, ctx.now + timedelta(days=3660), overrides,
                           limit=count)
    if not upcoming:
        msg.text(_("No upcoming occurrences.")).line()
        return
    msg.text(heading if heading is not None else _("Next:")).line()
    for occurrence in upcoming:
        occurrence_lines(msg, occurrence, zones, reader, ctx.now)
    if is_default:
        tz_hint(msg)


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
        # Translators: {zone} is a time zone id, {example} a command in a code span.
        ctx.reply(fill(Msg(), ngettext(
            "No meetings in the next {count} day (room zone {zone}). Schedule one with {example}",
            "No meetings in the next {count} days (room zone {zone}). Schedule one with "
            "{example}", days), count=days, zone=default, example=coded(_(ADD_EXAMPLE))))
        return
    msg = Msg().bold(ngettext("Meetings in the next {count} day", "Meetings in the next {count} "
                              "days", days).format(count=days)).line()
    for *_order, meeting, occurrence in rows[:LIST_LIMIT]:
        msg.text(f"m{meeting.number} · ").bold(meeting.title).text(" · ")
        occurrence_lines(msg, occurrence, zones, reader, ctx.now)
    if more or len(rows) > LIST_LIMIT:
        msg.text(ngettext("Only the first {count} is shown; ask for fewer days.",
                          "Only the first {count} are shown; ask for fewer days.",
                          LIST_LIMIT).format(count=LIST_LIMIT)).line()
    if is_default:
        tz_hint(msg)
    ctx.reply(msg)
