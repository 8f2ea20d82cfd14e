"""`!meeting chart <id>`: the overlap chart for the next occurrence of a meeting already
scheduled, for the facilitator who wants to see who pays the price of the current time.

Who is outside their hours is the ranking's own test (`minutes_outside(...) > 0`).
"""

from __future__ import annotations

from commands.charts import day_title, overlap_picture
from commands.common import room_default_zone, zone_of
from commands.context import Context
from commands.errors import UserError
from commands.meetings.commands import find_meeting, meeting_cmd, parse_ref
from commands.meetings.overlap import chart_members
from commands.meetings.people import people_of
from commands.reply import Msg
from commands.router import Arg, CommandSet
from domain.charts import ChartOption, overlap_chart
from domain.i18n import N_, _, current_language, ngettext
from domain.recurrence import next_occurrence
from domain.suggest import option_for
from domain.timefmt import format_local
from storage.meetings import overrides_for

cmds = CommandSet()


@cmds.sub(meeting_cmd, "chart",
          summary=N_("A chart of who works when at a meeting's next time."),
          usage=N_("!meeting chart <id>"), examples=("!meeting chart m1",),
          args=(Arg("id", parse_ref),))
async def chart(ctx: Context, id: int) -> None:
    found = await find_meeting(ctx, id)
    upcoming = next_occurrence(found.series, ctx.now, await overrides_for(ctx.db, found.id))
    if upcoming is None:
        raise UserError(_("m{number} has no time ahead to draw.").format(number=found.number),
                        "!meetings")
    if not ctx.settings.charts:
        raise UserError(_("Charts are turned off on this bot; the times are in the text."),
                        f"!meeting show m{found.number}")
    people = await people_of(ctx.db, ctx.room_id, ctx.room.members() or [ctx.sender],
                             await room_default_zone(ctx))
    reader, _default = await zone_of(ctx)
    duration = found.series.duration
    outside = frozenset(c.user_id for c in option_for(people, upcoming.start_utc,
                                                      duration).outside)
    chart_data = overlap_chart(chart_members(ctx, people),
                               [ChartOption(1, upcoming.start_utc, duration, outside)], reader)
    when = format_local(upcoming.start_utc, reader)
    count = len(outside)
    # Translators: the alt text and first line of a meeting's chart; {number} is its id (m3),
    # {title} its title, {when} its next date and time, {count} members outside their hours.
    line = ngettext("m{number} “{title}”, next {when}: {count} member outside their hours",
                    "m{number} “{title}”, next {when}: {count} members outside their hours",
                    count).format(number=found.number, title=found.title, when=when,
                                  count=count)
    # Translators: a chart's title; {title} is the meeting's, {day} the day drawn.
    heading = _("“{title}”, next on {day}").format(title=found.title,
                                                    day=day_title(chart_data.day))
    image = await overlap_picture(chart_data, heading, line, current_language(),
                                  legend_option=_("the meeting"),
                                  band_labels=(f"m{found.number}",))
    ctx.reply(Msg().text(line))
    if image is not None:
        ctx.reply(image)
