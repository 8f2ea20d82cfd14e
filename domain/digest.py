"""The weekly digest's pure rules: when it is due, and how a long one is split.

Size: Matrix refuses events over 65,536 bytes. In an encrypted room the event carries the
megolm ciphertext of the content's JSON (nio writes it with `ensure_ascii`, so "é" costs 6
bytes and an emoji 12), base64-encoded (4/3) plus the event's own envelope (~1.5 KB). So
the rendered JSON content (plain body + HTML body + mentions) must stay under ~47,000
bytes; we budget 40,000 per message. Sizes here are upper bounds of what `bot/render.py`
produces, computed from a message's parts without importing the bot layer.

Splitting never cuts a block (one action item, one meeting, one line of a section) in half:
blocks are packed greedily, in order, into as few messages as fit the budget.

Schedule: one digest per room and ISO week, keyed by the week of the slot's local date. A
slot missed while the bot was down is sent late the same local day, otherwise skipped: a
Monday digest arriving on Thursday would mislead more than it helps. A slot earlier than
the room's schedule (or, for a room on the default schedule, its first action or meeting)
is never "missed", so choosing a schedule never fires a digest for a time already past.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence
from datetime import datetime, time, timedelta
from typing import TypeVar

from domain.i18n import _
from domain.timefmt import month_name
from domain.when import localize
from domain.zones import zone_info

T = TypeVar("T")
Part = tuple[str, str, str]  # (kind, value, extra) as in commands.reply.Msg.parts

MESSAGE_BUDGET = 40_000
ENVELOPE = 300  # msgtype, format, key names, m.mentions and m.relates_to scaffolding
_TAGS = {"text": 0, "bold": 17, "italic": 9, "code": 13, "mention": 15, "newline": 0}
_LINK_PREFIX = 40  # "https://matrix.to/#/" plus slack


def json_len(text: str) -> int:
    """Bytes `text` takes inside a JSON string, as nio serialises it (ASCII escapes)."""
    return len(json.dumps(text)) - 2


def parts_size(parts: Sequence[Part]) -> int:
    """Upper bound of what these parts add to body + formatted_body + m.mentions."""
    size = 0
    for kind, value, extra in parts:
        if kind == "newline":
            size += 2 + 4  # "\n" in the body, "<br>" in the HTML
            continue
        body = f"`{value}`" if kind == "code" else value
        size += json_len(body) + json_len(html.escape(value, quote=True)) + _TAGS.get(kind, 20)
        if kind == "mention":
            size += _LINK_PREFIX + json_len(html.escape(extra, quote=True)) + json_len(extra) + 3
    return size


def pack(blocks: Sequence[T], size: Callable[[T], int], budget: int = MESSAGE_BUDGET,
         overhead: int = ENVELOPE) -> list[list[T]]:
    """Greedy, order-preserving packing of whole blocks into messages under `budget`.

    A single block larger than the budget gets a message of its own; callers keep blocks
    small (an item's text is capped) and cut anything they do not control with `fitting`.
    """
    messages: list[list[T]] = []
    current: list[T] = []
    used = overhead
    for block in blocks:
        cost = size(block)
        if current and used + cost > budget:
            messages.append(current)
            current, used = [], overhead
        current.append(block)
        used += cost
    if current:
        messages.append(current)
    return messages


def fitting(parts: Sequence[Part], budget: int) -> int:
    """How many leading whole parts fit in `budget`, leaving room for a "…" and a line break
    (for blocks we did not write, e.g. a hook's section)."""
    used = 20
    for count, part in enumerate(parts):
        used += parts_size([part])
        if used > budget:
            return count
    return len(parts)


def weekly_slot(now: datetime, zone: str, weekday: int, at: time,
                weeks_ahead: int = 0) -> tuple[datetime, str]:
    """(UTC instant, "2026-W49") of the slot in the ISO week of `now`'s local date."""
    today = now.astimezone(zone_info(zone)).date()
    day = today - timedelta(days=today.weekday()) + timedelta(days=7 * weeks_ahead + weekday)
    slot, _shift = localize(datetime.combine(day, at), zone)
    year, week, _weekday = day.isocalendar()
    return slot, f"{year}-W{week:02d}"


def floor_minute(instant: datetime) -> datetime:
    return instant.replace(second=0, microsecond=0)


def slots_to_plan(now: datetime, zone: str, weekday: int, at: time,
                  since: datetime | None, horizon: timedelta,
                  missed_since: datetime | None = None) -> list[tuple[datetime, str]]:
    """The slots to schedule now: due within `horizon`, or missed earlier the same local day.

    `since`: when the schedule (or the room's activity) began; earlier slots never count.
    `missed_since`: when the bot last looked; the latest slot after it that it missed (down,
    or its clock jumped past) counts too, whatever its day: one late digest, not several.
    """
    today = now.astimezone(zone_info(zone)).date()
    found = []
    missed: list[tuple[datetime, str]] = []
    for weeks in (-1, 0, 1):
        slot, key = weekly_slot(now, zone, weekday, at, weeks)
        if slot > now + horizon:
            continue
        if since is not None and slot < floor_minute(since):
            continue
        if slot <= now and slot.astimezone(zone_info(zone)).date() != today:
            if missed_since is not None and floor_minute(missed_since) <= slot:
                missed.append((slot, key))
            continue
        found.append((slot, key))
    if missed and not any(slot <= now for slot, _key in found):
        found.insert(0, missed[-1])
    return found


def latest_slot(now: datetime, zone: str, weekday: int, at: time) -> tuple[datetime, str]:
    """The most recent slot at or before `now` (this week's, or last week's)."""
    slot, key = weekly_slot(now, zone, weekday, at)
    return (slot, key) if slot <= now else weekly_slot(now, zone, weekday, at, -1)


def week_range(slot: datetime, zone: str) -> str:
    """"30 Nov – 6 Dec 2026": the week a digest speaks for (Monday to Sunday, local), with
    month names in the active language."""
    day = slot.astimezone(zone_info(zone)).date()
    monday = day - timedelta(days=day.weekday())
    sunday = monday + timedelta(days=6)
    days = {"first_day": monday.day, "first_month": month_name(monday.month),
            "last_day": sunday.day, "last_month": month_name(sunday.month),
            "year": sunday.year}
    if monday.year != sunday.year:
        # Translators: a week across two years, e.g. "29 Dec 2025 – 4 Jan 2026" (short
        # month names).
        return _("{first_day} {first_month} {first_year} – {last_day} {last_month} {year}"
                 ).format(first_year=monday.year, **days)
    # Translators: a week, e.g. "30 Nov – 6 Dec 2026" (short month names).
    return _("{first_day} {first_month} – {last_day} {last_month} {year}").format(**days)
