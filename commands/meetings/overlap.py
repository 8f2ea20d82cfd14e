"""The overlap chart that goes with a suggestion, from the same ranked result as its text."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from commands.charts import day_title, overlap_picture
from commands.common import zone_of
from commands.context import Context
from commands.reply import Msg
from domain.availability import Person
from domain.charts import ChartMember, ChartOption, overlap_chart
from domain.i18n import _, current_language
from domain.suggest import Option
from domain.zones import zone_label


def chart_members(ctx: Context, people: Sequence[Person]) -> list[ChartMember]:
    return [ChartMember(p.user_id, ctx.room.display_name(p.user_id), zone_label(p.zone),
                        p.zone, p.view) for p in people]


async def suggestion_picture(ctx: Context, people: Sequence[Person],
                             ranked: Sequence[Option], duration: timedelta, title: str,
                             alt: str) -> Msg | None:
    """The chart that goes with a suggestion's listing (None when charts are off or failed)."""
    if not ctx.settings.charts:
        return None
    reader, _default = await zone_of(ctx)
    options = [ChartOption(i, o.start_utc, duration,
                           frozenset(c.user_id for c in o.outside))
               for i, o in enumerate(ranked, 1)]
    chart = overlap_chart(chart_members(ctx, people), options, reader)
    day = day_title(chart.day)
    if chart.other_days:
        # Translators: a chart's title; {title} is the meeting's, {day} the day drawn, the day
        # of the best option (options on other days carry their weekday).
        heading = _("Options for “{title}”, drawn for {day}, the day of option 1").format(
            title=title, day=day)
    else:
        # Translators: a chart's title; {title} is the meeting's, {day} the day drawn.
        heading = _("Options for “{title}”, {day}").format(title=title, day=day)
    return await overlap_picture(chart, heading, alt, current_language())
