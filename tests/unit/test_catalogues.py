"""Every catalogue is complete: no missing, untranslated, fuzzy or unused message, the same
placeholders as the English, and command names left in English."""

from __future__ import annotations

import re

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from commands import build_router
from devtools.catalogues import extract, msgid_key, po_path, problems, translated_languages
from domain.i18n import DOMAIN

COMMAND_IN_TEXT = re.compile(r"(?:^|[\s`(\"«])!([^\s`)\"»!?.,:;]+)")


@pytest.fixture(scope="module")
def template() -> Catalog:
    return extract()


def test_the_code_has_messages_to_translate(template: Catalog) -> None:
    ids = {msgid_key(m.id) for m in template if m.id}
    assert len(ids) > 300
    assert "Examples:" in ids and "in {count} day" in ids


@pytest.mark.parametrize("lang", translated_languages())
def test_catalogue_is_complete(lang: str, template: Catalog) -> None:
    found = problems(lang, template)
    assert not found, "\n".join(found[:40]) + f"\n… {len(found)} in all (make i18n)"


def _catalogue(lang: str) -> Catalog:
    with po_path(lang).open("rb") as po_file:
        return read_po(po_file, locale=lang, domain=DOMAIN)


@pytest.mark.parametrize("lang", translated_languages())
def test_translations_format_without_error(lang: str) -> None:
    """A translator's stray brace would crash a reply at run time; catch it here."""
    for message in _catalogue(lang):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        source = message.id[-1] if isinstance(message.id, tuple) else message.id
        names = set(re.findall(r"(?<!\{)\{([a-z_][a-z0-9_]*)\}", source))
        if not names and "{" not in source:
            continue
        values = dict.fromkeys(names, "x") | {"count": 3}
        for text in strings:
            text.format(**values)


@pytest.mark.parametrize("lang", translated_languages())
def test_command_names_stay_english(lang: str) -> None:
    """`!meeting add` is the same in every language (aliases are extra ways in)."""
    router = build_router()
    known = set(router.commands)
    for message in _catalogue(lang):
        if not message.id:
            continue
        source = msgid_key(message.id)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = [w.lower() for w in COMMAND_IN_TEXT.findall(source) if w.lower() in known]
        for text in strings:
            written = [w.lower() for w in COMMAND_IN_TEXT.findall(text)]
            for command in wanted:
                assert command in written, f"{lang}: !{command} lost in {text!r} ({source!r})"
