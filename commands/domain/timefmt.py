"""Show one instant to readers spread over many zones, without making anyone do arithmetic.

Instants are UTC datetimes; a naive datetime is taken to be UTC. English only for now.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from commands.domain.zones import zone_info, zone_label

__all__ = ["format_local", "local_time_line", "relative"]

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MINUS = "\u2212"  # a real minus sign reads better than a hyphen next to digits


def _as_utc(instant: datetime) -> datetime:
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def _day_shift(local: date, reference: date) -> str:
    days = (local - reference).days
    if days == 0:
        return ""
    sign = "+" if days > 0 else _MINUS
    return f" ({sign}{_plural(abs(days), 'day')})"


def local_time_line(instant_utc: datetime, zones: list[str], reader_zone: str | None) -> str:
    """One line such as "14:00 Nairobi/Addis Ababa · 16:30 Kolkata · 05:00 Bogota (−1 day)".

    Zones showing the same wall time and date share one entry. The reader's entry comes first
    (the reader's zone is added if missing), the rest run west to east by UTC offset. Day
    differences are relative to the reader's date, or to the first zone's without a reader.
    """
    instant = _as_utc(instant_utc)
    ordered = list(dict.fromkeys(([reader_zone] if reader_zone else []) + list(zones)))
    if not ordered:
        return ""
    locals_ = {zone: instant.astimezone(zone_info(zone)) for zone in ordered}
    reference = locals_[ordered[0]].date()

    groups: dict[tuple[date, str], list[str]] = {}
    for zone in ordered:
        local = locals_[zone]
        groups.setdefault((local.date(), f"{local:%H:%M}"), []).append(zone)

    def sort_key(item: tuple[tuple[date, str], list[str]]) -> tuple[bool, float]:
        members = item[1]
        offset = locals_[members[0]].utcoffset()
        seconds = offset.total_seconds() if offset is not None else 0.0
        return (reader_zone not in members, seconds)

    parts = []
    for (day, clock), members in sorted(groups.items(), key=sort_key):
        labels = "/".join(dict.fromkeys(zone_label(zone) for zone in members))
        parts.append(f"{clock} {labels}{_day_shift(day, reference)}")
    return " · ".join(parts)


def format_local(instant_utc: datetime, zone: str, *, with_date: bool = True) -> str:
    """E.g. "Thu 3 Dec 2026, 14:00 (Nairobi)"; built by hand so the server locale never leaks."""
    local = _as_utc(instant_utc).astimezone(zone_info(zone))
    clock = f"{local:%H:%M} ({zone_label(zone)})"
    if not with_date:
        return clock
    day = f"{_WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year}"
    return f"{day}, {clock}"


def relative(instant_utc: datetime, now_utc: datetime) -> str:
    """Rough distance for reminders: days from two days on, hours from two hours, else minutes."""
    seconds = (_as_utc(instant_utc) - _as_utc(now_utc)).total_seconds()
    magnitude = abs(seconds)
    if magnitude >= 2 * 86400:
        amount = _plural(int(magnitude / 86400 + 0.5), "day")
    elif magnitude >= 2 * 3600:
        amount = _plural(int(magnitude / 3600 + 0.5), "hour")
    else:
        minutes = int(magnitude / 60 + 0.5)
        if minutes == 0:
            return "now"
        amount = _plural(minutes, "minute")
    return f"in {amount}" if seconds > 0 else f"{amount} ago"
