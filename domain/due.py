"""Due dates of action items: read in the owner's zone, shown in it, nudged in their morning.

- A due date without a time means the end of that day (23:59) in the owner's zone, so
  "fri" is still on time all Friday wherever the owner lives.
- A due date in the past is refused with a suggestion: the same time tomorrow when it
  was earlier today, the same weekday next week within a week, else the same date next year.
- The overdue nudge goes out at 09:00 in the owner's zone, the first such morning after
  the due instant. A morning missed while the bot was down is caught up to three hours
  late; later than that, the next morning is used (never a nudge at 3 a.m.).
- Due dates are read in every supported language ("vendredi", "el próximo jueves",
  "غدا"), since `when.parse_when` reads them; the clause keyword stays "due" (words such
  as "para"/"pour" are too common inside an item's text). Words shown follow the active
  language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from domain.errors import DomainError
from domain.i18n import N_, _, ngettext
from domain.timefmt import day_phrase, format_day
from domain.when import localize, parse_when
from domain.zones import zone_info, zone_label

END_OF_DAY = time(23, 59)
NUDGE_TIME = time(9, 0)
NUDGE_LATE = timedelta(hours=3)
MAX_TEXT = 1000
# What an empty item is told, by kind (`clean_text`'s `what`).
_NO_TEXT = {
    "action": N_("What is the action? Give its text."),
    "decision": N_("What is the decision? Give its text."),
    "info": N_("What is the info? Give its text."),
}
_QUOTES = {'"': '"', "“": "”", "'": "'", "«": "»"}
_DUE_CLAUSE = re.compile(r"(?:(.*)\s+)?due\s+(\S.*)", re.IGNORECASE | re.DOTALL)


class DuePassed(DomainError):
    """The due date is already behind us; `suggestion` is the nearest sensible future one."""

    def __init__(self, message: str, suggestion: str) -> None:
        super().__init__(message)
        self.suggestion = suggestion


@dataclass(frozen=True)
class Due:
    instant: datetime  # UTC
    local: datetime  # wall time in `zone`
    zone: str


def parse_due(text: str, now: datetime, zone: str) -> Due:
    """Read a due date in `zone` (the owner's); raises WhenError/ZoneError/DuePassed."""
    wall = parse_when(text, now, zone, default_time=END_OF_DAY)
    instant, _note = localize(wall.local, wall.zone)
    if instant <= now:
        now_local = now.astimezone(zone_info(wall.zone))
        later = future_suggestion(wall.local, now_local)
        shown = due_words(wall.local, now, wall.zone)
        if wall.local.date() < now_local.date():
            # Translators: {when} e.g. "yesterday, Wed 2 Dec (end of day, Bogota)";
            # {suggestion} a date to type, e.g. "2026-12-09".
            message = _("That date is in the past: {when}. Did you mean {suggestion}?")
        else:
            # Translators: {when} e.g. "today, Thu 3 Dec, 09:00 (Bogota)"; {suggestion} a
            # date and time to type, e.g. "2026-12-04 09:00".
            message = _("That time has already passed: {when}. Did you mean {suggestion}?")
        raise DuePassed(message.format(when=shown, suggestion=suggestion_text(later)),
                        suggestion_text(later))
    return Due(instant, wall.local, wall.zone)


def future_suggestion(local: datetime, now_local: datetime) -> datetime:
    """The same time tomorrow, the same weekday next week, or the same date next year."""
    naive_now = now_local.replace(tzinfo=None)
    behind = naive_now - local
    if behind < timedelta(days=1) and local.time() != END_OF_DAY:
        candidate = local + timedelta(days=1)
        if candidate > naive_now:
            return candidate
    if behind < timedelta(days=7):
        return local + timedelta(days=7 * (behind.days // 7 + 1))
    year = local.year + 1
    while True:
        try:
            candidate = local.replace(year=year)
        except ValueError:  # 29 February
            candidate = local.replace(year=year, day=28)
        if candidate > naive_now:
            return candidate
        year += 1


def suggestion_text(local: datetime) -> str:
    """What to type for `local`: an ISO date, with the time unless it is the end of the day."""
    day = local.date().isoformat()
    return day if local.time() == END_OF_DAY else f"{day} {local:%H:%M}"


def day_words(local: datetime, now: datetime, zone: str) -> str:
    """"Fri 4 Dec", with the year when it is not this year's (in the active language)."""
    this_year = now.astimezone(zone_info(zone)).year
    return format_day(local.date(), with_year=local.year != this_year)


def format_due(due: datetime, zone: str, now: datetime) -> str:
    """"today, Thu 3 Dec (end of day, Nairobi)" or "Fri 4 Dec, 15:00 (Nairobi)", in `zone`.

    This is how a due date is restated, so `parse_due` reads it back as the same instant.
    """
    return due_words(due.astimezone(zone_info(zone)).replace(tzinfo=None), now, zone)


def due_words(local: datetime, now: datetime, zone: str) -> str:
    """`format_due` for a wall time already in `zone`."""
    label = zone_label(zone)
    today = now.astimezone(zone_info(zone)).date()
    day = day_phrase(local.date(), today, with_year=local.year != today.year)
    if local.time() == END_OF_DAY:
        # Translators: a due date without a time, e.g. "Fri 4 Dec (end of day, Nairobi)".
        return _("{day} (end of day, {place})").format(day=day, place=label)
    # Translators: a due date, e.g. "Fri 4 Dec, 15:00 (Nairobi)".
    return _("{day}, {time} ({place})").format(day=day, time=f"{local:%H:%M}", place=label)


def overdue_by(due: datetime, now: datetime) -> str:
    """"overdue by 3 days" / "by 5 hours" / "just overdue"."""
    late = now - due
    if late >= timedelta(days=1):
        days = late.days
        return ngettext("overdue by {count} day", "overdue by {count} days", days).format(
            count=days)
    if late >= timedelta(hours=1):
        hours = int(late.total_seconds() // 3600)
        return ngettext("overdue by {count} hour", "overdue by {count} hours", hours).format(
            count=hours)
    return _("just overdue")


def _morning_after(instant: datetime, zone: str) -> datetime:
    """The first 09:00 in `zone` strictly after `instant`."""
    local_day: date = instant.astimezone(zone_info(zone)).date()
    for offset in range(3):
        candidate, _note = localize(datetime.combine(local_day + timedelta(days=offset),
                                                     NUDGE_TIME), zone)
        if candidate > instant:
            return candidate
    raise AssertionError("a 09:00 always comes within three days")


def nudge_time(due: datetime, zone: str, now: datetime) -> datetime:
    """When to nudge the owner about an item due at `due` (see the module doc)."""
    first = _morning_after(due, zone)
    if first >= now - NUDGE_LATE:
        return first
    return _morning_after(now - NUDGE_LATE, zone)


def open_order(due: datetime | None, number: int) -> tuple[bool, datetime, int]:
    """Overdue first (oldest first), then by due date, undated last, then by number."""
    return (due is None, due or datetime.max.replace(tzinfo=UTC), number)


# ---- what members type about an item ------------------------------------------------------


def parse_number(text: str) -> int:
    """`12` or `#12` → 12."""
    match = re.fullmatch(r"#?([0-9]{1,9})", text.strip())
    if not match:
        raise DomainError(_("{text} is not an item number; numbers look like 12 or #12.").format(
            text=repr(text[:30])))
    return int(match.group(1))


def parse_numbers(text: str, most: int = 20) -> list[int]:
    """`3 4, 5` → [3, 4, 5]: item numbers apart by spaces or commas; only the first `most`."""
    return [parse_number(word) for word in text.replace(",", " ").split()[:most]]


def clean_text(text: str, what: str = "action") -> str:
    """An item's text on one line, non-empty and at most MAX_TEXT characters."""
    text = " ".join(text.split())
    if not text:
        if what in _NO_TEXT:
            raise DomainError(_(_NO_TEXT[what]))
        # Translators: {what} is a kind of item, in English (e.g. "action").
        raise DomainError(_("What is the {what}? Give its text.").format(what=what))
    if len(text) > MAX_TEXT:
        raise DomainError(ngettext("That text is {count} character; keep it under {most}.",
                                  "That text is {count} characters; keep it under {most}.",
                                  len(text)).format(count=f"{len(text):,}", most=f"{MAX_TEXT:,}"))
    return text


def split_due_clause(text: str) -> tuple[str, str | None]:
    """`<text> due <when>` (the last "due" counts), or `"<text>" [due <when>]`."""
    text = text.strip()
    close = _QUOTES.get(text[:1])
    if close:
        end = text.find(close, 1)
        if end < 0:
            raise DomainError(_("A quotation mark is not closed."))
        quoted, after = text[1:end], text[end + 1:].strip()
        if not after:
            return quoted, None
        match = re.fullmatch(r"due\s+(\S.*)", after, re.IGNORECASE | re.DOTALL)
        if not match:
            raise DomainError(_("I didn't expect {text} after the quoted text.").format(
                text=repr(after[:40])))
        return quoted, match.group(1).strip()
    match = _DUE_CLAUSE.fullmatch(text)
    return (match.group(1) or "", match.group(2).strip()) if match else (text, None)


def _member(token: str, members: Sequence[str], name_of: Callable[[str], str]) -> str | None:
    """`@alice:server`, `@alice` (localpart) or `@Alice` (display name) → a member; a
    unique beginning of a localpart or name works too (`@ali`), an ambiguous one does not."""
    if token in members:
        return token
    word = token.lstrip("@").lower()
    names = {user: (user[1:].split(":", 1)[0].lower(), name_of(user).lower())
             for user in members}
    for user, known in names.items():
        if word in known:
            return user
    starting = [user for user, known in names.items() if any(k.startswith(word) for k in known)]
    if len(starting) > 1:
        # Translators: {name} is what was typed after @; {members} are members' names.
        raise DomainError(_("@{name} could be {members}; write more of the name.").format(
            name=word[:40], members=", ".join(sorted(name_of(u) for u in starting)[:4])))
    return starting[0] if word and starting else None


def leading_people(text: str, mentioned: Sequence[str], members: Sequence[str],
                   name_of: Callable[[str], str], pills: Mapping[str, str] | None = None
                   ) -> tuple[list[str], str]:
    """The members named at the start of `text`, and what follows.

    Clients put a pill's text (the display name when it was sent) in the plain body and the
    user id in m.mentions or the formatted body, so a leading pill text or display name of a
    mentioned user counts, as do `@id` and `@localpart`.
    """
    pills = pills or {}
    labels = sorted(((label.lower(), user) for user in mentioned
                     for label in (user, name_of(user), "@" + name_of(user),
                                   "@" + user[1:].split(":", 1)[0], pills.get(user, ""),
                                   "@" + pills.get(user, "").lstrip("@"))
                     if label.strip("@")),
                    key=lambda item: len(item[0]), reverse=True)
    owners: list[str] = []
    rest = text.strip()
    while rest:
        lowered, found = rest.lower(), None
        for label, user in labels:
            end = len(label)
            if lowered.startswith(label) and (end == len(rest) or rest[end] in " \t\n:,"):
                found = (user, end)
                break
        if found is None and rest.startswith("@"):
            token = rest.split(maxsplit=1)[0].rstrip(":,")
            member = _member(token, members, name_of)
            if member is None:
                raise DomainError(_("I can't find {name} among this room's members.").format(
                    name=token[:60]))
            found = (member, len(token))
        if found is None:
            break
        if found[0] not in members:
            raise DomainError(_("{user} is not a member of this room.").format(
                user=name_of(found[0])))
        owners.append(found[0])
        rest = rest[found[1]:].lstrip(" \t\n:,")
    return list(dict.fromkeys(owners)), rest
