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


def where_it_broke(exc: BaseException) -> str:
    """file:line and function of each frame, innermost first, without the message.

    An exception's message may quote what a member typed, so logs get only this.
    """
    import traceback

    return " <- ".join(
        f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} {frame.name}"
        for frame in reversed(traceback.extract_tb(exc.__traceback__))
    )
