"""Turn what members type into time zone keys, and keys into clocks and labels.

A zone key is either an IANA name ("Africa/Nairobi"), "UTC", or a fixed offset written
"UTC+05:45" / "UTC-05:30". Keys are what gets stored, so they must stay stable.

Matching rules for `resolve_zone`, in order:

1. "UTC", "GMT", "Z" and friends mean "UTC".
2. "Etc/GMT+3" is refused: POSIX inverts its sign (it is UTC-03:00), which misleads people.
3. Fixed offsets ("UTC+3", "GMT-05:30", "+05:45") become "UTC+HH:MM" (-12:00..+14:00,
   whole quarter hours only); a zero offset becomes "UTC".
4. An exact IANA name, case-insensitive. Renamed cities map to today's name
   ("Asia/Calcutta" -> "Asia/Kolkata"). A legacy name that is also a city ("Singapore")
   prefers the city zone ("Asia/Singapore"); other legacy names ("US/Eastern") are kept.
5. A city: the last part of a zone name, with case, accents, spaces, underscores and
   hyphens ignored ("sao paulo", "Bogotá"). Only the geographic regions take part (no
   "Etc", "SystemV", "US/..."). When a city appears in several zones, renamed links are
   followed first, then the deepest name wins (the nested names are tzdata's canonical
   ones, e.g. "America/Argentina/Cordoba"), then alphabetical order.
6. A whole name with separators folded ("america new york").
7. A city as CLDR writes it in es/fr/pt/ar ("Beyrouth", "Nueva York", "بيروت").

Abbreviations ("EST", "PST", "CET", "EAT") become the fixed offset they name ("UTC-05:00"):
that is what they mean, all year; the member is told that such a zone never changes for
daylight saving and which city to name instead. One with two common
meanings ("IST": Kolkata, Jerusalem or Dublin; "CST", "BST", "AST") is refused, with the
cities offered. `abbreviation` gives the offset and those cities, for a reply to say so.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
import zoneinfo
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from babel import Locale

from domain.errors import DomainError
from domain.i18n import _, current_language

__all__ = [
    "ZoneError",
    "abbreviation",
    "find_zones",
    "resolve_zone",
    "utc_offset_label",
    "zone_info",
    "zone_label",
]

# Geographic regions; everything else ("Etc", "US", "SystemV", "EST5EDT"...) is legacy.
_REGIONS = frozenset(
    {"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic"}
    | {"Australia", "Europe", "Indian", "Pacific"}
)
# Names that are not real zones for a person to live in.
_NOT_ZONES = frozenset({"Factory", "localtime", "posixrules"})
# Old spellings kept by tzdata as links; we store the current name instead.
_RENAMED = {
    "Africa/Asmera": "Africa/Asmara",
    "America/Godthab": "America/Nuuk",
    "Asia/Ashkhabad": "Asia/Ashgabat",
    "Asia/Calcutta": "Asia/Kolkata",
    "Asia/Dacca": "Asia/Dhaka",
    "Asia/Istanbul": "Europe/Istanbul",
    "Asia/Katmandu": "Asia/Kathmandu",
    "Asia/Macao": "Asia/Macau",
    "Asia/Rangoon": "Asia/Yangon",
    "Asia/Saigon": "Asia/Ho_Chi_Minh",
    "Asia/Thimbu": "Asia/Thimphu",
    "Asia/Ujung_Pandang": "Asia/Makassar",
    "Asia/Ulan_Bator": "Asia/Ulaanbaatar",
    "Atlantic/Faeroe": "Atlantic/Faroe",
    "Europe/Kiev": "Europe/Kyiv",
    "Pacific/Enderbury": "Pacific/Kanton",
    "Pacific/Ponape": "Pacific/Pohnpei",
    "Pacific/Truk": "Pacific/Chuuk",
}
# Links whose city part misleads: "Pacific/Samoa" is American Samoa, not Samoa.
_NOT_CITIES = frozenset({"Pacific/Samoa"})
_UTC_WORDS = frozenset(
    {"utc", "gmt", "z", "zulu", "uct", "universal", "greenwich", "gmt0", "gmt+0", "gmt-0"}
)
_ETC_GMT = re.compile(r"etc/gmt([+-])([0-9]{1,2})")
_OFFSET = re.compile(r"(?:utc|gmt)?\s*([+-])\s*([0-9]{1,2})(?::?([0-9]{2}))?")
_FIXED_KEY = re.compile(r"UTC([+-])([0-9]{2}):([0-9]{2})")
_MAX_INPUT = 80
# Abbreviations: the fixed offset each means, and the cities whose clocks people mean by it.
_ABBREVIATIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "EST": ("UTC-05:00", ("America/New_York",)),
    "EDT": ("UTC-04:00", ("America/New_York",)),
    "CDT": ("UTC-05:00", ("America/Chicago",)),
    "MST": ("UTC-07:00", ("America/Denver", "America/Phoenix")),
    "MDT": ("UTC-06:00", ("America/Denver",)),
    "PST": ("UTC-08:00", ("America/Los_Angeles",)),
    "PDT": ("UTC-07:00", ("America/Los_Angeles",)),
    "AKST": ("UTC-09:00", ("America/Anchorage",)),
    "HST": ("UTC-10:00", ("Pacific/Honolulu",)),
    "COT": ("UTC-05:00", ("America/Bogota",)),
    "PET": ("UTC-05:00", ("America/Lima",)),
    "BOT": ("UTC-04:00", ("America/La_Paz",)),
    "ART": ("UTC-03:00", ("America/Argentina/Buenos_Aires",)),
    "BRT": ("UTC-03:00", ("America/Sao_Paulo",)),
    "WET": ("UTC", ("Europe/Lisbon",)),
    "WEST": ("UTC+01:00", ("Europe/Lisbon",)),
    "CET": ("UTC+01:00", ("Europe/Paris", "Europe/Berlin")),
    "CEST": ("UTC+02:00", ("Europe/Paris", "Europe/Berlin")),
    "EET": ("UTC+02:00", ("Asia/Beirut", "Europe/Athens")),
    "EEST": ("UTC+03:00", ("Asia/Beirut", "Europe/Athens")),
    "MSK": ("UTC+03:00", ("Europe/Moscow",)),
    "WAT": ("UTC+01:00", ("Africa/Lagos",)),
    "CAT": ("UTC+02:00", ("Africa/Maputo",)),
    "SAST": ("UTC+02:00", ("Africa/Johannesburg",)),
    "EAT": ("UTC+03:00", ("Africa/Nairobi",)),
    "GST": ("UTC+04:00", ("Asia/Dubai",)),
    "PKT": ("UTC+05:00", ("Asia/Karachi",)),
    "NPT": ("UTC+05:45", ("Asia/Kathmandu",)),
    "ICT": ("UTC+07:00", ("Asia/Bangkok",)),
    "WIB": ("UTC+07:00", ("Asia/Jakarta",)),
    "SGT": ("UTC+08:00", ("Asia/Singapore",)),
    "HKT": ("UTC+08:00", ("Asia/Hong_Kong",)),
    "PHT": ("UTC+08:00", ("Asia/Manila",)),
    "AWST": ("UTC+08:00", ("Australia/Perth",)),
    "JST": ("UTC+09:00", ("Asia/Tokyo",)),
    "KST": ("UTC+09:00", ("Asia/Seoul",)),
    "ACST": ("UTC+09:30", ("Australia/Adelaide",)),
    "AEST": ("UTC+10:00", ("Australia/Sydney",)),
    "AEDT": ("UTC+11:00", ("Australia/Sydney",)),
    "NZST": ("UTC+12:00", ("Pacific/Auckland",)),
    "NZDT": ("UTC+13:00", ("Pacific/Auckland",)),
}
# Abbreviations with two common meanings: refused, the cities offered.
_TWO_MEANINGS: dict[str, tuple[str, ...]] = {
    "IST": ("Asia/Kolkata", "Asia/Jerusalem", "Europe/Dublin"),
    "CST": ("America/Chicago", "America/Mexico_City", "Asia/Shanghai"),
    "BST": ("Europe/London", "Asia/Dhaka"),
    "AST": ("America/Halifax", "Asia/Riyadh"),
}


class ZoneError(DomainError):
    """A zone the bot cannot use; `suggestions` are keys worth offering instead.

    `message` (the reply) offers the first three; `str()` is the bare reason, for a
    caller that builds a sentence of its own around it.
    """

    def __init__(self, message: str,
                 suggestions: list[str] | Callable[[], list[str]] | None = None, *,
                 ambiguous: bool = False) -> None:
        super().__init__(message)
        # Looking for near names is slow (fuzzy matching over every zone): done on demand,
        # as most callers that try a word as a zone never show the suggestions.
        self._suggestions = suggestions
        # The text names a zone, but two different ones ("IST"): each suggestion is a reading.
        self.ambiguous = ambiguous

    @property
    def suggestions(self) -> list[str]:
        if callable(self._suggestions):
            self._suggestions = self._suggestions()
        return list(self._suggestions or [])

    @property
    def message(self) -> str:
        """The reason, and the first three suggestions (worked out when shown)."""
        if self.ambiguous or not self.suggestions:
            return self._message
        # Translators: {zones} is a list of time zones, e.g. "Asia/Kolkata, Asia/Karachi".
        return self._message + " " + _("Did you mean {zones}?").format(
            zones=", ".join(self.suggestions[:3]))

    @message.setter
    def message(self, value: str) -> None:
        self._message = value


def _fold(text: str) -> str:
    """Compare names the way people type them: no case, accents or separators."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return "".join(c for c in bare if c.isalnum())


