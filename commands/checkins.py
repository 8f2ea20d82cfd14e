"""Check-ins: light, asynchronous written check-ins, asked in each member's own morning.

The parts: `checkin_commands` (!checkin …), `checkin_answers` (answers in threads and
DMs, edits), `checkin_jobs` (prompts, planning), `checkin_summary` (summary, its late
edits, the digest section); the rules are in `commands.domain.checkin`.
"""

from __future__ import annotations

from commands import checkin_answers, checkin_commands, checkin_jobs, checkin_summary
from commands.router import Router


def register(router: Router) -> None:
    checkin_commands.register(router)
    checkin_answers.register(router)
    checkin_jobs.register(router)
    checkin_summary.register(router)
