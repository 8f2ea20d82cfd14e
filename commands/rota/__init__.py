"""Shared load: who facilitates and takes notes (rota), and who carries the bad hours."""

from __future__ import annotations

from commands.rota import carry, commands, fairness, jobs

PARTS = (commands.cmds, jobs.cmds, fairness.cmds, carry.cmds)
