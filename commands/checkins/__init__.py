"""Check-ins: light, asynchronous written check-ins, asked in each member's own morning.

The parts: `commands` (!checkin …), `answers` (answers in threads and DMs, edits),
`jobs` (prompts, planning), `summary` (summary, its late edits, the digest section);
the rules are in `domain.checkin`.
"""

from __future__ import annotations

from commands.checkins import answers, commands, jobs, summary

PARTS = (commands.cmds, answers.cmds, jobs.cmds, summary.cmds)
