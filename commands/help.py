"""`!help`: generated from the command declarations, so it can never drift from them."""

from __future__ import annotations

from commands.context import Context
from commands.errors import UserError
from commands.reply import Msg
from commands.router import Arg, Command, Router


def _p(ctx: Context, text: str) -> str:
    """Plain-text mentions of commands (code spans are re-prefixed by the router)."""
    return ctx.settings.prefix + text[1:] if text.startswith("!") else text


def register(router: Router) -> None:
    @router.command(
        "help",
        summary="List the commands, or explain one.",
        usage="!help [<command>]",
        examples=("!help", "!help tz"),
        args=(Arg("topic", optional=True, rest=True),),
    )
    async def help_(ctx: Context, topic: str | None) -> None:
        if not topic:
            ctx.reply(overview(ctx, router))
            return
        words = topic.strip().removeprefix(ctx.settings.prefix).split()
        if not words:
            ctx.reply(overview(ctx, router))
            return
        cmd = router.find(words[0])
        if cmd is None:
            hint = router.suggest(words[0])
            raise UserError(
                f"There is no command {ctx.settings.prefix}{words[0][:40]}."
                + (f" Did you mean {ctx.settings.prefix}{hint[0]}?" if hint else ""),
                f"{ctx.settings.prefix}help",
            )
        if len(words) > 1 and words[1].lower() in cmd.subcommands:
            cmd = cmd.subcommands[words[1].lower()]
        ctx.reply(detail(ctx, cmd))


def overview(ctx: Context, router: Router) -> Msg:
    msg = Msg().bold("Minga commands").line()
    for cmd in router.order:
        msg.code("!" + cmd.name).text(f" — {cmd.summary}").line()
    msg.text("Details and examples: ").code("!help <command>")
    return msg


def detail(ctx: Context, cmd: Command) -> Msg:
    msg = Msg().code(cmd.usage).line().text(cmd.summary).line()
    subs = {id(s): s for s in cmd.subcommands.values()}.values()
    for sub in subs:
        msg.text("• ").code(sub.usage).text(f" — {sub.summary}").line()
    examples = list(cmd.examples)
    for sub in subs:
        examples.extend(sub.examples)
    if examples:
        msg.text("Examples:").line()
        for example in examples[: max(2, len(cmd.examples))]:
            msg.text("  ").code(example).line()
    if cmd.aliases:
        msg.text("Also: " + ", ".join(_p(ctx, "!" + a) for a in cmd.aliases)).line()
    return msg
