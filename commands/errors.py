"""Errors a handler raises on purpose: the router turns them into friendly replies."""

from __future__ import annotations

from collections.abc import Sequence

from domain.when import WhenError


class UserError(Exception):
    """Something the member typed or asked for cannot be done; says what, and how to do it.

    `readings` are whole working commands, one per plausible meaning of what was typed
    (restate or refuse): the reply offers them instead of the example.
    """

    def __init__(self, message: str, example: str | None = None,
                 readings: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.example = example
        self.readings = tuple(readings)


def with_readings(error: WhenError, typed: str, said: str, example: str) -> UserError:
    """A date that was refused, as a reply offering each of its readings as a command.

    `typed` is the whole command as typed (`!action Send it due 3/12`), `said` the part of
    it the parser read (`3/12`); each reading replaces that part. Without readings the
    error's own message and `example` are shown.
    """
    at = typed.rfind(said)
    if not error.readings or at < 0:
        return UserError(str(error), example)
    commands = [typed[:at] + reading + typed[at + len(said):] for reading in error.readings]
    return UserError(error.reason, readings=commands)


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
