"""The weekly digest (`!digest`): open actions, closed ones, the coming week's meetings.

Planned from the DB (at start, hourly, after a change) and recorded under a unique key (room
and ISO week) before its posts are queued, so a restart or a second run never sends twice.
A digest missed while the bot was down (or its clock jumped past it) goes out once on its
return, saying it is late; only the latest missed one, never a backlog.

Rooms that never chose a schedule get the default (Monday 09:00 in the room's zone) as
soon as they have an action item or a meeting, and a default digest with nothing to say
is skipped; a room that chose a schedule always gets its digest, even a quiet one.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta

from commands.actions.common import (
    action_line,
    closed_heading,
    note_presence,
    open_heading,
    overdue_count,
    owner_zones,
    owners_part,
    planner_default_zone,
    remember_config_zone,
)
from commands.common import room_default_zone, room_lang, room_zone
from commands.context import ChangeKind, Context, RoomView
from commands.errors import PermissionDenied, UserError
from commands.jobs import LATE_AFTER, PLAN_HORIZON, JobEnv, JobKind, PlannedJob, Post, looked_last
from commands.meetings.format import member_zones
from commands.reply import READABLE_CHARS, Msg, assemble, bolded, coded, fill
from commands.router import Arg, CommandSet, Router
from domain.digest import (
    MESSAGE_BUDGET,
    fitting,
    latest_slot,
    parts_size,
    slots_to_plan,
    week_range,
    weekly_slot,
)
from domain.due import open_order
from domain.i18n import N_, _, colon, use_language
from domain.recurrence import occurrences_cached
from domain.timefmt import format_local, local_time_line
from domain.when import WEEKDAY_WORDS, parse_when
from domain.words import to_english
from domain.zones import ZoneError, resolve_zone, zone_label
from storage.actions import (
    Action,
    closed_since,
    open_actions,
    room_activity_start,
)
from storage.db import Database
from storage.meetings import overrides_for_many, room_meetings_before
from storage.minutes import (
    DigestSettings,
    digest_done,
    get_digest_settings,
    get_digest_settings_by_id,
    put_digest_settings,
    record_digest,
)
from storage.rooms import joined_rooms

# Translators: an example command: keep "!digest schedule"; the weekday may be written the
# way members of your language would type it, if Minga reads it.
SCHEDULE_EXAMPLE = N_("!digest schedule mon 08:30")
# Translators: every week on that day, as in "The weekly digest goes out Mondays at 09:00".
DAYS = (N_("Mondays"), N_("Tuesdays"), N_("Wednesdays"), N_("Thursdays"), N_("Fridays"),
        N_("Saturdays"), N_("Sundays"))


# ---- the weekly digest: when -------------------------------------------------------------


def digest_key(room_id: str, week: str) -> str:
    """One digest per room and ISO week ("2026-W49"), whatever the schedule says."""
    return f"{room_id}:{week}"


async def digest_jobs(db: Database, room_id: str, now: datetime) -> list[PlannedJob]:
    """The room's digest if it is due soon, or was missed earlier today or while the bot was
    away."""
    settings = await get_digest_settings(db, room_id)
    if not settings.enabled:
        return []
    since: datetime | None
    if settings.id is None:
        active = await room_activity_start(db, room_id)
        if active is None:
            return []  # the default digest waits for the room's first action or meeting
        since = active + timedelta(minutes=1)
    else:
        since = settings.updated_at
    zone = settings.zone or await planner_default_zone(db, room_id)
    jobs = []
    for slot, week in slots_to_plan(now, zone, settings.weekday, settings.at, since,
                                    PLAN_HORIZON, await looked_last(db, now)):
        if not await digest_done(db, digest_key(room_id, week)):
            jobs.append(PlannedJob(f"digest:{room_id}:{week}", slot, JobKind.DIGEST,
                                   (room_id, week)))
    return jobs


async def plan_digests(db: Database, now: datetime) -> list[PlannedJob]:
    """Every room the bot is in; rooms without actions or meetings cost one query each."""
    jobs: list[PlannedJob] = []
    for room_id in await joined_rooms(db):
        jobs.extend(await digest_jobs(db, room_id, now))
    return jobs


async def fire_digest(env: JobEnv, room_id: str, week: str) -> list[Post]:
    """Record the week as done, then queue the digest, in the caller's one transaction."""
    settings = await get_digest_settings(env.db, room_id)
    zone = settings.zone or await room_zone(env.db, room_id, env.settings)
    # Due now, earlier today, or the latest slot missed while away: never a later one.
    due_now = dict((key, slot) for slot, key in slots_to_plan(
        env.now, zone, settings.weekday, settings.at, None, timedelta(minutes=1)))
    last_slot, last_week = latest_slot(env.now, zone, settings.weekday, settings.at)
    due_now.setdefault(last_week, last_slot)
    key = digest_key(room_id, week)
    if not settings.enabled or week not in due_now or await digest_done(env.db, key):
        return []
    room = await env.room(room_id)
    if room is None:
        return []
    await remember_config_zone(env)
    # The digest is posted for the whole room: in the room's language.
    with use_language(await room_lang(env.db, room_id, env.settings)):
        messages = await digest_messages(env, room_id, room, zone, is_reply=False)
        quiet = not messages
        if quiet:
            messages = [Msg(is_reply=False).text(_("Weekly digest: nothing open, nothing "
                                                   "closed, no meetings in the coming week."))]
    if not await record_digest(env.db.conn, key, room_id, env.now,
                               skipped=quiet and settings.id is None):
        return []
    if quiet and settings.id is None:
        return []  # a default digest with nothing to say is skipped
    if env.now - due_now[week] > LATE_AFTER:
        with use_language(await room_lang(env.db, room_id, env.settings)):
            late = Msg(is_reply=False).italic(_("Late — I was offline when this was due."))
        messages[0].parts[:0] = [*late.line().parts]
    return [Post(room_id, f"digest:{key}:{index}", msg) for index, msg in enumerate(messages)]


