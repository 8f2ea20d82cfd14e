"""Check-ins: the rules, without Matrix or SQL.

A schedule names weekdays, a wall-clock time and either one zone for the whole room or
"local" (each member at that time in their own zone). A *cycle* is one check-in: in local
mode the cycle of Monday prompts a member in Auckland long before one in Honolulu, all for
the same Monday, and its summary waits for the last member's window to close.

Choices worth knowing:

- Days off come from `!hours`: a member who set working days is not prompted on other
  days (their local date at the prompt instant decides). Members who never set hours have
  no days off: the schedule alone decides.
- Wall times are localized like meetings (`when.localize`): a time inside a spring-forward
  gap moves forward by the gap; a repeated fall-back time takes its first instant.
- Answers are read per question (`domain.answers`): numbered, labelled ("Blocked: …"),
  one line or one message per question. A single message that fits no pattern is kept
  whole, unlabelled.
- Blockers are the answers to the question about blocking ("block", "stuck", "imped…",
  "obstacle", "help"…), minus answers that only say there is none ("no", "Nenhum
  bloqueio", "لا يوجد"…).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from domain.answers import blocker_index, means_nothing, read_answers
from domain.errors import DomainError
from domain.i18n import N_, _, ngettext
from domain.when import WEEKDAY_WORDS, localize
from domain.words import to_english
from domain.zones import ZoneError, resolve_zone, zone_info, zone_label

__all__ = [
    "DEFAULT_QUESTIONS",
    "DEFAULT_WINDOW",
    "CheckinError",
    "MemberClock",
    "PersonAnswers",
    "Schedule",
    "Summary",
    "answer_state",
    "blocker_index",
    "condense",
    "cycle_days",
    "day_label",
    "describe_window",
    "is_day_off",
    "late_until",
    "means_nothing",
    "member_prompts",
    "next_prompt",
    "parse_questions",
    "parse_schedule",
    "parse_window",
    "prompt_instant",
    "read_answers",
    "summarise",
]

# Stored in English; shown translated while a room keeps them (checkin_format.shown_questions).
DEFAULT_QUESTIONS = (N_("What did you work on?"), N_("What's next?"),
                     N_("Anything blocking you?"))
MAX_QUESTIONS = 5
MAX_QUESTION_LENGTH = 200
DEFAULT_WINDOW = timedelta(hours=24)
MIN_WINDOW = timedelta(hours=1)
MAX_WINDOW = timedelta(days=7)
CONDENSED = 160

_DAY_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_PLURAL = (N_("Mondays"), N_("Tuesdays"), N_("Wednesdays"), N_("Thursdays"),
               N_("Fridays"), N_("Saturdays"), N_("Sundays"))
_ALL = frozenset(range(7))
_WEEKDAYS = frozenset(range(5))
_DAY_WORDS = {"day": _ALL, "days": _ALL, "daily": _ALL, "everyday": _ALL,
              "weekday": _WEEKDAYS, "weekdays": _WEEKDAYS}
_CLOCK = re.compile(r"([0-9]{1,2})(?:[:.h]([0-9]{2}))?\s*(am|pm)?", re.IGNORECASE)
_DURATION = re.compile(r"([0-9]+)(minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w)")
_UNIT_MINUTES = {"m": 1, "h": 60, "d": 1440, "w": 10080}
_QUOTES = {'"': '"', "“": "”", "'": "'", "«": "»"}


class CheckinError(DomainError):
    """Something typed about check-ins that cannot be used; the message says why."""


@dataclass(frozen=True)
class Schedule:
    """When a room checks in; `zone` None means each member's own zone ("local")."""

    days: frozenset[int]
    at: time
    zone: str | None = None

    def describe(self) -> str:
        """E.g. "Mondays and Thursdays at 10:00, in each member's own time zone"."""
        if self.days == _ALL:
            days = _("every day")
        elif self.days == _WEEKDAYS:
            days = _("every weekday")
        else:
            names = [_(_DAY_PLURAL[d]) for d in sorted(self.days)]
            # Translators: the last of several days, e.g. "Mondays, Tuesdays and Fridays".
            days = names[0] if len(names) == 1 else _("{days} and {last_day}").format(
                days=", ".join(names[:-1]), last_day=names[-1])
        at = f"{self.at:%H:%M}"
        if self.zone is None:
            # Translators: {days} is e.g. "Mondays and Thursdays" or "every weekday".
            return _("{days} at {time}, in each member's own time zone").format(days=days,
                                                                                 time=at)
        # Translators: {days} is e.g. "Fridays"; {zone} is a place, e.g. "Nairobi".
        return _("{days} at {time}, {zone} time").format(days=days, time=at,
                                                          zone=zone_label(self.zone))

    def days_text(self) -> str:
        return ",".join(str(d) for d in sorted(self.days))


