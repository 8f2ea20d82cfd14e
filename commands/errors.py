"""Errors a handler raises on purpose: the router turns them into friendly replies."""

from __future__ import annotations


class UserError(Exception):
    """Something the member typed or asked for cannot be done; says what, and how to do it."""

    def __init__(self, message: str, example: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.example = example


class PermissionDenied(UserError):
    """The member may not do this in this room."""
