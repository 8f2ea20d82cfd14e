"""`!fairness`: does the same person always carry the load, or always get the bad hours?

Per member of the room: turns held per role (recorded rota history, every series in the
room), and how many of the room's meetings in the period fell outside their working hours,
split into early, late and on a day off, and how many reached into their night. Then the
same for what is planned over the next 90 days, so a new series' cost shows before it is
paid. Hours are the member's own (`!hours`), in their own zone, or 09:00–17:00 Mon–Fri in
the room's zone when unset; what counts is `commands.meetings.people` (the same rules as
suggestions). Every meeting counts for every member: the bot does not know who attended.
"""

from __future__ import annotations

from datetime import timedelta

from commands.charts import fairness_picture
from commands.common import room_default_zone
from commands.context import ChangeKind, Context
from commands.errors import UserError
from commands.meetings.commands import ADD_EXAMPLE
from commands.meetings.people import Load, bad_hours, people_of, room_occurrences, separator
from commands.reply import Msg
from commands.rota.plan import catch_up
from commands.rota.support import names, role_name
from commands.router import Arg, CommandSet
from domain.charts import fairness_chart
from domain.i18n import N_, _, current_language, ngettext
from domain.rotation import DEFAULT_ROLES
from storage.meetings import get_meeting_by_id
from storage.rota import room_rotas, turns_held

PERIODS: dict[str, int | None] = {"30d": 30, "90d": 90, "all": None}
EXAMPLE = "!fairness 90d"
# How far ahead the planned load looks.
AHEAD = timedelta(days=90)


def parse_period(text: str) -> str:
    period = text.strip().lower()
    if period not in PERIODS:
        # Translators: keep 30d, 90d and all: they are what the member types.
        raise UserError(_("Say 30d, 90d or all."), EXAMPLE)
    return period


def _outside(kind: str, count: int) -> str:
    """"2 early", "1 late", "1 on a day off": meetings outside a member's hours, by kind."""
    if kind == "early":
        # Translators: a number of meetings that started before the member's working hours.
        return ngettext("{count} early", "{count} early", count).format(count=count)
    if kind == "late":
        # Translators: a number of meetings that ran after the member's working hours.
        return ngettext("{count} late", "{count} late", count).format(count=count)
    # Translators: a number of meetings on a day the member does not work.
    return ngettext("{count} on a day off", "{count} on a day off", count).format(count=count)


cmds = CommandSet()


