"""Show one instant to readers spread over many zones, without making anyone do arithmetic.

Instants are UTC datetimes; a naive datetime is taken to be UTC. Words follow the active
language (`domain.i18n`); day and month names come from CLDR through Babel, with each
pattern resolved once per language, so formatting costs microseconds. English keeps its
compact "Thu 3 Dec 2026" form.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Literal

from babel import Locale
from babel.dates import (
    DateTimePattern,
    format_date,
    get_day_names,
    get_month_names,
    match_skeleton,
    parse_pattern,
)

from domain.i18n import _, current_language, ngettext
from domain.zones import zone_info, zone_label

__all__ = [
    "day_phrase",
    "format_day",
    "format_local",
    "local_time_line",
    "long_date",
    "long_day",
    "month_name",
    "relative",
    "weekday_name",
]

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MINUS = "\u2212"  # a real minus sign reads better than a hyphen next to digits


def _as_utc(instant: datetime) -> datetime:
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


@cache
def _pattern(lang: str, skeleton: str) -> DateTimePattern:
    """The language's own pattern for a CLDR skeleton ("yMMMEd"), with full day names for EEEE."""
    skeletons = _locale(lang).datetime_skeletons
    pattern = str(skeletons[match_skeleton(skeleton, skeletons)])
    if "EEEE" in skeleton and "EEEE" not in pattern:
        pattern = pattern.replace("EEE", "EEEE") if "EEE" in pattern else pattern.replace(
            "E", "EEEE")
    return parse_pattern(pattern)


def _with_pattern(value: date, skeleton: str) -> str:
    lang = current_language()
    return _pattern(lang, skeleton).apply(value, _locale(lang))


def weekday_name(index: int, *, short: bool = True) -> str:
    """Monday is 0. "Thu"/"Thursday" in English, "jue."/"jueves" in Spanish…"""
    lang = current_language()
    if lang == "en" and short:
        return _WEEKDAYS[index]
    width: Literal["abbreviated", "wide"] = "abbreviated" if short else "wide"
    return str(get_day_names(width, locale=_locale(lang))[index])


def month_name(month: int, *, short: bool = True) -> str:
    """January is 1."""
    lang = current_language()
    if lang == "en" and short:
        return _MONTHS[month - 1]
    width: Literal["abbreviated", "wide"] = "abbreviated" if short else "wide"
    return str(get_month_names(width, locale=_locale(lang))[month])


def format_day(day: date, *, with_year: bool = False) -> str:
    """A day without a time: "Thu 3 Dec" (English), "jue, 3 dic" (Spanish)."""
    if current_language() == "en":
        text = f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"
        return f"{text} {day.year}" if with_year else text
    return _with_pattern(day, "yMMMEd" if with_year else "MMMEd")


def long_date(day: date) -> str:
    """"15 December 2026", "15 de diciembre de 2026", "15 décembre 2026"…"""
    lang = current_language()
    if lang == "en":
        return f"{day.day} {month_name(day.month, short=False)} {day.year}"
    return str(format_date(day, format="long", locale=_locale(lang)))


def day_phrase(day: date, today: date, *, with_year: bool = False) -> str:
    """A day as replies restate it: "today, Thu 3 Dec", "tomorrow, Fri 4 Dec", "Mon 7 Dec".

    Said in words a member can type back: every parser reads it as the same day.
    """
    shown = format_day(day, with_year=with_year)
    offset = (day - today).days
    if offset == 0:
        # Translators: a day restated, e.g. "today, Thu 3 Dec".
        return _("today, {day}").format(day=shown)
    if offset == 1:
        # Translators: a day restated, e.g. "tomorrow, Fri 4 Dec".
        return _("tomorrow, {day}").format(day=shown)
    if offset == -1:
        # Translators: a day restated, e.g. "yesterday, Wed 2 Dec".
        return _("yesterday, {day}").format(day=shown)
    return shown


def long_day(day: date) -> str:
    """The day spelled out: "Thursday 3 December", "jueves, 3 de diciembre"."""
    if current_language() == "en":
        return f"{weekday_name(day.weekday(), short=False)} {day.day} " \
            f"{month_name(day.month, short=False)}"
    return _with_pattern(day, "MMMMEEEEd")


def _day_shift(local: date, reference: date) -> str:
    days = (local - reference).days
    if days == 0:
        return ""
    count = abs(days)
    if days > 0:
        return " " + ngettext("(+{count} day)", "(+{count} days)", count).format(count=count)
    return " " + ngettext("(−{count} day)", "(−{count} days)", count).format(count=count)


# A line stays readable on a phone: at most this many local times, each naming at most
# this many places; the rest is counted ("and 14 more local times", "Paris/Berlin +4").
MAX_TIMES = 8
MAX_PLACES = 2