@dataclass(frozen=True)
class MemberClock:
    """What decides when one member is asked: their zone and working days (None = unset)."""

    user_id: str
    zone: str
    workdays: frozenset[int] | None = None
    # Local dates off although a working weekday: public holidays and own days off.
    days_off: frozenset[date] = frozenset()


# ---- reading what members type --------------------------------------------------------
def parse_days(text: str) -> frozenset[int]:
    """"mon", "mon,thu", "mon-fri", "weekday", "day" (also "every day", "daily")."""
    days: set[int] = set()
    for item in re.split(r"[,\s/+&]+", text.strip().lower()):
        if not item or item == "every":
            continue
        if item in _DAY_WORDS:
            days |= _DAY_WORDS[item]
        elif "-" in item:
            first, _dash, last = item.partition("-")
            if first not in WEEKDAY_WORDS or last not in WEEKDAY_WORDS:
                raise CheckinError(_('"{item}" is not a range of days.').format(item=item))
            a, b = WEEKDAY_WORDS[first], WEEKDAY_WORDS[last]
            days.update((a + i) % 7 for i in range((b - a) % 7 + 1))
        elif item in WEEKDAY_WORDS:
            days.add(WEEKDAY_WORDS[item])
        else:
            # Translators: mon, mon,thu, weekday and day are examples of what to type.
            raise CheckinError(_('"{item}" is not a day; use mon, mon,thu, weekday or day.'
                                 ).format(item=item))
    if not days:
        raise CheckinError(_("Say on which days: mon, mon,thu, weekday or day."))
    return frozenset(days)


def parse_clock(text: str) -> time:
    """"10:00", "9.30", "9am", "14h", "10"."""
    match = _CLOCK.fullmatch(text.strip())
    if not match:
        raise CheckinError(_('"{text}" is not a time of day; try 10:00.').format(
            text=text.strip()[:20]))
    hour, minute, meridiem = int(match[1]), int(match[2] or 0), (match[3] or "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            raise CheckinError(_('"{text}" is not a time of day; try 10:00.').format(
                text=text.strip()))
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59:
        raise CheckinError(_('"{text}" is not a time of day; try 10:00.').format(
            text=text.strip()))
    return time(hour, minute)


def parse_schedule(text: str) -> Schedule:
    """`<rule> <time> [local|<zone>]`; without a zone it is "local".

    Read in every supported language ("lunes y jueves 10h", "lun-ven 9:30 heure de Paris",
    "كل يوم 9:00"): `words.to_english` turns the text into the English forms first."""
    words = to_english(text, "days").split()
    if words and words[0].lower() == "every":
        words = words[1:]
    clock_at = next((i for i, w in enumerate(words) if i > 0 and _CLOCK.fullmatch(w)), None)
    if not words or clock_at is None:
        raise CheckinError(_("Give the days, then the time."))
    days = parse_days(" ".join(words[:clock_at]))
    at = parse_clock(words[clock_at])
    rest = " ".join(words[clock_at + 1:]).strip()
    if rest.lower() in ("", "local", "own", "local time"):
        return Schedule(days, at, None)
    try:
        zone = resolve_zone(rest.removeprefix("in ").strip())
    except ZoneError as err:
        hint = " " + _("Did you mean {zones}?").format(
            zones=", ".join(err.suggestions[:3])) if err.suggestions else ""
        raise CheckinError(f"{err}{hint} " + _("Or say local for each member's own zone.")
                           ) from None
    return Schedule(days, at, zone)


