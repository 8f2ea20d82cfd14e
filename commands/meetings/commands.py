"""`!meeting add | list | show | move | skip | cancel` and `!meetings`."""

from __future__ import annotations

import bisect
import re
from dataclasses import replace
from datetime import datetime, time, timedelta

from commands.common import room_default_zone, zone_of
from commands.context import ChangeKind, Context
from commands.errors import PermissionDenied, UserError, errors_show, with_readings
from commands.meetings.carry import carried_lines, carry_decisions
from commands.meetings.format import (
    holiday_notes,
    occurrence_lines,
    series_words,
    tz_hint,
    zones_for,
)
from commands.meetings.people import cost_phrases, note_for, people_of
from commands.reply import READABLE_CHARS, Msg, assemble, bolded, coded, fill
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
from domain.spread import Spread, spread_times
from domain.suggest import option_for
from domain.timefmt import day_phrase, format_day, format_local
from domain.when import Wall, WhenError, clock_only, localize, parse_duration, parse_when
from domain.zones import ZoneError, resolve_zone, zone_info, zone_label
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


ROTATE = re.compile(r"(?:^|\s)rotate(?:\s+([0-9]))?(?=\s|$)", re.IGNORECASE)
ROTATE_EXAMPLE = N_('!meeting add "Network call" thu every 2 weeks for 60m rotate')
# Translators: shown by !help meeting add.
ROTATE_HELP = N_("With rotate, Minga picks 2 or 3 times of day that take turns, so that the "
                 "early, late and night hours are shared instead of always falling on the "
                 "same people; it ranks them as !meeting suggest does. Give a time to keep it "
                 "as one of the turns, or rotate 3 for three turns. When one time suits "
                 "everyone, it simply uses that time.")


def split_add(text: str) -> tuple[str, dict[str, str]]:
    """`"Title" <when> every <rule> for <duration> alternate <time>` → title and clauses.

    A `rotate` word (optionally `rotate 2` or `rotate 3`) anywhere after the title becomes
    the clause "rotate" (its count, or "")."""
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
    rotate = ROTATE.search(rest)
    if rotate:
        rest = rest[:rotate.start()] + " " + rest[rotate.end():]
    pieces = CLAUSE.split(" " + rest)
    clauses = {"when": pieces[0].strip()}
    if rotate:
        clauses["rotate"] = rotate.group(1) or ""
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


async def build_series(ctx: Context, clauses: dict[str, str], typed: str
                       ) -> tuple[Series, str | None]:
    """The series `clauses` describe; `typed` is the whole command, for readings to offer."""
    sender_zone, _default = await zone_of(ctx)
    zone_override = _zone_clause(clauses)
    wall = read_or_offer(clauses["when"], typed, ctx.now, zone_override or sender_zone)
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
    series = Series(wall.local, wall.zone, rule, duration, (alternate,) if alternate else ())
    return series, _check_ahead(ctx, series)


def _check_ahead(ctx: Context, series: Series) -> str | None:
    """The series' DST note; refuses a start that has already passed."""
    start, note = localize(series.start_local, series.zone)
    if start <= ctx.now:
        raise UserError(in_the_past(ctx, series.start_local, series.zone), _(ADD_EXAMPLE))
    return note


async def build_rotation(ctx: Context, clauses: dict[str, str], typed: str
                         ) -> tuple[Series, str | None, Spread]:
    """`… rotate`: the times of day that take turns, chosen to spread the pain.

    The day comes from the `when` clause; a time there, if given, is kept as the first turn.
    `typed` is the whole command, for readings to offer.
    """
    if "alternate" in clauses:
        raise UserError(_("Use either alternate <time> or rotate, not both."),
                        _(ROTATE_EXAMPLE))
    if "every" not in clauses:
        raise UserError(_("Only a repeating meeting can take turns; add how often it repeats."),
                        _(ROTATE_EXAMPLE))
    count = clauses["rotate"]
    if count and count not in ("2", "3"):
        raise UserError(_("A series can take turns between 2 or 3 times."),
                        _(ROTATE_EXAMPLE))
    sender_zone, _default = await zone_of(ctx)
    zone_override = _zone_clause(clauses)
    with errors_show(_(ROTATE_EXAMPLE)):
        try:
            wall = parse_when(clauses["when"], ctx.now, zone_override or sender_zone)
            fixed: time | None = wall.local.time()
        except WhenError:  # a day without a time: the turns' times are to be chosen
            wall = read_or_offer(clauses["when"], typed, ctx.now, zone_override or sender_zone,
                                 default_time=time(0))
            fixed = None
        rule = parse_rule(clauses["every"], wall.local)
        duration = parse_duration(clauses["for"]) if "for" in clauses else timedelta(minutes=60)
        Series(wall.local, wall.zone, rule, duration, (time(0),))  # can it take turns at all?
    people = await people_of(ctx.db, ctx.room_id, ctx.room.members() or [ctx.sender],
                             await room_default_zone(ctx), load_at=ctx.now)
    spread = spread_times(people, duration, wall.local.date(), wall.zone, after_utc=ctx.now,
                          fixed=fixed, sizes=(int(count),) if count else (2, 3))
    if spread is None:
        raise UserError(_("No time on {date} is still ahead; give a later day.").format(
            date=format_day(wall.local.date(), with_year=True)), _(ROTATE_EXAMPLE))
    start = datetime.combine(wall.local.date(), spread.times[0])
    series = Series(start, wall.zone, rule, duration, spread.times[1:])
    return series, _check_ahead(ctx, series), spread


