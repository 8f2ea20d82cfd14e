"""Languages: who gets which language, `!lang`, aliases, and what the renderer does with it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.config import ConfigError, parse_config
from bot.render import LATE_NOTE, RLM, late_marker, mark_late, message_content
from commands.context import Context, Settings
from commands.reply import Msg
from commands.router import Router
from domain.i18n import (
    LANGUAGES,
    _,
    current_language,
    gettext_in,
    ngettext,
    parse_language,
    use_language,
)
from storage import Database
from storage.languages import member_and_room_language
from tests.fakes import FakeRoom, dispatch, reply_text

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ROOM = "!room:example.org"
ALICE = "@alice:example.org"
BOB = "@bob:example.org"
MOD = "@mod:example.org"
TRANSLATED = [code for code in LANGUAGES if code != "en"]


def ctx_for(db: Database, sender: str = ALICE, *, language: str = "en") -> Context:
    room = FakeRoom(ROOM, {ALICE: 0, BOB: 0, MOD: 50})
    return Context(room, sender, "$event:example.org", NOW, db,
                   Settings(default_zone="UTC", language=language))


async def run(router: Router, db: Database, line: str, sender: str = ALICE,
              language: str = "en") -> Msg:
    ctx = await dispatch(router, ctx_for(db, sender, language=language), line)
    assert len(ctx.replies) == 1, [m.plain() for m in ctx.replies]
    return ctx.replies[0]


# ---- the layer itself ----------------------------------------------------------------------


def test_default_is_english_and_use_language_restores_it() -> None:
    assert current_language() == "en"
    with use_language("es"):
        assert current_language() == "es"
        with use_language("ar"):
            assert current_language() == "ar"
        assert current_language() == "es"
    assert current_language() == "en"


def test_an_unknown_language_falls_back_to_english() -> None:
    with use_language("xx") as chosen:
        assert chosen == "en"
        assert _("Examples:") == "Examples:"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_language_translates(lang: str) -> None:
    with use_language(lang):
        assert _("Examples:") != "Examples:"
        assert _("Examples:") == gettext_in(lang, "Examples:")
        one = ngettext("in {count} day", "in {count} days", 1).format(count=1)
        many = ngettext("in {count} day", "in {count} days", 5).format(count=5)
    assert "in 5 days" not in many and "5" in many and one != many


@pytest.mark.parametrize(
    ("typed", "code"),
    [("es", "es"), ("ES", "es"), ("Español", "es"), ("espanol", "es"), ("pt-BR", "pt"),
     ("pt_PT", "pt"), ("français", "fr"), ("árabe", "ar"), ("العربية", "ar"), ("en", "en"),
     ("klingon", None), ("", None)],
)
def test_parse_language(typed: str, code: str | None) -> None:
    assert parse_language(typed) == code


# ---- !lang ---------------------------------------------------------------------------------


async def test_lang_sets_the_members_language_and_replies_in_it(
        db: Database, router: Router) -> None:
    reply = await run(router, db, "lang es")
    assert reply.lang == "es"
    assert reply.plain() == "De ahora en adelante te responderé en español."
    assert await member_and_room_language(db, ALICE, ROOM) == ("es", None)
    # Every later reply to Alice is Spanish; Bob still gets English.
    help_reply = await run(router, db, "help")
    assert help_reply.lang == "es"
    assert gettext_in("es", "Minga commands") in help_reply.plain()
    assert gettext_in("es", "Minga commands") != "Minga commands"
    assert (await run(router, db, "help", sender=BOB)).lang == "en"


async def test_lang_default_follows_the_room_again(db: Database, router: Router) -> None:
    await run(router, db, "lang fr")
    await run(router, db, "lang room pt", sender=MOD)
    reply = await run(router, db, "lang default")
    assert reply.lang == "pt"
    assert await member_and_room_language(db, ALICE, ROOM) == (None, "pt")
    assert (await run(router, db, "tz")).lang == "pt"


async def test_language_names_mid_sentence_are_in_lower_case(db: Database,
                                                              router: Router) -> None:
    await run(router, db, "lang en", sender=MOD)
    reply = await run(router, db, "lang room fr", sender=MOD)
    assert "now in French." in reply.plain()
    await run(router, db, "lang es", sender=MOD)
    reply = await run(router, db, "lang room pt", sender=MOD)
    assert reply.plain().startswith("Los recordatorios, los resúmenes semanales y las síntesis "
                                    "de los seguimientos de esta sala ahora están en portugués.")
    await run(router, db, "lang pt")
    text = (await run(router, db, "lang")).plain()
    assert "português (pt)" in text and "Português" not in text


async def test_room_language_is_for_moderators(db: Database, router: Router) -> None:
    reply = await run(router, db, "lang room fr")
    assert "moderators" in reply.plain()
    assert await member_and_room_language(db, ALICE, ROOM) == (None, None)
    reply = await run(router, db, "lang room fr", sender=MOD)
    assert reply.lang == "fr"
    assert await member_and_room_language(db, MOD, ROOM) == (None, "fr")
    # Members without a choice now get French; a member's own choice still wins.
    assert (await run(router, db, "help", sender=BOB)).lang == "fr"
    await run(router, db, "lang ar")
    assert (await run(router, db, "help")).lang == "ar"


async def test_an_unknown_language_gets_a_friendly_reply(db: Database, router: Router) -> None:
    text = (await run(router, db, "lang klingon")).plain()
    assert "klingon" in text and "es (español)" in text and "Example: `!lang es`" in text
    assert await member_and_room_language(db, ALICE, ROOM) == (None, None)


async def test_lang_without_argument_shows_both_choices(db: Database, router: Router) -> None:
    await run(router, db, "lang room es", sender=MOD)
    ctx = await dispatch(router, ctx_for(db, BOB), "lang")
    text = reply_text(ctx)
    assert "Idioma de esta sala: español (es)" in text and "ar (العربية)" in text


async def test_the_bots_default_language_applies_to_everyone_without_a_choice(
        db: Database, router: Router) -> None:
    reply = await run(router, db, "help", language="es")
    assert reply.lang == "es"


async def test_forget_me_erases_the_language(db: Database, router: Router) -> None:
    await run(router, db, "lang es")
    await run(router, db, "forget me")
    await run(router, db, "forget me confirm")
    assert await member_and_room_language(db, ALICE, ROOM) == (None, None)


# ---- aliases -------------------------------------------------------------------------------


@pytest.mark.parametrize("alias", ["reunion", "reunión", "réunion", "reunião", "اجتماع"])
async def test_meeting_aliases_reach_meeting(db: Database, router: Router, alias: str) -> None:
    assert router.find(alias) is router.find("meeting")


async def test_alias_runs_the_command(db: Database, router: Router) -> None:
    english = (await run(router, db, "help tz")).plain()
    assert (await run(router, db, "ayuda tz")).plain() == english


# ---- rendering -----------------------------------------------------------------------------


def test_arabic_html_is_right_to_left_and_body_starts_with_rlm() -> None:
    with use_language("ar"):
        msg = Msg().text(_("Examples:")).code("!help")
    content = message_content(msg)
    assert content["formatted_body"].startswith('<div dir="rtl">')
    assert content["formatted_body"].endswith("</div>")
    assert content["body"].startswith(RLM)


def test_every_line_of_an_arabic_body_is_right_to_left() -> None:
    """Plain-text clients lay out each line on its own: a line starting with a command or a
    number would otherwise run left to right."""
    with use_language("ar"):
        msg = Msg().text(_("Examples:")).line().code("!help").line().text("14:00 " + _("now"))
    lines = message_content(msg)["body"].split("\n")
    assert len(lines) == 3 and all(line.startswith(RLM) for line in lines)
    assert lines[1] == RLM + "`!help`"


@pytest.mark.parametrize("lang", ["en", "es", "fr", "pt"])
def test_left_to_right_languages_get_no_direction(lang: str) -> None:
    with use_language(lang):
        content = message_content(Msg().text("x"))
    assert "dir=" not in content["formatted_body"] and not content["body"].startswith(RLM)


def test_late_note_is_in_the_messages_language_and_inside_the_rtl_block() -> None:
    with use_language("ar"):
        msg = Msg(is_reply=False).text("x")
    content = message_content(msg) | late_marker(msg, "2026-12-01T10:00:00+00:00")
    sent = mark_late(content, "2026-12-01T10:05:00+00:00")
    note = gettext_in("ar", LATE_NOTE)
    assert note != LATE_NOTE
    assert sent["body"].startswith(RLM + note)
    assert sent["formatted_body"].startswith('<div dir="rtl"><em>' + note)
    assert "minga.late_note" not in sent and "minga.late_after" not in sent
    on_time = mark_late(content, "2026-12-01T09:59:00+00:00")
    assert on_time["body"] == RLM + "x"


# ---- configuration -------------------------------------------------------------------------


def _raw(language: str) -> dict[str, object]:
    return {
        "matrix": {"homeserver": "http://127.0.0.1:8008", "user_id": "@minga:example.org",
                   "password": "secret"},
        "storage": {"database": "minga.db", "store_dir": "store"},
        "bot": {"language": language},
    }


def test_config_language() -> None:
    from pathlib import Path

    config = parse_config(_raw("fr"), base_dir=Path("/tmp"), env={})
    assert config.bot.language == "fr"
    with pytest.raises(ConfigError, match=r"bot\.language"):
        parse_config(_raw("de"), base_dir=Path("/tmp"), env={})
