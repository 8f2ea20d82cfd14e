"""Check-in prompts and summaries: derived from the DB, sent once per member per cycle.

How prompts appear in the room (local mode): one thread per cycle. The first members due
get the thread root, which mentions them; members whose own morning comes later get a
short nudge *inside that thread* at their time, mentioning them. So every answer, and the
summary, sit in one thread, yet each member is pinged at their own hour. Members who chose
direct messages get the questions there instead (and are not mentioned in the room).

Prompt jobs fire at every instant a member could be due (the schedule's time in every
zone the bot knows), so no per-member timers are needed; each run creates the cycle if it
is new (planning every current member's prompt), then sends whatever is due and unsent.
A prompt missed while the bot was down goes out late while its window is still open.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from commands.checkins.format import dm_key, dm_msg, prompt_msg, room_key, root_key
from commands.common import member_calendars, member_lang, room_lang
from commands.context import ChangeKind, RoomView, Settings
from commands.jobs import PLAN_HORIZON, JobEnv, JobKind, PlannedJob, Post
from commands.router import CommandSet
from domain.checkin import (
    MemberClock,
    Schedule,
    cycle_days,
    day_label,
    is_day_off,
    member_prompts,
)
from domain.hours import WorkingHours
from domain.i18n import use_language
from storage import rooms
from storage.away import away_at
from storage.checkins import (
    CheckinSettings,
    Cycle,
    cycle_by_key,
    get_cycle,
    get_settings,
    get_settings_by_id,
    insert_cycle,
    known_zones,
    mark_sent,
    mark_skipped,
    member_choices,
    open_cycles,
    plan_prompt,
    prompts_of,
    scheduled_settings,
    summaries_to_edit,
    update_cycle,
)
from storage.db import Database
from storage.meetings import iso
from storage.members import get_members
from storage.outbox import event_id_of

LATE_AFTER = timedelta(minutes=5)
PROMPT, CLOSE, EDIT = (JobKind.CHECKIN_PROMPT, JobKind.CHECKIN_CLOSE,
                       JobKind.CHECKIN_SUMMARY_EDIT)


CLOCK_DAYS = 45  # how far ahead a clock knows holidays: past any cycle's planning horizon


def job_prefix(settings_id: int) -> str:
    return f"checkin-job:{settings_id}:"


def cycle_schedule(cycle: Cycle) -> tuple[date, Schedule] | None:
    """The schedule a scheduled cycle was created with, for its own day."""
    if cycle.at is None or cycle.key.startswith("now:"):
        return None
    day = date.fromisoformat(cycle.key)
    return day, Schedule(frozenset({day.weekday()}), cycle.at, cycle.zone)


async def checkin_default_zone(db: Database, settings: CheckinSettings) -> str:
    """A member without a zone: the room's default, else the bot's (kept in the settings,
    so planners, which have no `Settings`, see it too)."""
    return await rooms.room_default_zone(db, settings.room_id) or settings.fallback_zone


async def member_clocks(db: Database, user_ids: list[str], default_zone: str,
                        now: datetime | None = None) -> dict[str, MemberClock]:
    """Zones and working days; with `now`, also the holidays and own days off of the
    coming weeks (a prompt is never sent on one). Without hours or a country, every day is
    a working day, as before calendars."""
    found = await get_members(db, user_ids)
    if now is None:
        return {uid: MemberClock(uid, s.zone or default_zone,
                                 WorkingHours.from_storage(s.hours).days if s.hours else None)
                for uid, s in found.items()}
    first = now.date() - timedelta(days=1)
    calendars = await member_calendars(db, found, default_zone, first)
    clocks = {}
    for uid, s in found.items():
        cal = calendars[uid]
        days = cal.working_days(now.date()) if s.hours or cal.region else None
        clocks[uid] = MemberClock(uid, s.zone or default_zone, days,
                                  cal.days_off(first, first + timedelta(days=CLOCK_DAYS)))
    return clocks


# ---- cycles and prompts ---------------------------------------------------------------------
async def start_cycle(db: Database, settings: CheckinSettings, *, key: str, label: str,
                      schedule: Schedule | None, dues: dict[str, datetime], now: datetime,
                      void: bool = False) -> Cycle:
    """A new cycle with every member's prompt planned (a void one only marks the day)."""
    closes = (max(dues.values()) if dues else now) + settings.window
    cycle_id = await insert_cycle(db.conn, settings_id=settings.id, room_id=settings.room_id,
                                  key=key, label=label, schedule=schedule,
                                  questions=settings.questions, window=settings.window,
                                  now=now, closes_at=closes, void=void)
    if not void:
        for user_id, due in dues.items():
            await plan_prompt(db.conn, cycle_id, user_id, due)
    cycle = await get_cycle(db, cycle_id)
    assert cycle is not None
    return cycle


