"""Declarative commands: name, arguments, help and examples in one place.

A command is registered with `@router.command(...)`; subcommands with
`@parent.sub(...)`. The router tokenises, picks the handler, parses typed
arguments, and turns `UserError`s into friendly replies. `!help` is
generated from the same declarations.
"""

from __future__ import annotations

import difflib
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from commands.aliases import ALIASES
from commands.context import Context
from commands.errors import UserError, where_it_broke
from commands.jobs import Schedules
from commands.reply import Msg
from domain.i18n import _, use_language
from storage.languages import member_and_room_language

log = logging.getLogger(__name__)

Handler = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class Interaction:
    """A member acting on one of Minga's messages without a command.

    kind: "reaction" (text = the emoji), "reply" (an answer in the message's thread or a
    reply to it), "edit" (a member edited an earlier message; target = the original
    event), "direct" (a plain message in a direct chat with the bot).
    """

    kind: str
    key: str | None  # logical key of the bot message acted on, when known
    event_id: str
    target_event_id: str | None
    text: str


# Returns True when it took the interaction; the router then stops trying others.
InteractionHandler = Callable[[Context, Interaction], Awaitable[bool]]
MAX_COMMAND_LENGTH = 4000


@dataclass(frozen=True)
class Arg:
    """A positional argument. `rest=True` takes the remaining text verbatim."""

    name: str
    parse: Callable[[str], Any] = str
    optional: bool = False
    rest: bool = False
    default: Any = None


