"""Command names in any script, and "Did you mean" in the reader's language only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.events import CommandText, parse_command
from commands.aliases import ALIASES, BY_LANGUAGE
from commands.context import Context, Settings
from commands.router import Router
from domain.words import fold
from storage import Database
from storage.languages import set_member_language
from tests.fakes import FakeRoom, dispatch, reply_text

NAMES = ["minga"]
NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(("body", "expected"), [
    ("!مساعدة", CommandText("مساعدة", "")),
    ("!ساعات", CommandText("ساعات", "")),
    ("!لغة en", CommandText("لغة", "en")),
    ("\u200f!مساعدة", CommandText("مساعدة", "")),  # a right-to-left mark first
    ("!\u200fمساعدة", CommandText("مساعدة", "")),
    ("!réunion add", CommandText("réunion", "add")),
    ("!ÉQUITÉ", CommandText("équité", "")),
    ("minga: مساعدة", CommandText("مساعدة", "", prefixed=False)),
])
def test_commands_in_any_script(body: str, expected: CommandText) -> None:
    assert parse_command(body, "!", NAMES) == expected


@pytest.mark.parametrize("body", ["!123", "!!!", "!?", "! مساعدة", "!\u200f", "!١٢٣", "!…"])
def test_still_not_commands(body: str) -> None:
    assert parse_command(body, "!", NAMES) is None


def test_every_alias_reaches_its_command_and_folded_names_never_clash(router: Router) -> None:
    for command, aliases in ALIASES.items():
        for alias in aliases:
            found = router.find(alias)
            assert found is not None and found.name == command, alias
    folded: dict[str, str] = {}
    for key, cmd in router.commands.items():
        assert folded.setdefault(fold(key), cmd.name) == cmd.name, key


@pytest.mark.parametrize(("typed", "command"), [
    ("مساعده", "help"),  # ة typed as ه
    ("اجتماع", "meeting"),
    ("RÉUNION", "meeting"),
    ("reunião", "meeting"),
    ("equite", "fairness"),
])
def test_spelling_variants(router: Router, typed: str, command: str) -> None:
    found = router.find(typed)
    assert found is not None and found.name == command


def test_aliases_are_kept_per_language() -> None:
    assert set(BY_LANGUAGE) == set(ALIASES)
    for by_lang in BY_LANGUAGE.values():
        assert set(by_lang) <= {"es", "fr", "pt", "ar"}


@pytest.mark.parametrize(("lang", "typed", "offered", "never"), [
    # `!holidays` (issue 15) is the English command nearest to both: never the Spanish alias.
    ("en", "holiday", "!holidays", "!olvidar"),
    ("en", "olvida", "!holidays", "!olvidar"),
    ("en", "meetng", "!meeting", "!reunion"),
    ("es", "olvida", "!olvidar", "!oublier"),
    ("fr", "oublie", "!oublier", "!olvidar"),
    ("pt", "esquece", "!esquecer", "!olvidar"),
    ("ar", "مساعد", "!مساعدة", "!ayuda"),
])
async def test_did_you_mean_in_the_readers_language_and_english(
        router: Router, db: Database, lang: str, typed: str, offered: str, never: str) -> None:
    user = "@alice:example.org"
    await set_member_language(db.conn, user, lang, NOW.isoformat())
    ctx = Context(FakeRoom("!r:example.org", {user: 0}), user, "$e", NOW, db, Settings())
    text = reply_text(await dispatch(router, ctx, typed))
    first = text.split("\n", 1)[0]
    assert f"!{typed}" in first
    if offered:
        assert offered in first, text
    else:
        assert "!" not in first.replace(f"!{typed}", ""), text
    assert never not in text
