"""A series changes (`!meeting move … --series`, a new rule): what was decided about its
upcoming occurrences follows them (`domain.reschedule`), and the reply says where each went
and names any it had to drop. Skipped dates, moved occurrences and agenda items are the
meetings' own; other features (rota skips and swaps) answer the "series-change" hook:
`async (ctx, meeting, carry) -> list[Carried]`, remapping their own rows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from commands.context import Context
from commands.reply import Msg
from domain.i18n import _, ngettext
from domain.recurrence import Series
from domain.reschedule import Carried, CarryOver
from domain.timefmt import format_day, format_local
from storage.meetings import Meeting, agenda_counts, overrides_for, remap_occurrences

SeriesHook = Callable[[Context, Meeting, CarryOver], Awaitable[list[Carried]]]


def day(wall: datetime) -> str:
    """"Tue 19 Jan 2027": an occurrence by its day, in the reader's language."""
    return format_day(wall.date(), with_year=True)


async def carry_decisions(ctx: Context, meeting: Meeting, new: Series,
                          hooks: Sequence[SeriesHook]) -> list[Carried]:
    """Move every decision about an upcoming occurrence of `meeting` (still with its old
    series) to the occurrence of `new` it belongs to; what was carried or dropped."""
    carry = CarryOver(meeting.series, new, ctx.now)
    found: list[Carried] = []
    moves: dict[datetime, datetime | None] = {}
    for original, override in sorted((await overrides_for(ctx.db, meeting.id)).items()):
        if override.skipped:
            what = _("the skip of {day}").format(day=day(original))
        elif override.new_start_utc is not None:
            what = _("the move of {day} to {when}").format(
                day=day(original), when=format_local(override.new_start_utc, meeting.series.zone))
        else:
            continue
        if carry.is_ahead(original):
            moves[original] = carry.target(original)
        elif override.new_start_utc is not None and override.new_start_utc > ctx.now:
            moves[original] = None  # moved ahead from a date now behind: nothing to attach to
        else:
            continue  # history
        found.append(Carried(what, original, moves[original]))
    for original, count in sorted((await agenda_counts(ctx.db, meeting.id)).items()):
        if carry.is_ahead(original):
            moves[original] = carry.target(original)
            found.append(Carried(ngettext("{count} agenda item for {day}",
                                          "{count} agenda items for {day}", count).format(
                count=count, day=day(original)), original, moves[original]))
    await remap_occurrences(ctx.db.conn, meeting.id, moves)
    for hook in hooks:
        found += await hook(ctx, meeting, carry)
    return sorted(found, key=lambda c: c.old)


def carried_lines(msg: Msg, carried: Sequence[Carried]) -> Msg:
    """"Kept: …" (with the new date of what moved) and "Dropped …: …"."""
    kept = [c.what if c.new is None or c.new.date() == c.old.date()
            # Translators: a decision kept on another date, e.g. "the skip of Mon 18 Jan
            # 2027 (now Tue 19 Jan 2027)".
            else _("{what} (now {day})").format(what=c.what, day=day(c.new))
            for c in carried if c.new is not None]
    dropped = [c.what for c in carried if c.new is None]
    if kept:
        # Translators: {items} lists decisions separated by semicolons.
        msg.text(_("Kept: {items}.").format(items="; ".join(kept))).line()
    if dropped:
        # Translators: {items} lists decisions separated by semicolons.
        msg.text(_("Dropped, as the new schedule has no meeting near that date: {items}.")
                 .format(items="; ".join(dropped))).line()
    return msg