def read_or_offer(when: str, typed: str, now: datetime, zone: str, *,
                  default_time: time | None = None) -> Wall:
    """`parse_when`; a date with several readings offers each as the whole command `typed`."""
    try:
        return parse_when(when, now, zone, default_time=default_time)
    except WhenError as err:
        raise with_readings(err, typed, when) from None


def in_the_past(ctx: Context, local: datetime, zone: str) -> str:
    """"That date is in the past: yesterday, Wed 2 Dec, 10:00 (Bogota)." (or "That time…")."""
    today = ctx.now.astimezone(zone_info(zone)).date()
    # Translators: a day and a time in a place, e.g. "yesterday, Wed 2 Dec, 10:00 (Bogota)".
    when = _("{day}, {time} ({place})").format(
        day=day_phrase(local.date(), today, with_year=local.year != today.year),
        time=f"{local:%H:%M}", place=zone_label(zone))
    if local.date() < today:
        # Translators: {when} e.g. "yesterday, Wed 2 Dec, 10:00 (Bogota)".
        return _("That date is in the past: {when}.").format(when=when)
    # Translators: {when} e.g. "today, Thu 3 Dec, 09:00 (Bogota)".
    return _("That time has already passed: {when}.").format(when=when)


cmds = CommandSet()


@cmds.command(
    "meeting",
    summary=N_("Schedule meetings across time zones, with reminders."),
    usage=N_("!meeting add|list|show|move|skip|cancel|agenda|link|reminders|notify|ics …"),
    examples=(ADD_EXAMPLE, "!meeting show m1"),
    # Declared here, registered by the modules that own them, listed by !help in this order.
    subcommands=("add", "list", "show", "cancel", "skip", "move",  # this module
                 "agenda", "link", "reminders", "notify", "ping", "night", "ics",  # .settings
                 "suggest", "pick",  # .suggest
                 "chart",  # .chart
                 "start", "end"),  # commands.actions.minutes
)
async def meeting_cmd(ctx: Context) -> None:
    raise UserError(_("Which meeting command? See !help meeting."), _(ADD_EXAMPLE))


@meeting_cmd.sub("add", summary=N_("Schedule a meeting or a series."),
                 usage=N_('!meeting add "<title>" <when> [every <rule>] [for <duration>] '
                          "[in <zone>] [alternate <time> | rotate]"),
                 examples=(ADD_EXAMPLE, N_('!meeting add "Check-in" tomorrow 15:00 in Nairobi'),
                           N_('!meeting add "Board" 2026-12-03 14:00 every month on the '
                              "first tue"), ROTATE_EXAMPLE),
                 args=(Arg("text", rest=True),), details=(ROTATE_HELP,))
async def add(ctx: Context, text: str) -> None:
    title, clauses = split_add(text)
    typed = f"!meeting add {text.strip()}"
    spread: Spread | None = None
    if "rotate" in clauses:
        series, note, spread = await build_rotation(ctx, clauses, typed)
    else:
        series, note = await build_series(ctx, clauses, typed)
    number = await insert_meeting(ctx.db.conn, room_id=ctx.room_id, title=title,
                                  series=series, created_by=ctx.sender, now=ctx.now)
    created = await get_meeting(ctx.db, ctx.room_id, number)
    assert created is not None
    ctx.changed.add((ChangeKind.MEETING, created.id))
    # Translators: {title} is the meeting's title (in bold), {schedule} e.g. "every 2
    # weeks on Thursday at 14:00 (Nairobi time, Africa/Nairobi), 1h".
    msg = fill(Msg(), _("Scheduled m{number}: {title} — {schedule}."), number=number,
               title=bolded(title), schedule=series_words(created)).line()
    if note:
        msg.text(note).line()
    if spread is not None:
        _spread_words(ctx, msg, spread, created.series.zone)
    else:
        await turn_notes(ctx, msg, created)
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
    ctx.changed.add((ChangeKind.MEETING, found.id))
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
    ctx.changed.add((ChangeKind.MEETING, found.id))
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
    typed = f"!meeting move m{found.number} {when}" + (" --series" if whole else "")
    with errors_show(example):
        wall = await moved_wall(ctx, found, when, zone, whole, typed)
    start, note = localize(wall.local, wall.zone)
    if start <= ctx.now:
        raise UserError(in_the_past(ctx, wall.local, wall.zone), example)
    carried: list[Carried] = []
    if whole or found.series.rule is None:
        series = moved_series(found.series, wall.local, wall.zone)
        if rule_text is not None:
            with errors_show(_("!meeting move m{number} thu 16:00 every 2 weeks "
                               "--series").format(number=found.number)):
                series = replace(series, rule=parse_rule(rule_text, wall.local))
        carried = await carry_decisions(ctx, found, series,
                                        router.schedules.hooks.series_change)
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
    ctx.changed.add((ChangeKind.MEETING, found.id))
    msg = Msg().text(text).line()
    if note:
        msg.text(note).line()
    if whole or found.series.rule is None:
        await turn_notes(ctx, msg, found)
    else:
        await _notes(ctx, msg, [start], found.series.duration)
    carried_lines(msg, carried)
    await _next_block(ctx, msg, found)
    await holiday_notes(ctx, msg, found, await overrides_for(ctx.db, found.id))
    ctx.reply(msg)


