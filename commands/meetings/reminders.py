"""Meeting reminders: planned from the DB, sent once per (occurrence, lead time).

Only reminders due within the next couple of hours are held as jobs; an
hourly re-plan picks up the rest, so thousands of series cost thousands of
rows, not thousands of timers. A reminder that fell due while the bot was
down goes out late (and says so) if the meeting has not started yet; one for a meeting
that started meanwhile is recorded as dropped, never sent (and never silently forgotten).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Set
from datetime import datetime, timedelta

from commands.common import room_lang, room_zone
from commands.context import ChangeKind, RoomView
from commands.jobs import PLAN_HORIZON, JobEnv, JobKind, PlannedJob, Post, looked_last
from commands.meetings.format import member_zones
from commands.meetings.people import MAX_NAMED, others, separator
from commands.reply import Msg, bolded, fill
from commands.router import CommandSet
from domain.i18n import _, use_language
from domain.recurrence import Override, occurrence_on, occurrences
from domain.timefmt import local_time_line, relative
from storage.db import Database
from storage.meetings import (
    DEFAULT_LEADS,
    Meeting,
    Reminded,
    agenda,
    all_room_leads,
    from_iso,
    get_meeting_by_id,
    iso,
    meetings_starting_before,
    notify_list,
    overrides_for,
    overrides_for_many,
    recent_reminder_keys,
    record_reminder,
    room_leads,
    set_next_start,
    set_next_starts,
)

log = logging.getLogger(__name__)

MAX_LEAD = timedelta(days=7)
LATE_AFTER = timedelta(seconds=60)


def reminder_key(meeting_id: int, original_local: datetime, start_utc: datetime,
                 lead_min: int) -> str:
    original = original_local.isoformat(timespec="minutes")
    return f"{meeting_id}:{original}:{iso(start_utc)}:{lead_min}"


def job_prefix(meeting_id: int) -> str:
    return f"reminder:{meeting_id}:"


def plan_series(meeting: Meeting, now: datetime, overrides: Mapping[datetime, Override],
                leads: tuple[int, ...], sent: Set[str], missed_since: datetime | None = None
                ) -> tuple[datetime | None, list[PlannedJob]]:
    """(next start, reminder jobs due before now + PLAN_HORIZON) for one series; no I/O.

    `missed_since`: when the bot last looked; reminders that fell due after it, of
    occurrences that have started since, are planned too, so their job records them as
    dropped.
    """
    window_end = now + PLAN_HORIZON
    since = min(missed_since or now, now)
    reach = window_end + timedelta(minutes=max(leads))
    if meeting.next_start is not None and now < meeting.next_start and meeting.next_start > reach:
        return meeting.next_start, []  # nothing due yet, and the stored start is current
    nxt = occurrences(meeting.series, now, now + timedelta(days=3660), overrides, limit=1)
    next_start = nxt[0].start_utc if nxt else None
    missed = since < now and bool(occurrences(meeting.series, since, now, overrides, limit=1))
    if meeting.cancelled or ((next_start is None or next_start > reach) and not missed):
        return next_start, []
    jobs: list[PlannedJob] = []
    for occ in occurrences(meeting.series, since, window_end + timedelta(minutes=max(leads)),
                           overrides):
        for lead in leads:
            fire = occ.start_utc - timedelta(minutes=lead)
            # Never "late" for a time before the meeting was set up or last changed.
            if fire > window_end or fire < meeting.updated_at:
                continue
            if occ.start_utc < now and fire < since:
                continue  # due before the bot last looked: sent (or dropped) back then
            key = reminder_key(meeting.id, occ.original_local, occ.start_utc, lead)
            if key in sent:
                continue
            jobs.append(PlannedJob(f"reminder:{key}", fire, JobKind.REMINDER,
                                   (meeting.id, occ.original_local.isoformat(),
                                    iso(occ.start_utc), lead)))
    return next_start, jobs


async def plan_meeting(db: Database, meeting: Meeting, now: datetime) -> list[PlannedJob]:
    """Re-plan one series after a command changed it."""
    leads = meeting.leads or await room_leads(db, meeting.room_id)
    sent = await recent_reminder_keys(db, now, meeting.id)
    next_start, jobs = plan_series(meeting, now, await overrides_for(db, meeting.id), leads,
                                   sent)
    await set_next_start(db.conn, meeting.id, next_start)
    return jobs


async def plan_all(db: Database, now: datetime) -> list[PlannedJob]:
    """Every series that may start soon; a handful of queries, not several per series."""
    meetings = await meetings_starting_before(db, now + MAX_LEAD + PLAN_HORIZON)
    if not meetings:
        return []
    overrides = await overrides_for_many(db, [m.id for m in meetings])
    room_defaults = await all_room_leads(db)
    sent = await recent_reminder_keys(db, now)
    missed_since = await looked_last(db, now)
    jobs: list[PlannedJob] = []
    starts: list[tuple[int, datetime | None]] = []
    for meeting in meetings:
        leads = meeting.leads or room_defaults.get(meeting.room_id, DEFAULT_LEADS)
        next_start, planned = plan_series(meeting, now, overrides.get(meeting.id, {}), leads,
                                          sent, missed_since)
        starts.append((meeting.id, next_start))
        jobs.extend(planned)
    await set_next_starts(db.conn, starts)
    return jobs


async def fire_reminder(env: JobEnv, meeting_id: int, original_iso: str, start_iso: str,
                        lead_min: int) -> list[Post]:
    meeting = await get_meeting_by_id(env.db, meeting_id)
    if meeting is None or meeting.cancelled:
        return []
    original = datetime.fromisoformat(original_iso)
    start = from_iso(start_iso)
    overrides = await overrides_for(env.db, meeting.id)
    current = occurrence_on(meeting.series, original.date(), overrides)
    if current is None or current.start_utc != start:
        return []  # moved or skipped since this job was planned; the new plan has its own
    key = reminder_key(meeting.id, original, start, lead_min)
    due = start - timedelta(minutes=lead_min)
    late = env.now - due > LATE_AFTER
    if env.now >= start:
        log.warning("dropped reminder %s: the meeting had already started", key)
        await record_reminder(env.db.conn, key, meeting.id, env.now, Reminded.DROPPED)
        return []
    room = await env.room(meeting.room_id)
    if room is None:
        return []  # not (yet) in the room: leave it unsent for the next plan
    if not await record_reminder(env.db.conn, key, meeting.id, env.now,
                                 Reminded.LATE if late else Reminded.ON_TIME):
        return []
    msg = await reminder_message(env, meeting, original, start, late, room, lead_min)
    return [Post(meeting.room_id, f"reminder:{key}", msg,
                 late_after=None if late else due + LATE_AFTER)]


async def reminder_message(env: JobEnv, meeting: Meeting, original: datetime, start: datetime,
                           late: bool, room: RoomView, lead_min: int = 0) -> Msg:
    default_zone = await room_zone(env.db, meeting.room_id, env.settings)
    zones = await member_zones(env.db, room, default_zone)
    # Posted to the whole room: in the room's language, hooks' sections included.
    with use_language(await room_lang(env.db, meeting.room_id, env.settings)):
        msg = Msg(is_reply=False)
        if late:
            msg.italic(_("Late reminder — I was offline when it was due.")).line()
        # Translators: {title} is the meeting's title (in bold), {number} its number (m3),
        # {distance} e.g. "in 15 minutes".
        fill(msg, _("Reminder: {title} (m{number}) starts {distance}."),
             title=bolded(meeting.title), number=meeting.number,
             distance=relative(start, env.now)).line()
        msg.text(local_time_line(start, zones, meeting.series.zone)).line()
        items = await agenda(env.db, meeting.id, original)
        if items:
            msg.text(_("Agenda:")).line()
            for index, (text, _who) in enumerate(items, 1):
                msg.text(f"{index}. {text}").line()
        if meeting.link:
            msg.text(_("Join: {link}").format(link=meeting.link)).line()
        for section in env.hooks.reminder:
            await section(env, meeting, original, start, lead_min, msg, room)
        present = set(room.members())
        attendees = [u for u in await notify_list(env.db, meeting.room_id) if u in present]
        if meeting.ping_room and room.power_level(meeting.created_by) >= room.required_level(
                "notifications.room"):
            msg.room_mention = True
            msg.text("@room")
        elif attendees:
            def names(target: Msg) -> None:
                for index, user in enumerate(attendees[:MAX_NAMED]):
                    if index:
                        target.text(separator())
                    target.mention(user, room.display_name(user))
                others(target, len(attendees) - MAX_NAMED)

            # Translators: {names} is the list of members the reminder is for.
            fill(msg, _("For: {names}"), names=names)
            for user in attendees[MAX_NAMED:]:  # not named, but notified all the same
                msg.notify(user)
    return msg


cmds = CommandSet()
cmds.schedules.job(JobKind.REMINDER)(fire_reminder)
cmds.schedules.planner(plan_all)


@cmds.schedules.replanner(ChangeKind.MEETING)
async def replan_meeting(db: Database, meeting_id: int, now: datetime
                         ) -> tuple[str, list[PlannedJob]]:
    meeting = await get_meeting_by_id(db, meeting_id)
    return job_prefix(meeting_id), (await plan_meeting(db, meeting, now) if meeting else [])
