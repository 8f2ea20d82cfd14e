"""Scheduled rota work, and what other domains ask of rotas through hooks.

- "rota-record" at each occurrence's start records who held the roles then (the planner
  and every command also catch up, so downtime only delays recording, never loses it).
- "facilitator-nudge" 24 h before an occurrence tells its facilitator, in their direct
  chat, with the agenda so far. Sent once per (occurrence, start, person): if the
  facilitator changes afterwards (a swap, a skip), the new one is nudged too.
- The "reminder" hook names and mentions the role holders in meeting reminders; the
  "meeting-roles" hook answers who holds what in an occurrence (the digest asks).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from commands.common import member_lang, room_zone
from commands.context import ChangeKind, RoomView
from commands.jobs import PLAN_HORIZON, JobEnv, JobKind, PlannedJob, Post
from commands.reply import Msg
from commands.rota.plan import catch_up, holders_for
from commands.rota.support import role_label, role_name
from commands.router import CommandSet
from domain.i18n import _, colon, use_language
from domain.recurrence import Occurrence, occurrence_on, occurrences
from domain.timefmt import format_local, relative
from storage.db import Database
from storage.meetings import Meeting, agenda, from_iso, get_meeting_by_id, iso, overrides_for
from storage.members import get_member
from storage.rota import (
    RotaRow,
    get_rota,
    mark_nudged,
    nudge_sent_for,
    rota_meetings_starting_before,
)

NUDGE_LEAD = timedelta(hours=24)


def job_prefix(meeting_id: int) -> str:
    return f"rota:{meeting_id}:"


def facilitator_role(roles: tuple[str, ...]) -> str:
    return "facilitator" if "facilitator" in roles else roles[0]


async def plan_rota(db: Database, meeting_id: int, now: datetime, *,
                    every_nudge: bool = False) -> list[PlannedJob]:
    """Record and nudge jobs for one series due before now + PLAN_HORIZON; catches up first."""
    meeting = await get_meeting_by_id(db, meeting_id)
    row = await get_rota(db, meeting_id)
    if meeting is None or meeting.cancelled or row is None:
        return []
    row, _dropped = await catch_up(db, row, meeting, now)
    overrides = await overrides_for(db, meeting.id)
    window_end = now + PLAN_HORIZON
    prefix = job_prefix(meeting_id)
    jobs: list[PlannedJob] = []
    for occ in occurrences(meeting.series, now, window_end + NUDGE_LEAD, overrides):
        original, start = occ.original_local.isoformat(), iso(occ.start_utc)
        if occ.start_utc <= window_end:
            jobs.append(PlannedJob(f"{prefix}record:{start}", occ.start_utc,
                                   JobKind.ROTA_RECORD, (meeting.id,)))
        fire = occ.start_utc - NUDGE_LEAD
        if fire <= window_end and (every_nudge or not await nudge_sent_for(
                db, row.id, occ.original_local, occ.start_utc)):
            jobs.append(PlannedJob(f"{prefix}nudge:{original}:{start}", fire,
                                   JobKind.FACILITATOR_NUDGE, (meeting.id, original, start)))
    return jobs


async def plan_all(db: Database, now: datetime) -> list[PlannedJob]:
    jobs: list[PlannedJob] = []
    for meeting_id in await rota_meetings_starting_before(db, now + NUDGE_LEAD + PLAN_HORIZON):
        jobs.extend(await plan_rota(db, meeting_id, now))
    return jobs


async def record_job(env: JobEnv, meeting_id: int) -> list[Post]:
    meeting = await get_meeting_by_id(env.db, meeting_id)
    row = await get_rota(env.db, meeting_id)
    if meeting is None or row is None:
        return []
    room = await env.room(meeting.room_id)
    await catch_up(env.db, row, meeting, env.now, room.members() if room else None)
    return []


async def _current(env: JobEnv, meeting: Meeting, original: datetime, start: datetime
                   ) -> Occurrence | None:
    overrides = await overrides_for(env.db, meeting.id)
    found = occurrence_on(meeting.series, original.date(), overrides)
    return found if found is not None and found.start_utc == start else None


async def nudge_job(env: JobEnv, meeting_id: int, original_iso: str, start_iso: str
                    ) -> list[Post]:
    meeting = await get_meeting_by_id(env.db, meeting_id)
    row = await get_rota(env.db, meeting_id)
    original, start = datetime.fromisoformat(original_iso), from_iso(start_iso)
    if (meeting is None or meeting.cancelled or row is None or env.now >= start
            or await _current(env, meeting, original, start) is None):
        return []  # gone, moved (the new plan has its own job), or already started
    room = await env.room(meeting.room_id)
    if room is None:
        return []
    row, _dropped = await catch_up(env.db, row, meeting, env.now, room.members())
    holders = await holders_for(env.db, row, meeting, original, start)
    user = holders.get(facilitator_role(row.rota.roles))
    if user is None:
        return []
    key = f"{row.id}:{original.isoformat(timespec='minutes')}:{start_iso}:{user}"
    if not await mark_nudged(env.db.conn, key, row.id, original, start, env.now):
        return []
    # A direct message: in the facilitator's language.
    with use_language(await member_lang(env.db, user, meeting.room_id, env.settings)):
        msg = await nudge_message(env, meeting, row, original, start, holders, user, room)
    return [Post(meeting.room_id, f"rota-nudge:{key}", msg)]


async def nudge_message(env: JobEnv, meeting: Meeting, row: RotaRow, original: datetime,
                        start: datetime, holders: dict[str, str | None], user: str,
                        room: RoomView) -> Msg:
    zone = (await get_member(env.db, user)).zone
    if zone is None:
        zone = await room_zone(env.db, meeting.room_id, env.settings)
    ref = f"m{meeting.number}"
    role = facilitator_role(row.rota.roles)
    msg = Msg(is_reply=False, direct_to=user)
    # Translators: followed by the meeting's title, e.g. "Your turn as facilitator:".
    msg.text(_("Your turn as {role}:").format(role=role_name(role)) + " ").bold(meeting.title)
    # Translators: after the meeting's title: its id (m3), how soon (e.g. "in 24 hours")
    # and when, e.g. " (m3) in 24 hours, Thu 3 Dec 2026, 11:00 (Nairobi)."
    msg.text(" " + _("({ref}) {soon}, {when}.").format(
        ref=ref, soon=relative(start, env.now), when=format_local(start, zone))).line()
    for other in row.rota.roles:
        who = holders.get(other)
        if other != role and who:
            msg.text(role_label(other) + colon()).mention(who, room.display_name(who),
                                                       notify=False).line()
    items = await agenda(env.db, meeting.id, original)
    if items:
        msg.text(_("Agenda so far:")).line()
        for index, (text, _by) in enumerate(items, 1):
            msg.text(f"{index}. {text}").line()
    else:
        # Translators: followed by the command that adds an agenda item.
        msg.text(_("No agenda yet; add items in the room with") + " ").code(
            # Translators: a command; keep "meeting agenda" and "add", translate <text>.
            _("!meeting agenda {ref} add <text>").format(ref=ref)).line()
    if meeting.link:
        msg.text(_("Join: {link}").format(link=meeting.link)).line()
    # Translators: followed by two commands, "… skip" or "… swap <date> @someone".
    msg.text(_("Can't make it? In the room:") + " ").code(f"!rota {ref} skip")
    # Translators: between two commands.
    msg.text(" " + _("or") + " ")
    # Translators: a command; keep "rota" and "swap", translate <date> and @someone.
    return msg.code(_("!rota {ref} swap <date> @someone").format(ref=ref))


async def reminder_roles(env: JobEnv, meeting: Meeting, original: datetime, start: datetime,
                         lead_min: int, msg: Msg, room: RoomView) -> None:
    """'Facilitator: @x · Notes: @y' in a meeting reminder, mentioning them.

    Written in the reminder's own language (the one `msg` was made in: the room's).
    """
    row = await get_rota(env.db, meeting.id)
    if row is None:
        return
    row, _dropped = await catch_up(env.db, row, meeting, env.now, room.members())
    holders = await holders_for(env.db, row, meeting, original, start)
    if not any(holders.values()):
        return
    with use_language(msg.lang):
        for index, role in enumerate(row.rota.roles):
            msg.text(" · " if index else "").text(role_label(role) + colon())
            who = holders.get(role)
            if who:
                msg.mention(who, room.display_name(who))
            else:
                # Translators: in place of a name, when nobody can take a rota role.
                msg.italic(_("nobody available"))
    msg.line()


async def meeting_roles(db: Database, meeting: Meeting, occurrence: Occurrence
                        ) -> list[tuple[str, str]]:
    """(role, member) for one occurrence; read-only, so any caller may use it.

    The role is as members read it, in the active language (the built-in roles are
    stored as English keys; see rota_support.role_name); callers only display it.
    """
    row = await get_rota(db, meeting.id)
    if row is None:
        return []
    holders = await holders_for(db, row, meeting, occurrence.original_local,
                                occurrence.start_utc)
    return [(role_name(role), who) for role in row.rota.roles if (who := holders.get(role))]


cmds = CommandSet()
cmds.schedules.job(JobKind.ROTA_RECORD)(record_job)
cmds.schedules.job(JobKind.FACILITATOR_NUDGE)(nudge_job)
cmds.schedules.planner(plan_all)
cmds.schedules.hooks.reminder.register(reminder_roles)
cmds.schedules.hooks.meeting_roles.register(meeting_roles)


@cmds.schedules.replanner(ChangeKind.MEETING)
async def replan_meeting(db: Database, meeting_id: int, now: datetime
                         ) -> tuple[str, list[PlannedJob]]:
    return job_prefix(meeting_id), await plan_rota(db, meeting_id, now)


@cmds.schedules.replanner(ChangeKind.ROTA)
async def replan_rota(db: Database, meeting_id: int, now: datetime
                      ) -> tuple[str, list[PlannedJob]]:
    # Holders may have changed: plan every nudge; the job skips anyone already nudged.
    return job_prefix(meeting_id), await plan_rota(db, meeting_id, now, every_nudge=True)