def parse_window(text: str) -> timedelta:
    """"48h", "2d", "1d12h", "90m"; between an hour and a week."""
    compact = re.sub(r"\s+", "", text.strip().lower())
    total, position = 0, 0
    for match in _DURATION.finditer(compact):
        if match.start() != position:
            break
        total += int(match[1]) * _UNIT_MINUTES[match[2][0]]
        position = match.end()
    if not compact or position != len(compact):
        raise CheckinError(_('I couldn\'t read "{text}" as a length of time.').format(
            text=text.strip()[:30]))
    # Compare minutes before making a timedelta: a huge number would overflow it.
    if total > MAX_WINDOW // timedelta(minutes=1):
        raise CheckinError(_("Answers can be collected for at most 7 days."))
    window = timedelta(minutes=total)
    if window < MIN_WINDOW:
        raise CheckinError(_("Give people at least an hour to answer."))
    return window


def describe_window(window: timedelta) -> str:
    minutes = int(window.total_seconds() // 60)
    if minutes % 1440 == 0 and minutes >= 2880:
        days = minutes // 1440
        return ngettext("{count} day", "{count} days", days).format(count=days)
    hours = minutes // 60
    if minutes % 60 == 0:
        # Translators: a length in whole hours, e.g. "2h" (Arabic: "ساعة واحدة", "ساعتين").
        return ngettext("{count}h", "{count}h", hours).format(count=hours)
    # Translators: a length of time in hours and minutes, e.g. "1h30m"; {count} is the
    # hours (the plural follows it), {minutes} has two digits.
    return ngettext("{count}h{minutes}m", "{count}h{minutes}m", hours).format(
        count=hours, minutes=f"{minutes % 60:02d}")


def parse_questions(text: str) -> tuple[str, ...]:
    """Quoted questions ("…" "…"), or one per line / separated by "|"; 1 to 5."""
    stripped = text.strip()
    parts: list[str] = []
    if stripped[:1] in _QUOTES:
        rest = stripped
        while rest:
            close = _QUOTES.get(rest[0])
            if close is None:
                raise CheckinError(_("Put each question in quotation marks."))
            end = rest.find(close, 1)
            if end < 0:
                raise CheckinError(_("A quotation mark is not closed."))
            parts.append(rest[1:end])
            rest = rest[end + 1:].strip()
    else:
        parts = re.split(r"\s*(?:\n|\|)\s*", stripped)
    questions = tuple(" ".join(p.split()) for p in parts)
    if not questions or not any(questions):
        raise CheckinError(_("Give at least one question."))
    if any(not q for q in questions):
        raise CheckinError(_("One of the questions is empty."))
    if len(questions) > MAX_QUESTIONS:
        count = len(questions)
        # Translators: {most} is the largest number of questions allowed (5).
        raise CheckinError(ngettext("That is {count} question; ask at most {most}.",
                                    "That is {count} questions; ask at most {most}.",
                                    count).format(count=count, most=MAX_QUESTIONS))
    too_long = next((q for q in questions if len(q) > MAX_QUESTION_LENGTH), None)
    if too_long:
        raise CheckinError(ngettext("Keep each question under {count} character.",
                                    "Keep each question under {count} characters.",
                                    MAX_QUESTION_LENGTH).format(count=MAX_QUESTION_LENGTH))
    return questions


# ---- when people are asked ----------------------------------------------------------------
def prompt_instant(schedule: Schedule, day: date, member_zone: str) -> datetime:
    """The UTC instant of `day` at the schedule's time, in the room's or the member's zone."""
    instant, _moved = localize(datetime.combine(day, schedule.at), schedule.zone or member_zone)
    return instant


def is_day_off(clock: MemberClock, instant: datetime) -> bool:
    """True when the member's local date at `instant` is not one of their working days, or
    is their public holiday or own day off."""
    local = instant.astimezone(zone_info(clock.zone))
    if local.date() in clock.days_off:
        return True
    return clock.workdays is not None and local.weekday() not in clock.workdays


def member_prompts(schedule: Schedule, day: date, members: Iterable[MemberClock]
                   ) -> dict[str, datetime]:
    """Each member's prompt instant for the cycle of `day` (days off are the caller's filter)."""
    return {m.user_id: prompt_instant(schedule, day, m.zone) for m in members}


def cycle_days(schedule: Schedule, zones: Iterable[str], after: datetime, before: datetime
               ) -> list[tuple[date, list[datetime]]]:
    """Cycle days with a possible prompt in [after, before), and those instants, sorted.

    `zones` are every zone a member could be in (ignored for a room-wide zone).
    """
    candidates = [schedule.zone] if schedule.zone else sorted(set(zones)) or ["UTC"]
    found: list[tuple[date, list[datetime]]] = []
    day = (after - timedelta(days=2)).date()
    last = (before + timedelta(days=2)).date()
    while day <= last:
        if day.weekday() in schedule.days:
            instants = sorted({prompt_instant(schedule, day, z) for z in candidates})
            inside = [i for i in instants if after <= i < before]
            if inside:
                found.append((day, inside))
        day += timedelta(days=1)
    return found


def next_prompt(schedule: Schedule, zone: str, after: datetime) -> datetime:
    """The next instant after `after` at which a member in `zone` would be asked."""
    tz = zone_info(schedule.zone or zone)
    day = after.astimezone(tz).date() - timedelta(days=1)
    for _attempt in range(10):
        if day.weekday() in schedule.days:
            instant = prompt_instant(schedule, day, zone)
            if instant > after:
                return instant
        day += timedelta(days=1)
    raise CheckinError(_("This schedule never asks anyone."))  # unreachable with ≥ 1 day


# ---- reading answers ----------------------------------------------------------------------
def condense(text: str, limit: int = CONDENSED) -> str:
    """One line, whitespace collapsed, cut with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


# ---- the summary ----------------------------------------------------------------------------
@dataclass(frozen=True)
class PersonAnswers:
    """One member's messages for a cycle, in the order they were sent."""

    name: str
    texts: tuple[str, ...]
    late: bool = False


@dataclass(frozen=True)
class PersonSummary:
    name: str
    answers: tuple[str | None, ...]  # per question, condensed; empty when unstructured
    loose: tuple[str, ...]  # unstructured text and extra messages, condensed
    late: bool


@dataclass
class Summary:
    questions: tuple[str, ...]
    people: list[PersonSummary] = field(default_factory=list)
    blockers: list[tuple[str, str]] = field(default_factory=list)
    not_heard: list[str] = field(default_factory=list)
    asked: int = 0

    @property
    def answered(self) -> int:
        return len(self.people)


def summarise(questions: Sequence[str], people: Sequence[PersonAnswers],
              not_heard: Sequence[str], asked: int) -> Summary:
    """Condensed answers in order, blockers pulled out with names, who was not heard from.

    Answers are cut shorter in big rooms, so a summary stays well under Matrix's 64 KiB
    event limit (HTML doubles the text): about 16,000 characters at most.
    """
    limit = max(40, min(CONDENSED, 16_000 // max(1, len(people) * (len(questions) + 1))))
    summary = Summary(tuple(questions), asked=asked, not_heard=sorted(not_heard, key=str.lower))
    blocker_at = blocker_index(questions)
    for person in people:
        if not person.texts:
            continue
        reading = read_answers(person.texts, questions)
        slots, extras, structured = reading.slots, reading.extras, reading.structured
        if structured:
            answers = tuple(condense(s, limit) if s else None for s in slots)
            loose = tuple(condense(e, limit) for e in extras[:3])
        else:
            answers, loose = (), (condense(person.texts[0], limit * len(questions)),)
        summary.people.append(PersonSummary(person.name, answers, loose, person.late))
        if structured and blocker_at is not None:
            said = slots[blocker_at]
            if said and not means_nothing(said):
                summary.blockers.append((person.name, condense(said, limit)))
    return summary


def late_until(closes_at: datetime, summary_at: datetime, window: timedelta) -> datetime:
    """After the summary, answers are still added (marked late) for one more window."""
    return max(closes_at, summary_at) + window


def answer_state(now: datetime, closes_at: datetime, summary_at: datetime | None,
                 window: timedelta) -> str:
    """"open" (goes into the summary), "late" (appended to it) or "closed" (not taken)."""
    if summary_at is None:
        return "open"
    return "late" if now < late_until(closes_at, summary_at, window) else "closed"


def day_label(day: date) -> str:
    """"Mon 30 Nov": the label stored with a cycle, always English, built by hand so the
    server locale never leaks. Members see it translated (`checkin_format.cycle_label`)."""
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
              "Dec")
    return f"{_DAY_SHORT[day.weekday()]} {day.day} {months[day.month - 1]}"