@cmds.command(
    "fairness",
    summary=N_("Who carries the load: rota turns and meetings outside working hours."),
    usage="!fairness [30d|90d|all]",
    examples=("!fairness", "!fairness 30d", "!fairness all"),
    args=(Arg("period", parse_period, optional=True, default="90d"),),
)
async def fairness(ctx: Context, period: str) -> None:
    for row in await room_rotas(ctx.db, ctx.room_id):
        meeting = await get_meeting_by_id(ctx.db, row.meeting_id)
        if meeting is not None:
            _row, dropped = await catch_up(ctx.db, row, meeting, ctx.now,
                                           ctx.room.members())
            if dropped:
                ctx.changed.add((ChangeKind.ROTA, meeting.id))
    days = PERIODS[period]
    since = ctx.now - timedelta(days=days) if days else None
    held = await turns_held(ctx.db, ctx.room_id, since, ctx.now)
    happened = await room_occurrences(ctx.db, ctx.room_id, since, ctx.now)
    planned = await room_occurrences(ctx.db, ctx.room_id, ctx.now, ctx.now + AHEAD)
    if not happened and not held and not planned:
        if days:
            # Translators: followed by the command that schedules a meeting.
            nothing = ngettext(
                "No meetings happened in this room in the last {count} day, and none are "
                "planned, so there is nothing to compare yet. Schedule one with",
                "No meetings happened in this room in the last {count} days, and none are "
                "planned, so there is nothing to compare yet. Schedule one with",
                days).format(count=days)
        else:
            # Translators: followed by the command that schedules a meeting.
            nothing = _("No meetings happened in this room yet, and none are planned, so "
                        "there is nothing to compare yet. Schedule one with")
        ctx.reply(Msg().text(nothing + " ").code(_(ADD_EXAMPLE)))
        return
    roles = list(DEFAULT_ROLES) + sorted({r for c in held.values() for r in c}
                                         - set(DEFAULT_ROLES))
    people = sorted(set(ctx.room.members()) | set(held),
                    key=lambda u: (ctx.room.display_name(u).casefold(), u))
    members = await people_of(ctx.db, ctx.room_id, people, await room_default_zone(ctx))
    past = bad_hours(members, happened)
    ahead = bad_hours(members, planned)
    if days:
        heading = ngettext("Fairness in this room, the last {count} day",
                           "Fairness in this room, the last {count} days",
                           days).format(count=days)
    else:
        heading = _("Fairness in this room, all time")
    summary = ngettext("{count} meeting happened", "{count} meetings happened",
                       len(happened)).format(count=len(happened))
    msg = Msg().bold(heading).text(" — " + summary).line()
    if happened or held:
        _past(ctx, msg, people, roles, held, past)
    else:
        # Translators: said when a room has planned meetings but no history yet.
        msg.text(_("Nothing to look back on yet.")).line()
    msg.bold(ngettext("Planned, the next {count} day", "Planned, the next {count} days",
                      AHEAD.days).format(count=AHEAD.days)).text(" — " + ngettext(
        "{count} meeting", "{count} meetings", len(planned)).format(
            count=len(planned))).line()
    current = set(ctx.room.members())
    hurt = [user for user in people
            if user in current and (ahead[user].total() or ahead[user].night)]
    if not planned:
        msg.text(_("Nothing is scheduled yet.")).line()
    elif not hurt:
        msg.text(_("Every planned meeting is inside everyone's working hours.")).line()
    for user in hurt:
        # Translators: how many planned meetings fall outside the member's hours.
        names(ctx, msg, [user]).text(" — " + _("outside hours {count}").format(
            count=ahead[user].total()))
        msg.text(_detail(ahead[user])).line()
    ctx.reply(msg)
    if ctx.settings.charts and happened:
        chart = fairness_chart(len(happened), days, roles,
                               [(u, ctx.room.display_name(u)) for u in people],
                               {u: past[u].kinds for u in people if u in past}, held)
        image = await fairness_picture(
            chart, heading, f"{heading} — {summary}", tuple(role_name(r) for r in roles),
            current_language()) if chart else None
        if image is not None:
            ctx.reply(image)


def _past(ctx: Context, msg: Msg, people: list[str], roles: list[str],
          held: dict[str, dict[str, int]], past: dict[str, Load]) -> None:
    """Per member: turns per role and meetings outside hours; then each column's range."""
    outside_totals: list[int] = []
    for user in people:
        load = past[user]
        outside_totals.append(load.total())
        turns = " · ".join(f"{role_name(role)} {held.get(user, {}).get(role, 0)}"
                           for role in roles)
        # Translators: how many of the room's meetings fell outside the member's hours.
        outside = _("outside hours {count}").format(count=load.total())
        names(ctx, msg, [user]).text(f" — {turns} · {outside}")
        msg.text(_detail(load)).line()
    # Translators: followed by the lowest and highest counts of each column.
    msg.text(_("Range:") + " ")
    for role in roles:
        counts = [held.get(u, {}).get(role, 0) for u in people]
        msg.text(f"{role_name(role)}: {min(counts)}–{max(counts)} · ")
    # Translators: the lowest and highest number of meetings outside members' hours.
    msg.text(_("outside hours: {lowest}–{highest}").format(
        lowest=min(outside_totals), highest=max(outside_totals))).line()


def _detail(load: Load) -> str:
    """" (2 early, 1 late, 1 at night)", or nothing when the member was never hurt."""
    parts = [_outside(k, load.kinds[k]) for k in ("early", "late", "off") if load.kinds[k]]
    if load.night:
        # Translators: a number of meetings that reached into the member's night.
        parts.append(ngettext("{count} at night", "{count} at night", load.night).format(
            count=load.night))
    return f" ({separator().join(parts)})" if parts else ""
