"""Dates and times typed in Spanish, French, Portuguese or Arabic, read as the parsers' English.

Members type "jueves 14:00", "mardi 9h", "la semaine prochaine", "الخميس القادم" or
"toda quinta" whatever language they chose for replies, so every language is accepted
always. `to_english` rewrites such text into the English vocabulary that `when`,
`recurrence`, `hours` and the check-in parser already understand ("thu 14:00", "tue 9h",
"next week", "next thu", "every thu"); it knows nothing about dates itself, and the
parsers still decide what is valid. It is a pure function: no Matrix, no SQL, no state.

Choices worth knowing:

- Day and month names (wide, abbreviated, stand-alone; Levantine and Maghreb month names
  too) come from CLDR through Babel, read once at import. Only the relative words
  (today, next, every, in, at, units, ordinals, articles) are listed here by hand.
- Case and accents never matter ("miercoles" = "miércoles", "aout" = "août"); Arabic is
  compared without hamza seats, harakat or tatweel, "ة" as "ه", with or without "ال" and a
  leading "و" ("and"); Arabic-Indic and Persian digits are read as ASCII digits.
- English always wins: a word the English parsers know is never rewritten. So "mar" is
  March (not the Spanish/French "martes"/"mardi", which always work spelled out) and
  "sept" is September (not the French seven). Where no month can be meant (working hours,
  check-in days) "mar" is Tuesday; `when` reads "mar 15 dic" as Tuesday too.
- Portuguese "segunda", "quarta" and "quinta" are Monday, Wednesday and Thursday, except
  right before a weekday, where they are ordinals ("a segunda quinta" = the second Thu).
- Words of a place name with several words ("Santo Domingo", "La Paz", "Los Angeles",
  "Port-au-Prince") are left alone, so a zone written by its city still resolves.
- Number words ("dos", "deux", "duas"…) count only right before a unit or a weekday
  ("en dos horas", "tous les deux mardis"); elsewhere they keep their other meaning.
- Text that is already English comes back unchanged (the very same string), so error
  messages quoting it do not change.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zoneinfo

from babel import Locale

__all__ = ["fold", "to_english"]

# --- folding -------------------------------------------------------------------------------

_DIGITS = str.maketrans(
    {**{chr(0x0660 + i): str(i) for i in range(10)}, **{chr(0x06F0 + i): str(i) for i in range(10)},
     "\u060c": ",", "\u061b": ";", "\u066b": ".", "\u0640": None, "\u2019": "'", "\u2018": "'",
     "\u00a0": " ", "\u202f": " "}
)
# ة → ه, ى → ي, and no lone hamza: "الاربعا" is how many type "الأربعاء".
_ARABIC = str.maketrans({"\u0629": "\u0647", "\u0649": "\u064a", "\u0621": None})


def fold(word: str) -> str:
    """Lowercase, without accents, harakat or hamza seats, and without a trailing dot."""
    low = word.lower()
    if not low.isascii():
        decomposed = unicodedata.normalize("NFKD", low)
        low = "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_ARABIC)
    return low.strip(".")


# --- what the English parsers already know (never rewritten) --------------------------------

_EN_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EN_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
              "september", "october", "november", "december")
_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MONTH = tuple(m[:3] for m in _EN_MONTHS)
_ENGLISH = frozenset(
    {name[:size] for name in _EN_DAYS for size in range(3, len(name) + 1)}
    | {"weds", "tues", "thur", "thurs", "sept"}
    | set(_EN_MONTHS) | set(_MONTH)
    | {"today", "tomorrow", "yesterday", "next", "in", "noon", "midnight", "eod", "am", "pm", "at",
       "on", "of", "the", "and", "to", "until", "till", "every", "other", "local", "own", "time"}
    | {"m", "min", "mins", "minute", "minutes", "h", "hr", "hrs", "hour", "hours", "d", "day",
       "days", "w", "week", "weeks", "fortnight", "fortnights", "month", "months", "year",
       "years", "daily", "everyday", "weekday", "weekdays", "weekend", "weekends"}
    | {"first", "second", "third", "fourth", "fifth", "last", "1st", "2nd", "3rd", "4th", "5th"}
    | {"utc", "gmt", "z"}
)

# --- the foreign vocabulary ------------------------------------------------------------------
# Values are English tokens, or markers resolved from their neighbours (see _resolve):
#   @in "in" before an amount or a place, else nothing      @next  "next", moved before a
#   @a  "at" in a time, "to" between two days or two times         day or week it follows
#   @to "to"   @at "at"   @and "and" ("," in check-in days)   @zone  "in" before a place
#   @of "of" in a repeat rule ("the 15th of every month"), else nothing
#   @am/@pm/@night  glued to the nearest clock                @od:<ordinal>:<day>
#   @n:<number>:<otherwise>  a number before a unit or a weekday, else <otherwise>

_LINKS = frozenset({"", "@a", "@at", "@to", "@in", "@zone", "@of", "@and"})
_UNITS = frozenset({"minutes", "hours", "days", "weeks", "months", "years", "fortnight",
                    "minute", "hour", "day", "week", "month", "year", "m", "min", "mins", "h",
                    "hr", "hrs", "d", "w"})

_COMMON: dict[str, str] = {
    # today / tomorrow / the day after
    "hoy": "today", "aujourd'hui": "today", "aujourdhui": "today", "hoje": "today",
    "اليوم": "today",
    "mañana": "tomorrow", "demain": "tomorrow", "amanhã": "tomorrow", "غدا": "tomorrow",
    "غد": "tomorrow", "الغد": "tomorrow", "بكرة": "tomorrow", "بكرا": "tomorrow",
    "ayer": "yesterday", "hier": "yesterday", "ontem": "yesterday", "أمس": "yesterday",
    "امس": "yesterday", "البارحة": "yesterday", "مبارح": "yesterday", "امبارح": "yesterday",
    "pasado mañana": "in 2 days", "après demain": "in 2 days", "depois de amanhã": "in 2 days",
    "بعد غد": "in 2 days", "بعد غدا": "in 2 days", "بعد بكرة": "in 2 days",
    # next
    "próximo": "@next", "próxima": "@next", "siguiente": "@next", "que viene": "@next",
    "prochain": "@next", "prochaine": "@next", "que vem": "@next", "seguinte": "@next",
    "القادم": "@next", "القادمة": "@next", "المقبل": "@next", "المقبلة": "@next",
    "الجاي": "@next", "الجاية": "@next", "التالي": "@next", "قادم": "@next",
    # units
    "semana": "week", "semanas": "weeks", "semaine": "week", "semaines": "weeks",
    "أسبوع": "week", "أسابيع": "weeks",
    "día": "day", "días": "days", "dia": "day", "dias": "days", "jour": "day", "jours": "days",
    "journée": "day", "يوم": "day", "أيام": "days",
    "hora": "hours", "horas": "hours", "heure": "hours", "heures": "hours", "ساعة": "hours",
    "ساعات": "hours",
    "minuto": "minutes", "minutos": "minutes", "دقيقة": "minutes", "دقائق": "minutes",
    "دقايق": "minutes",
    "mes": "month", "meses": "months", "mois": "month", "mês": "month", "شهر": "month",
    "أشهر": "months", "شهور": "months",
    "año": "year", "años": "years", "ans": "years", "année": "year", "années": "years",
    "ano": "year", "anos": "years", "سنة": "year", "سنوات": "years", "عام": "year",
    "أعوام": "years",
    "quincena": "fortnight", "quinzaine": "fortnight", "quinzena": "fortnight",
    "media hora": "30 minutes", "demi heure": "30 minutes", "meia hora": "30 minutes",
    "نصف ساعة": "30 minutes", "cuarto de hora": "15 minutes", "quart d heure": "15 minutes",
    "quarto de hora": "15 minutes", "ربع ساعة": "15 minutes",
    # Arabic duals: "two hours" is one word
    "ساعتين": "2 hours", "ساعتان": "2 hours", "يومين": "2 days", "يومان": "2 days",
    "أسبوعين": "2 weeks", "أسبوعان": "2 weeks", "شهرين": "2 months", "شهران": "2 months",
    "دقيقتين": "2 minutes", "دقيقتان": "2 minutes", "سنتين": "2 years", "عامين": "2 years",
    # in / at / to / from / and / fillers
    "en": "@in", "dentro de": "@in", "dans": "@in", "d ici": "@in", "em": "@in",
    "daqui a": "@in", "daqui": "@in", "بعد": "@in", "خلال": "@in", "في غضون": "@in",
    "a las": "@at", "a la": "@at", "الساعة": "@at", "عند": "@at", "vers": "@at",
    "a": "@a", "à": "@a", "al": "@a", "au": "@a", "aux": "@a", "às": "@a", "ao": "@a",
    "aos": "@a",
    "hasta": "@to", "jusqu à": "@to", "jusqu au": "@to", "até": "@to", "إلى": "@to",
    "الى": "@to", "حتى": "@to", "لغاية": "@to",
    "y": "@and", "e": "@and", "et": "@and", "و": "@and",
    "el": "", "la": "", "los": "", "las": "", "lo": "", "de": "@of", "del": "@of",
    "desde": "", "le": "", "les": "", "l": "", "du": "@of", "des": "", "dès": "",
    "o": "", "os": "", "as": "@a", "do": "@of", "da": "@of", "das": "", "no": "", "na": "",
    "nos": "", "nas": "", "num": "", "numa": "",
    "في": "", "من": "@of", "على": "",
    # a place's time, local time
    "hora de": "@zone", "horario de": "@zone", "horário de": "@zone", "heure de": "@zone",
    "بتوقيت": "@zone", "توقيت": "@zone",
    "hora local": "local", "heure locale": "local", "locale": "local", "horário local": "local",
    "محلي": "local", "المحلي": "local", "التوقيت المحلي": "local",
    "بالتوقيت المحلي": "local", "توقيت محلي": "local",
    # parts of the day
    "de la mañana": "@am", "de la madrugada": "@am", "del mediodía": "@pm",
    "de la tarde": "@pm", "de la noche": "@night", "por la mañana": "@am",
    "por la tarde": "@pm", "por la noche": "@night",
    "du matin": "@am", "après midi": "@pm", "du soir": "@night", "de la nuit": "@night",
    "da manhã": "@am", "de manhã": "@am", "da madrugada": "@am", "da tarde": "@pm",
    "de tarde": "@pm", "à tarde": "@pm", "da noite": "@night", "de noite": "@night",
    "à noite": "@night",
    "صباحا": "@am", "صباح": "@am", "الصبح": "@am", "ص": "@am", "مساء": "@pm",
    "مساءا": "@pm", "المساء": "@pm", "م": "@pm", "عصرا": "@pm", "ظهرا": "@pm",
    "بعد الظهر": "@pm", "ليلا": "@night", "بالليل": "@night", "الليل": "@night",
    "al final del día": "eod", "final del día": "eod", "fin del día": "eod",
    "fin de journée": "eod", "fin de la journée": "eod", "en fin de journée": "eod",
    "fim do dia": "eod", "final do dia": "eod", "no fim do dia": "eod",
    "نهاية اليوم": "eod", "آخر اليوم": "eod",
    "mediodía": "noon", "medio día": "noon", "midi": "noon", "meio dia": "noon",
    "الظهر": "noon", "الظهيرة": "noon", "منتصف النهار": "noon",
    "medianoche": "midnight", "media noche": "midnight", "minuit": "midnight",
    "meia noite": "midnight", "منتصف الليل": "midnight",
    # every / how often
    "cada": "every", "todos los": "every", "todas las": "every", "chaque": "every",
    "tous les": "every", "toutes les": "every", "a cada": "every", "todo": "every",
    "toda": "every", "todos os": "every", "todas as": "every", "todo o": "every",
    "toda a": "every", "كل": "every",
    "diario": "daily", "diariamente": "daily", "a diario": "daily", "quotidien": "daily",
    "quotidiennement": "daily", "diário": "daily", "يوميا": "daily",
    "semanal": "week", "semanalmente": "week", "hebdomadaire": "week", "أسبوعيا": "week",
    "mensual": "month", "mensualmente": "month", "mensuel": "month", "mensal": "month",
    "mensalmente": "month", "شهريا": "month",
    "anual": "year", "anualmente": "year", "annuel": "year", "سنويا": "year",
    "días laborables": "weekdays", "días hábiles": "weekdays", "entre semana": "weekdays",
    "días de semana": "weekdays", "día laborable": "weekday", "laborables": "weekdays",
    "jours ouvrés": "weekdays", "jours ouvrables": "weekdays", "jour ouvré": "weekday",
    "jours de semaine": "weekdays", "en semaine": "weekdays",
    "dias úteis": "weekdays", "dia útil": "weekday", "dias de semana": "weekdays",
    "dias da semana": "weekdays",
    "أيام العمل": "weekdays", "أيام الدوام": "weekdays", "يوم عمل": "weekday",
    "fin de semana": "weekend", "fines de semana": "weekends", "fin de semaine": "weekend",
    "fim de semana": "weekend", "fins de semana": "weekends", "عطلة نهاية الأسبوع": "weekend",
    "نهاية الأسبوع": "weekend", "الويكند": "weekend",
    # ordinals
    "primer": "first", "primero": "first", "primera": "first", "premier": "first",
    "première": "first", "primeiro": "first", "primeira": "first", "أول": "first",
    "الأولى": "first",
    "segundo": "second", "deuxième": "second", "seconde": "second", "ثاني": "second",
    "الثانية": "second",
    "tercer": "third", "tercero": "third", "tercera": "third", "troisième": "third",
    "terceiro": "third", "terceira": "third", "ثالث": "third", "الثالثة": "third",
    "cuarto": "fourth", "cuarta": "fourth", "quatrième": "fourth", "quarto": "fourth",
    "رابع": "fourth", "الرابعة": "fourth",
    "quinto": "fifth", "cinquième": "fifth", "خامس": "fifth", "الخامسة": "fifth",
    "último": "last", "última": "last", "dernier": "last", "dernière": "last",
    "آخر": "last", "الأخير": "last", "الأخيرة": "last",
    "segunda": "@od:second:mon", "quarta": "@od:fourth:wed", "quinta": "@od:fifth:thu",
}

# Number words, only read as numbers before a unit or a weekday (see module doc).
_NUMBER_WORDS: dict[str, tuple[int, str]] = {
    "un": (1, ""), "uno": (1, ""), "una": (1, ""), "une": (1, ""), "um": (1, ""),
    "uma": (1, ""), "dos": (2, ""), "deux": (2, ""), "dois": (2, ""), "duas": (2, ""),
    "tres": (3, "=keep"), "trois": (3, "=keep"), "três": (3, "=keep"), "cuatro": (4, "=keep"),
    "quatre": (4, "=keep"), "quatro": (4, "=keep"), "cinco": (5, "=keep"),
    "cinq": (5, "=keep"), "seis": (6, "=keep"), "six": (6, "=keep"), "siete": (7, "=keep"),
    "sete": (7, "=keep"), "ocho": (8, "=keep"), "huit": (8, "=keep"), "oito": (8, "=keep"),
    "nueve": (9, "=keep"), "neuf": (9, "=keep"), "nove": (9, "=keep"), "diez": (10, "=keep"),
    "dix": (10, "=keep"), "dez": (10, "dec"), "once": (11, "=keep"), "onze": (11, "=keep"),
    "doce": (12, "=keep"), "douze": (12, "=keep"), "doze": (12, "=keep"),
    "quince": (15, "=keep"), "quinze": (15, "=keep"),
}

_LOCALES = ("es", "fr", "pt", "pt_PT", "ar", "ar_SY", "ar_MA", "ar_DZ")
_NUMBERED = re.compile(r"([0-9]{1,2})(?:er|re|ere|eme|e|o|a|°)")  # 1er, 2e, 1º, 1ª (folded)
_SPLIT = re.compile(
    r"(\s*[,;&+()]\s*|\s+|(?<=[^\W\d_])[-/](?=[^\W\d_])|(?<=[^\W\d_]\.)-(?=[^\W\d_])|(?<=\b[ldLD])'(?=\w)|(?<=\bqu)'|(?<=\bjusqu)')"
)
_FEIRA = re.compile(r"\b(segunda|ter[cç]a|quarta|quinta|sexta)(s?)[-\s]?feiras?\b", re.I)
_WEEK_END = re.compile(r"\bweek-end(s?)\b", re.I)
_SPACED_H = re.compile(r"\b([0-9]{1,2}) h\b(?: ?([0-9]{2})\b)?")


def _is_arabic(word: str) -> bool:
    return "\u0600" <= word[:1] <= "\u06ff"


def _names() -> tuple[dict[str, int], dict[str, int]]:
    """CLDR day and month names of every locale, folded: name → Monday=0 / January=1."""
    days: dict[str, int] = {}
    months: dict[str, int] = {}
    for code in _LOCALES:
        locale = Locale.parse(code)
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated", "short"):
                for index, name in locale.days[context].get(width, {}).items():
                    if width == "short" and not code.startswith(("ar", "pt")):
                        continue  # "lu", "ma", "di": too short to be safe
                    days.setdefault(_FEIRA.sub(r"\1", fold(name)), index)
                for number, name in locale.months[context].get(width, {}).items():
                    months.setdefault(fold(name), number)
    plural = {f"{name}s": i for name, i in days.items()
              if not _is_arabic(name) and not name.endswith("s") and len(name) > 4}
    return days | {k: v for k, v in plural.items() if k not in days}, months


def _with_article(table: dict[tuple[str, ...], str]) -> None:
    """Arabic words count with or without "ال" (explicit entries such as اليوم win)."""
    for key, value in list(table.items()):
        first = key[0]
        if not _is_arabic(first):
            continue
        other = first[2:] if first.startswith("ال") else "ال" + first
        if len(other) > 1:
            table.setdefault((other, *key[1:]), value)


def _build() -> tuple[dict[tuple[str, ...], str], dict[str, tuple[int, ...]]]:
    table: dict[tuple[str, ...], str] = {}
    for phrase, english in _COMMON.items():
        table[tuple(fold(w) for w in phrase.split())] = english
    for word, (number, otherwise) in _NUMBER_WORDS.items():
        table[(fold(word),)] = f"@n:{number}:{otherwise}"
    days, months = _names()
    for name, index in days.items():
        table.setdefault(tuple(name.split()), _DAY[index])
    for name, number in months.items():
        table.setdefault(tuple(name.split()), _MONTH[number - 1])
    _with_article(table)
    # English always wins: drop what would rewrite a word the parsers know.
    for known in [k for k in table if len(k) == 1 and k[0] in _ENGLISH]:
        del table[known]
    lengths: dict[str, set[int]] = {}
    for key in table:
        lengths.setdefault(key[0], set()).add(len(key))
    return table, {first: tuple(sorted(n, reverse=True)) for first, n in lengths.items()}


_TABLE, _LENGTHS = _build()
_DAY_CODE = {name: index for index, name in enumerate(_DAY)}
_DAY_CODE |= {name: index for index, name in enumerate(_EN_DAYS)}
_DAY_CODE |= {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}
_DAY_SET = frozenset(_DAY_CODE)
_DAY_PATTERN = "|".join(sorted(_DAY_CODE, key=len, reverse=True))
_MONTH_SET = frozenset(_MONTH) | frozenset(_EN_MONTHS) | {"sept"}
_TIME = re.compile(r"([0-9]{1,2})(?::([0-9]{2}))?|([0-9]{1,2})h([0-9]{2})?", re.ASCII)
_AMPM_TIME = re.compile(r"[0-9]{1,2}(?::[0-9]{2})?(?:am|pm)", re.ASCII)
_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]+)?[a-z]+", re.ASCII)
_H_CLOCK = re.compile(r"\b([0-9]{1,2})h([0-9]{2})?\b", re.ASCII)
_ORDINAL = r"(?:first|second|third|fourth|fifth|last|[1-5](?:st|nd|rd|th))"
# "first thu of every month", "last day month" (ordinal and weekday: no "of" needed)
_RULE_MONTHLY_NTH = re.compile(
    rf"(?:on )?(?:the )?(?P<what>{_ORDINAL} (?:{_DAY_PATTERN})|last day)(?: of)?(?: the)?"
    r"(?: every)?(?: (?P<n>[0-9]+))? months?")
# "15 of every month", "day 15 every 2 months" (a number needs "of"/"every": "2 months" is
# an interval)
_RULE_MONTHLY_DAY = re.compile(
    r"(?:on )?(?:the )?(?:day )?(?P<what>[0-9]{1,2}(?:st|nd|rd|th)?)"
    r"(?: of(?: the)?(?: every)?| every)(?: (?P<n>[0-9]+))? months?")
_RULE_NTH = re.compile(rf"(?:on )?(?:the )?(?P<what>{_ORDINAL} (?:{_DAY_PATTERN}))")
_RULE_EVERY_N_DAYS = re.compile(
    rf"([0-9]+) ((?:{_DAY_PATTERN})(?:(?:, ?| and ) ?(?:{_DAY_PATTERN}))*)")
_RULE_DAY_N = re.compile(r"days? ([0-9]{1,2}(?:st|nd|rd|th)?)")
_RULE_ON = re.compile(r"^((?:[0-9]+ |other )?(?:day|week|fortnight|month|year)s?) (?!on\b)(\S)")
_DAY_RANGE = re.compile(rf"\b({_DAY_PATTERN})(?: to |-)({_DAY_PATTERN})\b")


@functools.cache
def _places() -> frozenset[tuple[str, ...]]:
    """Place names of several words in zone keys ("santo domingo") and as CLDR writes them
    in the other languages ("ciudad de méxico", as replies name the city), folded; built on
    demand, the first time a rewritten word sits next to a word that is not a date word."""
    found = set()
    names = [part for key in zoneinfo.available_timezones() for part in key.split("/")[1:]]
    for code in _LOCALES:
        names += [str(city) for zone in Locale.parse(code).time_zones.values()
                  if (city := zone.get("city"))]
    for name in names:
        words = tuple(fold(w) for w in re.split(r"[_\s-]+", name) if w)
        if len(words) > 1:
            found.add(words)
    return frozenset(found)


# --- rewriting -------------------------------------------------------------------------------


class _Item:
    """One output token: its text, whether it was rewritten, the separator before it, and
    what was typed (kept when a marker falls back to the word itself)."""

    __slots__ = ("foreign", "said", "sep", "text")

    def __init__(self, text: str, foreign: bool, sep: str, said: str = "") -> None:
        self.text, self.foreign, self.sep, self.said = text, foreign, sep, said


def _ordinal_text(number: int) -> str:
    if 11 <= number % 100 <= 13:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th')}"


def _lookup(folded: list[str], i: int) -> tuple[str, int] | None:
    """The longest phrase starting at word i: (English, number of words)."""
    for size in _LENGTHS.get(folded[i], ()):
        found = _TABLE.get(tuple(folded[i:i + size]))
        if found is not None:
            return found, size
    if folded[i] in _ENGLISH:
        return folded[i], 1  # "déc.", "Abr": folded, a word the parsers already know
    numbered = _NUMBERED.fullmatch(folded[i])
    if numbered:
        return _ordinal_text(int(numbered[1])), 1
    word = folded[i]
    if len(word) > 1 and word[0] == "\u0648" and _is_arabic(word):  # و: "and ..."
        found = _TABLE.get((word[1:],))
        if found is not None:
            return f"@and {found}", 1
    return None


def _protected(folded: list[str], i: int) -> int:
    """How many words from i on belong to a place name (0 if none)."""
    for place in _places():
        size = len(place)
        for start in range(max(0, i - size + 1), i + 1):
            if tuple(folded[start:start + size]) == place:
                return start + size - i
    return 0


def _translate(words: list[str], seps: list[str]) -> list[_Item] | None:
    """Rewrite word by word, longest phrase first; None when nothing is foreign."""
    folded: list[str] = []
    known: list[bool] = []
    for word in words:
        low = word.lower()
        english = not low or low in _ENGLISH
        if not english and any(c.isdigit() for c in low):
            english = _NUMBERED.fullmatch(fold(low)) is None
        known.append(english)
        folded.append(low if english else fold(word))
    if all(known):
        return None
    items: list[_Item] = []
    changed = False
    i = 0
    while i < len(words):
        sep = seps[i - 1] if i else ""
        found = None if known[i] else _lookup(folded, i)
        if found is None:
            items.append(_Item(words[i], False, sep))
            i += 1
            continue
        value, size = found
        strangers = [j for j in (i - 1, i + size)
                     if 0 <= j < len(words) and not known[j] and _lookup(folded, j) is None]
        keep = _protected(folded, i) if strangers else 0
        if keep:
            for n in range(i, i + keep):
                items.append(_Item(words[n], False, seps[n - 1] if n else ""))
            i += keep
            continue
        changed = True
        said = " ".join(words[i:i + size])
        for n, token in enumerate(value.split() or [""]):
            items.append(_Item(token, True, sep if n == 0 else " ", said))
        i += size
    return items if changed else None


def _kind(item: _Item | None) -> str:
    """"day", "time" (a clock or a bare hour) or ""."""
    if item is None:
        return ""
    text = item.text.lower()
    if text in _DAY_SET:
        return "day"
    if _TIME.fullmatch(text) or _AMPM_TIME.fullmatch(text):
        return "time"
    return ""


def _lower(items: list[_Item], j: int) -> str:
    return items[j].text.lower() if 0 <= j < len(items) else ""


def _is_amount(items: list[_Item], j: int) -> bool:
    """An amount starts at j: "2 hours", "2h", "90min"."""
    text = _lower(items, j)
    return bool(_AMOUNT.fullmatch(text)) or (text.isdigit() and _lower(items, j + 1) in _UNITS)


def _resolve(items: list[_Item], mode: str) -> list[_Item]:
    """Turn markers into English from their neighbours (see the vocabulary's legend)."""
    # A little word at the very end modifies nothing: keep it as typed, so that
    # "!away fri a conference" still stops the date before "a" (`ranges.parse_span`).
    end = len(items)
    while end and items[end - 1].foreign and (
            items[end - 1].text in _LINKS or items[end - 1].text.endswith(":")):
        end -= 1
        items[end].text, items[end].foreign = items[end].said, False
    items = [item for item in items if item.text]
    # Ordinal or weekday ("segunda"), right to left so "segunda quinta" sees "thu"; an
    # ordinal is followed by its weekday ("segunda, quinta" are two days).
    for j in range(len(items) - 1, -1, -1):
        if items[j].text.startswith("@od:"):
            _, ordinal, day = items[j].text.split(":")
            attached = j + 1 < len(items) and items[j + 1].sep.isspace()
            items[j].text = ordinal if attached and _lower(items, j + 1) in _DAY_SET else day
    for j, item in enumerate(items):
        if item.text.startswith("@n:"):
            _, number, otherwise = item.text.split(":")
            next_word = _lower(items, j + 1)
            if next_word in _UNITS or (mode == "rule" and next_word in _DAY_SET):
                item.text = number
            elif otherwise == "=keep":
                item.text, item.foreign = item.said, False
            else:
                item.text = otherwise
    items = [item for item in items if item.text]

    # "à 9 heures", "a las 9 horas": a foreign hour word after a number is a clock.
    j = 0
    while j + 1 < len(items):
        item, after_item = items[j], items[j + 1]
        if (mode in ("when", "hours", "days") and after_item.foreign
                and after_item.text == "hours"
                and item.text.isdigit() and int(item.text) <= 24
                and _lower(items, j - 1) not in ("in", "@in")):
            item.text, item.foreign = f"{item.text}:00", True
            del items[j + 1]
        j += 1

    for j, item in enumerate(items):
        text = item.text
        if text == "@in":
            following = items[j + 1] if j + 1 < len(items) else None
            if _is_amount(items, j + 1):
                item.text = "in"
            elif _lower(items, j + 1) in _UNITS:
                item.text = "in 1"  # "بعد ساعة": in an hour
            elif (following is not None and not following.foreign and not _kind(following)
                  and following.text.lower() not in _ENGLISH and mode == "when"):
                item.text = "in"  # "14:00 en Nairobi"
            else:
                item.text = ""
        elif text == "@zone":
            following = items[j + 1] if j + 1 < len(items) else None
            item.text = "in" if following is not None and not following.foreign else ""
        elif text in ("@a", "@to", "@at"):
            before, after = _kind(items[j - 1] if j else None), _kind(
                items[j + 1] if j + 1 < len(items) else None)
            if mode == "when":
                item.text = "to" if text == "@to" else "at"
                following = items[j + 1] if j + 1 < len(items) else None
                # "a las 3" is 3:00, but "a 3 de dezembro" is a date.
                after_number = next((items[k].text.lower() for k in range(j + 2, len(items))
                                     if items[k].text not in _LINKS and items[k].text != "@of"),
                                    "")
                if (following is not None and following.text.isdigit()
                        and int(following.text) <= 24 and after_number not in _MONTH_SET):
                    following.text, following.foreign = f"{following.text}:00", True
            elif mode in ("hours", "days", "rule") and text != "@at":
                item.text = "to" if before and before == after else ""
            else:
                item.text = "to" if text == "@to" else ""
        elif text == "@and":
            item.text = {"days": ",", "length": ""}.get(mode, "and")
        elif text == "@of":
            item.text = "of" if mode == "rule" else ""
    items = [item for item in items if item.text]

    # "next" follows the day in es/fr/pt/ar ("jueves que viene", "الخميس القادم").
    for j, item in enumerate(items):
        if item.text != "@next":
            continue
        before = _lower(items, j - 1)
        if (before in _DAY_SET or before in ("week", "month", "year")) \
                and _lower(items, j - 2) != "next":
            items[j - 1], items[j] = item, items[j - 1]
            items[j - 1].sep, items[j].sep = items[j].sep, items[j - 1].sep
        item.text = "next"

    # "el día jueves", "يوم الخميس", "كل يوم خميس": "day" before a weekday says nothing,
    # nor before a day of the month in a date ("el día 14", "no dia 14").
    items = [item for j, item in enumerate(items)
             if not (item.foreign and item.text == "day" and (
                 _lower(items, j + 1) in _DAY_SET
                 or (mode == "when" and re.fullmatch(r"[0-9]{1,2}", _lower(items, j + 1)))))]

    # Parts of the day go to the nearest clock: "3 de la tarde" → "3pm".
    for j, item in enumerate(items):
        if item.text in ("@am", "@pm", "@night"):
            marker, item.text = item.text, ""
            _glue_part_of_day(items, j, marker)
    return [item for item in items if item.text]


def _glue_part_of_day(items: list[_Item], j: int, marker: str) -> None:
    for k in (j - 1, j + 1, j - 2, j + 2):
        clock = items[k] if 0 <= k < len(items) else None
        if clock is None or _kind(clock) != "time" or _AMPM_TIME.fullmatch(clock.text.lower()):
            continue
        match = _TIME.fullmatch(clock.text.lower())
        if match is None:
            return
        hour = int(match[1] if match[1] is not None else match[3])
        minute = int((match[2] if match[1] is not None else match[4]) or 0)
        if hour > 12:
            return  # already a 24-hour time
        if marker == "@night":
            marker = "@am" if hour == 12 or hour < 6 else "@pm"
        suffix = marker[1:]
        clock.text = f"{hour}:{minute:02d}{suffix}" if minute else f"{hour}{suffix}"
        clock.foreign = True
        return


def _join(items: list[_Item]) -> str:
    out: list[str] = []
    for n, item in enumerate(items):
        sep = item.sep
        if n and (not sep or sep == "'"):
            sep = " "
        out.append((sep if n else "") + item.text)
    return "".join(out).strip()


_WORD_DASH = re.compile(r"(?<=[^\W\d_])(\.?)[–—](?=[^\W\d_])")


def _prepare(text: str) -> str:
    text = text.translate(_DIGITS)
    if "–" in text or "—" in text:
        text = _WORD_DASH.sub(r"\1-", text)  # "lun.–ven.", "الاثنين–الجمعة" as replies write
    if " h" in text:
        text = _SPACED_H.sub(r"\1h\2", text)  # "14 h 30" → "14h30"
    lowered = text.lower()
    if "feira" in lowered:
        text = _FEIRA.sub(r"\1\2", text)
    if "-end" in lowered:
        text = _WEEK_END.sub(r"weekend\1", text)
    return text


def _expand_range(match: re.Match[str]) -> str:
    a, b = _DAY_CODE[match[1]], _DAY_CODE[match[2]]
    return ", ".join(_DAY[(a + i) % 7] for i in range((b - a) % 7 + 1))


def _finish_rule(text: str) -> str:
    """Shape a repeat rule the way `recurrence.parse_rule` reads it ("month on the ...")."""
    words = text.split()
    while words and words[0] in ("every", "on", "the", "of"):
        words.pop(0)
    text = _DAY_RANGE.sub(_expand_range, " ".join(words))
    text = re.sub(rf"\bof (?=(?:{_DAY_PATTERN})\b)", "", text)
    if match := _RULE_MONTHLY_NTH.fullmatch(text) or _RULE_MONTHLY_DAY.fullmatch(text):
        return f"{match['n'] or ''} month on the {match['what']}".strip()
    if match := _RULE_NTH.fullmatch(text):  # "el último viernes"
        return f"month on the {match['what']}"
    if match := _RULE_DAY_N.fullmatch(text):  # "todo dia 15"
        return f"month on the {match[1]}"
    if match := _RULE_EVERY_N_DAYS.fullmatch(text):  # "tous les deux mardis"
        return f"{match[1]} weeks on {match[2]}"
    text = _RULE_ON.sub(r"\1 on \2", text)  # "2 weeks tue" → "2 weeks on tue"
    return re.sub(r"\bon (?:the )?day ([0-9])", r"on the \1", text)


def to_english(text: str, mode: str = "when") -> str:
    """`text` in the English the parsers read; the very same string if nothing is foreign.

    `mode` names the parser that reads the result: "when" (`when.parse_when`), "rule"
    (`recurrence.parse_rule`, the friendly forms), "hours" (`hours.parse_hours`), "days"
    (the check-in schedule) or "length" (`when.parse_duration`).
    """
    english = _rewritten(text, mode)
    return text if english is None else english


@functools.lru_cache(maxsize=4096)
def _rewritten(text: str, mode: str) -> str | None:
    """`to_english`, remembered (parsers try many cuts of one text); None if unchanged."""
    prepared = _prepare(text)
    parts = _SPLIT.split(prepared)
    items = _translate(parts[0::2], parts[1::2])
    result = prepared if items is None else _join(_resolve(items, mode))
    if mode in ("hours", "days") and "mar" in result.lower():
        # Days of the week have no months: "lun, mar" is Monday and Tuesday (es, fr).
        result = re.sub(r"(?i)\bmar\b\.?", "tue", result)
    if mode in ("hours", "days") and "h" in result:
        result = _H_CLOCK.sub(lambda m: f"{m[1]}:{m[2] or '00'}", result)
    if mode == "hours" and items is not None:
        result = result.replace("every days", "every day")
    if mode == "days" and items is not None:
        result = _DAY_RANGE.sub(r"\1-\2", result)
    elif mode == "rule":
        finished = _finish_rule(result.lower())
        if items is not None or finished != result.lower():
            result = finished
    return None if result == text else result
