"""Meetings: series and one-offs, their settings, fair-time suggestions and reminders."""

from __future__ import annotations

from commands.meetings import commands, polls, reminders, settings, suggest
from commands.router import Router


def register(router: Router) -> None:
    for module in (commands, settings, suggest, polls, reminders):
        module.register(router)
