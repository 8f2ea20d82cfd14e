"""Follow-through: actions, meeting minutes, overdue nudges and the weekly digest."""

from __future__ import annotations

from commands.actions import commands, digest, minutes, nudges
from commands.router import Router


def register(router: Router) -> None:
    for module in (commands, minutes, nudges, digest):
        module.register(router)
