"""The one translation layer: every sentence a member reads goes through `_` or `ngettext`.

Why a context variable: the language depends on who is addressed (the sender of a command,
the room for a reminder, the recipient of a DM), and the code that writes a sentence should
not have to carry that choice through every call. The router and the scheduled jobs set it
with `use_language(...)`; `_` reads it. A `Msg` records the language it was made in, so the
renderer can set `dir="rtl"` for Arabic and add its own words in the same language.

Catalogues are gettext `.po` files under `domain/locale/<lang>/LC_MESSAGES/minga.po`,
compiled in memory by Babel the first time a language is used (`warm()` does all of them at
start-up), so an installed package needs no build step and no writable directory.

Conventions (checked by tests/unit/test_catalogues.py):
- Placeholders are named `str.format` fields: `_("Moved {title} to {when}.").format(...)`.
- Text declared at import time (help summaries, usages, examples) is marked with `N_` and
  translated where it is shown: `_(cmd.summary)`.
- English is the source language; it has no catalogue.
"""

from __future__ import annotations

import functools
import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from threading import Lock

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "N_",
    "_",
    "current_language",
    "gettext_in",
    "is_rtl",
    "ngettext",
    "parse_language",
    "use_language",
    "warm",
]

DOMAIN = "minga"
LOCALE_DIR = Path(__file__).with_name("locale")
DEFAULT_LANGUAGE = "en"
# Code → the language's own name, as a member would look for it (CLDR's spelling: Spanish,
# French and Portuguese write language names in lower case).
LANGUAGES: dict[str, str] = {
    "en": "English",
    "es": "español",
    "fr": "français",
    "pt": "português",
    "ar": "العربية",
}
_RTL = frozenset({"ar"})
# What members may type for each language besides the code.
_NAMES: dict[str, str] = {
    "english": "en", "inglés": "en", "ingles": "en", "anglais": "en", "inglês": "en",
    "spanish": "es", "español": "es", "espanol": "es", "espagnol": "es", "espanhol": "es",
    "castellano": "es",
    "french": "fr", "français": "fr", "francais": "fr", "francés": "fr", "frances": "fr",
    "francês": "fr",
    "portuguese": "pt", "português": "pt", "portugues": "pt", "portugués": "pt",
    "portugais": "pt",
    "arabic": "ar", "العربية": "ar", "عربي": "ar", "árabe": "ar", "arabe": "ar",
}

_active: ContextVar[str] = ContextVar("minga_language", default=DEFAULT_LANGUAGE)
_catalogues: dict[str, gettext.NullTranslations] = {}
_loading = Lock()


def N_(message: str) -> str:
    """Mark text for extraction without translating it yet (it is translated where shown)."""
    return message


def _load(lang: str) -> gettext.NullTranslations:
    """Compile the language's .po into a GNUTranslations, once per process."""
    found = _catalogues.get(lang)
    if found is not None:
        return found
    with _loading:
        if lang in _catalogues:
            return _catalogues[lang]
        po_path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        if lang == DEFAULT_LANGUAGE or not po_path.exists():
            translations: gettext.NullTranslations = gettext.NullTranslations()
        else:
            from babel.messages.mofile import write_mo
            from babel.messages.pofile import read_po

            with po_path.open("rb") as po_file:
                catalogue = read_po(po_file, locale=lang, domain=DOMAIN)
            compiled = io.BytesIO()
            write_mo(compiled, catalogue, use_fuzzy=False)
            compiled.seek(0)
            translations = gettext.GNUTranslations(compiled)
        _catalogues[lang] = translations
        return translations


def warm() -> None:
    """Compile every catalogue now, so the first reply in a language pays nothing."""
    for lang in LANGUAGES:
        _load(lang)


def current_language() -> str:
    return _active.get()


@contextmanager
def use_language(lang: str | None) -> Iterator[str]:
    """Speak `lang` (a code from LANGUAGES; anything else means the default) inside the block."""
    chosen = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    token = _active.set(chosen)
    try:
        yield chosen
    finally:
        _active.reset(token)


def _(message: str) -> str:
    return _load(_active.get()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _load(_active.get()).ngettext(singular, plural, count)


def gettext_in(lang: str, message: str) -> str:
    """Translate into a given language regardless of the active one (e.g. for the renderer)."""
    return _load(lang if lang in LANGUAGES else DEFAULT_LANGUAGE).gettext(message)


def language_name(code: str) -> str:
    """A language's name in the active language, as written mid-sentence: "Spanish",
    "español", "espagnol", "الإسبانية" (CLDR, through Babel)."""
    return _language_names(current_language()).get(code) or LANGUAGES.get(code, code)


@functools.cache
def _language_names(lang: str) -> dict[str, str]:
    from babel import Locale  # as for the catalogues: not on the import path of start-up

    names = Locale.parse(lang).languages
    return {code: str(names[code]) for code in LANGUAGES if code in names}


def is_rtl(lang: str | None) -> bool:
    return lang in _RTL


def parse_language(text: str) -> str | None:
    """A language code from what a member typed ("es", "Español", "pt-BR", "árabe"), or None."""
    word = text.strip().lower().replace("_", "-")
    if word in LANGUAGES:
        return word
    base = word.split("-", 1)[0]
    if base in LANGUAGES:
        return base
    return _NAMES.get(word)


# Translators: what separates a label from what follows ("Bob: waiting for the visa",
# "Facilitator: Ana"); French puts a no-break space before the colon ("\u00a0: ").
_LABEL_SEPARATOR = N_(": ")


def colon() -> str:
    """": " in the active language's typography (French: a no-break space before it)."""
    return _(_LABEL_SEPARATOR)
