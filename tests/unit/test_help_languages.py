"""Translated `!help` examples are real commands: each behaves as its English original does.

Each language replays every example of every command, in declaration order, against its own
fresh database, next to a run of the English examples; where English succeeds, the translated
example must succeed too (and fail where English fails, e.g. an id that does not exist yet).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

import commands.middleware as middleware_module
from commands import build_router
from commands.context import Context, Settings
from commands.errors import UserError
from commands.router import Router
from domain.i18n import LANGUAGES, gettext_in
from storage import open_database
from tests.fakes import FakeRoom, dispatch, seed

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # a Tuesday
ROOM = "!room:example.org"
ALICE = "@alice:example.org"
BOB = "@bob:example.org"


def examples(router: Router) -> list[str]:
    found: list[str] = []
    for cmd in router.order:
        found.extend(cmd.examples)
        for sub in {id(s): s for s in cmd.subcommands.values()}.values():
            found.extend(sub.examples)
    return [e for e in dict.fromkeys(found) if e.startswith("!")]


async def outcomes(tmp: Path, lines: list[str], monkeypatch: pytest.MonkeyPatch
                   ) -> list[str | None]:
    """Per line: None if it worked, else the error message."""
    router = build_router()
    errors: list[UserError] = []
    original = middleware_module.error_reply

    def spy(ctx: Context, err: UserError):  # type: ignore[no-untyped-def]
        errors.append(err)
        return original(ctx, err)

    monkeypatch.setattr(middleware_module, "error_reply", spy)
    db = await open_database(tmp / "t.db")
    await seed(ROOM, zones={ALICE: "Africa/Nairobi", BOB: "America/Bogota"}, at=NOW)(db)
    results: list[str | None] = []
    try:
        for line in lines:
            before = len(errors)
            ctx = Context(FakeRoom(ROOM, {ALICE: 100, BOB: 0}), ALICE, "$e:example.org", NOW,
                          db, Settings(default_zone="UTC"), mentioned=(BOB,))
            await dispatch(router, ctx, line[1:].replace("@bob", BOB))
            results.append(errors[-1].message if len(errors) > before else None)
    finally:
        await db.close()
    return results


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code != "en"])
async def test_translated_examples_behave_like_english(
        lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    english = examples(build_router())
    translated = [gettext_in(lang, line) for line in english]
    assert sum(a != b for a, b in zip(english, translated, strict=True)) >= 10, \
        "examples with words should be translated"
    (tmp_path / "en").mkdir()
    (tmp_path / lang).mkdir()
    want = await outcomes(tmp_path / "en", english, monkeypatch)
    got = await outcomes(tmp_path / lang, translated, monkeypatch)
    assert sum(w is None for w in want) >= len(want) // 2  # the English examples mostly work
    differ = [(e, t, w, g) for e, t, w, g in zip(english, translated, want, got, strict=True)
              if (w is None) != (g is None)]
    assert not differ, "\n".join(f"{e!r} → {t!r}: english {w!r}, {lang} {g!r}"
                                 for e, t, w, g in differ)
