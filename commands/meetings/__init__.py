"""Meetings: series and one-offs, their settings, fair-time suggestions and polls, and
reminders."""

from __future__ import annotations

from commands.meetings import chart, commands, polls, reminders, settings, suggest

PARTS = (commands.cmds, settings.cmds, suggest.cmds, polls.cmds, reminders.cmds, chart.cmds)
