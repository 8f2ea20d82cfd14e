"""Declarative commands: name, arguments, help and examples in one place.

Each feature module declares what it adds in a `CommandSet`, at import time: commands
(`@cmds.command`), subcommands of a command another module owns (`@cmds.sub(parent, …)`),
interaction handlers (`@cmds.on`) and scheduled work (`cmds.schedules`). Handlers are plain
module-level functions. `build_router` includes the sets in the order `!help` lists them.

The router tokenises, picks the handler, parses typed arguments and runs it through the
middleware (`commands.middleware`): language, savepoint, domain error → friendly reply,
the room's prefix. `!help` is generated from the same declarations.

A command may have a *target*: a typed argument that comes before a *verb*
(`!action <n> due …`, `!rota <id> skip …`). The target is parsed first; if it parses and
the next word is one of the command's verbs, the verb runs with the target's value (as
maubot's `arg_fallthrough` does); otherwise the command's own handler gets all the text.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from commands import middleware
from commands.aliases import ALIASES, names_for
from commands.context import Context
from commands.errors import UserError, errors_show, where_it_broke
from commands.jobs import Schedules
from domain.errors import DomainError
from domain.i18n import _
from domain.words import fold
from storage.db import TransactionEnded

log = logging.getLogger(__name__)

# A handler gets the context and its declared arguments by name; one that also takes a
# parameter `router` is given the router (`!help` lists the commands, hooks live there).
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
    """A positional argument, read by `parse` (a `ValueError` is a friendly refusal, with
    the command's example). `rest=True` takes the remaining text, stripped."""

    name: str
    parse: Callable[[str], Any] = str
    optional: bool = False
    rest: bool = False
    default: Any = None


@dataclass(eq=False)
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
    # Read before a verb: `!action <n> due …` (see the module docstring).
    target: Arg | None = None
    verbs: dict[str, Command] = field(default_factory=dict)
    # The subcommands, in `!help` order, when modules other than this one register some
    # (`!meeting`): a name not declared here is refused, and one never registered stops
    # the router from being built.
    declared: tuple[str, ...] = ()
    # False: words after the last argument are ignored rather than refused.
    must_consume_args: bool = True
    # Longer explanations (N_-marked) that `!help <command>` shows after the summary.
    details: tuple[str, ...] = ()

    @property
    def full_name(self) -> str:
        if self.parent is None:
            return self.name
        if self.parent.target is not None and self.parent.verbs.get(self.name) is self:
            return f"{self.parent.full_name} <{self.parent.target.name}> {self.name}".rstrip()
        return f"{self.parent.full_name} {self.name}"

    def sub(self, name: str, *, summary: str, usage: str, examples: tuple[str, ...] = (),
            args: tuple[Arg, ...] = (), aliases: tuple[str, ...] = (),
            details: tuple[str, ...] = ()) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self._add_sub(Command(name, summary, usage, examples, handler, args, aliases,
                                  parent=self, details=details))
            return handler

        return register

    def verb(self, name: str, *, args: tuple[Arg, ...] = (), aliases: tuple[str, ...] = (),
             must_consume_args: bool = True) -> Callable[[Handler], Handler]:
        """A verb after the target; the handler gets the target's value by its name.

        `""` is the verb for nothing after the target (`!action 12`). Verbs are described by
        the command's own usage in `!help`, so they carry no summary of their own.
        """
        if self.target is None:
            raise ValueError(f"!{self.name} has no target for a verb to follow")

        def register(handler: Handler) -> Handler:
            cmd = Command(name, "", "", (), handler, args, aliases, parent=self,
                          must_consume_args=must_consume_args)
            for key in (name, *aliases):
                if key in self.verbs:
                    raise ValueError(f"verb {key!r} of !{self.name} registered twice")
                self.verbs[key] = cmd
            return handler

        return register

    def listed(self) -> list[Command]:
        """Each subcommand once (aliases share one), in `!help` order."""
        return list({id(s): s for s in self.subcommands.values()}.values())

    def _add_sub(self, cmd: Command) -> None:
        if self.declared and cmd.name not in self.declared:
            raise ValueError(f"!{self.name} does not declare a subcommand {cmd.name!r}; "
                             f"add it to the declaration of !{self.name}")
        for key in (cmd.name, *cmd.aliases):
            if key in self.subcommands:
                raise ValueError(f"subcommand {key!r} of !{self.name} registered twice")
            self.subcommands[key] = cmd
        if self.declared:  # whichever module is imported first, !help lists them in order
            self.subcommands = dict(sorted(self.subcommands.items(),
                                           key=lambda item: self.declared.index(item[1].name)))


def declare(name: str, *, summary: str, usage: str, examples: tuple[str, ...] = (),
            args: tuple[Arg, ...] = (), aliases: tuple[str, ...] = (),
            target: Arg | None = None, subcommands: tuple[str, ...] = (),
            details: tuple[str, ...] = ()) -> Callable[[Handler], Command]:
    """A top-level command; its names in members' languages (`ALIASES`) come with it."""
    def register(handler: Handler) -> Command:
        everyday = (*aliases, *ALIASES.get(name, ()))
        return Command(name, summary, usage, examples, handler, args, everyday,
                       target=target, declared=subcommands, details=details)

    return register


class CommandSet:
    """What one module adds to the bot, declared at import time.

    Commands and interaction handlers are recorded by the decorators; scheduled work goes
    into `schedules`, with the same API as the router's. `Router.include` installs the set,
    so the declarations are shared by every router built (tests build many) and no module
    has to run before another.
    """

    def __init__(self) -> None:
        self.commands: list[Command] = []
        self.subcommands: list[Command] = []
        self.interactions: list[tuple[str, str, InteractionHandler]] = []
        self.schedules = Schedules()

    def command(self, name: str, *, summary: str, usage: str, examples: tuple[str, ...] = (),
                args: tuple[Arg, ...] = (), aliases: tuple[str, ...] = (),
                target: Arg | None = None, subcommands: tuple[str, ...] = (),
                details: tuple[str, ...] = ()) -> Callable[[Handler], Command]:
        """`target`: see the module docstring; `subcommands`: see `Command.declared`;
        `details`: see `Command.details`."""
        def register(handler: Handler) -> Command:
            cmd = declare(name, summary=summary, usage=usage, examples=examples, args=args,
                          aliases=aliases, target=target, subcommands=subcommands,
                          details=details)(handler)
            self.commands.append(cmd)
            return cmd

        return register

    def sub(self, parent: Command, name: str, *, summary: str, usage: str,
            examples: tuple[str, ...] = (), args: tuple[Arg, ...] = (),
            aliases: tuple[str, ...] = (), details: tuple[str, ...] = ()
            ) -> Callable[[Handler], Handler]:
        """A subcommand this module adds to a command another module declared."""
        def register(handler: Handler) -> Handler:
            parent.sub(name, summary=summary, usage=usage, examples=examples, args=args,
                       aliases=aliases, details=details)(handler)
            self.subcommands.append(parent.subcommands[name])
            return handler

        return register

    def on(self, kind: str, key_prefix: str = "") -> Callable[[InteractionHandler],
                                                              InteractionHandler]:
        """A handler for reactions/replies to messages whose key starts so (see Router.on)."""
        def register(handler: InteractionHandler) -> InteractionHandler:
            self.interactions.append((kind, key_prefix, handler))
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
        self._fold_cache: dict[str, Command] = {}
        self._folded_from = -1

    def include(self, *parts: CommandSet) -> None:
        """Install what modules declared, in order (the order `!help` lists commands)."""
        for part in parts:
            for cmd in part.commands:
                self.add(cmd)
            self.interactions.extend(part.interactions)
            self.schedules.include(part.schedules)

    def add(self, cmd: Command) -> Command:
        missing = [name for name in cmd.declared if name not in cmd.subcommands]
        if missing:
            raise ValueError(f"!{cmd.name} declares {', '.join(missing)}, which no imported "
                             "module registered")
        for key in (cmd.name, *cmd.aliases):
            if key in self.commands:
                raise ValueError(f"command {key!r} registered twice")
            self.commands[key] = cmd
        self.order.append(cmd)
        return cmd

    def on(self, kind: str, key_prefix: str = "") -> Callable[[InteractionHandler],
                                                              InteractionHandler]:
        """Register a handler for reactions/replies to messages whose key starts so."""
        def register(handler: InteractionHandler) -> InteractionHandler:
            self.interactions.append((kind, key_prefix, handler))
            return handler

        return register

    def command(self, name: str, *, summary: str, usage: str, examples: tuple[str, ...] = (),
                args: tuple[Arg, ...] = (), aliases: tuple[str, ...] = (),
                target: Arg | None = None) -> Callable[[Handler], Command]:
        """Declare and install at once (for a router built by hand, as tests do)."""
        def register(handler: Handler) -> Command:
            return self.add(declare(name, summary=summary, usage=usage, examples=examples,
                                    args=args, aliases=aliases, target=target)(handler))

        return register

    def find(self, name: str) -> Command | None:
        """A command by any of its names; accents, case and Arabic spelling variants aside
        ("!reunion", "!RÉUNION", "!مساعده")."""
        found = self.commands.get(name.lower())
        if found is None:
            found = self._folded().get(fold(name))
        return found

    def _folded(self) -> dict[str, Command]:
        """Names folded ("reunion" for "réunion"), rebuilt when a command was registered."""
        if self._folded_from != len(self.commands):
            self._fold_cache = {fold(key): cmd for key, cmd in self.commands.items()}
            self._folded_from = len(self.commands)
        return self._fold_cache

    def suggest(self, name: str, lang: str = "en") -> list[str]:
        """Close names in the reader's language and English only (never `!olvidar` to an
        English reader)."""
        names: list[str] = []
        for cmd in self.order:
            names.append(cmd.name)
            names.extend(a for a in cmd.aliases if a in names_for(cmd.name, lang)
                         or a not in ALIASES.get(cmd.name, ()))
        return difflib.get_close_matches(name.lower(), names, n=3, cutoff=0.6)

    async def interact(self, ctx: Context, interaction: Interaction) -> bool:
        """Try the matching handlers in turn; errors become replies as for commands."""
        for kind, prefix, handler in self.interactions:
            if kind != interaction.kind:
                continue
            if prefix and not (interaction.key or "").startswith(prefix):
                continue

            async def work(handler: InteractionHandler = handler) -> bool:
                return await handler(ctx, interaction)

            if await middleware.run(ctx, f"{kind}:{prefix}", work):
                return True
        return False

    async def dispatch(self, ctx: Context, name: str, text: str) -> None:
        """Run a command; every outcome leaves at least one reply in `ctx.replies`."""
        found = self.find(name)

        async def work() -> bool:
            await self._dispatch(ctx, name, text)
            return True

        await middleware.run(ctx, found.name if found else "unknown", work)
        await self._after_command(ctx, found)

    async def _after_command(self, ctx: Context, command: Command | None) -> None:
        """The "command" hooks, after every command addressed to the bot, whatever its
        outcome: a member who asked for something that was refused, mistyped or unknown was
        there too (open minutes count them). A hook's own failure is logged, never shown."""
        for after in self.schedules.hooks.command:
            try:
                async with ctx.db.savepoint("after_command"):
                    await after(ctx, command)
            except TransactionEnded:  # SQLite ended the event's transaction: nothing stands
                raise
            except Exception as exc:  # the command's reply stands
                log.error("command hook failed with %s at %s", type(exc).__name__,
                          where_it_broke(exc))

    def resolve(self, cmd: Command, text: str) -> tuple[Command, dict[str, Any], str]:
        """The declared command `text` asks for under `cmd`, the target's value when a verb
        follows one, and the text left for its arguments."""
        if cmd.subcommands:
            first, after = take_token(text)
            sub = cmd.subcommands.get(first.lower())
            if sub is not None:
                return sub, {}, after
        if cmd.target is not None and cmd.verbs:
            first, after = take_token(text)
            try:
                value = cmd.target.parse(first)
            except ValueError:
                return cmd, {}, text
            word, rest = take_token(after)
            verb = cmd.verbs.get(word.lower())
            if verb is not None:
                return verb, {cmd.target.name: value}, rest
        return cmd, {}, text

    async def _dispatch(self, ctx: Context, name: str, text: str) -> None:
        if len(text) > MAX_COMMAND_LENGTH:
            raise UserError(
                _("That command is {length} characters long; the limit is {limit}.").format(
                    length=f"{len(text):,}", limit=f"{MAX_COMMAND_LENGTH:,}"),
                f"{ctx.settings.prefix}help",
            )
        cmd = self.find(name)
        if cmd is None:
            hint = self.suggest(name, ctx.lang)
            unknown = _("I don't know the command {command}.").format(
                command=f"{ctx.settings.prefix}{name[:40]}")
            if hint:
                # Translators: {commands} is one or more command names joined by "or".
                unknown += " " + _("Did you mean {commands}?").format(
                    commands=_(" or ").join(f"{ctx.settings.prefix}{h}" for h in hint))
            raise UserError(unknown, f"{ctx.settings.prefix}help")
        cmd, values, text = self.resolve(cmd, text)
        if cmd.handler is None:
            raise UserError(_("{command} needs more.").format(
                command=f"{ctx.settings.prefix}{cmd.full_name}"), usage_line(ctx, cmd))
        with errors_show(usage_line(ctx, cmd)):
            values |= parse_args(ctx, cmd, text)
            if _takes_router(cmd.handler):
                values["router"] = self
            await cmd.handler(ctx, **values)
        if not ctx.replies:
            raise RuntimeError(f"handler for {cmd.full_name} produced no reply")


@functools.cache
def _takes_router(handler: Handler) -> bool:
    return "router" in inspect.signature(handler).parameters


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
        except DomainError:
            raise  # its own example, else the command's (Router._dispatch)
        except ValueError as err:
            raise UserError(str(err) or _("<{argument}> is not valid: {value}").format(
                argument=arg.name, value=value[:60]), usage_line(ctx, cmd)) from None
    if rest.strip() and cmd.must_consume_args:
        extra = rest.strip()[:60]
        raise UserError(_("I didn't expect {extra} after {command}.").format(
            extra=repr(extra), command=f"{ctx.settings.prefix}{cmd.full_name}"),
            usage_line(ctx, cmd))
    return values


def usage_line(ctx: Context, cmd: Command) -> str:
    """The first example (or the usage), in the reader's language; a verb shows its
    command's, since `!help` describes verbs there."""
    while not cmd.examples and not cmd.usage and cmd.parent is not None:
        cmd = cmd.parent
    return _(cmd.examples[0] if cmd.examples else cmd.usage)
