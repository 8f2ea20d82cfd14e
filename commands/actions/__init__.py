"""Follow-through: actions, meeting minutes, overdue nudges and the weekly digest."""

from __future__ import annotations

from commands.actions import commands, digest, minutes, nudges
from commands.router import Router


def register(router: Router) -> None:
    commands.register(router)
    router.include(minutes.cmds)
    for module in (nudges, digest):
        module.register(router)
