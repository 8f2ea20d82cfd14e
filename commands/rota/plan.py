"""A series' rota over time: history recorded once, upcoming turns computed on demand.

Recording is lazy and also scheduled: every path that computes assignments first records
the occurrences that have started since `recorded_until` (`catch_up`), and a job at each
occurrence's start does the same, so history reflects who was due at the time even if
nobody asks for days. Later changes (a new order, an away added afterwards, someone
joining) only ever affect occurrences that have not happened yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from commands.common import calendars_and_zones
from domain.calendars import MemberCalendar, is_off
from domain.recurrence import Occurrence, Override, next_occurrence, occurrences
from domain.rotation import Rota, Turn, assign, left
from storage.away import away_at
from storage.db import Database
from storage.meetings import Meeting, overrides_for
from storage.rota import (
    RotaRow,
    history_at,
    pins_for,
    record,
    save_rota,
    set_recorded_until,
    skips_for,
)

TICK = timedelta(microseconds=1)
FAR = timedelta(days=3660)
MAX_STEPS = 500  # occurrences simulated or recorded at once (years of a weekly series)


@dataclass(frozen=True)
class Slot:
    """One occurrence and who holds each role in it."""

    occurrence: Occurrence
    holders: dict[str, str | None]
    away: frozenset[str]
    skipped: frozenset[str]
    swapped: bool
    holiday: frozenset[str] = frozenset()  # on their public holiday or own day off


async def _calendars(db: Database, members: Iterable[str], first: datetime
                     ) -> tuple[dict[str, MemberCalendar], dict[str, str]]:
    """Calendars for holiday skips. A member without a zone has no inferred country (a rota
    has no room default here); a country they chose still counts."""
    return await calendars_and_zones(db, members, "UTC", first.date() - timedelta(days=1))


async def _simulate(db: Database, row: RotaRow, occs: Iterable[Occurrence]
                    ) -> tuple[list[Slot], Rota]:
    """Assign each occurrence in turn from the counters as of `recorded_until`."""
    skips, pins = await skips_for(db, row.id), await pins_for(db, row.id)
    rota = row.rota
    slots: list[Slot] = []
    occs = list(occs)
    calendars, zones = (await _calendars(db, rota.order, occs[0].start_utc) if occs
                        else ({}, {}))
    for occ in occs:
        away = frozenset(await away_at(db, rota.order, occ.start_utc))
        skipped = frozenset(skips.get(occ.original_local, set()) & set(rota.order))
        # A holiday is a skip like an absence: the place in line is kept (domain.rotation).
        holiday = frozenset(m for m in rota.order if m in calendars
                            and is_off(calendars[m], zones[m], occ.start_utc)) - away - skipped
        pinned = pins.get(occ.original_local, {})
        holders, rota = assign(rota, Turn(away | skipped | holiday, pinned))
        swapped = any(pinned[r].member == who for r, who in holders.items() if r in pinned)
        slots.append(Slot(occ, holders, away - skipped, skipped, swapped, holiday))
    return slots, rota


def _after_recorded(row: RotaRow, meeting: Meeting, overrides: Mapping[datetime, Override],
                    before: datetime,
                    limit: int = MAX_STEPS) -> list[Occurrence]:
    return occurrences(meeting.series, row.recorded_until + TICK, before, overrides, limit=limit)


async def catch_up(db: Database, row: RotaRow, meeting: Meeting, now: datetime,
                   members: list[str] | None = None) -> tuple[RotaRow, list[str]]:
    """Record every occurrence that has started; then drop members who left the room.

    `members` is the room's membership when known (commands and jobs); the hook the digest
    calls has no room and passes None. Returns the updated row and who was dropped.
    """
    overrides = await overrides_for(db, meeting.id)
    occs = [] if meeting.cancelled else _after_recorded(row, meeting, overrides, now + TICK)
    rota = row.rota
    if occs:
        slots, rota = await _simulate(db, row, occs)
        for slot in slots:
            await record(db.conn, row.id, slot.occurrence.original_local,
                         slot.occurrence.start_utc, slot.holders)
    dropped: list[str] = []
    if members:  # an empty list means the room is unknown or empty: never wipe the rota on it
        present = set(members)
        dropped = [m for m in rota.order if m not in present]
        for member in dropped:
            rota = left(rota, member)
    if occs or dropped:
        await save_rota(db.conn, row.id, rota)
    if occs or now > row.recorded_until:
        upcoming = None if meeting.cancelled else next_occurrence(meeting.series, now,
                                                                   overrides)
        await set_recorded_until(db.conn, row.id, now, upcoming.start_utc if upcoming else None)
    return replace(row, rota=rota, recorded_until=max(now, row.recorded_until)), dropped


async def upcoming(db: Database, row: RotaRow, meeting: Meeting, after: datetime,
                   count: int) -> list[Slot]:
    """The next `count` occurrences starting after `after`, with their holders."""
    overrides = await overrides_for(db, meeting.id)
    occs: list[Occurrence] = []
    wanted = count
    for occ in _after_recorded(row, meeting, overrides, row.recorded_until + FAR):
        occs.append(occ)
        wanted -= occ.start_utc > after
        if wanted <= 0:
            break
    slots, _ = await _simulate(db, row, occs)
    return [s for s in slots if s.occurrence.start_utc > after]


async def slots_until(db: Database, row: RotaRow, meeting: Meeting, last: datetime
                      ) -> list[Slot]:
    """Every not-yet-recorded occurrence starting up to `last` (inclusive)."""
    overrides = await overrides_for(db, meeting.id)
    slots, _ = await _simulate(db, row, _after_recorded(row, meeting, overrides, last + TICK))
    return slots


async def holders_for(db: Database, row: RotaRow, meeting: Meeting,
                      occurrence_local: datetime, start_utc: datetime) -> dict[str, str | None]:
    """Who holds each role in one occurrence: its history if recorded, else computed."""
    recorded = await history_at(db, row.id, occurrence_local)
    if recorded is not None:
        return recorded
    if start_utc <= row.recorded_until:
        return {}  # before the rota existed, or skipped when it would have happened
    for slot in await slots_until(db, row, meeting, start_utc):
        if slot.occurrence.original_local == occurrence_local:
            return slot.holders
    return {}
