"""Where each member lives, as a calendar: their country's working week, its public holidays,
and their own days off. No Matrix, no SQL.

Sources, and why:

- Country from zone: tzdata's `zone.tab` (one country per zone; Asia/Hebron → PS,
  Asia/Kathmandu → NP). Fixed offsets ("UTC+03:00") and "UTC" name no country. Subdivisions
  (Indian or Brazilian states) cannot be inferred, so members set them (`!calendar set IN-KA`).
- Public holidays: the `holidays` library (python-holidays), always asked with `language=` so
  names never follow the machine's locale. Islamic dates come from a table and carry the
  library's own "(estimated)" label, in the reader's language, until a country confirms them.
  One (country, subdivision, year, language) is computed once and kept (`_year`).
- The working week: the `holidays` library's `weekend` (it knows Fri–Sat for EG and JO, and
  the UAE's 2022 change), corrected by `WEEK_CORRECTIONS` below where it is wrong. Babel's
  CLDR data was compared for every country the network lives in (see the table's comments).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache, lru_cache
from importlib import resources

import holidays as holidays_lib
from babel import Locale, UnknownLocaleError

from domain.hours import WorkingHours, with_week
from domain.zones import zone_info

__all__ = [
    "WEEK_CORRECTIONS",
    "CalendarError",
    "CalendarView",
    "DayOff",
    "Holiday",
    "MemberCalendar",
    "Region",
    "country_name",
    "country_of_zone",
    "holidays_between",
    "is_off",
    "off_at",
    "parse_region",
    "working_week",
]

_ALL_DAYS = frozenset(range(7))
_SAT_SUN = frozenset({5, 6})

# Weekends (0 = Monday … 6 = Sunday) where the `holidays` library is wrong, newest first per
# country: (in force from, weekend days). Checked against `holidays` 0.109 and Babel 2.19
# (CLDR) for EG, JO, LB, PS, PK, ID, KE, IN, PH, NG, NP, ZA, BR, CO, MX, GT:
# - NP: both say Sat–Sun. Nepal went back to a Saturday-only weekend on 15 June 2022 after
#   six weeks of Sat–Sun (from 15 May 2022).
# - PS: both say Sat–Sun. The Palestinian Authority's civil service and most of the West
#   Bank and Gaza rest Friday–Saturday; sources differ (private employers, Jerusalem), so a
#   member with another week says so with `!hours set … Sun-Thu`.
# - IN: `holidays` says Sat–Sun, CLDR Sunday only. Central-government offices keep Sat–Sun;
#   many private employers work Saturdays. We keep Sat–Sun (no correction): a member who
#   works Saturdays names their days with `!hours`.
# - EG, JO: both Fri–Sat. LB, PK, ID, KE, PH, NG, ZA, BR, CO, MX, GT: both Sat–Sun.
WEEK_CORRECTIONS: dict[str, tuple[tuple[date, frozenset[int]], ...]] = {
    "NP": ((date(2022, 6, 15), frozenset({5})), (date(2022, 5, 15), _SAT_SUN)),
    "PS": ((date(2000, 1, 1), frozenset({4, 5})),),
}

_REGION = re.compile(r"([A-Za-z]{2})(?:[-_ ]([A-Za-z0-9]{1,3}))?")


class CalendarError(ValueError):
    """A country or subdivision the calendar cannot use; `kind` says which part is wrong."""

    def __init__(self, kind: str, country: str, subdivision: str | None = None,
                 known: tuple[str, ...] = ()) -> None:
        super().__init__(kind, country, subdivision)
        self.kind = kind  # "unreadable", "country" or "subdivision"
        self.country = country
        self.subdivision = subdivision
        self.known = known  # the country's subdivisions, for "subdivision"


@dataclass(frozen=True)
class Region:
    """A country (ISO 3166 alpha-2) and optionally one of its subdivisions (ISO 3166-2)."""

    country: str
    subdivision: str | None = None

    def __str__(self) -> str:
        return f"{self.country}-{self.subdivision}" if self.subdivision else self.country

    @classmethod
    def from_storage(cls, text: str) -> Region:
        country, _dash, sub = text.partition("-")
        return cls(country, sub or None)

    @property
    def has_holidays(self) -> bool:
        return self.country in _supported()


@dataclass(frozen=True)
class Holiday:
    """One public holiday on one date; `name` in the language it was asked in."""

    day: date
    name: str


@dataclass(frozen=True)
class DayOff:
    """A member's own days off, local dates inclusive; `worked`: a day they work although it
    is a public holiday or weekend (`!calendar on`)."""

    first: date
    last: date
    note: str | None = None
    worked: bool = False

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last


@cache
def _zone_countries() -> dict[str, str]:
    """zone.tab: zone → country code. The `tzdata` package ships it (a dependency)."""
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    found: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            fields = line.split("\t")
            if len(fields) >= 3:
                found[fields[2]] = fields[0]
    return found


def country_of_zone(zone: str) -> str | None:
    """The country a zone key is in; None for "UTC", fixed offsets and unknown names."""
    return _zone_countries().get(zone)


@cache
def _supported() -> dict[str, tuple[str, ...]]:
    return {cc: tuple(subs) for cc, subs in holidays_lib.list_supported_countries().items()}


@cache
def _territories() -> frozenset[str]:
    return frozenset(k for k in Locale("en").territories
                     if isinstance(k, str) and len(k) == 2 and k.isalpha())


def parse_region(text: str) -> Region:
    """"jo", "IN-KA", "br sp" → a Region; CalendarError says what is wrong.

    A country the holiday library does not cover is accepted (its week still applies, with
    no public holidays) as long as it is a real ISO country code.
    """
    match = _REGION.fullmatch(text.strip())
    if not match:
        raise CalendarError("unreadable", text.strip()[:20])
    country, sub = match[1].upper(), (match[2] or "").upper() or None
    supported = _supported()
    if country not in supported and country not in _territories():
        raise CalendarError("country", country, sub)
    if sub is not None:
        known = supported.get(country, ())
        if sub not in known:
            raise CalendarError("subdivision", country, sub, known)
    return Region(country, sub)


def country_name(country: str, lang: str) -> str:
    """The country's name in the reader's language (CLDR), else its code."""
    try:
        return Locale.parse(lang).territories.get(country, country)
    except (UnknownLocaleError, ValueError):
        return country


@lru_cache(maxsize=256)
def _library_weekend(country: str) -> frozenset[int]:
    if country not in _supported():
        return _SAT_SUN
    return frozenset(holidays_lib.country_holidays(country, years=()).weekend)


def working_week(country: str | None, on: date) -> frozenset[int]:
    """The country's working days (0 = Monday) on a date; Mon–Fri without a country."""
    if not country:
        return frozenset(range(5))
    weekend = _library_weekend(country)
    for since, days in WEEK_CORRECTIONS.get(country, ()):
        if on >= since:
            weekend = days
            break
    return _ALL_DAYS - weekend


