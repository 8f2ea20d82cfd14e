"""A member's own settings: absences, zone, working hours, language and privacy."""

from __future__ import annotations

from commands.members import away, calendar, hours, lang, privacy, tz
from commands.router import Router

# `!away` is listed with the meeting tools in `!help`; the profile commands come last.
ABSENCES = (away,)
PROFILE = (tz, hours, calendar, lang, privacy)


def register(router: Router, modules: tuple = ABSENCES + PROFILE) -> None:
    for module in modules:
        module.register(router)
