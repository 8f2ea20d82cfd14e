"""Check-ins: light, asynchronous written check-ins, asked in each member's own morning.

The parts: `commands` (!checkin …), `answers` (answers in threads and DMs, edits),
`jobs` (prompts, planning), `summary` (summary, its late edits, the digest section);
the rules are in `domain.checkin`.
"""

from __future__ import annotations

from commands.checkins import answers as checkin_answers
from commands.checkins import commands as checkin_commands
from commands.checkins import jobs as checkin_jobs
from commands.checkins import summary as checkin_summary
from commands.router import Router


def register(router: Router) -> None:
    checkin_commands.register(router)
    checkin_answers.register(router)
    checkin_jobs.register(router)
    checkin_summary.register(router)
