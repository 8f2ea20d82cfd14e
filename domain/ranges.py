"""Read a span of days ("del 20 al 25", "du 14 au 15 décembre", "14–15 Dec") and restate it.

`!away` takes `<from> [to <until>] [reason]` in any of the five languages. Each end is read
by `when.read_when`; this module finds where the range is, which words are its ends, and
where the free text (the reason) starts. Choices worth knowing:

- A range is two ends joined by a range word: to/until/till/through, "-", "–", a/al/hasta
  (es), à/au/jusqu'au (fr), a/ao/até (pt), إلى/حتى/لغاية (ar); or "between … and …"
  (entre … y/et/e, بين … و). A leading from-word (from, del, de, desde, du, dès, do, da,
  من, منذ) is dropped. "a"/"à"/"al" also mean "at" ("mañana a las 9"), so they split only
  when the right side names a day, or both sides name a time ("demain 9h à 17h").
- One end may be a bare day of the month: it takes the other end's month ("du 14 au 15
  décembre", "14–15 Dec", "14 Dec to 18"); the earlier end goes to the previous month
  when its number is larger ("28 to 3 January" starts on 28 December). Two bare days
  ("del 20 al 25") are in the first month whose end is still ahead.
- Numeric dates follow `when` (day-first in es/fr/pt/ar); in English one unambiguous end
  ("21/12 to 08/01") sets the order for the other.
- Whole days unless a time is given: a span without times runs from the start of its first
  day to the end of its last, in the member's zone (or the zone the text names).
- A refused end ("lundi 15 décembre": 15 December is a Tuesday) refuses the whole span;
  its readings become readings of the whole text.
- The free text after the span must not start with a date word ("fri sat"), so nothing
  typed as a date ever ends up in the reason unread.

`describe_span` restates a span in the active language ("lun. 14 déc. – mar. 15 déc."),
in words `parse_span` reads back as the very same span.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from domain.i18n import _, current_language
from domain.timefmt import day_phrase
from domain.when import (
    WEEKDAY_WORDS,
    Reading,
    WhenError,
    read_when,
    starts_like_a_date,
    weekday_mismatch,
)
from domain.words import fold, to_english
from domain.zones import ZoneError, zone_info

__all__ = ["Span", "canonical", "describe_span", "parse_span"]

def _folded(*words: str) -> frozenset[str]:
    return frozenset(fold(word) for word in words)


_FROM = _folded("from", "since", "del", "de", "desde", "du", "des", "dès", "depuis", "do", "da",
                "dos", "das", "من", "منذ")
_BETWEEN = _folded("between", "entre", "بين")
_AND = _folded("and", "y", "e", "et", "و")
_TO = _folded("to", "until", "till", "through", "thru", "-", "–", "—", "hasta", "até",
              "jusqu'au", "jusqu'à", "al", "au", "ao", "aos", "إلى", "الى", "حتى", "لغاية")
# Range words that also mean "at" ("a las 9", "à 9h", "às 9"): they split only before a
# day, and a bare day of the month after them needs a bare day before ("del 20 a 25").
_AT = _folded("a", "à", "às")
# A span that starts today: "until fri", "jusqu'à vendredi", "hasta el viernes", "حتى الجمعة".
_UNTIL = _folded("until", "till", "hasta", "jusqu'au", "jusqu'à", "até", "حتى", "لغاية")
_LEADING = _folded("the", "on", "el", "la", "le", "l'", "o", "a", "al", "au", "ao", "à")
_DIGITS = str.maketrans({**{chr(0x0660 + i): str(i) for i in range(10)},
                         **{chr(0x06F0 + i): str(i) for i in range(10)}})
_BARE = re.compile(r"(?:([a-z]+) )?([0-9]{1,2})(?:st|nd|rd|th)?", re.ASCII)
_NUMERIC = re.compile(r"([0-9]{1,2})/([0-9]{1,2})(?:/[0-9]{2,4})?", re.ASCII)
_DASHED = re.compile(r"(.+?)(\s*[–—]\s*|-)(.+)")
_DAYISH = re.compile(r"[0-9]{1,2}(?:st|nd|rd|th|er|e|º|ª)?|[0-9]{1,2}/[0-9]{1,2}(?:/[0-9]{2,4})?"
                     r"|[0-9]{1,2}(?::[0-9]{2}|h[0-9]{0,2})")
_CLOCKISH = re.compile(r"[0-9]{1,2}(?::[0-9]{2}|h[0-9]{0,2}|[ap]m)", re.ASCII)
_UNITS = frozenset({"d", "day", "days", "w", "week", "weeks", "month", "months", "year", "years",
                    "h", "hour", "hours", "min", "mins", "minute", "minutes"})
_MAX_INPUT = 300
# An end is at most this many words ("lundi 14 décembre 2026 à 9h30 heure de Nairobi"), which
# keeps the work for any text small: a few splits, each trying a few cuts.
_MAX_END = 10


@dataclass(frozen=True)
class Span:
    """Local wall times in `zone`; `end` is exclusive (a whole last day ends at 00:00 after)."""

    start: datetime
    end: datetime
    zone: str
    whole_days: bool  # no time of day was given: the span is made of whole days
    rest: str  # the free text after the dates (a reason), as typed


@dataclass(frozen=True)
class _End:
    """One end as read: a day (or only a day of the month), and a time if one was given."""

    words: tuple[int, int]  # which words of the text, [from, to)
    day: date | None = None
    bare: int | None = None  # a day of the month without a month ("del 20")
    weekday: str = ""  # the weekday word given with a bare day ("lundi 14")
    clock: time | None = None
    zone: str = ""
    floating: bool = False  # a weekday alone ("fri"): the next such day
    rolled: bool = False  # a date without a year put in next year (see `when`)


class _NotAnEnd(Exception):
    """These words are not one end of a span (another split may fit)."""


def parse_span(text: str, now_utc: datetime, zone: str) -> Span:
    """`<from> [to <until>] [rest]`; raises WhenError/ZoneError (see module doc)."""
    if len(text) > _MAX_INPUT:
        raise WhenError(_("That is too long to be a date."))
    words = _words(text)
    if not words:
        raise WhenError(_("Give a day, or two days for a span. Try: {example}").format(
            example="2026-12-20 – 2027-01-05"))
    first = 0
    separators = _TO | _AT
    if _key(words[0]) in _BETWEEN:
        first, separators = 1, _AND
    elif _key(words[0]) in _FROM:
        first = 1
    elif _key(words[0]) in _UNTIL and len(words) > 1:
        return _Reader(words, now_utc, zone, _order(words)).until()
    order = _order(words)
    if order is None and current_language() == "en" and any(map(_two_ways, words)):
        return _either_order(words, first, separators, now_utc, zone)
    return _read_span(_Reader(words, now_utc, zone, order), first, separators)


def _read_span(reader: _Reader, first: int, separators: frozenset[str]) -> Span:
    for k in range(first + 1, min(len(reader.words) - 1, first + _MAX_END + 1)):
        if _key(reader.words[k]) not in separators:
            continue
        try:
            return reader.span(first, k)
        except _NotAnEnd:
            continue
    return reader.single(first)


def _two_ways(word: str) -> bool:
    """"3/12": a numeric date that is a different day read day-first or month-first."""
    match = _NUMERIC.fullmatch(word)
    return match is not None and match[1] != match[2] and max(int(match[1]),
                                                                int(match[2])) <= 12


def _either_order(words: list[str], first: int, separators: frozenset[str],
                  now_utc: datetime, zone: str) -> Span:
    """English numeric dates with two readings: refused, each reading as a whole span."""
    spans = []
    for day_first in (True, False):
        with contextlib.suppress(WhenError, ZoneError):
            spans.append(_read_span(_Reader(words, now_utc, zone, day_first), first,
                                    separators))
    if len(spans) == 1:
        return spans[0]
    if not spans:
        return _read_span(_Reader(words, now_utc, zone, True), first, separators)
    readings = [canonical(span) for span in spans]
    # Translators: {text} is what was typed, e.g. "3/12 to 5/12"; {one} and {other} are
    # two spans of days, e.g. "Thu 3 Dec – Sat 5 Dec" and "Fri 12 Mar – Wed 12 May".
    message = _('"{text}" could be {one} or {other}.').format(
        text=" ".join(words), one=describe_span(spans[0], now_utc),
        other=describe_span(spans[1], now_utc))
    raise WhenError(message + " " + _("Try: {example}").format(example=_(" or ").join(readings)),
                    readings, message)


def canonical(span: Span) -> str:
    """What to type for a span without any doubt: ISO dates (and times), then the rest."""
    if span.whole_days:
        last = (span.end - timedelta(days=1)).date()
        text = span.start.date().isoformat()
        if last != span.start.date():
            text += f" – {last.isoformat()}"
    else:
        text = f"{span.start:%Y-%m-%d %H:%M} – {span.end:%Y-%m-%d %H:%M}"
    return f"{text} {span.rest}".strip()


def describe_span(span: Span, now_utc: datetime) -> str:
    """The span restated in the active language: "tomorrow, Fri 4 Dec – Sat 5 Dec"."""
    today = now_utc.astimezone(zone_info(span.zone)).date()
    last = span.end - timedelta(days=1) if span.whole_days else span.end
    # A span that began before today says its year, so it is never read as next year's.
    with_year = span.start.year != today.year or last.year != today.year \
        or span.start.date() < today
    first_day = day_phrase(span.start.date(), today, with_year=with_year)
    if span.whole_days:
        if last.date() == span.start.date():
            return first_day
        return f"{first_day} – {day_phrase(last.date(), today, with_year=with_year)}"
    # Translators: a day and a time, e.g. "Mon 14 Dec, 09:00".
    moment = _("{day}, {time}")
    begin = moment.format(day=first_day, time=f"{span.start:%H:%M}")
    if last.date() == span.start.date():
        return f"{begin} – {last:%H:%M}"
    last_day = day_phrase(last.date(), today, with_year=with_year)
    return f"{begin} – {moment.format(day=last_day, time=f'{last:%H:%M}')}"


def _key(word: str) -> str:
    """How a word is compared with the range words."""
    return fold(word.replace("’", "'"))


def _words(text: str) -> list[str]:
    """Words as typed, with glued ranges split: "14–15", "lun-vie", "و15"."""
    out: list[str] = []
    for word in text.translate(_DIGITS).split():
        dashed = _DASHED.fullmatch(word)
        if dashed and _dayish(dashed[1]) and _dayish(dashed[3]):
            out += [dashed[1], dashed[2].strip() or "-", dashed[3]]
        elif len(word) > 1 and word[0] == "و" and word[1:].isdigit():
            out += ["و", word[1:]]
        else:
            out.append(word)
    return out


def _dayish(word: str) -> bool:
    """One side of a glued range: a day number, a numeric date, a time or a weekday name
    ("14", "21/12", "9:00", "lun"), never a piece of "2026-12-20" or "week-end"."""
    if word.isalpha():
        return to_english(word).lower() in WEEKDAY_WORDS
    return bool(_DAYISH.fullmatch(word))


def _order(words: list[str]) -> bool | None:
    """Day-first or month-first when one numeric date in the text decides it, else None."""
    for word in words:
        if match := _NUMERIC.fullmatch(word):
            first, second = int(match[1]), int(match[2])
            if first > 12 >= second:
                return True
            if second > 12 >= first:
                return False
    return None


class _Reader:
    """Reads ends of a span out of `words` against one clock and zone."""

    def __init__(self, words: list[str], now_utc: datetime, zone: str,
                 day_first: bool | None) -> None:
        self.words, self.now, self.zone, self.day_first = words, now_utc, zone, day_first
        self.today = now_utc.astimezone(zone_info(zone)).date()
        self._read: dict[str, Reading | WhenError | ZoneError] = {}

    def text(self, a: int, b: int) -> str:
        return " ".join(self.words[a:b])

    def read(self, said: str) -> Reading:
        """`read_when` of one candidate end, remembered: the splits try the same ones."""
        found = self._read.get(said)
        if found is None:
            try:
                found = read_when(said, self.now, self.zone, default_time=time(0),
                                  day_first=self.day_first, quick=True)
            except (WhenError, ZoneError) as error:
                found = error
            self._read[said] = found
        if isinstance(found, Exception):
            raise found
        return found

    # -- one end ------------------------------------------------------------------------

    def end(self, a: int, b: int, *, bare_ok: bool) -> _End:
        """Words [a, b) as one end; _NotAnEnd if they are not one (WhenError if refused)."""
        while b - a > 1 and _key(self.words[a]) in _LEADING:
            a += 1
        said = self.text(a, b)
        english = to_english(said).lower()
        bare = _BARE.fullmatch(english)
        if bare and (bare[1] is None or bare[1] in WEEKDAY_WORDS):
            if not bare_ok or not 1 <= int(bare[2]) <= 31:
                raise _NotAnEnd
            return _End((a, b), bare=int(bare[2]), weekday=bare[1] or "")
        try:
            reading = self.read(said)
        except WhenError as error:
            if error.readings:
                raise _Refused(error, (a, b)) from None
            raise _NotAnEnd from None
        except ZoneError:
            raise _NotAnEnd from None
        wall = reading.wall
        if not reading.day_given and not reading.clock_given:
            raise _NotAnEnd
        return _End((a, b), wall.local.date() if reading.day_given else None,
                    clock=wall.local.time() if reading.clock_given else None, zone=wall.zone,
                    floating=reading.floating, rolled=reading.rolled)

    def longest_end(self, a: int, b: int, *, bare_ok: bool) -> _End:
        """The longest run of words from `a` that is an end."""
        for cut in range(min(b, a + _MAX_END), a, -1):
            try:
                return self.end(a, cut, bare_ok=bare_ok)
            except _NotAnEnd:
                continue
        raise _NotAnEnd

    # -- whole spans --------------------------------------------------------------------

    def span(self, first: int, k: int) -> Span:
        """Words [first, k) as the start, k as the range word, what follows as the end."""
        before = self.words[k - 1]
        if _CLOCKISH.fullmatch(self.words[k + 1]) and before.isdigit() and int(before) <= 24:
            # "mañana de 9 a 13h", "demain de 9 à 17h": the number before a time is an hour.
            self.words[k - 1] = f"{before}:00"
            try:
                return self.split(first, k)
            finally:
                self.words[k - 1] = before
        return self.split(first, k)

    def split(self, first: int, k: int) -> Span:
        """`span` once the words are as they will be read."""
        at_like = _key(self.words[k]) in _AT
        if at_like and _CLOCKISH.fullmatch(self.words[k + 1]) and first < k and \
                not _CLOCKISH.fullmatch(self.words[k - 1]):
            raise _NotAnEnd  # "lundi 14 décembre à 9h30 …": "at", not a range word
        try:
            start = self.end(first, k, bare_ok=True)
            end = self.longest_end(k + 1, len(self.words),
                                   bare_ok=start.bare is not None or not at_like)
        except _Refused as refused:
            raise refused.whole(self) from None
        if at_like and end.day is None and end.bare is None and start.clock is None:
            raise _NotAnEnd  # "demain à 14h": a time, not a span
        after = self.words[end.words[1]:]
        if start.bare is not None and end.bare is not None and after \
                and to_english(after[0]).lower() in _UNITS:
            raise _NotAnEnd  # "2 to 3 weeks"
        try:
            rest = self.rest(end.words[1])
        except WhenError:
            raise _NotAnEnd from None  # another split may leave clean free text
        return self.settle(start, end, rest)

    def single(self, first: int) -> Span:
        """No range: the longest run of words that is one day (or a day and a time)."""
        try:
            one = self.longest_end(first, len(self.words), bare_ok=False)
        except _Refused as refused:
            raise refused.whole(self) from None
        except _NotAnEnd:
            # When it starts like a date, let the parser say what is wrong with it ("25:00
            # is not a time of day"); otherwise the words are not a date at all.
            if starts_like_a_date(self.text(first, len(self.words))):
                with contextlib.suppress(ZoneError):
                    read_when(self.text(first, len(self.words)), self.now, self.zone,
                              default_time=time(0), day_first=self.day_first)
            raise WhenError(_("I couldn't read a date in {text}.").format(
                text=repr(self.text(0, len(self.words))[:60]))) from None
        if one.day is None:
            # "14:00" alone: today (or tomorrow), as `when` reads it.
            reading = read_when(self.text(*one.words), self.now, self.zone)
            one = _End(one.words, reading.wall.local.date(), clock=one.clock, zone=one.zone)
        rest = self.rest(one.words[1])
        day = one.day
        assert day is not None
        start = datetime.combine(day, one.clock or time(0))
        end = datetime.combine(day + timedelta(days=1), time(0))
        return Span(start, end, one.zone or self.zone, one.clock is None, " ".join(rest))

    def until(self) -> Span:
        """"until fri": from the start of today to the end of the day named."""
        try:
            end = self.longest_end(1, len(self.words), bare_ok=False)
        except _Refused as refused:
            raise refused.whole(self) from None
        except _NotAnEnd:
            raise WhenError(_("I couldn't read a date in {text}.").format(
                text=repr(self.text(0, len(self.words))[:60]))) from None
        today = _End((0, 0), self.today)
        return self.settle(today, end, self.rest(end.words[1]))

    def rest(self, index: int) -> list[str]:
        """The free text from word `index`; refused if it starts with a date word."""
        rest = self.words[index:]
        if rest and starts_like_a_date(" ".join(rest)):
            raise WhenError(_('I read the date as "{date}", but "{word}" after it looks like '
                              "part of a date too. Write the date in one piece, e.g. {example}")
                            .format(date=self.text(0, index), word=rest[0],
                                    example="2026-12-14 – 2026-12-15"))
        return rest

    def settle(self, start: _End, end: _End, rest: list[str]) -> Span:
        """Give bare days their month, check the order, and make the span."""
        zone = next((e.zone for e in (start, end) if e.zone and e.zone != self.zone), self.zone)
        start_day, end_day = self.days(start, end)
        if start.rolled and (start_day > end_day or end.bare is not None):
            # "1 dic a 5 dic" on the 3rd: an absence going on now, not one next December.
            earlier = _End(start.words, _year_before(start_day), start.bare, start.weekday,
                           start.clock)
            with contextlib.suppress(WhenError, _NotAnEnd):
                this_year = self.days(earlier, end)
                if this_year[0] <= this_year[1] and this_year[1] >= self.today:
                    start_day, end_day = this_year
        self.check_weekday(start, start_day)
        self.check_weekday(end, end_day)
        begin = datetime.combine(start_day, start.clock or time(0))
        if end.clock is not None:
            finish = datetime.combine(end_day, end.clock)
        else:
            finish = datetime.combine(end_day + timedelta(days=1), time(0))
        if finish <= begin:
            raise WhenError(_("The end of a span must come after its start. Try: {example}")
                            .format(example="2026-12-20 – 2027-01-05"))
        whole = start.clock is None and end.clock is None
        return Span(begin, finish, zone, whole, " ".join(rest))

    def days(self, start: _End, end: _End) -> tuple[date, date]:
        """The first and last day, bare days given their month (see module doc)."""
        if start.bare is not None and end.bare is not None:
            return self.both_bare(start.bare, end.bare)
        if start.bare is not None:
            if end.day is None:
                raise _NotAnEnd
            return _month_before(start.bare, end.day), end.day
        if start.day is None:
            raise _NotAnEnd
        if end.bare is not None:
            return start.day, _month_after(end.bare, start.day)
        end_day = end.day or start.day
        while end.floating and end_day < start.day:
            end_day += timedelta(days=7)  # "lun-vie": the Friday after that Monday
        return start.day, end_day

    def both_bare(self, first: int, last: int) -> tuple[date, date]:
        """"del 20 al 25": the first month (from this one) where the span exists and its
        last day is still ahead."""
        year, month = self.today.year, self.today.month
        for _step in range(14):
            try:
                start = date(year, month, first)
                end = _month_after(last, start)
            except (ValueError, WhenError):
                end = None
            if end is not None and end >= self.today:
                return start, end
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        raise _NotAnEnd

    def check_weekday(self, end: _End, day: date) -> None:
        """"lundi 14" with a bare day: the weekday must be that day's."""
        if end.weekday and day.weekday() != WEEKDAY_WORDS[end.weekday]:
            error = weekday_mismatch(self.text(*end.words), day, WEEKDAY_WORDS[end.weekday])
            raise _Refused(error, end.words).whole(self)


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _month_before(day: int, anchor: date) -> date:
    """Day `day` in the anchor's month, or the month before when it would come after."""
    year, month = anchor.year, anchor.month
    if day > anchor.day:
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return _real(year, month, day)


def _month_after(day: int, anchor: date) -> date:
    """Day `day` in the anchor's month, or the month after when it would come before."""
    year, month = anchor.year, anchor.month
    if day < anchor.day:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return _real(year, month, day)


def _real(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise WhenError(_("There is no {day} in that month.").format(day=day)) from None


class _Refused(Exception):
    """An end that reads as a refusal (two readings); carries it up to the whole text."""

    def __init__(self, error: WhenError, words: tuple[int, int]) -> None:
        super().__init__(str(error))
        self.error, self.words = error, words

    def whole(self, reader: _Reader) -> WhenError:
        """The refusal with each reading put in place of the end, in the whole text."""
        a, b = self.words
        before, after = reader.text(0, a), reader.text(b, len(reader.words))
        readings = [" ".join(p for p in (before, reading, after) if p)
                    for reading in self.error.readings]
        return WhenError(str(self.error), readings, self.error.reason)
