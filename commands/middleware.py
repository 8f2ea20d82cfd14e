"""What runs around every command and interaction, one concern per step.

Outermost first: `room_prefix` (examples show the room's real prefix), `reader_language`
(everything is said in the sender's language), `friendly_errors` (a domain error becomes
its message and example; anything else an apology with an error id), `savepoint` (a
failed command leaves no partial writes). Each step gets the context, a label for the
logs, and `call_next`, and can be read alone.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Protocol

from commands.context import Context
from commands.errors import where_it_broke
from commands.reply import Msg, with_prefix
from domain.errors import DomainError
from domain.i18n import N_, _, ngettext, use_language
from storage.db import TransactionEnded, is_disk_full
from storage.languages import member_and_room_language

# The router's log: operators (and the fault suite) find every apology's error id there.
log = logging.getLogger("commands.router")

DISK_FULL = N_(
    "I couldn't save that: the server's disk is full. Nothing was changed. Please try again "
    "later, and tell the bot's admin if it lasts."
)

# The rest of the chain and then the work; True when the work was taken (see Router.interact).
Next = Callable[[], Awaitable[bool]]


class Middleware(Protocol):
    async def __call__(self, ctx: Context, label: str, call_next: Next) -> bool: ...


async def room_prefix(ctx: Context, label: str, call_next: Next) -> bool:
    """Handlers write commands as `!command` in code spans; the replies show the room's."""
    taken = await call_next()
    for msg in ctx.replies:
        with_prefix(msg, ctx.settings.prefix)
    return taken


async def reader_language(ctx: Context, label: str, call_next: Next) -> bool:
    """The sender's language (theirs, else the room's, else the bot's), errors included."""
    own, room = await member_and_room_language(ctx.db, ctx.sender, ctx.room_id)
    ctx.lang = own or room or ctx.settings.language
    with use_language(ctx.lang):
        return await call_next()


def disk_full_reply() -> Msg:
    """What a member is told when a write was refused because the disk is full."""
    return Msg().text(_(DISK_FULL))


async def friendly_errors(ctx: Context, label: str, call_next: Next) -> bool:
    """A domain error → its message and example; a full disk → `DISK_FULL`; anything else →
    an apology with an id, logged without the message (it may quote what a member typed).
    Either way, what the handler had said so far is dropped, and the event counts as taken.

    A transaction SQLite has already rolled back is not ours to answer for: nothing more may
    be written in it, so the error goes to whoever opened it (the sync handler)."""
    try:
        return await call_next()
    except DomainError as err:
        ctx.replies.clear()
        ctx.reply(error_reply(ctx, err))
    except TransactionEnded:
        raise
    except Exception as exc:
        if is_disk_full(exc):
            log.warning("%s refused: the database's disk is full", label)
            ctx.replies.clear()
            ctx.reply(disk_full_reply())
            return True
        error_id = secrets.token_hex(4)
        log.error("%s failed with %s (error id %s) at %s", label, type(exc).__name__,
                  error_id, where_it_broke(exc))
        ctx.replies.clear()
        ctx.reply(Msg().text(_(
            "Sorry, something went wrong on my side (error id {error_id}). Nothing was "
            "changed; please try again, and tell the bot's admin if it repeats."
        ).format(error_id=error_id)))
    return True


async def savepoint(ctx: Context, label: str, call_next: Next) -> bool:
    """Each command in its own savepoint inside the caller's transaction: undone alone."""
    async with ctx.db.savepoint("command"):
        return await call_next()


CHAIN: tuple[Middleware, ...] = (room_prefix, reader_language, friendly_errors, savepoint)


async def run(ctx: Context, label: str, work: Next,
              chain: tuple[Middleware, ...] = CHAIN) -> bool:
    """`work` inside every step of `chain`, the first one outermost."""
    async def step(index: int) -> bool:
        if index == len(chain):
            return await work()
        return await chain[index](ctx, label, lambda: step(index + 1))

    return await step(0)


def error_reply(ctx: Context, err: DomainError) -> Msg:
    msg = Msg().text(err.message)
    if err.offers:
        # Translators: followed by one or more commands, one per line.
        msg.line().text(ngettext("Did you mean:", "Did you mean one of these?",
                                 len(err.offers)))
        for offer in err.offers:
            msg.line().code(offer)
        return msg
    if err.example:
        msg.line().text(_("Example:") + " ").code(err.example)
    return msg
