"""Shared load: who facilitates and takes notes (rota), and who carries the bad hours."""

from __future__ import annotations

from commands.rota import carry, commands, fairness
from commands.router import Router


def register(router: Router) -> None:
    for module in (commands, fairness, carry):
        module.register(router)
