"""Reading commands out of messages, and turning replies into Matrix event content."""

from __future__ import annotations

import re

import pytest

from bot.events import CommandText, bot_names, parse_command, strip_reply_fallback, thread_root
from bot.render import message_content, render_html
from commands.reply import Msg, say
from storage import Database
from storage.outbox import enqueue, txn_id_for

BOT = "@minga-1:localhost"
NAMES = bot_names(BOT, "Minga")


# ---- strip_reply_fallback --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "stripped"),
    [
        ("!help", "!help"),
        ("> <@alice:x> what time?\n\n!tz", "!tz"),
        ("> <@alice:x> line one\n> line two\n\n!hours set 9-17", "!hours set 9-17"),
        ("> <@alice:x> no blank line\n!help", "!help"),
        ("> only a quote", ""),
        ("not a reply\n> quoted later", "not a reply\n> quoted later"),
        ("", ""),
        ("> q\n\n\nkept blank", "\nkept blank"),
    ],
)
def test_strip_reply_fallback(body: str, stripped: str) -> None:
    assert strip_reply_fallback(body) == stripped


# ---- bot_names -----------------------------------------------------------------------------


def test_bot_names_longest_first() -> None:
    names = bot_names("@Minga-1:Localhost", "Minga Bot")
    assert set(names) == {"@minga-1:localhost", "minga-1", "minga", "minga bot"}
    assert [len(n) for n in names] == sorted((len(n) for n in names), reverse=True)
    assert bot_names(BOT, None) == ["@minga-1:localhost", "minga-1", "minga"]


# ---- parse_command -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "prefix", "expected"),
    [
        ("!help", "!", CommandText("help", "")),
        ("!tz set Kathmandu", "!", CommandText("tz", "set Kathmandu")),
        ("  !HELP   tz  ", "!", CommandText("help", "tz")),
        ("!hours set 9-17\nMon-Fri", "!", CommandText("hours", "set 9-17\nMon-Fri")),
        ("?help tz", "?", CommandText("help", "tz")),
        ("mg.tz find kolk", "mg.", CommandText("tz", "find kolk")),
        ("minga: help", "!", CommandText("help", "", prefixed=False)),
        ("Minga, help tz", "!", CommandText("help", "tz", prefixed=False)),
        ("MINGA help", "!", CommandText("help", "", prefixed=False)),
        ("minga: !tz", "!", CommandText("tz", "", prefixed=False)),
        ("minga-1: help", "!", CommandText("help", "", prefixed=False)),
        ("@minga-1:localhost help", "!", CommandText("help", "", prefixed=False)),
        (
            "@minga-1:localhost: tz set Nairobi",
            "!",
            CommandText("tz", "set Nairobi", prefixed=False),
        ),
        ("> <@alice:x> when?\n\n!tz", "!", CommandText("tz", "")),
        ("> <@alice:x> when?\n\nminga: hours", "!", CommandText("hours", "", prefixed=False)),
    ],
)
def test_parse_command(body: str, prefix: str, expected: CommandText) -> None:
    assert parse_command(body, prefix, NAMES) == expected


@pytest.mark.parametrize(
    ("body", "prefix"),
    [
        ("hello everyone", "!"),
        ("what time is it in Kathmandu?", "!"),
        ("!", "!"),
        ("!   ", "!"),
        ("! help", "!"),
        ("!123", "!"),
        ("!!!", "!"),
        ("!?", "!"),
        ("help", "!"),
        ("!help", "?"),
        ("minga", "!"),
        ("minga:", "!"),
        ("mingabot help", "!"),
        ("minga:help", "!"),
        ("I asked minga: help", "!"),
        ("> <@alice:x> !help\n\nthanks", "!"),
        ("", "!"),
    ],
)
def test_parse_command_not_a_command(body: str, prefix: str) -> None:
    assert parse_command(body, prefix, NAMES) is None


def test_parse_command_display_name_mention() -> None:
    names = bot_names(BOT, "Coordination Bot")
    assert parse_command("Coordination Bot: tz", "!", names) == CommandText(
        "tz", "", prefixed=False
    )
    assert parse_command("coordination bot, help", "!", names) == CommandText(
        "help", "", prefixed=False
    )


# ---- thread_root ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "root"),
    [
        ({"m.relates_to": {"rel_type": "m.thread", "event_id": "$root"}}, "$root"),
        ({"m.relates_to": {"rel_type": "m.thread", "event_id": 5}}, None),
        ({"m.relates_to": {"rel_type": "m.thread"}}, None),
        ({"m.relates_to": {"m.in_reply_to": {"event_id": "$x"}}}, None),
        ({"m.relates_to": {"rel_type": "m.replace", "event_id": "$x"}}, None),
        ({"m.relates_to": "garbage"}, None),
        ({}, None),
    ],
)
def test_thread_root(content: dict[str, object], root: str | None) -> None:
    assert thread_root(content) == root