@dataclass
class Command:
    name: str
    summary: str
    usage: str
    examples: tuple[str, ...]
    handler: Handler | None = None
    args: tuple[Arg, ...] = ()
    aliases: tuple[str, ...] = ()
    subcommands: dict[str, Command] = field(default_factory=dict)
    parent: Command | None = None

    @property
    def full_name(self) -> str:
        return f"{self.parent.full_name} {self.name}" if self.parent else self.name

    def sub(self, name: str, *, summary: str, usage: str, examples: tuple[str, ...] = (),
            args: tuple[Arg, ...] = (), aliases: tuple[str, ...] = ()
            ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            cmd = Command(name, summary, usage, examples, handler, args, aliases, parent=self)
            for key in (name, *aliases):
                self.subcommands[key] = cmd
            return handler

        return register


QUOTES = {'"': '"', "“": "”", "'": "'", "«": "»"}


def take_token(text: str) -> tuple[str, str]:
    """Split off one word, or one quoted phrase; apostrophes inside words stay text."""
    text = text.lstrip()
    if not text:
        return "", ""
    close = QUOTES.get(text[0])
    if close:
        end = text.find(close, 1)
        if end < 0:
            raise UserError(
                _("A quotation mark is not closed."), _('!meeting add "Network call" thu 14:00')
            )
        return text[1:end], text[end + 1 :]
    parts = text.split(maxsplit=1)
    return parts[0], (parts[1] if len(parts) > 1 else "")


def tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    rest = text
    while rest.strip():
        token, rest = take_token(rest)
        tokens.append(token)
    return tokens


class Router:
    def __init__(self) -> None:
        self.commands: dict[str, Command] = {}
        self.order: list[Command] = []
        self.interactions: list[tuple[str, str, InteractionHandler]] = []
        self.schedules = Schedules()

    def on(self, kind: str, key_prefix: str = "") -> Callable[[InteractionHandler],
                                                              InteractionHandler]:
        """Register a handler for reactions/replies to messages whose key starts so."""
        def register(handler: InteractionHandler) -> InteractionHandler:
            self.interactions.append((kind, key_prefix, handler))
            return handler

        return register

    async def interact(self, ctx: Context, interaction: Interaction) -> bool:
        """Try the matching handlers in turn; errors become replies as for commands."""
        for kind, prefix, handler in self.interactions:
            if kind != interaction.kind:
                continue
            if prefix and not (interaction.key or "").startswith(prefix):
                continue
            taken = await self._guarded(ctx, f"{kind}:{prefix}", handler(ctx, interaction))
            if taken:
                return True
        return False

    def command(self, name: str, *, summary: str, usage: str, examples: tuple[str, ...] = (),
                args: tuple[Arg, ...] = (), aliases: tuple[str, ...] = ()
                ) -> Callable[[Handler], Command]:
        def register(handler: Handler) -> Command:
            everyday = (*aliases, *ALIASES.get(name, ()))
            cmd = Command(name, summary, usage, examples, handler, args, everyday)
            for key in (name, *everyday):
                if key in self.commands:
                    raise ValueError(f"command {key!r} registered twice")
                self.commands[key] = cmd
            self.order.append(cmd)
            return cmd

        return register

    def find(self, name: str) -> Command | None:
        return self.commands.get(name.lower())

    def suggest(self, name: str) -> list[str]:
        return difflib.get_close_matches(name.lower(), list(self.commands), n=3, cutoff=0.6)

    async def dispatch(self, ctx: Context, name: str, text: str) -> None:
        """Run a command; every outcome leaves at least one reply in `ctx.replies`."""
        found = self.find(name)
        await self._guarded(ctx, found.name if found else "unknown",
                            self._dispatch(ctx, name, text))

    async def _guarded(self, ctx: Context, label: str, work: Awaitable[Any]) -> Any:
        """The error middleware: UserError → its message; anything else → an apology + id."""
        result: Any = True
        own, room = await member_and_room_language(ctx.db, ctx.sender, ctx.room_id)
        ctx.lang = own or room or ctx.settings.language
        with use_language(ctx.lang):
            try:
                async with ctx.db.savepoint("command"):
                    result = await work
            except UserError as err:
                ctx.replies.clear()
                ctx.reply(error_reply(ctx, err))
            except Exception as exc:
                error_id = secrets.token_hex(4)
                log.error("%s failed with %s (error id %s) at %s", label, type(exc).__name__,
                          error_id, where_it_broke(exc))
                ctx.replies.clear()
                ctx.reply(Msg().text(_(
                    "Sorry, something went wrong on my side (error id {error_id}). Nothing was "
                    "changed; please try again, and tell the bot's admin if it repeats."
                ).format(error_id=error_id)))
        for msg in ctx.replies:
            with_prefix(msg, ctx.settings.prefix)
        return result

    async def _dispatch(self, ctx: Context, name: str, text: str) -> None:
        if len(text) > MAX_COMMAND_LENGTH:
            raise UserError(
                _("That command is {length} characters long; the limit is {limit}.").format(
                    length=f"{len(text):,}", limit=f"{MAX_COMMAND_LENGTH:,}"),
                f"{ctx.settings.prefix}help",
            )
        cmd = self.find(name)
        if cmd is None:
            hint = self.suggest(name)
            unknown = _("I don't know the command {command}.").format(
                command=f"{ctx.settings.prefix}{name[:40]}")
            if hint:
                # Translators: {commands} is one or more command names joined by "or".
                unknown += " " + _("Did you mean {commands}?").format(
                    commands=_(" or ").join(f"{ctx.settings.prefix}{h}" for h in hint))
            raise UserError(unknown, f"{ctx.settings.prefix}help")
        first, after = take_token(text) if cmd.subcommands else ("", text)
        if first.lower() in cmd.subcommands:
            cmd = cmd.subcommands[first.lower()]
            text = after
        if cmd.handler is None:
            raise UserError(_("{command} needs more.").format(
                command=f"{ctx.settings.prefix}{cmd.full_name}"), usage_line(ctx, cmd))
        kwargs = parse_args(ctx, cmd, text)
        await cmd.handler(ctx, **kwargs)
        for hook in self.schedules.hooks.get("command", []):
            await hook(ctx, cmd)  # e.g. open minutes note who took part
        if not ctx.replies:
            raise RuntimeError(f"handler for {cmd.full_name} produced no reply")


def parse_args(ctx: Context, cmd: Command, text: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    rest = text
    for arg in cmd.args:
        if arg.rest:
            value, rest = rest.strip(), ""
        else:
            value, rest = take_token(rest)
        if value == "":
            if not arg.optional:
                raise UserError(_("{command} needs <{argument}>.").format(
                    command=f"{ctx.settings.prefix}{cmd.full_name}", argument=arg.name),
                    usage_line(ctx, cmd))
            values[arg.name] = arg.default
            continue
        try:
            values[arg.name] = arg.parse(value)
        except UserError:
            raise
        except ValueError as err:
            raise UserError(str(err) or _("<{argument}> is not valid: {value}").format(
                argument=arg.name, value=value[:60]), usage_line(ctx, cmd)) from None
    if rest.strip():
        extra = rest.strip()[:60]
        raise UserError(_("I didn't expect {extra} after {command}.").format(
            extra=repr(extra), command=f"{ctx.settings.prefix}{cmd.full_name}"),
            usage_line(ctx, cmd))
    return values


def usage_line(ctx: Context, cmd: Command) -> str:
    """The first example (or the usage), in the reader's language."""
    return _(cmd.examples[0] if cmd.examples else cmd.usage)


def with_prefix(msg: Msg, prefix: str) -> None:
    """Handlers write examples as `!command` in code spans; show the room's real prefix."""
    if prefix == "!":
        return
    msg.parts = [
        (kind, prefix + value[1:] if kind == "code" and value.startswith("!") else value, extra)
        for kind, value, extra in msg.parts
    ]


def error_reply(ctx: Context, err: UserError) -> Msg:
    msg = Msg().text(err.message)
    if err.example:
        msg.line().text(_("Example:") + " ").code(err.example)
    return msg
