"""`!help`: generated from the command declarations, so it can never drift from them.

Summaries, usages and examples are declared with `N_` and translated here, in the reader's
language; translated examples are real commands (tests/unit/test_help_languages.py runs them).
"""

from __future__ import annotations

from commands.context import Context
from commands.errors import UserError
from commands.reply import Msg
from commands.router import Arg, Command, CommandSet, Router
from domain.i18n import N_, _


def _p(ctx: Context, text: str) -> str:
    """Plain-text mentions of commands (code spans are re-prefixed by the router)."""
    return ctx.settings.prefix + text[1:] if text.startswith("!") else text


cmds = CommandSet()


@cmds.command(
    "help",
    summary=N_("List the commands, or explain one."),
    usage=N_("!help [<command>]"),
    examples=("!help", "!help tz"),
    args=(Arg("topic", optional=True, rest=True),),
)
async def help_(ctx: Context, topic: str | None, router: Router) -> None:
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
        message = _("There is no command {command}.").format(
            command=f"{ctx.settings.prefix}{words[0][:40]}")
        if hint:
            message += " " + _("Did you mean {commands}?").format(
                commands=f"{ctx.settings.prefix}{hint[0]}")
        raise UserError(message, f"{ctx.settings.prefix}help")
    if len(words) > 1 and words[1].lower() in cmd.subcommands:
        cmd = cmd.subcommands[words[1].lower()]
    ctx.reply(detail(ctx, cmd))


def overview(ctx: Context, router: Router) -> Msg:
    msg = Msg().bold(_("Minga commands")).line()
    for cmd in router.order:
        msg.code("!" + cmd.name).text(f" — {_(cmd.summary)}").line()
    msg.text(_("Details and examples:") + " ").code(_("!help <command>"))
    return msg


def detail(ctx: Context, cmd: Command) -> Msg:
    msg = Msg().code(_(cmd.usage)).line().text(_(cmd.summary)).line()
    for paragraph in cmd.details:
        msg.text(_(paragraph)).line()
    subs = {id(s): s for s in cmd.subcommands.values()}.values()
    for sub in subs:
        msg.text("• ").code(_(sub.usage)).text(f" — {_(sub.summary)}").line()
    examples = list(cmd.examples)
    for sub in subs:
        examples.extend(sub.examples)
    if examples:
        msg.text(_("Examples:")).line()
        for example in examples[: max(2, len(cmd.examples))]:
            msg.text("  ").code(_(example)).line()
    if cmd.aliases:
        msg.text(_("Also:") + " " + ", ".join(_p(ctx, "!" + a) for a in cmd.aliases)).line()
    return msg
