"""Follow-through: actions, meeting minutes, overdue nudges and the weekly digest."""

from __future__ import annotations

from commands.actions import commands, digest, minutes, nudges

PARTS = (commands.cmds, minutes.cmds, nudges.cmds, digest.cmds)
