"""Holidays where the room reads them without asking: who is on holiday in the day-before
reminder, and the coming week's holidays in the weekly digest.

Both are sections other features' messages call for (the "reminder" and "digest" hooks), in
the language the message is being written in; names are pills that never notify. Holidays
of members who set no country are never shown as a country: only their names.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from commands.common import calendars_and_zones, room_zone
from commands.context import RoomView
from commands.jobs import JobEnv
from commands.meetings.people import MAX_NAMED, named, others, separator
from commands.members.calendar import holiday_line, room_holidays
from commands.reply import Msg
from commands.router import CommandSet
from domain.calendars import off_at
from domain.i18n import _, current_language, use_language
from storage.meetings import Meeting

# The reminder that goes out a day (or half a day or more) before: the one people plan by.
DAY_BEFORE_MIN = 12 * 60
DIGEST_DAYS = 7


async def reminder_section(env: JobEnv, meeting: Meeting, original_local: datetime,
                           start_utc: datetime, lead_min: int, msg: Msg,
                           room: RoomView) -> None:
    """"On holiday then: Omar (Eid al-Fitr (estimated)), Amina (day off)." in the day-before
    reminder: each member's own local date at the start counts. Nothing when nobody is."""
    if lead_min < DAY_BEFORE_MIN:
        return
    members = room.members()
    calendars, zones = await calendars_and_zones(
        env.db, members, await room_zone(env.db, meeting.room_id, env.settings),
        start_utc.date() - timedelta(days=1))
    off = off_at(calendars, zones, start_utc, current_language())
    reasons: dict[str, list[str]] = {}
    for name, users in off.items():
        for user in users:
            # Translators: why a member is away on a meeting's day: their own day off.
            reasons.setdefault(user, []).append(name or _("day off"))
    if not reasons:
        return
    # Translators: followed by the members on holiday when the meeting happens, e.g.
    # "On holiday then: Omar (Eid al-Fitr), Amina (day off)".
    msg.text(_("On holiday then:") + " ")
    away = sorted(reasons, key=lambda u: (room.display_name(u), u))
    for index, user in enumerate(away[:MAX_NAMED]):
        if index:
            msg.text(separator())
        msg.mention(user, room.display_name(user), notify=False).text(
            f" ({separator().join(reasons[user])})")
    others(msg, len(away) - MAX_NAMED).line()


async def digest_section(env: JobEnv, room_id: str, msg: Msg, room: RoomView) -> None:
    """The coming week's public holidays of the room's members, one line per date and
    holiday, with whom each affects (members who work through it are left out)."""
    with use_language(msg.lang):  # the digest's language, whoever asked for it
        calendars, _zones = await calendars_and_zones(
            env.db, room.members(), await room_zone(env.db, room_id, env.settings), env.now.date())
        today = env.now.date()
        found = room_holidays(calendars, today, today + timedelta(days=DIGEST_DAYS - 1),
                              msg.lang)
        if not found:
            return
        if msg.parts and msg.parts[-1][0] != "newline":
            msg.line()
        msg.bold(_("Holidays this coming week")).line()
        for (day, name), users in found.items():
            msg.text("• " + holiday_line(day, name) + " — ")
            named(room, msg, users).line()  # a big room's many names: ten, and a count


cmds = CommandSet()
cmds.schedules.hooks.reminder.register(reminder_section)
cmds.schedules.hooks.digest.register(digest_section)