# ---- Msg and say -----------------------------------------------------------------------------


def test_msg_plain() -> None:
    msg = (
        Msg()
        .bold("Title")
        .line()
        .text("Use ")
        .code("!tz set <city>")
        .text(" or ask ")
        .mention("@alice:x", "Alice")
        .italic(" now")
        .line()
        .line()
    )
    assert msg.plain() == "Title\nUse `!tz set <city>` or ask Alice now"
    assert msg.mentions == ["@alice:x"]


def test_msg_line_with_text() -> None:
    assert Msg().line("a").line("b").text("c").plain() == "a\nb\nc"


def test_msg_mention_defaults_and_dedup() -> None:
    msg = Msg().mention("@a:x").mention("@a:x", "A").mention("@b:x", notify=False)
    assert msg.plain() == "@a:xA@b:x"
    assert msg.mentions == ["@a:x"]


def test_msg_defaults() -> None:
    msg = Msg()
    assert msg.plain() == ""
    assert msg.is_reply is True
    assert msg.room_mention is False


@pytest.mark.parametrize(
    ("text", "plain", "newlines"),
    [
        ("one line", "one line", 0),
        ("a\nb", "a\nb", 1),
        ("a\n\nb", "a\n\nb", 2),
        ("", "", 0),
        ("trailing\n", "trailing", 1),
    ],
)
def test_say(text: str, plain: str, newlines: int) -> None:
    msg = say(text)
    assert msg.plain() == plain
    assert sum(1 for kind, _, _ in msg.parts if kind == "newline") == newlines
    assert all(kind in ("text", "newline") for kind, _, _ in msg.parts)


# ---- message_content ---------------------------------------------------------------------


def test_content_basics() -> None:
    content = message_content(Msg().text("hello"))
    assert content == {
        "msgtype": "m.notice",
        "body": "hello",
        "format": "org.matrix.custom.html",
        "formatted_body": "hello",
        "m.mentions": {},
    }


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("</a>", "&lt;/a&gt;"),
        ("Tom & Jerry", "Tom &amp; Jerry"),
        ('say "hi"', "say &quot;hi&quot;"),
        ("Bob's", "Bob&#x27;s"),
        ("&lt;", "&amp;lt;"),
    ],
)
def test_user_text_is_escaped_everywhere(text: str, escaped: str) -> None:
    msg = Msg().text(text).bold(text).italic(text).code(text).mention("@a:x", text)
    content = message_content(msg)
    html = content["formatted_body"]
    assert content["body"] == f"{text}{text}{text}`{text}`{text}"
    assert html == (
        f"{escaped}<strong>{escaped}</strong><em>{escaped}</em><code>{escaped}</code>"
        f'<a href="https://matrix.to/#/@a:x">{escaped}</a>'
    )
    assert "<img" not in html
    assert "</a></a>" not in html


def test_formatting_tags_and_line_breaks() -> None:
    msg = Msg().bold("B").line().italic("I").line().code("C").line().line()
    assert render_html(msg) == "<strong>B</strong><br><em>I</em><br><code>C</code>"
    assert msg.plain() == "B\nI\n`C`"


def test_mentions_render_as_links() -> None:
    msg = Msg().mention("@alice:example.org", "Alice").text(" and ").mention("@bob:example.org")
    content = message_content(msg)
    assert content["formatted_body"] == (
        '<a href="https://matrix.to/#/@alice:example.org">Alice</a> and '
        '<a href="https://matrix.to/#/@bob:example.org">@bob:example.org</a>'
    )
    assert content["body"] == "Alice and @bob:example.org"
    assert content["m.mentions"] == {"user_ids": ["@alice:example.org", "@bob:example.org"]}


def test_mention_href_is_escaped() -> None:
    evil = '@x"><script>alert(1)</script>:example.org'
    content = message_content(Msg().mention(evil, "x"))
    html = content["formatted_body"]
    assert "<script>" not in html
    assert '"><' not in html
    match = re.fullmatch(r'<a href="([^"]*)">x</a>', html)
    assert match, html
    assert "&quot;&gt;&lt;script&gt;" in match.group(1)
    assert content["m.mentions"] == {"user_ids": [evil]}


def test_mentions_exact_set() -> None:
    msg = (
        Msg()
        .mention("@a:x")
        .mention("@b:x", notify=False)
        .mention("@a:x", "again")
        .text("@c:x is only text")
    )
    assert message_content(msg)["m.mentions"] == {"user_ids": ["@a:x"]}


