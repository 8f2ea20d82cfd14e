"""Declaring commands at module level: command sets, subcommands registered by other modules,
verbs after a typed target, the router as a handler parameter, the one error contract, and
the middleware steps."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from commands import build_router, middleware
from commands.context import Context, Settings
from commands.errors import PermissionDenied, UserError, errors_show
from commands.jobs import JobEnv, Post
from commands.reply import Msg
from commands.router import Arg, Command, CommandSet, Interaction, Router
from domain.errors import DomainError
from domain.i18n import current_language
from domain.when import WhenError
from domain.zones import ZoneError, resolve_zone
from storage import Database
from storage.languages import set_member_language
from tests.fakes import FakeRoom, dispatch, reply_text

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ROOM = "!room:example.org"
ALICE = "@alice:example.org"


def make_ctx(db: Database, prefix: str = "!") -> Context:
    return Context(FakeRoom(ROOM, {ALICE: 0}), ALICE, "$event:example.org", NOW, db,
                   Settings(prefix=prefix))


async def say(router: Router, db: Database, line: str, prefix: str = "!") -> str:
    return reply_text(await dispatch(router, make_ctx(db, prefix), line))


def _item(text: str) -> int:
    if not text.isdigit():
        raise ValueError(f"{text!r} is not a number")
    return int(text)


# A module's declarations: built once, installed into as many routers as tests build.
cmds = CommandSet()


@cmds.command("item", summary="Add an item, or act on one.", usage="!item <text> · !item <n> …",
              examples=("!item Buy chairs", "!item 3 due fri"),
              args=(Arg("text", optional=True, rest=True),), target=Arg("n", _item))
async def item(ctx: Context, text: str | None) -> None:
    ctx.reply(Msg().text(f"added: {text}"))


@item.verb("")
async def item_show(ctx: Context, n: int) -> None:
    ctx.reply(Msg().text(f"showing {n}"))


@item.verb("due", aliases=("by",), args=(Arg("when", rest=True),))
async def item_due(ctx: Context, n: int, when: str) -> None:
    ctx.reply(Msg().text(f"{n} due {when}"))


@item.verb("done", must_consume_args=False)
async def item_done(ctx: Context, n: int) -> None:
    ctx.reply(Msg().text(f"{n} done"))


@item.sub("list", summary="List them.", usage="!item list", examples=("!item list",))
async def item_list(ctx: Context) -> None:
    ctx.reply(Msg().text("the list"))


@cmds.command("count", summary="How many commands?", usage="!count")
async def count(ctx: Context, router: Router) -> None:
    ctx.reply(Msg().text(f"{len(router.order)} commands"))


@cmds.on("reaction", "item:")
async def reacted(ctx: Context, interaction: Interaction) -> bool:
    ctx.reply(Msg().text(f"reacted {interaction.text}"))
    return True


async def _nothing(env: JobEnv) -> list[Post]:
    return []


cmds.schedules.job("item-nudge")(_nothing)


@pytest.fixture
def router() -> Router:
    router = Router()
    router.include(cmds)
    return router


# ---- command sets ------------------------------------------------------------------------


def test_a_command_set_installs_into_every_router_it_is_included_in() -> None:
    first, second = Router(), Router()
    first.include(cmds)
    second.include(cmds)
    for router in (first, second):
        assert router.find("item") is item and router.order == [item, count]
        assert [(kind, prefix) for kind, prefix, _h in router.interactions] == [
            ("reaction", "item:")]
        assert router.schedules.jobs == {"item-nudge": _nothing}
    with pytest.raises(ValueError, match="registered twice"):
        first.include(cmds)


async def test_a_handler_may_take_the_router(router: Router, db: Database) -> None:
    assert await say(router, db, "count") == "2 commands"


async def test_interactions_of_a_set_are_tried(router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    taken = await router.interact(ctx, Interaction("reaction", "item:3", "$r", "$t", "✅"))
    assert taken and reply_text(ctx) == "reacted ✅"


def test_the_real_router_keeps_no_register_functions() -> None:
    import commands.actions.minutes as minutes
    import commands.meetings.settings as settings

    router = build_router()
    meeting = router.commands["meeting"]
    assert meeting.handler is not None and meeting.handler.__module__ == \
        "commands.meetings.commands"
    assert not hasattr(settings, "register") and not hasattr(minutes, "register")
    assert {s.name for s in settings.cmds.subcommands} == {
        "agenda", "link", "reminders", "notify", "ping", "night", "ics"}


# ---- subcommands declared by the parent, registered by other modules ----------------------


def _declared_parent() -> Command:
    parent = CommandSet().command("group", summary="A group.", usage="!group …",
                                  subcommands=("one", "two", "three"))

    async def group(ctx: Context) -> None: ...

    return parent(group)


async def _sub(ctx: Context) -> None:
    ctx.reply(Msg().text("sub"))


def test_declared_subcommands_keep_their_order_whoever_registers_first() -> None:
    parent = _declared_parent()
    for name in ("three", "one", "two"):  # as if three modules were imported in this order
        parent.sub(name, summary=name, usage=f"!group {name}")(_sub)
    assert [s.name for s in parent.listed()] == ["one", "two", "three"]
    assert Router().add(parent) is parent


def test_a_declared_subcommand_nobody_registered_stops_the_router() -> None:
    parent = _declared_parent()
    parent.sub("one", summary="", usage="")(_sub)
    with pytest.raises(ValueError, match="declares two, three"):
        Router().add(parent)


def test_an_undeclared_subcommand_is_refused() -> None:
    parent = _declared_parent()
    with pytest.raises(ValueError, match="does not declare a subcommand 'four'"):
        parent.sub("four", summary="", usage="")(_sub)


def test_meeting_subcommands_are_in_the_declared_order() -> None:
    meeting = build_router().commands["meeting"]
    assert [s.name for s in meeting.listed()] == list(meeting.declared)
    assert meeting.declared[-2:] == ("start", "end")  # registered by commands.actions.minutes


# ---- verbs after a typed target ------------------------------------------------------------


@pytest.mark.parametrize(("line", "reply"), [
    ("item 3", "showing 3"),
    ("item 3 due fri 17:00", "3 due fri 17:00"),
    ("item 3 DUE fri", "3 due fri"),
    ("item 3 by fri", "3 due fri"),
    ("item 3 done thanks", "3 done"),  # must_consume_args=False: the rest is ignored
    ("item 3 chairs for the hall", "added: 3 chairs for the hall"),  # not a verb: the text
    ("item Buy chairs", "added: Buy chairs"),  # not a target: the text
    ("item due fri", "added: due fri"),  # a verb needs its target first
    ("item list", "the list"),  # a plain subcommand comes before the target
    ("item", "added: None"),
])
async def test_verbs_follow_the_target(router: Router, db: Database, line: str,
                                       reply: str) -> None:
    assert await say(router, db, line) == reply


async def test_a_verbs_errors_name_the_target_and_show_the_commands_example(
        router: Router, db: Database) -> None:
    assert await say(router, db, "item 3 due") == (
        "!item <n> due needs <when>.\nExample: `!item Buy chairs`")


def test_a_verb_needs_a_target() -> None:
    cmd = Router().command("plain", summary="", usage="!plain")(_sub)
    with pytest.raises(ValueError, match="no target"):
        cmd.verb("x")


async def test_action_and_rota_help_list_no_verb_lines(db: Database) -> None:
    """Verbs are described by their command's usage; !help shows it as before."""
    router = build_router()
    ctx = make_ctx(db)
    await dispatch(router, ctx, "help rota")
    assert reply_text(ctx).splitlines()[:3] == [
        "`!rota <id> [set @a @b …|roles <role> …|join|leave|skip [@who] [<date>]|"
        "swap <date> [@a] @b]`",
        "Share facilitation and note-taking fairly across a meeting series.",
        "• `!rota confirm` — Agree to a swap someone asked you for.",
    ]
    ctx = make_ctx(db)
    await dispatch(router, ctx, "help action due")
    assert reply_text(ctx).splitlines()[:3] == [
        "`!action [@who …] <text> [due <when>] · !action <n> [due|owner|edit|drop|note] …`",
        "Add an action item (owners, due date), or change one by its number.",
        "Examples:",
    ]