# ---- the weekly digest: what -------------------------------------------------------------


def _line_blocks(section: Msg) -> list[Msg]:
    """A hook's section, one block per line, so a split never cuts a line."""
    blocks, current = [], Msg()
    for part in section.parts:
        current.parts.append(part)
        if part[0] == "newline":
            blocks.append(current)
            current = Msg()
    if current.parts:
        blocks.append(current.line())
    for block in blocks:  # one line longer than a whole message is cut, not the event
        if parts_size(block.parts) > MESSAGE_BUDGET // 2:
            block.parts = block.parts[:fitting(block.parts, MESSAGE_BUDGET // 2)]
            block.text("…").line()
    return blocks


async def action_blocks(db: Database, room: RoomView, room_id: str, default: str,
                        now: datetime) -> tuple[list[Msg], set[str]]:
    """Open actions grouped by owner(s), overdue first; and the overdue owners to mention."""
    items = await open_actions(db, room_id)
    if not items:
        return [], set()
    zones = await owner_zones(db, items, default)
    present = set(room.members())
    late_owners = {u for a in items if a.overdue(now) for u in a.owners if u in present}
    groups: dict[tuple[str, ...], list[Action]] = defaultdict(list)
    for action in items:
        groups[action.owners].append(action)
    for group in groups.values():
        group.sort(key=lambda a: open_order(a.due, a.number))

    def group_order(owners: tuple[str, ...]) -> tuple[int, tuple[bool, datetime, int], str]:
        first = groups[owners][0]
        late = sum(a.overdue(now) for a in groups[owners])
        return (-late, open_order(first.due, first.number), ",".join(owners))

    late_total = sum(a.overdue(now) for a in items)
    head = Msg().bold(open_heading(len(items)))
    if late_total:
        head.text(" " + overdue_count(late_total))
    blocks = [head.line()]
    for owners in sorted(groups, key=group_order):
        block = Msg()
        if owners:
            owners_part(block, groups[owners][0], room, frozenset(late_owners)).line()
        else:
            # Translators: heading of the open actions that have no owner.
            block.text(_("Nobody")).line()
        for index, action in enumerate(groups[owners]):
            block = block if index == 0 else Msg()
            blocks.append(action_line(block.text("   "), action, room, zones, default, now,
                                      owners=False))
    return blocks, late_owners


async def meeting_blocks(env: JobEnv, room_id: str, room: RoomView, zone: str) -> list[Msg]:
    """Meetings in the coming week, in every member's time, with who holds which role."""
    rows = []
    week_end = env.now + timedelta(days=7)
    meetings = await room_meetings_before(env.db, room_id, week_end, env.now)
    overrides = await overrides_for_many(env.db, [m.id for m in meetings])
    for meeting in meetings:
        for occ in occurrences_cached(meeting.series, env.now, week_end,
                                      overrides.get(meeting.id, {}), limit=14):
            rows.append((occ.start_utc, meeting, occ))
    if not rows:
        return []
    zones = await member_zones(env.db, room, zone)
    blocks = [Msg().bold(_("Meetings in the coming week")).line()]
    for start, meeting, occ in sorted(rows, key=lambda r: (r[0], r[1].number))[:50]:
        own = meeting.series.zone
        block = Msg().bold(f"m{meeting.number} {meeting.title}").text(
            f" — {format_local(start, own)}").line()
        block.text("   " + local_time_line(start, zones, own)).line()
        roles: list[tuple[str, str]] = []
        for hook in env.hooks.meeting_roles:
            roles.extend(await hook(env.db, meeting, occ))
        for index, (role, user) in enumerate(roles):
            block.text("   " if index == 0 else " · ").text(role + colon()).mention(
                user, room.display_name(user), notify=False)
        blocks.append(block.line() if roles else block)
    return blocks


async def closed_blocks(db: Database, room: RoomView, room_id: str, now: datetime
                        ) -> list[Msg]:
    """What got done in the last week, crediting whoever closed it."""
    items = await closed_since(db, room_id, now - timedelta(days=7))
    if not items:
        return []
    blocks = [Msg().bold(closed_heading(7, len(items))).line()]
    for action in items:
        who = action.closed_by or action.created_by
        # Translators: {ref} is "#12", {text} the item's text, {name} who closed it.
        blocks.append(fill(Msg().text("   ✓ "), _("{ref} {text} — done by {name}"),
                           ref=bolded(action.ref), text=action.text,
                           name=lambda m, u=who: m.mention(u, room.display_name(u),
                                                           notify=False)).line())
    return blocks


async def digest_messages(env: JobEnv, room_id: str, room: RoomView, zone: str, *,
                          is_reply: bool) -> list[Msg]:
    """The digest as messages under the size limit; [] when there is nothing to say."""
    default = await room_zone(env.db, room_id, env.settings)
    opened, late_owners = await action_blocks(env.db, room, room_id, default, env.now)
    body = opened + await closed_blocks(env.db, room, room_id, env.now)
    body += await meeting_blocks(env, room_id, room, zone)
    for hook in env.hooks.digest:
        section = Msg()
        await hook(env, room_id, section, room)
        body += _line_blocks(section)
    if not body:
        return []
    slot, _week = weekly_slot(env.now, zone, 0, datetime.min.time())
    # Translators: {week} is the week it covers, e.g. "30 Nov – 6 Dec 2026".
    head = Msg().bold(_("Weekly digest — {week}").format(week=week_range(slot, zone))).line()
    messages = assemble([head, *body], is_reply=is_reply, chars=READABLE_CHARS)
    for msg in messages:  # hooks and pills never notify: only owners of overdue items do
        msg.mentions = [u for u in msg.mentions if u in late_owners]
    return messages


# ---- !digest and the registrations -------------------------------------------------------


def describe(settings: DigestSettings, zone: str) -> str:
    """"Mondays at 09:00 (Nairobi)"."""
    # Translators: when the weekly digest goes out, e.g. "Mondays at 09:00 (Nairobi)".
    return _("{weekdays} at {time} ({place})").format(
        weekdays=_(DAYS[settings.weekday]), time=f"{settings.at:%H:%M}", place=zone_label(zone))


async def next_digest(db: Database, settings: DigestSettings, zone: str, now: datetime) -> str:
    """When the next one goes out: this week's slot unless it is past or already sent."""
    slot, week = weekly_slot(now, zone, settings.weekday, settings.at)
    if slot < now.replace(second=0, microsecond=0) or await digest_done(
            db, digest_key(settings.room_id, week)):
        slot, _week = weekly_slot(now, zone, settings.weekday, settings.at, 1)
    return format_local(slot, zone)


def require_moderator(ctx: Context) -> None:
    """The digest speaks to the whole room, so its schedule is the moderators' call."""
    if not ctx.is_moderator():
        raise PermissionDenied(_("Only room moderators can change when the digest is sent."))


def parse_schedule(text: str, now: datetime) -> tuple[int, time, str | None]:
    """`mon 08:30 [zone]` → (weekday, time, zone or None); day names in any language."""
    words = to_english(text).split()
    if len(words) < 2 or words[0].lower() not in WEEKDAY_WORDS:
        raise UserError(_("Give a weekday and a time."), _(SCHEDULE_EXAMPLE))
    try:
        at = parse_when(words[1], now, "UTC").local.time().replace(second=0)
        zone = resolve_zone(" ".join(words[2:])) if len(words) > 2 else None
    except ZoneError as err:  # the example shows where a zone goes; others the command's
        err.example = _(SCHEDULE_EXAMPLE) + " Africa/Nairobi"
        raise
    return WEEKDAY_WORDS[words[0].lower()], at, zone


cmds = CommandSet()
cmds.schedules.job(JobKind.DIGEST)(fire_digest)
cmds.schedules.planner(plan_digests)


@cmds.schedules.replanner(ChangeKind.DIGEST)
async def replan_digest(db: Database, settings_id: int, now: datetime
                        ) -> tuple[str, list[PlannedJob]]:
    settings = await get_digest_settings_by_id(db, settings_id)
    if settings is None:
        return f"digest:#{settings_id}:", []
    return f"digest:{settings.room_id}:", await digest_jobs(db, settings.room_id, now)


@cmds.command("digest",
              summary=N_("The weekly digest: open actions, closed ones, meetings."),
              usage=N_("!digest [schedule <day> <time> [<zone>] | off | on | now]"),
              examples=(SCHEDULE_EXAMPLE, "!digest now", "!digest off"))
async def digest_cmd(ctx: Context) -> None:
    await note_presence(ctx)
    settings = await get_digest_settings(ctx.db, ctx.room_id)
    zone = settings.zone or await room_default_zone(ctx)
    if not settings.enabled:
        # Translators: {on} and {schedule} are commands.
        ctx.reply(fill(Msg(), _("The weekly digest is off here. Turn it on with {on} or "
                                "{schedule}"),
                       on=coded("!digest on"), schedule=coded(_(SCHEDULE_EXAMPLE))))
        return
    if settings.id is None:
        # Translators: {schedule} is e.g. "Mondays at 09:00 (Nairobi)", {next} a date and
        # time; {change} and {now} are commands.
        template = _("The weekly digest goes out {schedule} — the default, once the room "
                     "has action items or meetings. Next: {next}. Change with {change}, "
                     "see it now with {now}")
    else:
        # Translators: {schedule} is e.g. "Mondays at 09:00 (Nairobi)", {next} a date and
        # time; {change} and {now} are commands.
        template = _("The weekly digest goes out {schedule}. Next: {next}. Change with "
                     "{change}, see it now with {now}")
    ctx.reply(fill(Msg(), template, schedule=describe(settings, zone),
                   next=await next_digest(ctx.db, settings, zone, ctx.now),
                   change=coded(_(SCHEDULE_EXAMPLE)), now=coded("!digest now")))


@digest_cmd.sub("schedule", summary=N_("When the digest goes out (moderators)."),
                usage=N_("!digest schedule <day> <time> [<zone>]"),
                examples=(SCHEDULE_EXAMPLE, N_("!digest schedule fri 16:00 Europe/Lisbon")),
                args=(Arg("text", rest=True),))
async def digest_schedule(ctx: Context, text: str) -> None:
    require_moderator(ctx)
    weekday, at, zone = parse_schedule(text, ctx.now)
    await save(ctx, enabled=True, weekday=weekday, at=at, zone=zone)


@digest_cmd.sub("on", summary=N_("Turn the digest on (moderators)."), usage="!digest on",
                examples=("!digest on",))
async def digest_on(ctx: Context) -> None:
    require_moderator(ctx)
    current = await get_digest_settings(ctx.db, ctx.room_id)
    await save(ctx, enabled=True, weekday=current.weekday, at=current.at, zone=current.zone)


@digest_cmd.sub("off", summary=N_("Turn the digest off (moderators)."), usage="!digest off",
                examples=("!digest off",))
async def digest_off(ctx: Context) -> None:
    require_moderator(ctx)
    current = await get_digest_settings(ctx.db, ctx.room_id)
    await save(ctx, enabled=False, weekday=current.weekday, at=current.at, zone=current.zone)


@digest_cmd.sub("now", summary=N_("Show this week's digest now."), usage="!digest now",
                examples=("!digest now",))
async def digest_now(ctx: Context, router: Router) -> None:
    await note_presence(ctx)
    settings = await get_digest_settings(ctx.db, ctx.room_id)

    async def this_room(room_id: str) -> RoomView | None:
        return ctx.room if room_id == ctx.room_id else None

    env = JobEnv(ctx.db, ctx.now, ctx.settings, this_room, router.schedules.hooks)
    zone = settings.zone or await room_default_zone(ctx)
    messages = await digest_messages(env, ctx.room_id, ctx.room, zone, is_reply=True)
    if not messages:
        ctx.reply(Msg().text(_("Nothing to report: no open actions, nothing closed in "
                               "the last 7 days, no meetings in the coming week.")))
    for msg in messages:
        ctx.reply(msg)


async def save(ctx: Context, *, enabled: bool, weekday: int, at: time, zone: str | None
               ) -> None:
    """Store the room's choice and re-plan its digest (a choice is never a missed slot)."""
    settings_id = await put_digest_settings(ctx.db.conn, ctx.room_id, enabled=enabled,
                                            weekday=weekday, at=at, zone=zone, now=ctx.now)
    ctx.changed.add((ChangeKind.DIGEST, settings_id))
    settings = await get_digest_settings(ctx.db, ctx.room_id)
    if not enabled:
        ctx.reply(fill(Msg(), _("The weekly digest is off. Turn it back on with {command}"),
                       command=coded("!digest on")))
        return
    shown = zone or await room_default_zone(ctx)
    # Translators: {schedule} is e.g. "Mondays at 09:00 (Nairobi)", {next} a date and time.
    ctx.reply(Msg().text(_("The weekly digest goes out {schedule}. Next: {next}.").format(
        schedule=describe(settings, shown),
        next=await next_digest(ctx.db, settings, shown, ctx.now))))
