"""Lookups several command modules need: whose zone, which room default, which language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from commands.context import Context, Settings
from domain.calendars import CalendarView, MemberCalendar, calendar_for
from domain.hours import HoursError, WorkingHours
from domain.suggest import DEFAULT_HOURS
from storage import rooms
from storage.calendars import days_off_of
from storage.db import Database
from storage.languages import member_and_room_language, room_language
from storage.members import MemberSettings, get_member, get_members


async def room_zone(db: Database, room_id: str, settings: Settings) -> str:
    """The zone for members who set none: the room's default, else the bot's configured one.

    For commands and jobs alike (a planner has no `Settings`; see `planner_default_zone`)."""
    return await rooms.room_default_zone(db, room_id) or settings.default_zone


async def room_default_zone(ctx: Context) -> str:
    return await room_zone(ctx.db, ctx.room_id, ctx.settings)


async def zone_of(ctx: Context, user_id: str | None = None) -> tuple[str, bool]:
    """The member's zone, or the room default; the flag says the default was used."""
    member = await get_member(ctx.db, user_id or ctx.sender)
    if member.zone:
        return member.zone, False
    return await room_default_zone(ctx), True


async def room_lang(db: Database, room_id: str, settings: Settings) -> str:
    """The language of room-wide messages (reminders, digests, summaries, polls)."""
    return await room_language(db, room_id) or settings.language


async def member_lang(db: Database, user_id: str, room_id: str, settings: Settings) -> str:
    """The language of a message addressed to one member: theirs, else their room's."""
    own, room = await member_and_room_language(db, user_id, room_id)
    return own or room or settings.language


async def member_calendars(db: Database, settings: Mapping[str, MemberSettings],
                           default_zone: str, since: date) -> dict[str, MemberCalendar]:
    """Each member's calendar (country, week, own days off from `since` on), from their
    stored settings; members without a zone get the default's country."""
    own = await days_off_of(db, settings, since)
    return {
        uid: calendar_for(s.calendar, s.zone or default_zone, _named_days(s.hours),
                          s.days_named, own.get(uid, ()))
        for uid, s in settings.items()
    }


def _named_days(stored: str | None) -> frozenset[int] | None:
    """The weekdays of stored hours; None when unset (or unreadable: the default applies)."""
    try:
        return WorkingHours.from_storage(stored).days if stored else None
    except HoursError:
        return None


def effective_hours(stored: str | None, calendar: MemberCalendar, on: date) -> WorkingHours:
    """A member's hours with their calendar's working days (their own if `!hours` named them,
    else their country's week); 09:00–17:00 when they never set hours. Split shifts stay."""
    base = WorkingHours.from_storage(stored) if stored else DEFAULT_HOURS
    return CalendarView(base, calendar).hours_on(on)


async def calendars_and_zones(db: Database, user_ids: Iterable[str], default_zone: str,
                              since: date) -> tuple[dict[str, MemberCalendar], dict[str, str]]:
    """Members' calendars and zones in two queries: what every "who is off then?" needs."""
    settings = await get_members(db, user_ids)
    calendars = await member_calendars(db, settings, default_zone, since)
    return calendars, {uid: s.zone or default_zone for uid, s in settings.items()}
