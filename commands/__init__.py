"""Command parsing and handlers, one package per feature; pure rules live in `domain`."""

from __future__ import annotations

from commands.router import Router


def build_router() -> Router:
    """Every command Minga knows, in the order `!help` lists them."""
    from commands import actions, checkins, meetings, members, rota
    from commands import help as help_cmd

    router = Router()
    router.include(*meetings.PARTS, *rota.PARTS, *actions.PARTS, *members.ABSENCES,
                   *checkins.PARTS, *members.PROFILE, help_cmd.cmds)
    return router