# ---- one error contract ----------------------------------------------------------------------


def test_the_domains_errors_share_one_base() -> None:
    for kind in (WhenError, ZoneError):
        assert issubclass(kind, DomainError)
    assert UserError is DomainError and issubclass(PermissionDenied, DomainError)


def test_a_zone_error_offers_suggestions_but_keeps_the_bare_reason() -> None:
    with pytest.raises(ZoneError) as caught:
        resolve_zone("Nairobbi")
    assert str(caught.value) == 'Unknown time zone "Nairobbi".'
    assert caught.value.message.startswith(
        'Unknown time zone "Nairobbi". Did you mean Africa/Nairobi')


def test_errors_show_fills_only_a_missing_example_of_an_input_error() -> None:
    with pytest.raises(DomainError) as caught, errors_show("!x 1"):
        raise DomainError("bad")
    assert caught.value.example == "!x 1"
    with pytest.raises(DomainError) as caught, errors_show("!x 1"):
        raise DomainError("bad", "!x 2")
    assert caught.value.example == "!x 2"
    with pytest.raises(PermissionDenied) as denied, errors_show("!x 1"):
        raise PermissionDenied("not you")
    assert denied.value.example is None


async def test_a_rules_error_gets_the_running_commands_example(db: Database) -> None:
    router = Router()

    @router.command("when", summary="", usage="!when <time>", examples=("!when 14:00",),
                    args=(Arg("text", rest=True),))
    async def when(ctx: Context, text: str) -> None:
        raise WhenError(f"Can't read {text}.")

    @router.command("nope", summary="", usage="!nope", examples=("!nope",))
    async def nope(ctx: Context) -> None:
        raise PermissionDenied("Moderators only.")

    assert await say(router, db, "when blorp") == "Can't read blorp.\nExample: `!when 14:00`"
    assert await say(router, db, "when blorp", prefix="?") == (
        "Can't read blorp.\nExample: `?when 14:00`")
    assert await say(router, db, "nope") == "Moderators only."


