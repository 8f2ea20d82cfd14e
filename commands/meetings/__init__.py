"""Meetings: series and one-offs, their settings, fair-time suggestions and reminders."""

from __future__ import annotations

from commands.meetings import commands, reminders, settings, suggest

PARTS = (commands.cmds, settings.cmds, suggest.cmds, reminders.cmds)
