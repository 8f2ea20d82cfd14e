"""The command router: tokenising, argument parsing, error middleware, and `!help`."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

import pytest

from commands import build_router
from commands.context import Context, Settings
from commands.errors import PermissionDenied, UserError
from commands.reply import Msg
from commands.router import (
    MAX_COMMAND_LENGTH,
    Arg,
    Command,
    Router,
    parse_args,
    take_token,
    tokenize,
)
from storage import Database
from tests.fakes import FakeRoom, reply_text

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ROOM = "!room:example.org"
ALICE = "@alice:example.org"
MOD = "@mod:example.org"


def make_ctx(db: Database, *, prefix: str = "!", sender: str = ALICE,
             admins: tuple[str, ...] = ()) -> Context:
    return Context(FakeRoom(ROOM, {ALICE: 0, MOD: 50}), sender, "$event:example.org", NOW, db,
                   Settings(prefix=prefix, default_zone="UTC", admins=admins))


async def count_members(db: Database) -> int:
    row = await db.fetchone("SELECT COUNT(*) FROM members")
    assert row is not None
    return int(row[0])


# ---- take_token / tokenize ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "token", "rest"),
    [
        ("hello world", "hello", "world"),
        ("   padded   words here", "padded", "words here"),
        ("single", "single", ""),
        ("", "", ""),
        ("    ", "", ""),
        ('"Network call" thu 14:00', "Network call", " thu 14:00"),
        ("“Smart quotes” next", "Smart quotes", " next"),
        ("«Guillemets» next", "Guillemets", " next"),
        ("'single quoted' next", "single quoted", " next"),
        ("Bob's party", "Bob's", "party"),
        ('"Bob\'s party" later', "Bob's party", " later"),
        ('""', "", ""),
        ("tab\tseparated", "tab", "separated"),
        ("line\nbreak", "line", "break"),
    ],
)
def test_take_token(text: str, token: str, rest: str) -> None:
    assert take_token(text) == (token, rest)


@pytest.mark.parametrize("text", ['"never closed', "“smart open, straight close\"", "'open", "«x"])
def test_take_token_unclosed_quote_is_a_user_error(text: str) -> None:
    with pytest.raises(UserError) as info:
        take_token(text)
    assert "quotation mark is not closed" in info.value.message
    assert info.value.example and info.value.example.startswith("!")


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("", []),
        ("   ", []),
        ("a b  c", ["a", "b", "c"]),
        ('add "Network call" thu 14:00', ["add", "Network call", "thu", "14:00"]),
        ("Bob's O'Brien's", ["Bob's", "O'Brien's"]),
        ("meet at Bob's 'big day'", ["meet", "at", "Bob's", "big day"]),
        ("«a b» “c d” 'e f' \"g h\"", ["a b", "c d", "e f", "g h"]),
        ('"a"b', ["a", "b"]),
    ],
)
def test_tokenize(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens


def test_tokenize_unclosed_quote_raises() -> None:
    with pytest.raises(UserError):
        tokenize('add "Network call thu 14:00')


# ---- registration ------------------------------------------------------------------------


def test_register_command_aliases_and_subcommands() -> None:
    router = Router()

    @router.command("meet", summary="Meetings.", usage="!meet", examples=("!meet",),
                    aliases=("m", "meeting"))
    async def meet(ctx: Context) -> None:
        ctx.reply(Msg().text("meet"))

    assert isinstance(meet, Command)

    @meet.sub("add", summary="Add one.", usage="!meet add <title>", aliases=("new",))
    async def add(ctx: Context) -> None:
        ctx.reply(Msg().text("add"))

    assert router.find("meet") is router.find("m") is router.find("MEETING") is meet
    assert router.find("nope") is None
    assert router.order == [meet]
    assert meet.subcommands["add"] is meet.subcommands["new"]
    sub = meet.subcommands["add"]
    assert sub.parent is meet
    assert sub.full_name == "meet add"
    assert meet.full_name == "meet"
    assert sub.handler is add


def test_registering_a_name_twice_is_refused() -> None:
    router = Router()

    @router.command("one", summary="", usage="!one", aliases=("uno",))
    async def one(ctx: Context) -> None: ...

    with pytest.raises(ValueError, match="registered twice"):

        @router.command("uno", summary="", usage="!uno")
        async def other(ctx: Context) -> None: ...


def test_suggest_close_names_including_aliases() -> None:
    router = Router()
    for name in ("meeting", "hours", "tz"):
        router.command(name, summary="", usage=f"!{name}")(_noop)
    assert router.suggest("meetign") == ["meeting"]
    assert router.suggest("HOURZ") == ["hours"]
    assert router.suggest("xyzzy") == []


async def _noop(ctx: Context, **_: object) -> None:
    ctx.reply(Msg().text("ok"))


# ---- a test router -----------------------------------------------------------------------


def _even(text: str) -> int:
    number = int(text)
    if number % 2:
        raise ValueError(f"{number} is odd; give me an even number.")
    return number


def _silent_fail(text: str) -> int:
    raise ValueError()


def _strict(text: str) -> str:
    raise UserError("strict parser says no", "!strict yes")


@pytest.fixture
def router() -> Router:
    router = Router()
    seen: dict[str, object] = {}
    router.seen = seen  # type: ignore[attr-defined]

    @router.command("echo", summary="Echo words.", usage="!echo <a> [<b>]",
                    examples=("!echo one two",),
                    args=(Arg("a"), Arg("b", optional=True, default="B-DEFAULT")))
    async def echo(ctx: Context, a: str, b: str) -> None:
        seen["echo"] = (a, b)
        ctx.reply(Msg().text(f"a={a} b={b}"))

    @router.command("say", summary="Say it.", usage="!say <first> <text>",
                    examples=("!say loud hello there",),
                    args=(Arg("first"), Arg("text", rest=True)))
    async def say_(ctx: Context, first: str, text: str) -> None:
        seen["say"] = (first, text)
        ctx.reply(Msg().text(f"{first}: {text}"))

    @router.command("note", summary="Optional rest.", usage="!note [<text>]",
                    args=(Arg("text", optional=True, rest=True, default="nothing"),))
    async def note(ctx: Context, text: str) -> None:
        seen["note"] = text
        ctx.reply(Msg().text(text))

    @router.command("even", summary="Even numbers.", usage="!even <n>",
                    examples=("!even 4",), args=(Arg("n", _even),))
    async def even(ctx: Context, n: int) -> None:
        seen["even"] = n
        ctx.reply(Msg().text(str(n)))

    @router.command("quiet", summary="Bad parser.", usage="!quiet <n>",
                    examples=("!quiet 1",), args=(Arg("n", _silent_fail),))
    async def quiet(ctx: Context, n: int) -> None:
        ctx.reply(Msg().text("unreachable"))

    @router.command("strict", summary="Parser raising UserError.", usage="!strict <x>",
                    examples=("!strict 1",), args=(Arg("x", _strict),))
    async def strict(ctx: Context, x: str) -> None:
        ctx.reply(Msg().text("unreachable"))

    @router.command("write", summary="Write, then maybe fail.", usage="!write <mode>",
                    examples=("!write ok",), args=(Arg("mode"),))
    async def write(ctx: Context, mode: str) -> None:
        await ctx.db.conn.execute(
            "INSERT INTO members (user_id, zone, updated_at) VALUES (?, 'UTC', 'now')",
            (f"@{mode}:example.org",),
        )
        ctx.reply(Msg().text("partial reply that must not survive"))
        if mode == "usererror":
            raise UserError("Cannot do that.", "!write ok")
        if mode == "denied":
            raise PermissionDenied("Moderators only.")
        if mode == "crash":
            raise KeyError("secret internal detail")
        ctx.reply(Msg().text("written"))

    @router.command("mute", summary="Says nothing.", usage="!mute")
    async def mute(ctx: Context) -> None:
        await ctx.db.conn.execute(
            "INSERT INTO members (user_id, updated_at) VALUES ('@mute:example.org', 'now')"
        )

    @router.command("group", summary="Only subcommands.", usage="!group <sub>",
                    examples=("!group list",))
    async def _unused(ctx: Context) -> None: ...

    group = router.commands["group"]
    group.handler = None

    @group.sub("list", summary="List.", usage="!group list", examples=("!group list",),
               aliases=("ls",))
    async def group_list(ctx: Context) -> None:
        ctx.reply(Msg().text("listed"))

    @group.sub("show", summary="Show one.", usage="!group show <name>",
               examples=("!group show a",), args=(Arg("name"),))
    async def group_show(ctx: Context, name: str) -> None:
        ctx.reply(Msg().text(f"showing {name}"))

    @router.command("mod", summary="Moderators only.", usage="!mod")
    async def mod(ctx: Context) -> None:
        ctx.reply(Msg().text("yes" if ctx.is_moderator() else "no"))

    return router


# ---- dispatch: arguments -----------------------------------------------------------------


async def test_positional_and_optional_default(router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await router.dispatch(ctx, "echo", "first")
    assert reply_text(ctx) == "a=first b=B-DEFAULT"

    ctx = make_ctx(db)
    await router.dispatch(ctx, "echo", 'x "y z"')
    assert reply_text(ctx) == "a=x b=y z"


async def test_command_name_is_case_insensitive(router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await router.dispatch(ctx, "ECHO", "hi")
    assert reply_text(ctx) == "a=hi b=B-DEFAULT"


async def test_missing_required_argument(router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await router.dispatch(ctx, "echo", "   ")
    text = reply_text(ctx)
    assert "!echo needs <a>." in text
    assert "Example: `!echo one two`" in text


async def test_unexpected_extra_argument(router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await router.dispatch(ctx, "echo", "one two three")
    text = reply_text(ctx)
    assert "I didn't expect 'three' after !echo." in text
    assert "Example:" in text


async def test_rest_argument_takes_remaining_text_verbatim(router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await router.dispatch(ctx, "say", 'loud  Bob\'s "party"   is  on  ')
    assert router.seen["say"] == ("loud", 'Bob\'s "party"   is  on')  # type: ignore[attr-defined]


async def test_rest_argument_may_contain_an_unclosed_quote(router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await router.dispatch(ctx, "say", 'x he said "hi')
    assert reply_text(ctx) == 'x: he said "hi'


async def test_missing_rest_argument(router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await router.dispatch(ctx, "say", "loud")
    assert "!say needs <text>." in reply_text(ctx)


async def test_optional_rest_argument_default(router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await router.dispatch(ctx, "note", "")
    assert router.seen["note"] == "nothing"  # type: ignore[attr-defined]
    ctx = make_ctx(db)
    await router.dispatch(ctx, "note", "  some words  ")
    assert router.seen["note"] == "some words"  # type: ignore[attr-defined]


async def test_apostrophe_inside_word_is_plain_text(router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await router.dispatch(ctx, "echo", "Bob's O'Neill's")
    assert reply_text(ctx) == "a=Bob's b=O'Neill's"


async def test_unclosed_quote_in_arguments_is_friendly(router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await router.dispatch(ctx, "echo", '"never closed')
    text = reply_text(ctx)
    assert "A quotation mark is not closed." in text
    assert "Example:" in text
    assert "sorry" not in text.lower()


async def test_parser_value_error_becomes_friendly_reply(router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await router.dispatch(ctx, "even", "3")
    text = reply_text(ctx)
    assert text.startswith("3 is odd; give me an even number.")
    assert "Example: `!even 4`" in text
    assert "Traceback" not in text


async def test_parser_value_error_without_message_names_argument(
    router: Router, db: Database
) -> None:
    ctx = make_ctx(db)
    await router.dispatch(ctx, "quiet", "zzz")
    text = reply_text(ctx)
    assert "<n> is not valid: zzz" in text
    assert "Example: `!quiet 1`" in text


async def test_parser_user_error_is_passed_through(router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await router.dispatch(ctx, "strict", "anything")
    assert reply_text(ctx) == "strict parser says no\nExample: `!strict yes`"


async def test_parsed_value_reaches_handler(router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await router.dispatch(ctx, "even", "8")
    assert router.seen["even"] == 8  # type: ignore[attr-defined]
    assert reply_text(ctx) == "8"


def test_parse_args_directly(router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    cmd = router.commands["echo"]
    assert parse_args(ctx, cmd, "a") == {"a": "a", "b": "B-DEFAULT"}
    assert parse_args(ctx, cmd, "a 'b c'") == {"a": "a", "b": "b c"}
    with pytest.raises(UserError, match="needs <a>"):
        parse_args(ctx, cmd, "")


async def test_usage_example_uses_first_example_and_prefix(router: Router, db: Database) -> None:
    ctx = make_ctx(db, prefix="?")
    await router.dispatch(ctx, "echo", "")
    assert reply_text(ctx) == "?echo needs <a>.\nExample: `?echo one two`"
    # Without examples the usage is shown.
    ctx = make_ctx(db)
    await router.dispatch(ctx, "mute", "unexpected")
    assert reply_text(ctx) == "I didn't expect 'unexpected' after !mute.\nExample: `!mute`"


# ---- dispatch: subcommands ---------------------------------------------------------------


async def test_subcommand_and_alias(router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await router.dispatch(ctx, "group", "list")
    assert reply_text(ctx) == "listed"
    ctx = make_ctx(db)
    await router.dispatch(ctx, "group", "LS")
    assert reply_text(ctx) == "listed"
    ctx = make_ctx(db)
    await router.dispatch(ctx, "group", "show thing")
    assert reply_text(ctx) == "showing thing"


async def test_parent_without_handler_needs_more(router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await router.dispatch(ctx, "group", "")
    text = reply_text(ctx)
    assert "!group needs more." in text
    assert "Example: `!group list`" in text


async def test_unknown_subcommand_of_parent_without_handler(router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await router.dispatch(ctx, "group", "frobnicate")
    assert "!group needs more." in reply_text(ctx)


# ---- dispatch: unknown commands, length ----------------------------------------------------


async def test_unknown_command_did_you_mean(router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await router.dispatch(ctx, "ecoh", "")
    text = reply_text(ctx)
    assert "I don't know the command !ecoh." in text
    assert "Did you mean !echo?" in text
    assert "Example: `!help`" in text


async def test_unknown_command_without_suggestion(router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await router.dispatch(ctx, "xyzzyplugh", "")
    text = reply_text(ctx)
    assert "I don't know the command !xyzzyplugh." in text
    assert "Did you mean" not in text


async def test_unknown_command_name_is_truncated(router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await router.dispatch(ctx, "q" * 500, "")
    text = reply_text(ctx)
    assert "q" * 40 in text
    assert "q" * 41 not in text


async def test_unknown_command_uses_configured_prefix(router: Router, db: Database) -> None:
    ctx = make_ctx(db, prefix="?")
    await router.dispatch(ctx, "ecoh", "")
    text = reply_text(ctx)
    assert "I don't know the command ?ecoh." in text
    assert "Did you mean ?echo?" in text
    assert "Example: `?help`" in text


async def test_max_command_length(router: Router, db: Database) -> None:
    words = "x " * (MAX_COMMAND_LENGTH // 2)
    assert len(words) == MAX_COMMAND_LENGTH
    ctx = make_ctx(db)
    await router.dispatch(ctx, "note", words)
    assert reply_text(ctx) == words.strip()

    too_long = words + "y"
    router.seen.clear()  # type: ignore[attr-defined]
    ctx = make_ctx(db)
    await router.dispatch(ctx, "note", too_long)
    text = reply_text(ctx)
    assert f"{MAX_COMMAND_LENGTH + 1:,} characters long" in text
    assert f"the limit is {MAX_COMMAND_LENGTH:,}" in text
    assert "note" not in router.seen  # type: ignore[attr-defined]


async def test_max_command_length_checked_before_command_lookup(
    router: Router, db: Database
) -> None:
    ctx = make_ctx(db)
    await router.dispatch(ctx, "nosuchcommand", "z" * (MAX_COMMAND_LENGTH + 10))
    assert "characters long" in reply_text(ctx)


# ---- dispatch: error middleware and the savepoint ---------------------------------------


async def test_successful_handler_writes_are_kept(router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await router.dispatch(ctx, "write", "ok")
    assert [m.plain() for m in ctx.replies] == ["partial reply that must not survive", "written"]
    assert await count_members(db) == 1


@pytest.mark.parametrize("mode", ["usererror", "denied"])
async def test_user_error_rolls_back_handler_writes(
    router: Router, db: Database, mode: str
) -> None:
    ctx = make_ctx(db)
    await router.dispatch(ctx, "write", mode)
    text = reply_text(ctx)
    assert "partial reply" not in text
    assert ("Cannot do that." in text) if mode == "usererror" else ("Moderators only." in text)
    assert await count_members(db) == 0


async def test_permission_denied_without_example_has_no_example_line(
    router: Router, db: Database
) -> None:
    ctx = make_ctx(db)
    await router.dispatch(ctx, "write", "denied")
    assert reply_text(ctx) == "Moderators only."


async def test_user_error_inside_outer_transaction_keeps_outer_writes(
    router: Router, db: Database
) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO members (user_id, updated_at) VALUES ('@outer:example.org', 'now')"
        )
        ctx = make_ctx(db)
        await router.dispatch(ctx, "write", "usererror")
        await router.dispatch(make_ctx(db), "write", "ok")
    rows = await db.fetchall("SELECT user_id FROM members ORDER BY user_id")
    assert [r["user_id"] for r in rows] == ["@ok:example.org", "@outer:example.org"]


async def test_unexpected_exception_apologises_with_error_id(
    router: Router, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    ctx = make_ctx(db)
    with caplog.at_level(logging.ERROR, logger="commands.router"):
        await router.dispatch(ctx, "write", "crash")
    text = reply_text(ctx)
    match = re.search(r"error id ([0-9a-f]{8})\)", text)
    assert match, text
    assert text.startswith("Sorry, something went wrong on my side")
    assert "Nothing was changed" in text
    for leak in ("Traceback", "KeyError", "secret internal detail", "partial reply"):
        assert leak not in text
    # The same id is logged for the admin, with the exception type and where it broke,
    # but not the exception's message, which may quote what a member typed.
    logged = [r.getMessage() for r in caplog.records if match.group(1) in r.getMessage()]
    assert logged and "KeyError" in logged[0] and "_dispatch" in logged[0]
    assert not any("secret internal detail" in m for m in logged)
    assert not any(r.exc_info for r in caplog.records)
    assert await count_members(db) == 0


async def test_error_ids_differ(router: Router, db: Database) -> None:
    ids = set()
    for _ in range(3):
        ctx = make_ctx(db)
        await router.dispatch(ctx, "write", "crash")
        found = re.search(r"error id ([0-9a-f]+)", reply_text(ctx))
        assert found
        ids.add(found.group(1))
    assert len(ids) == 3


async def test_handler_without_reply_is_an_internal_error(router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await router.dispatch(ctx, "mute", "")
    assert "error id" in reply_text(ctx)
    assert await count_members(db) == 0


async def test_dispatch_keeps_database_usable_afterwards(router: Router, db: Database) -> None:
    for mode in ("crash", "usererror", "ok"):
        await router.dispatch(make_ctx(db), "write", mode)
    # No savepoint or transaction left open.
    assert not db.conn.in_transaction
    assert await count_members(db) == 1


# ---- Context -----------------------------------------------------------------------------


async def test_context_is_moderator(router: Router, db: Database) -> None:
    ctx = make_ctx(db, sender=ALICE)
    assert not ctx.is_moderator()
    assert ctx.is_moderator(MOD)
    assert ctx.room_id == ROOM
    admin_ctx = make_ctx(db, sender=ALICE, admins=(ALICE,))
    assert admin_ctx.is_moderator()

    ctx = make_ctx(db, sender=MOD)
    await router.dispatch(ctx, "mod", "")
    assert reply_text(ctx) == "yes"


# ---- !help via build_router --------------------------------------------------------------


@pytest.fixture
def real_router() -> Router:
    return build_router()


async def test_help_lists_every_command(real_router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await real_router.dispatch(ctx, "help", "")
    text = reply_text(ctx)
    assert text.startswith("Minga commands")
    assert real_router.order, "no commands registered"
    for cmd in real_router.order:
        assert f"`!{cmd.name}` — {cmd.summary}" in text
    assert {"tz", "hours", "help"} <= {c.name for c in real_router.order}
    assert "`!help <command>`" in text


async def test_help_tz_shows_usage_and_examples(real_router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await real_router.dispatch(ctx, "help", "tz")
    text = reply_text(ctx)
    tz = real_router.commands["tz"]
    assert text.startswith(f"`{tz.usage}`")
    assert tz.summary in text
    for sub in ("set", "find", "room"):
        assert f"`{tz.subcommands[sub].usage}`" in text
    examples = re.findall(r"^  `(![^`]+)`$", text.split("Examples:", 1)[1], re.MULTILINE)
    assert len(examples) >= 2
    assert "!tz set Kathmandu" in examples


async def test_help_for_subcommand(real_router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await real_router.dispatch(ctx, "help", "tz set")
    text = reply_text(ctx)
    assert text.startswith("`!tz set <zone>`")
    assert "!tz set UTC+03:00" in text


async def test_help_topic_may_carry_the_prefix(real_router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await real_router.dispatch(ctx, "help", "!hours")
    assert reply_text(ctx).startswith(f"`{real_router.commands['hours'].usage}`")


async def test_help_unknown_topic_suggests(real_router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await real_router.dispatch(ctx, "help", "hourz")
    text = reply_text(ctx)
    assert "There is no command !hourz." in text
    assert "Did you mean !hours?" in text
    assert "Example: `!help`" in text

    ctx = make_ctx(db)
    await real_router.dispatch(ctx, "help", "nosuch")
    text = reply_text(ctx)
    assert "There is no command !nosuch." in text
    assert "Example: `!help`" in text
    assert "error id" not in text


async def test_unknown_command_suggests_help(real_router: Router, db: Database) -> None:
    ctx = make_ctx(db)
    await real_router.dispatch(ctx, "hlep", "")
    assert "Did you mean !help?" in reply_text(ctx)


async def test_help_reflects_custom_prefix(real_router: Router, db: Database) -> None:
    ctx = make_ctx(db, prefix="?")
    await real_router.dispatch(ctx, "help", "")
    text = reply_text(ctx)
    for cmd in real_router.order:
        assert f"`?{cmd.name}`" in text
        assert f"`!{cmd.name}`" not in text
    assert "`?help <command>`" in text

    ctx = make_ctx(db, prefix="?")
    await real_router.dispatch(ctx, "help", "?tz")
    text = reply_text(ctx)
    assert text.startswith("`?tz [set")
    assert "`?tz set Kathmandu`" in text
    assert "`!" not in text

    ctx = make_ctx(db, prefix="?")
    await real_router.dispatch(ctx, "help", "hourz")
    assert "Did you mean ?hours?" in reply_text(ctx)



async def test_help_with_only_the_prefix_is_not_an_internal_error(
    real_router: Router, db: Database
) -> None:
    ctx = make_ctx(db)
    await real_router.dispatch(ctx, "help", "!")
    assert "error id" not in reply_text(ctx)


async def test_help_topic_with_multi_character_prefix(real_router: Router, db: Database) -> None:
    ctx = make_ctx(db, prefix="t!")
    await real_router.dispatch(ctx, "help", "tz")
    assert reply_text(ctx).startswith("`t!tz [set")