# ---- middleware, one step at a time ---------------------------------------------------------


async def test_each_step_wraps_the_next_in_order(db: Database) -> None:
    seen: list[str] = []

    def step(name: str) -> middleware.Middleware:
        async def run(ctx: Context, label: str, call_next: middleware.Next) -> bool:
            seen.append(f"{name}>")
            taken = await call_next()
            seen.append(f"<{name}")
            return taken

        return run

    async def work() -> bool:
        seen.append("work")
        return False

    assert await middleware.run(make_ctx(db), "t", work, (step("a"), step("b"))) is False
    assert seen == ["a>", "b>", "work", "<b", "<a"]


async def test_reader_language_sets_the_senders_language(db: Database) -> None:
    await set_member_language(db, ALICE, "es", NOW.isoformat())
    ctx = make_ctx(db)
    during: list[str] = []

    async def work() -> bool:
        during.append(current_language())
        return True

    await middleware.reader_language(ctx, "t", work)
    assert ctx.lang == "es" and during == ["es"]


async def test_friendly_errors_replace_partial_replies(db: Database) -> None:
    ctx = make_ctx(db)

    async def work() -> bool:
        ctx.reply(Msg().text("half done"))
        raise DomainError("That date has passed.", "!x tomorrow")

    assert await middleware.friendly_errors(ctx, "t", work) is True
    assert reply_text(ctx) == "That date has passed.\nExample: `!x tomorrow`"


async def test_room_prefix_rewrites_code_spans_only(db: Database) -> None:
    ctx = make_ctx(db, prefix="?")

    async def work() -> bool:
        ctx.reply(Msg().text("say !help or ").code("!help tz"))
        return True

    await middleware.room_prefix(ctx, "t", work)
    assert reply_text(ctx) == "say !help or `?help tz`"


# ---- typed arguments ---------------------------------------------------------------------


async def test_done_reads_every_number_before_closing_any(db: Database) -> None:
    router = build_router()
    assert (await say(router, db, "action Buy chairs")).startswith("Action #1")
    assert await say(router, db, "done 1 x") == (
        "'x' is not an item number; numbers look like 12 or #12.\nExample: `!done 12`")
    assert await say(router, db, "reopen 1") == "#1 is still open."
    assert await say(router, db, "reopen 1 2") == (
        "'1 2' is not an item number; numbers look like 12 or #12.\nExample: `!reopen 12`")
