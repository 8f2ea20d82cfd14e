"""Errors a handler raises on purpose: the router turns them into friendly replies.

There is one error contract, `domain.errors.DomainError`; `UserError` is its name in the
command layer. A handler raises it with the example to show; a rule raises it with or
without one, and the command's own example fills the gap (`errors_show`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from domain.errors import DomainError
from domain.when import WhenError

UserError = DomainError


class PermissionDenied(DomainError):
    """The member may not do this in this room: about who asks, so no example by default."""

    about_input = False


def with_readings(error: WhenError, typed: str, said: str) -> DomainError:
    """A date with several readings, as a reply offering each one as a whole command.

    `typed` is the whole command as typed (`!action Send it due 3/12`), `said` the part of
    it the parser read (`3/12`); each reading replaces that part. An error without readings
    is returned as it is.
    """
    at = typed.rfind(said)
    if not error.readings or at < 0:
        return error
    commands = [typed[:at] + reading + typed[at + len(said):] for reading in error.readings]
    return DomainError(error.reason, offers=commands)


@contextmanager
def errors_show(example: str) -> Iterator[None]:
    """Input errors raised inside the block without an example of their own show `example`
    (already translated). The router wraps every handler in the command's first example;
    a handler narrows it where it knows better (`!meeting move m7 fri 15:00`)."""
    try:
        yield
    except DomainError as err:
        if err.example is None and err.about_input:
            err.example = example
        raise


def where_it_broke(exc: BaseException) -> str:
    """file:line and function of each frame, innermost first, without the message.

    An exception's message may quote what a member typed, so logs get only this.
    """
    import traceback

    return " <- ".join(
        f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} {frame.name}"
        for frame in reversed(traceback.extract_tb(exc.__traceback__))
    )