def _library_language(country: str, lang: str) -> str | None:
    """The library's language closest to the reader's: exact, then regional variant
    (the country's own first), then US English; None means the country's default."""
    offered = holidays_lib.country_holidays(country, years=()).supported_languages
    if lang in offered:
        return lang
    regional = [code for code in offered if code.split("_")[0] == lang]
    if regional:
        own = f"{lang}_{country}"
        return own if own in regional else regional[0]
    return "en_US" if "en_US" in offered else None


@lru_cache(maxsize=1024)
def _year(country: str, subdivision: str | None, year: int, lang: str
          ) -> tuple[tuple[date, tuple[str, ...]], ...]:
    """One year of one region's holidays in one language: computed once, then kept."""
    language = _library_language(country, lang)
    table = holidays_lib.country_holidays(country, subdiv=subdivision, years=year,
                                          language=language)
    return tuple(sorted((day, tuple(table.get_list(day))) for day in table))


def holidays_between(region: Region | None, first: date, last: date, lang: str = "en"
                     ) -> list[Holiday]:
    """Public holidays from `first` to `last` (inclusive), in date order."""
    if region is None or not region.has_holidays or last < first:
        return []
    found: list[Holiday] = []
    for year in range(first.year, last.year + 1):
        for day, names in _year(region.country, region.subdivision, year, lang):
            if first <= day <= last:
                found.extend(Holiday(day, name) for name in names)
    return found


@dataclass(frozen=True)
class MemberCalendar:
    """What a member's days look like: which weekdays they work, their region's holidays
    and their own days off.

    `days`: the weekdays named with `!hours`, or None to follow the region's week (Mon–Fri
    without a region). Personal entries win over holidays; a worked entry wins over all.
    """

    region: Region | None
    days: frozenset[int] | None = None
    own: tuple[DayOff, ...] = ()

    def working_days(self, on: date) -> frozenset[int]:
        if self.days is not None:
            return self.days
        return working_week(self.region.country if self.region else None, on)

    def holidays(self, first: date, last: date, lang: str = "en") -> list[Holiday]:
        return holidays_between(self.region, first, last, lang)

    def worked(self, day: date) -> bool:
        return any(entry.worked and entry.covers(day) for entry in self.own)

    def personal_off(self, day: date) -> DayOff | None:
        return next((e for e in self.own if not e.worked and e.covers(day)), None)

    def off_reason(self, day: date, lang: str = "en") -> str | None:
        """Why `day` is not worked: "weekend", "holiday" or "personal"; None if worked.

        A day marked worked (`!calendar on`) is worked whatever else is true of it.
        """
        if self.worked(day):
            return None
        if self.personal_off(day) is not None:
            return "personal"
        if holidays_between(self.region, day, day, lang):
            return "holiday"
        if day.weekday() not in self.working_days(day):
            return "weekend"
        return None

    def days_off(self, first: date, last: date) -> frozenset[date]:
        """Holidays and personal days off (not weekends) between the dates, inclusive:
        what ranking and prompts add to the working week."""
        off = {h.day for h in self.holidays(first, last)}
        for entry in self.own:
            if not entry.worked:
                day = max(entry.first, first)
                while day <= min(entry.last, last):
                    off.add(day)
                    day += timedelta(days=1)
        return frozenset(d for d in off if not self.worked(d))