def local_time_line(instant_utc: datetime, zones: Iterable[str] | Mapping[str, int],
                    reader_zone: str | None, *, max_times: int = MAX_TIMES,
                    max_places: int = MAX_PLACES) -> str:
    """One line such as "14:00 Nairobi/Addis Ababa · 16:30 Kolkata · 05:00 Bogota (−1 day)".

    Zones showing the same wall time and date share one entry. The reader's entry comes first
    (the reader's zone is added if missing), the rest run west to east by UTC offset. Day
    differences are relative to the reader's date, or to the first zone's without a reader.

    A big room's many zones are capped: `zones` may map each zone to how many members use
    it, and past `max_times` entries the line keeps the reader's and the most used ones and
    ends with "and N more local times"; an entry names its `max_places` most used places
    and counts the others ("Paris/Berlin +4").
    """
    instant = _as_utc(instant_utc)
    weights: Mapping[str, int] = zones if isinstance(zones, Mapping) else {}
    ordered = list(dict.fromkeys(([reader_zone] if reader_zone else []) + list(zones)))
    if not ordered:
        return ""
    # Zones at the same UTC offset show the same wall time and date: one entry, its local
    # time worked out once (a big room's listing draws 50 of these lines).
    groups: dict[timedelta, list[str]] = {}
    shown: dict[timedelta, datetime] = {}
    for zone in ordered:
        local = instant.astimezone(zone_info(zone))
        offset = local.utcoffset() or timedelta(0)
        if offset not in groups:
            groups[offset], shown[offset] = [], local
        groups[offset].append(zone)
    reference = next(iter(shown.values())).date()

    def weight(members: list[str]) -> int:
        return sum(weights.get(zone, 1) for zone in members)

    entries = sorted(groups.items(), key=lambda item: (reader_zone not in item[1], item[0]))
    hidden = 0
    if len(entries) > max_times:
        # The reader's entry (first) always stays; then the entries most members read.
        first = 1 if reader_zone else 0
        rank = sorted(range(first, len(entries)), key=lambda i: (-weight(entries[i][1]), i))
        kept = {*range(first), *rank[:max_times - first]}
        hidden = len(entries) - len(kept)
        entries = [entry for index, entry in enumerate(entries) if index in kept]

    parts = []
    for offset, members in entries:
        local = shown[offset]
        by_use = sorted(members, key=lambda z: (z != reader_zone, -weights.get(z, 1)))
        labels = list(dict.fromkeys(zone_label(zone) for zone in by_use))
        places = "/".join(labels[:max_places])
        if len(labels) > max_places:
            # Translators: an entry's places past the first few are counted, e.g.
            # "Paris/Berlin +4" (four more places with the same local time).
            places = _("{places} +{count}").format(places=places,
                                                   count=len(labels) - max_places)
        parts.append(f"{local:%H:%M} {places}{_day_shift(local.date(), reference)}")
    if hidden:
        # Translators: ends a line of local times in a big room, e.g. "14:00 Nairobi ·
        # 06:00 Bogota · and 12 more local times".
        parts.append(ngettext("and {count} more local time", "and {count} more local times",
                              hidden).format(count=hidden))
    return " · ".join(parts)


def format_local(instant_utc: datetime, zone: str, *, with_date: bool = True) -> str:
    """E.g. "Thu 3 Dec 2026, 14:00 (Nairobi)"; never the server's locale, always the reader's."""
    local = _as_utc(instant_utc).astimezone(zone_info(zone))
    clock = f"{local:%H:%M}"
    if not with_date:
        return _("{time} ({place})").format(time=clock, place=zone_label(zone))
    # Translators: a date and a time in a city, e.g. "Thu 3 Dec 2026, 14:00 (Nairobi)".
    return _("{date}, {time} ({place})").format(
        date=format_day(local.date(), with_year=True), time=clock, place=zone_label(zone))


def relative(instant_utc: datetime, now_utc: datetime) -> str:
    """Rough distance for reminders: days from two days on, hours from two hours, else minutes."""
    seconds = (_as_utc(instant_utc) - _as_utc(now_utc)).total_seconds()
    magnitude = abs(seconds)
    if magnitude >= 2 * 86400:
        count = int(magnitude / 86400 + 0.5)
        if seconds > 0:
            return ngettext("in {count} day", "in {count} days", count).format(count=count)
        return ngettext("{count} day ago", "{count} days ago", count).format(count=count)
    if magnitude >= 2 * 3600:
        count = int(magnitude / 3600 + 0.5)
        if seconds > 0:
            return ngettext("in {count} hour", "in {count} hours", count).format(count=count)
        return ngettext("{count} hour ago", "{count} hours ago", count).format(count=count)
    count = int(magnitude / 60 + 0.5)
    if count == 0:
        return _("now")
    if seconds > 0:
        return ngettext("in {count} minute", "in {count} minutes", count).format(count=count)
    return ngettext("{count} minute ago", "{count} minutes ago", count).format(count=count)
