"""Charts beside the text replies: the words (translated here, in the reader's language) and
the picture (drawn in a worker thread, so the event loop never waits on matplotlib).

A chart is a bonus, never a point of failure: if drawing fails, the failure is logged
without any content and the caller sends its text alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date, datetime

from commands.charts.draw import HEIGHT, WIDTH
from commands.reply import Image, Msg
from domain.charts import FairnessChart, OverlapChart
from domain.i18n import _, is_rtl
from domain.timefmt import format_day
from domain.zones import utc_offset_label, zone_label

log = logging.getLogger(__name__)

async def picture(draw: Callable[..., bytes], *args: object, alt: str, lang: str
                  ) -> Msg | None:
    """An m.image message of `draw(*args)` with `alt` as its text, or None if drawing failed."""
    try:
        data = await asyncio.to_thread(draw, *args)
    except Exception as err:  # a picture is a bonus: never let it stop the text
        log.warning("chart not drawn (%s); the text goes out alone", type(err).__name__)
        return None
    return Msg(image=Image(data, WIDTH, HEIGHT), lang=lang).text(alt)


def row_label(name: str, place: str) -> str:
    return f"{name} · {place}"


def _other_days(chart: OverlapChart) -> str:
    """"Other days: 2 Thu 3 Dec · 3 Mon 7 Dec", or "" when every option is on the drawn day."""
    others = [f"{b.number} {format_day(b.day)}" for b in chart.bands if not b.on(chart.day)]
    if not others:
        return ""
    # Translators: under a chart's title: options on other days than the one drawn, each as
    # its number and day ("2 Thu 3 Dec · 3 Mon 7 Dec"); they are drawn at their hour.
    return _("Other days, same hours: {options}").format(options=" · ".join(others))


async def overlap_picture(chart: OverlapChart, title: str, alt: str, lang: str, *,
                          legend_option: str | None = None,
                          band_labels: tuple[str, ...] | None = None) -> Msg | None:
    """The overlap chart in the current language (the reader's); `title` already says what."""
    from commands.charts.draw import OverlapText, overlap_png

    at = datetime.combine(chart.day, datetime.min.time())
    # Translators: the time axis of a chart; {place} is a city, {offset} like "UTC−5".
    axis = _("Hours in {place} ({offset})").format(
        place=zone_label(chart.zone), offset=utc_offset_label(chart.zone, at))
    text = OverlapText(
        title=title,
        axis=axis,
        labels=tuple(row_label(r.name, r.place) for r in chart.rows),
        band_labels=band_labels or tuple(str(b.number) for b in chart.bands),
        note=_other_days(chart),
        # Translators: chart legend: when a member works.
        legend_work=_("working hours"),
        # Translators: chart legend: a day the member does not work.
        legend_off=_("day off"),
        # Translators: chart legend: a proposed time, numbered as in the poll.
        legend_option=legend_option or _("option (poll number)"),
        # Translators: chart legend: the mark for a member outside their working hours.
        legend_outside=_("outside their hours"),
    )
    return await picture(overlap_png, chart, text, is_rtl(lang), alt=alt, lang=lang)


def day_title(day: date) -> str:
    return format_day(day)


async def fairness_picture(chart: FairnessChart, title: str, alt: str,
                           role_names: tuple[str, ...], lang: str) -> Msg | None:
    from commands.charts.draw import FairnessText, fairness_png

    text = FairnessText(
        title=title,
        labels=tuple(r.name for r in chart.rows),
        # Translators: chart axis: a number of meetings.
        meetings_axis=_("meetings"),
        # Translators: chart axis: a number of rota turns (chairing, taking notes…).
        turns_axis=_("rota turns"),
        # Translators: chart legend: meetings inside the member's working hours.
        inside=_("inside hours"),
        # Translators: chart legend: meetings that started before the member's hours.
        early=_("early"),
        # Translators: chart legend: meetings that ran after the member's hours.
        late=_("late"),
        # Translators: chart legend: meetings on a day the member does not work.
        off=_("on a day off"),
        roles=role_names,
    )
    return await picture(fairness_png, chart, text, is_rtl(lang), alt=alt, lang=lang)
