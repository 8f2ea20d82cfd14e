"""Command parsing and handlers, one module per domain; pure rules live in commands.domain."""

from __future__ import annotations

from commands.router import Router


def build_router() -> Router:
    """Every command Minga knows, in the order `!help` lists them."""
    from commands import (
        actions,
        away,
        checkins,
        digest,
        fairness,
        hours,
        lang,
        meeting_settings,
        meeting_suggest,
        meetings,
        minutes,
        nudges,
        privacy,
        reminders,
        rota,
        tz,
    )
    from commands import help as help_cmd

    router = Router()
    modules = (
        meetings, meeting_settings, meeting_suggest, reminders,
        rota, fairness,
        actions, minutes, nudges, digest,
        away,
        checkins,
        tz, hours, lang, privacy, help_cmd,
    )
    for module in modules:
        module.register(router)
    return router
