"""The one error contract between the rules and the member who typed something.

A rule that refuses what a member typed or asked raises a `DomainError` (or one of its
kinds: `WhenError`, `ZoneError`, `RuleError`, `HoursError`, `CheckinError`, `DuePassed` …)
with a message already in the reader's language (rules run under it) and, when the rule
knows one, an example that works. The command layer turns it into the reply: the message,
then "Example:" with the example — the command's own when the rule could not know one. So
no handler catches a rule's error only to raise it again in other words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar


class DomainError(ValueError):
    """Something a member typed or asked for cannot be done; says what, and how to do it.

    A `ValueError`, so a parser that reads text keeps its contract: a bad value.
    """

    # An error about what was typed always ends with an example that works (the command's
    # own when none is given); a refusal about who asks (a permission) ends without one.
    about_input: ClassVar[bool] = True

    def __init__(self, message: str, example: str | None = None, *,
                 offers: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.example = example
        # Restate or refuse: what was typed has several readings, and each of these whole
        # commands is one of them ("!action Send it due 2026-12-03"); shown instead of the
        # example, as "Did you mean one of these?".
        self.offers: tuple[str, ...] = tuple(offers)