def split_rule(text: str) -> tuple[str, str | None]:
    """`<when> every <rule>` → (when, rule); the rule is None when there is none."""
    pieces = re.split(rf"(?:^|\s+)(?:{_EVERY})\s+", text, maxsplit=1, flags=re.IGNORECASE)
    return (pieces[0].strip(), pieces[1].strip()) if len(pieces) == 2 else (text, None)


async def moved_wall(ctx: Context, meeting: Meeting, when: str, zone: str, whole: bool,
                     typed: str) -> Wall:
    """Where a move goes. A time alone ("16:00") keeps the day: the next occurrence's date,
    so `--series` keeps the series' days instead of moving them to today's weekday."""
    clock = clock_only(when)
    if clock is None:
        return read_or_offer(when, typed, ctx.now, zone)
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
    return read_or_offer(when, typed, ctx.now, zone)


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
        day = read_or_offer(date_text, f"!meeting skip m{meeting.number} {date_text}", ctx.now,
                            meeting.series.zone, default_time=time(12, 0)).local.date()
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


async def turn_notes(ctx: Context, msg: Msg, meeting: Meeting) -> None:
    """Notes for the next occurrence at each of the series' times of day."""
    turns = len(meeting.series.turn_times)
    upcoming = occurrences(meeting.series, ctx.now, ctx.now + timedelta(days=3660),
                           await overrides_for(ctx.db, meeting.id), limit=turns)
    await _notes(ctx, msg, [o.start_utc for o in upcoming], meeting.series.duration)


async def _notes(ctx: Context, msg: Msg, starts: list[datetime], duration: timedelta) -> None:
    """Name everyone each start puts at night or outside their hours, with their local
    time: a note, not a refusal (several starts: one line each, with its time)."""
    if not starts:
        return
    people = await people_of(ctx.db, ctx.room_id, ctx.room.members() or [ctx.sender],
                             await room_default_zone(ctx))
    reader, _default = await zone_of(ctx)
    for start in starts:
        heading = None
        if len(starts) > 1:
            # Translators: starts a note for one of a series' times, e.g. "Note for 15:00
            # (Nairobi):".
            heading = _("Note for {time}:").format(time=format_local(start, reader,
                                                                     with_date=False))
        note_for(ctx.room, msg, option_for(people, start, duration), heading=heading)


def _spread_words(ctx: Context, msg: Msg, spread: Spread, zone: str) -> None:
    """Why these times: each turn and who pays for it."""
    if spread.single_fits:
        # Translators: {time} is a time of day in a city, e.g. "15:00 (Nairobi)".
        msg.text(_("One time suits everyone, {time}: no need to take turns.").format(
            time=format_local(spread.turns[0].start_utc, zone, with_date=False))).line()
        return
    if len(spread.turns) == 1:
        msg.text(_("Only one time of day was possible that day, so there are no turns.")).line()
        note_for(ctx.room, msg, spread.turns[0])
        return
    msg.text(ngettext("No single time is fair to everyone; {count} times take turns, chosen to "
                      "spread the early, late and night hours:",
                      "No single time is fair to everyone; {count} times take turns, chosen to "
                      "spread the early, late and night hours:", len(spread.turns)).format(
        count=len(spread.turns))).line()
    for index, turn in enumerate(spread.turns, 1):
        msg.text(f"{index}. {format_local(turn.start_utc, zone, with_date=False)}: ")
        if turn.outside or turn.at_night:
            cost_phrases(ctx.room, msg, turn)
        else:
            msg.text(_("inside everyone's hours"))
        msg.line()


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
    blocks = [Msg().bold(ngettext("Meetings in the next {count} day", "Meetings in the next "
                                  "{count} days", days).format(count=days)).line()]
    for *_order, meeting, occurrence in rows[:LIST_LIMIT]:
        block = Msg().text(f"m{meeting.number} · ").bold(meeting.title).text(" · ")
        blocks.append(occurrence_lines(block, occurrence, zones, reader, ctx.now))
    tail = Msg()
    if more or len(rows) > LIST_LIMIT:
        tail.text(ngettext("Only the first {count} is shown; ask for fewer days.",
                           "Only the first {count} are shown; ask for fewer days.",
                           LIST_LIMIT).format(count=LIST_LIMIT)).line()
    if is_default:
        tz_hint(tail)
    # A long listing (a big room's many zones, long titles) is split between whole
    # meetings into parts under the size limit that a phone shows in a few screens, each
    # saying which part it is.
    for msg in assemble([*blocks, tail] if tail.parts else blocks, chars=READABLE_CHARS):
        ctx.reply(msg)