def test_room_mention() -> None:
    msg = Msg().text("everyone")
    msg.room_mention = True
    assert message_content(msg)["m.mentions"] == {"room": True}


def test_no_mentions_is_empty_object() -> None:
    content = message_content(Msg().text("@alice:x typed as text"), in_reply_to="$cmd")
    assert content["m.mentions"] == {}


def test_reply_relation() -> None:
    content = message_content(Msg().text("ok"), in_reply_to="$cmd")
    assert content["m.relates_to"] == {"m.in_reply_to": {"event_id": "$cmd"}}
    # No reply fallback in the body (spec v1.13).
    assert content["body"] == "ok"
    assert "mx-reply" not in content["formatted_body"]


def test_no_relation_without_reply_target() -> None:
    assert "m.relates_to" not in message_content(Msg().text("ok"))


def test_not_a_reply_has_no_reply_relation() -> None:
    msg = Msg().text("room-wide")
    msg.is_reply = False
    content = message_content(msg, in_reply_to="$cmd")
    assert "m.relates_to" not in content


def test_thread_relation_with_reply() -> None:
    content = message_content(Msg().text("ok"), in_reply_to="$cmd", thread_root="$root")
    assert content["m.relates_to"] == {
        "rel_type": "m.thread",
        "event_id": "$root",
        "m.in_reply_to": {"event_id": "$cmd"},
        "is_falling_back": False,
    }


def test_thread_relation_without_reply_falls_back_to_root() -> None:
    msg = Msg().text("room-wide, in the thread")
    msg.is_reply = False
    rel = message_content(msg, in_reply_to="$cmd", thread_root="$root")["m.relates_to"]
    assert rel["rel_type"] == "m.thread"
    assert rel["event_id"] == "$root"
    assert rel["is_falling_back"] is True
    assert rel["m.in_reply_to"] == {"event_id": "$root"}
    assert message_content(Msg().text("x"), thread_root="$root")["m.relates_to"] == rel


# ---- outbox ------------------------------------------------------------------------------


def test_txn_id_is_stable_url_safe_and_distinct() -> None:
    first = txn_id_for("reply:$event:0")
    assert first == txn_id_for("reply:$event:0")
    assert re.fullmatch(r"[A-Za-z0-9._~-]+", first)
    assert first.startswith("minga-")
    keys = ["reply:$event:0", "reply:$event:1", "reply:$other:0", "", "é/?#&= "]
    ids = {txn_id_for(k) for k in keys}
    assert len(ids) == len(keys)
    assert all(re.fullmatch(r"[A-Za-z0-9._~-]{1,255}", i) for i in ids)


async def test_enqueue_is_idempotent(db: Database) -> None:
    content = message_content(Msg().text("hi"), in_reply_to="$cmd")
    async with db.transaction() as conn:
        assert await enqueue(
            conn,
            logical_key="reply:$cmd:0",
            room_id="!r:x",
            content=content,
            now_iso="2026-06-01T12:00:00+00:00",
        )
    async with db.transaction() as conn:
        again = dict(content, body="changed")
        assert not await enqueue(
            conn,
            logical_key="reply:$cmd:0",
            room_id="!r:x",
            content=again,
            now_iso="2026-06-01T12:00:01+00:00",
        )
        assert await enqueue(
            conn,
            logical_key="reply:$cmd:1",
            room_id="!r:x",
            content=content,
            now_iso="2026-06-01T12:00:01+00:00",
        )
    rows = await db.fetchall(
        "SELECT txn_id, room_id, event_type, content, created_at, sent_at, attempts "
        "FROM outbox ORDER BY id"
    )
    assert [r["txn_id"] for r in rows] == [txn_id_for("reply:$cmd:0"), txn_id_for("reply:$cmd:1")]
    first = rows[0]
    assert first["room_id"] == "!r:x"
    assert first["event_type"] == "m.room.message"
    assert '"body": "hi"' in first["content"]
    assert first["created_at"] == "2026-06-01T12:00:00+00:00"
    assert first["sent_at"] is None
    assert first["attempts"] == 0


async def test_enqueue_rolled_back_with_its_transaction(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await enqueue(
                conn,
                logical_key="k",
                room_id="!r:x",
                content={"body": "x"},
                now_iso="now",
                event_type="m.reaction",
            )
            raise RuntimeError
    assert await db.fetchall("SELECT * FROM outbox") == []
    async with db.transaction() as conn:
        assert await enqueue(
            conn,
            logical_key="k",
            room_id="!r:x",
            content={"body": "x"},
            now_iso="now",
            event_type="m.reaction",
        )
    row = await db.fetchone("SELECT event_type FROM outbox")
    assert row is not None and row["event_type"] == "m.reaction"