async def add_newcomers(db: Database, cycle: Cycle, room: RoomView, default_zone: str,
                        now: datetime) -> None:
    """Members who joined after the cycle was planned are asked too, if their time is ahead."""
    planned = cycle_schedule(cycle)
    if planned is None:
        return
    day, schedule = planned
    known = {p.user_id for p in await prompts_of(db, cycle.id)}
    new = [u for u in room.members() if u not in known]
    if new:
        clocks = await member_clocks(db, new, default_zone)
        for user_id, due in member_prompts(schedule, day, clocks.values()).items():
            if due > now:
                await plan_prompt(db.conn, cycle.id, user_id, due)


async def refresh_close(db: Database, cycle: Cycle) -> None:
    """The summary waits for the last window of anyone still to be, or already, asked."""
    live = [p.due for p in await prompts_of(db, cycle.id) if p.status in ("planned", "sent")]
    closes = (max(live) if live else cycle.created_at) + cycle.window
    if closes != cycle.closes_at:
        await update_cycle(db.conn, cycle.id, closes_at=closes)


async def send_due(db: Database, room: RoomView, cycle: Cycle, now: datetime,
                   default_zone: str, settings: Settings) -> list[Post]:
    """Send every due, unsent prompt (skipping the away, muted, off today, gone); mark them.

    The prompt in the room speaks the room's language; each direct one its member's.
    """
    planned = [p for p in await prompts_of(db, cycle.id) if p.status == "planned"]
    due = [p for p in planned if p.due <= now + timedelta(seconds=1)]
    if not due:
        return []
    later = len(planned) > len(due)
    ids = [p.user_id for p in due]
    present = set(room.members())
    choices = await member_choices(db, cycle.room_id, ids)
    away = await away_at(db, ids, now)
    clocks = await member_clocks(db, ids, default_zone, now)
    to_room: list[str] = []
    to_dm: list[str] = []
    for prompt in due:
        reason = ("missed" if prompt.due + cycle.window <= now
                  else "left" if prompt.user_id not in present
                  else "muted" if choices[prompt.user_id][0]
                  else "away" if prompt.user_id in away
                  else "day off" if is_day_off(clocks[prompt.user_id], prompt.due)
                  else None)
        if reason:
            await mark_skipped(db.conn, cycle.id, prompt.user_id, reason)
        else:
            (to_dm if choices[prompt.user_id][1] else to_room).append(prompt.user_id)
    posts: list[Post] = []
    asked = set(to_room) | set(to_dm)
    late = any(now - p.due > LATE_AFTER for p in due if p.user_id in asked)
    if to_room or (to_dm and cycle.room_prompts == 0):
        n = cycle.room_prompts + 1
        key = room_key(cycle.id, n)
        root = await event_id_of(db, root_key(cycle.id)) if n > 1 else None
        with use_language(await room_lang(db, cycle.room_id, settings)):
            msg = prompt_msg(cycle, room, to_room, first=n == 1, late=late,
                             dm_count=len(to_dm), later=later)
        msg.thread_root, msg.key = root, key
        posts.append(Post(cycle.room_id, key, msg))
        for user_id in to_room:
            await mark_sent(db.conn, cycle.id, user_id, via="room", key=key,
                            name=room.display_name(user_id), now=now)
        await update_cycle(db.conn, cycle.id, room_prompts=n)
    for user_id in to_dm:
        key = dm_key(cycle.id, user_id)
        with use_language(await member_lang(db, user_id, cycle.room_id, settings)):
            msg = dm_msg(cycle, late)
        msg.direct_to, msg.key = user_id, key
        posts.append(Post(cycle.room_id, key, msg))
        await mark_sent(db.conn, cycle.id, user_id, via="dm", key=key,
                        name=room.display_name(user_id), now=now)
    await refresh_close(db, cycle)
    return posts


# ---- jobs -----------------------------------------------------------------------------------
async def fire_prompt(env: JobEnv, room_id: str, cycle_key: str) -> list[Post]:
    settings = await get_settings(env.db, room_id)
    room = await env.room(room_id)
    if settings is None or room is None:
        return []  # not (yet) in the room: left unsent for the next plan
    cycle = await scheduled_cycle(env.db, settings, room, cycle_key, env.now)
    if cycle is None or cycle.void or cycle.summary_at is not None:
        return []
    zone = await checkin_default_zone(env.db, settings)
    await add_newcomers(env.db, cycle, room, zone, env.now)
    return await send_due(env.db, room, cycle, env.now, zone, env.settings)


