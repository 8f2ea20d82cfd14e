"""Overdue nudges: once per item and due instant, in the owner's morning.

Planned from the DB (at start, hourly, and when an item's due date or owner changes); the
job records the nudge under a key holding the due instant before queueing it, so a rerun
or a restart never nudges twice, and only a new due date earns a new nudge. A nudge caught
up after the bot was down says it is late.
"""

from __future__ import annotations

from datetime import datetime

from commands.actions.common import (
    owner_zones,
    owners_part,
    planner_default_zone,
    remember_config_zone,
    zone_for,
)
from commands.common import room_lang, room_zone
from commands.context import ChangeKind
from commands.jobs import LATE_AFTER, PLAN_HORIZON, JobEnv, JobKind, PlannedJob, Post
from commands.reply import Msg, bolded, coded, fill
from commands.router import CommandSet
from domain.due import format_due, nudge_time
from domain.i18n import _, use_language
from storage.actions import (
    Action,
    get_action_by_id,
    nudge_candidates,
    nudge_key,
    record_nudge,
)
from storage.db import Database
from storage.meetings import iso
from storage.members import get_members


def nudge_job(action: Action, zone: str, now: datetime) -> list[PlannedJob]:
    """The item's nudge, if its morning (in `zone`) falls within the planning horizon."""
    if not action.is_open or action.due is None:
        return []
    at = nudge_time(action.due, zone, now)
    if at > now + PLAN_HORIZON:
        return []
    due = iso(action.due)
    return [PlannedJob(f"action-nudge:{action.id}:{due}", at, JobKind.ACTION_NUDGE,
                       (action.id, due))]


async def nudge_jobs(db: Database, action: Action, now: datetime) -> list[PlannedJob]:
    default = await planner_default_zone(db, action.room_id)
    return nudge_job(action, zone_for(action, await owner_zones(db, [action], default),
                                      default), now)


async def plan_nudges(db: Database, now: datetime) -> list[PlannedJob]:
    """Every open item due soon or overdue whose current due date was not nudged yet.

    Zones are looked up once per room and once for all owners, not per item, so
    planning thousands of items at start-up stays a few queries.
    """
    candidates = await nudge_candidates(db, now + PLAN_HORIZON)
    rooms = {a.room_id for a in candidates}
    defaults = {room: await planner_default_zone(db, room) for room in rooms}
    settings = await get_members(db, {u for a in candidates for u in a.owners})
    jobs: list[PlannedJob] = []
    for action in candidates:
        default = defaults[action.room_id]
        zones = {u: (s.zone or default) for u, s in settings.items()}
        jobs.extend(nudge_job(action, zone_for(action, zones, default), now))
    return jobs


async def fire_nudge(env: JobEnv, action_id: int, due_iso: str) -> list[Post]:
    """Once per due instant, mentioning only the owners still in the room."""
    action = await get_action_by_id(env.db, action_id)
    if (action is None or not action.is_open or action.due is None
            or iso(action.due) != due_iso or env.now < action.due):
        return []  # closed, dropped or re-dated since planning: the new plan has its own
    room = await env.room(action.room_id)
    if room is None:
        return []
    await remember_config_zone(env)
    if not await record_nudge(env.db.conn, nudge_key(action), action.id, env.now):
        return []
    present = [u for u in action.owners if u in room.members()]
    if not present:
        return []
    default = await room_zone(env.db, action.room_id, env.settings)
    zone = zone_for(action, await owner_zones(env.db, [action], default), default)
    # Posted to the room (mentioning the owners): in the room's language.
    with use_language(await room_lang(env.db, action.room_id, env.settings)):
        msg = Msg(is_reply=False)
        if env.now - nudge_time(action.due, zone, env.now) > LATE_AFTER:
            msg.italic(_("Late — I was offline when this was due.")).line()
        owners_part(msg, action, room, frozenset(present))
        # Translators: follows the owners' names; {ref} is the item's number (#12, in bold),
        # {item} its text, {due} when it was due, e.g. "Fri 27 Nov (end of day, Kolkata)".
        fill(msg, _(": {ref} {item} was due {due}."), ref=bolded(action.ref), item=action.text,
             due=format_due(action.due, zone, env.now)).line()
        # Translators: {done} and {redate} are commands in code spans.
        fill(msg, _("Done? React ✅ to this message or send {done}. A new date: {redate}"),
             done=coded(f"!done {action.number}"),
             redate=coded(_("!action {number} due <when>").format(number=action.number)))
    return [Post(action.room_id, f"action:{action.room_id}:{action.number}:nudge:{due_iso}",
                 msg)]


cmds = CommandSet()
cmds.schedules.job(JobKind.ACTION_NUDGE)(fire_nudge)
cmds.schedules.planner(plan_nudges)


@cmds.schedules.replanner(ChangeKind.ACTION)
async def replan_nudge(db: Database, action_id: int, now: datetime
                       ) -> tuple[str, list[PlannedJob]]:
    action = await get_action_by_id(db, action_id)
    return f"action-nudge:{action_id}:", (await nudge_jobs(db, action, now) if action else [])