def _city(key: str) -> str:
    return key.rsplit("/", 1)[-1]


def _depth_then_name(key: str) -> tuple[int, str]:
    return (-key.count("/"), key)


@functools.cache
def _tables() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Build lookup tables once: exact (lowercase) names, folded cities, folded full names."""
    names = zoneinfo.available_timezones() - _NOT_ZONES
    exact = {name.lower(): _RENAMED.get(name, name) for name in names}
    city_choices: dict[str, set[str]] = {}
    full: dict[str, str] = {}
    for name in names:
        if name.split("/", 1)[0] not in _REGIONS or name in _NOT_CITIES:
            continue
        target = _RENAMED.get(name, name)
        city_choices.setdefault(_fold(_city(name)), set()).add(target)
        full[_fold(name)] = target
    cities = {c: min(keys, key=_depth_then_name) for c, keys in city_choices.items()}
    return exact, cities, full


def _fixed_key(sign: str, hours: int, minutes: int) -> str:
    if hours == 0 and minutes == 0:
        return "UTC"
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def _parse_offset(folded: str, original: str) -> str | None:
    """Return a fixed-offset key, None if this is not offset syntax, or raise if out of range."""
    match = _OFFSET.fullmatch(folded)
    if not match:
        return None
    sign, hours, minutes = match[1], int(match[2]), int(match[3] or 0)
    if minutes not in (0, 15, 30, 45):
        raise ZoneError(_('"{text}": offsets must be whole quarter hours (:00, :15, :30, :45).')
                        .format(text=original))
    total = hours * 60 + minutes
    if (sign == "+" and total > 14 * 60) or (sign == "-" and total > 12 * 60):
        raise ZoneError(_('"{text}": UTC offsets run from UTC-12:00 to UTC+14:00.').format(
            text=original))
    return _fixed_key(sign, hours, minutes)


def _suggest(query: str) -> list[str]:
    if not query:
        return []
    _, cities, full = _tables()
    pool = {**full, **cities}
    found = difflib.get_close_matches(query, list(pool), n=10, cutoff=0.6)
    return list(dict.fromkeys(pool[f] for f in found))[:5]


def resolve_zone(text: str, *, any_case: bool = False) -> str:
    """Accept the many ways members write a zone and return one stable key (see module doc).

    Abbreviations count in capitals ("EST"), so that words of free text ("pet", "cat",
    "art") never become zones; `any_case` also takes "est" where only a zone can be meant.
    """
    original = text.strip()
    if not original:
        raise ZoneError(_("No time zone given."))
    if len(original) > _MAX_INPUT:
        raise ZoneError(_("That is too long to be a time zone."))
    lowered = original.lower().replace("\u2212", "-")
    compact = re.sub(r"\s+", "", lowered)
    if compact in _UTC_WORDS or compact.removeprefix("etc/") in _UTC_WORDS:
        return "UTC"
    if etc := _ETC_GMT.fullmatch(compact):
        # POSIX style: "Etc/GMT+3" is three hours *behind* UTC.
        real_sign = "-" if etc[1] == "+" else "+"
        hint = _fixed_key(real_sign, int(etc[2]), 0)
        # Translators: {zone} is a fixed offset to type instead, e.g. "UTC-03:00".
        raise ZoneError(_('"{text}" has an inverted sign; write "{zone}" instead.').format(
            text=original, zone=hint), [hint])
    upper = compact.upper()
    if not any_case and original.replace(" ", "") != upper:
        upper = ""
    if upper in _ABBREVIATIONS:
        return _ABBREVIATIONS[upper][0]
    if upper in _TWO_MEANINGS:
        now = datetime.now(UTC)
        choices = [f"{zone_label(key)} ({utc_offset_label(key, now)})"
                   for key in _TWO_MEANINGS[upper]]
        # Translators: {text} is what was typed, e.g. "IST"; {places} cities with their
        # offsets, e.g. "Kolkata (UTC+05:30), Jerusalem (UTC+02:00) or Dublin (UTC+00:00)".
        raise ZoneError(_('"{text}" could mean the time in {places}.').format(
            text=original, places=_(" or ").join([", ".join(choices[:-1]), choices[-1]])),
            list(_TWO_MEANINGS[upper]), ambiguous=True)
    if (fixed := _parse_offset(compact, original)) is not None:
        return fixed
    exact, cities, full = _tables()
    folded = _fold(original)
    by_city = cities.get(folded)
    if (name := exact.get(lowered)) is not None:
        if name.split("/", 1)[0] in _REGIONS or by_city is None:
            return name
        return by_city
    if by_city is not None:
        return by_city
    if (by_full := full.get(folded)) is not None:
        return by_full
    if (by_name := _cldr_cities().get(folded)) is not None:
        return by_name
    raise ZoneError(_unknown(original), lambda: _suggest(folded))


@functools.cache
def _cldr_cities() -> dict[str, str]:
    """Cities as CLDR writes them in the other languages ("Beyrouth", "بيروت"), folded."""
    _exact, cities, _full = _tables()
    found: dict[str, str] = {}
    for lang in ("es", "fr", "pt", "ar"):
        for key, names in Locale.parse(lang).time_zones.items():
            city = names.get("city") if hasattr(names, "get") else None
            if not city or key.split("/", 1)[0] not in _REGIONS:
                continue
            folded = _fold(str(city))
            if folded and folded not in cities:
                found.setdefault(folded, _RENAMED.get(key, key))
    return found


def abbreviation(text: str) -> tuple[str, tuple[str, ...]] | None:
    """For "EST" and the like: the fixed offset it is, and the cities people mean by it."""
    return _ABBREVIATIONS.get(re.sub(r"\s+", "", text).upper())
def _unknown(text: str) -> str:
    return _('Unknown time zone "{zone}".').format(zone=text)


def find_zones(text: str, limit: int = 10) -> list[str]:
    """Rank zones for `!tz find`: exact city, city prefix, substring, then fuzzy matches."""
    query = _fold(text)
    if not query or limit <= 0:
        return []
    _, cities, full = _tables()
    ranked: dict[str, int] = {}

    def add(key: str, tier: int) -> None:
        ranked[key] = min(tier, ranked.get(key, tier))

    for city, key in cities.items():
        if city == query:
            add(key, 0)
        elif city.startswith(query):
            add(key, 1)
        elif query in city:
            add(key, 2)
    for name, key in full.items():
        if query in name:
            add(key, 3)
    fuzzy = difflib.get_close_matches(query, list(cities), n=limit, cutoff=0.6)
    for position, city in enumerate(fuzzy):
        add(cities[city], 4 + position)
    ordered = sorted(ranked, key=lambda k: (ranked[k], len(_city(k)), k))
    return ordered[:limit]


@functools.lru_cache(maxsize=512)
def zone_info(key: str) -> tzinfo:
    """Clock for a stored key; fixed offsets get a plain `timezone` so they never shift."""
    if key == "UTC":
        return UTC
    if fixed := _FIXED_KEY.fullmatch(key):
        offset = timedelta(hours=int(fixed[2]), minutes=int(fixed[3]))
        return timezone(-offset if fixed[1] == "-" else offset, key)
    try:
        return zoneinfo.ZoneInfo(key)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ZoneError(_unknown(key), _suggest(_fold(key))) from exc


def zone_label(key: str) -> str:
    """Short name for lists of clocks; the city is what people recognise, in the reader's
    language where CLDR names it ("Bogotá", "Beyrouth", "بيروت"). English keeps the time
    zone database's own spelling ("Bogota"), which is what members type and search for."""
    return _label(key, current_language())


@functools.lru_cache(maxsize=4096)
def _label(key: str, lang: str) -> str:
    """`zone_label` in a language, worked out once (a big room's lines name many places)."""
    if key == "UTC" or _FIXED_KEY.fullmatch(key):
        return key
    local = _cldr_city(key, lang) if lang != "en" else None
    return local or _city(key).replace("_", " ")


@functools.cache
def _cldr_city(key: str, lang: str) -> str | None:
    """CLDR's exemplar city for a zone in a language, or None where it has none."""
    from babel.dates import get_timezone, get_timezone_location  # as Babel elsewhere: lazily

    try:
        city = get_timezone_location(get_timezone(key), locale=lang, return_city=True)
    except (LookupError, ValueError):
        return None
    return str(city) if city and not city.startswith(("GMT", "UTC")) else None


def utc_offset_label(key: str, at: datetime) -> str:
    """Offset in force at instant `at` (naive means UTC), since DST makes it vary."""
    instant = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    offset = instant.astimezone(zone_info(key)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"