async def scheduled_cycle(db: Database, settings: CheckinSettings, room: RoomView, key: str,
                          now: datetime) -> Cycle | None:
    """The cycle of `key`, created on first need from the schedule and current members.

    A day whose earliest prompt came before the schedule was set (or changed) is marked
    void: a check-in never starts half-way through its day.
    """
    found = await cycle_by_key(db, settings.room_id, key)
    if found is not None or key.startswith("now:") or settings.schedule is None:
        return found
    day = date.fromisoformat(key)
    if day.weekday() not in settings.schedule.days:
        return None
    clocks = await member_clocks(db, room.members(), await checkin_default_zone(db, settings))
    dues = member_prompts(settings.schedule, day, clocks.values())
    void = not dues or min(dues.values()) < settings.schedule_updated_at
    return await start_cycle(db, settings, key=key, label=day_label(day),
                             schedule=settings.schedule, dues=dues, now=now, void=void)


# ---- planning -------------------------------------------------------------------------------
async def plan_room(db: Database, settings: CheckinSettings, now: datetime,
                    zones: set[str] | None = None) -> list[PlannedJob]:
    """Prompt, close and summary-edit jobs of one room due before now + PLAN_HORIZON."""
    prefix = job_prefix(settings.id)
    horizon = now + PLAN_HORIZON
    jobs: dict[str, PlannedJob] = {}

    def prompt_at(when: datetime, key: str) -> None:
        job_id = f"{prefix}prompt:{key}:{iso(when) if when > now else 'due'}"
        jobs[job_id] = PlannedJob(job_id, max(when, now), PROMPT, (settings.room_id, key))

    opened = {c.key: c for c in await open_cycles(db, settings.room_id)}
    if settings.schedule is not None:
        if zones is None:
            zones = await known_zones(db)
        zones = zones | {await checkin_default_zone(db, settings)}
        for day, instants in cycle_days(settings.schedule, zones, now - settings.window,
                                        horizon):
            key = day.isoformat()
            existing = await cycle_by_key(db, settings.room_id, key)
            if existing is not None and key not in opened:
                continue  # void or summarised
            for instant in instants:
                if instant >= settings.schedule_updated_at and (instant > now
                                                                 or existing is None):
                    prompt_at(instant, key)
    for cycle in opened.values():
        for prompt in await prompts_of(db, cycle.id):
            if prompt.status == "planned" and prompt.due <= horizon:
                prompt_at(prompt.due, cycle.key)
        if cycle.closes_at <= horizon:
            job_id = f"{prefix}close:{cycle.id}"
            jobs[job_id] = PlannedJob(job_id, cycle.closes_at, CLOSE, (cycle.id,))
    return list(jobs.values())


async def plan_all(db: Database, now: datetime) -> list[PlannedJob]:
    jobs: list[PlannedJob] = []
    zones = await known_zones(db)
    done: set[int] = set()
    for settings in await scheduled_settings(db):
        done.add(settings.id)
        jobs.extend(await plan_room(db, settings, now, zones))
    for cycle in await open_cycles(db):
        if cycle.settings_id not in done and (found := await get_settings_by_id(
                db, cycle.settings_id)):
            done.add(cycle.settings_id)
            jobs.extend(await plan_room(db, found, now, zones))
    for cycle in await summaries_to_edit(db):
        jobs.append(edit_job(cycle.id, now))
    return jobs


def edit_job(cycle_id: int, now: datetime) -> PlannedJob:
    return PlannedJob(f"checkin-edit:{cycle_id}", now, EDIT, (cycle_id,))


cmds = CommandSet()
cmds.schedules.job(PROMPT)(fire_prompt)
cmds.schedules.planner(plan_all)


@cmds.schedules.replanner(ChangeKind.CHECKIN)
async def replan_room(db: Database, settings_id: int, now: datetime
                      ) -> tuple[str, list[PlannedJob]]:
    settings = await get_settings_by_id(db, settings_id)
    return job_prefix(settings_id), (await plan_room(db, settings, now) if settings else [])


@cmds.schedules.replanner(ChangeKind.CHECKIN_SUMMARY)
async def replan_summary(db: Database, cycle_id: int, now: datetime
                         ) -> tuple[str, list[PlannedJob]]:
    return f"checkin-edit:{cycle_id}", [edit_job(cycle_id, now)]