_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=8192)
def _away(calendar: MemberCalendar, day: date) -> bool:
    """A public holiday or own day off the member does not work through. Kept: the ranking
    asks about the same dates every quarter hour."""
    return calendar.off_reason(day) in ("holiday", "personal")


@lru_cache(maxsize=512)
def _on_week(hours: WorkingHours, days: frozenset[int]) -> WorkingHours:
    return with_week(hours, days)


@dataclass(frozen=True)
class CalendarView:
    """A member's working time as `domain.availability` sees it (a `WorkingTime`): their
    hours on their calendar's week (their country's, unless `!hours` named days), with no
    working time on a public holiday or own day off. This is the one path every fair-time
    question goes through: suggestions, notes on `!meeting add`/`move`, `!fairness`, charts.

    A shift that starts the evening before a holiday still runs into it (it belongs to the
    day it starts on); a shift that would start on the holiday does not happen.
    """

    hours: WorkingHours  # as stored (or the default); days replaced by the week when unnamed
    calendar: MemberCalendar

    def hours_on(self, day: date) -> WorkingHours:
        """The hours that apply on a date (Nepal's week changed in 2022)."""
        if self.calendar.days is not None:
            return self.hours
        return _on_week(self.hours, self.calendar.working_days(day))

    def away(self, day: date) -> bool:
        return _away(self.calendar, day)

    def working(self, local: datetime) -> bool:
        today = local.date()
        now = local.time().replace(tzinfo=None)
        if not self.away(today):
            weekday = today.weekday()
            for shift in self.hours_on(today).shifts:
                if weekday in shift.days and shift.start <= now and (
                        shift.overnight or now < shift.end):
                    return True
        yesterday = today - _ONE_DAY
        if not self.away(yesterday):
            weekday = yesterday.weekday()
            for shift in self.hours_on(yesterday).shifts:
                if shift.overnight and weekday in shift.days and now < shift.end:
                    return True
        return False

    def day_off(self, day: date) -> bool:
        """No shift touches the date: not a working weekday (or away), and no overnight
        shift from the day before reaches into it."""
        if not self.away(day) and day.weekday() in self.hours_on(day).days:
            return False
        yesterday = day - _ONE_DAY
        if self.away(yesterday):
            return True
        weekday = yesterday.weekday()
        return not any(shift.overnight and shift.end != time(0) and weekday in shift.days
                       for shift in self.hours_on(yesterday).shifts)


def effective_days(named: frozenset[int] | None, days_named: bool | None
                   ) -> frozenset[int] | None:
    """The weekdays a member named with `!hours`, or None to follow their country's week.

    Hours saved before calendars existed did not record whether days were typed: Mon–Fri
    (the parser's default) is then read as "not named".
    """
    if named is None:
        return None
    if days_named is None:
        return None if named == frozenset(range(5)) else named
    return named if days_named else None


def calendar_for(region_setting: str | None, zone: str, named: frozenset[int] | None,
                 days_named: bool | None, own: Iterable[DayOff] = ()) -> MemberCalendar:
    """A member's calendar from what is stored: `region_setting` None infers it from the
    zone, "" means none."""
    if region_setting is None:
        country = country_of_zone(zone)
        region = Region(country) if country else None
    else:
        region = Region.from_storage(region_setting) if region_setting else None
    return MemberCalendar(region, effective_days(named, days_named), tuple(own))


def local_date(instant: datetime, zone: str) -> date:
    return instant.astimezone(zone_info(zone)).date()


def is_off(calendar: MemberCalendar, zone: str, instant: datetime) -> bool:
    """Whether an instant falls on the member's public holiday or own day off (their local
    date). Weekends are the working week's business (`working_days`), not this."""
    return calendar.off_reason(local_date(instant, zone)) in ("holiday", "personal")


def off_at(calendars: Mapping[str, MemberCalendar], zones: Mapping[str, str],
           instant: datetime, lang: str = "en") -> dict[str | None, list[str]]:
    """Holiday name (None for a personal day off) → the members it keeps away at `instant`,
    each on their own local date; names in `lang` where the library has it."""
    found: dict[str | None, list[str]] = {}
    for user_id, cal in calendars.items():
        day = local_date(instant, zones[user_id])
        reason = cal.off_reason(day, lang)
        if reason == "personal":
            found.setdefault(None, []).append(user_id)
        elif reason == "holiday":
            for holiday in cal.holidays(day, day, lang):
                found.setdefault(holiday.name, []).append(user_id)
    return found
