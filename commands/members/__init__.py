"""A member's own settings: absences, zone, working hours, calendar, language and privacy."""

from __future__ import annotations

from commands.members import away, calendar, holiday_notes, hours, lang, privacy, tz

# `!away` is listed with the meeting tools in `!help`; the profile commands come last.
ABSENCES = (away.cmds,)
PROFILE = (tz.cmds, hours.cmds, calendar.cmds, holiday_notes.cmds, lang.cmds, privacy.cmds)
