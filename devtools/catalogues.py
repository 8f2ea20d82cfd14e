"""Keep the translation catalogues in step with the code: `python -m devtools.catalogues`.

    update   extract every `_`/`N_`/`ngettext` message into domain/locale/minga.pot and
             merge it into each language's .po (new ones empty, unused ones dropped)
    check    list what is missing, untranslated, fuzzy or unused (exit 1 if anything)

The same functions back tests/unit/test_catalogues.py, so CI fails on a catalogue that
lags behind the code.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from domain.i18n import DEFAULT_LANGUAGE, DOMAIN, LANGUAGES, LOCALE_DIR

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("bot", "commands", "domain", "storage", "devtools")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
PLACEHOLDER = re.compile(r"(?<!\{)\{([a-z_][a-z0-9_]*)\}")


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def translated_languages() -> list[str]:
    return [lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE]


def extract() -> Catalog:
    """Every message in the code, with its locations and `# Translators:` comments."""
    template = Catalog(project="Minga", domain=DOMAIN, charset="utf-8")
    for source in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / source, method_map=[("**.py", "python")], keywords=KEYWORDS,
            comment_tags=("Translators:",), strip_comment_tags=True,
        ):
            template.add(message, None, [(f"{source}/{filename}", lineno)],
                         auto_comments=comments, context=context)
    return template


def msgid_key(message_id: str | tuple[str, ...] | list[str]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def update() -> None:
    template = extract()
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    with TEMPLATE.open("wb") as out:
        write_po(out, template, width=100, omit_header=False, sort_output=False)
    for lang in translated_languages():
        path = po_path(lang)
        if path.exists():
            with path.open("rb") as po_file:
                catalogue = read_po(po_file, locale=lang, domain=DOMAIN)
        else:
            catalogue = Catalog(locale=lang, domain=DOMAIN, project="Minga", charset="utf-8")
        catalogue.update(template, no_fuzzy_matching=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            write_po(out, catalogue, width=100, ignore_obsolete=True)


def placeholders(text: str | list[str] | tuple[str, ...] | None) -> set[str]:
    if text is None or not isinstance(text, str):
        return set().union(*(placeholders(part) for part in text or ()))
    return set(PLACEHOLDER.findall(text))


def problems(lang: str, template: Catalog | None = None) -> list[str]:
    """Everything wrong with one language's catalogue, one line each."""
    template = template or extract()
    path = po_path(lang)
    if not path.exists():
        return [f"{lang}: no catalogue at {path}"]
    with path.open("rb") as po_file:
        catalogue = read_po(po_file, locale=lang, domain=DOMAIN)
    wanted = {msgid_key(m.id) for m in template if m.id}
    have = {msgid_key(m.id): m for m in catalogue if m.id}
    found = [f"{lang}: missing {key!r}" for key in sorted(wanted - set(have))]
    found += [f"{lang}: unused {key!r}" for key in sorted(set(have) - wanted)]
    for key in sorted(wanted & set(have)):
        message = have[key]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            found.append(f"{lang}: fuzzy {key!r}")
        if not all(strings) or len(strings) != (catalogue.num_plurals if message.pluralizable
                                                else 1):
            found.append(f"{lang}: untranslated {key!r}")
            continue
        if message.pluralizable:
            allowed = placeholders(message.id[0]) | placeholders(message.id[1])
            for form in strings:
                if not placeholders(form) <= allowed:
                    found.append(f"{lang}: unknown placeholder in {key!r}: {form!r}")
            other = strings[-1]
            if placeholders(other) != placeholders(message.id[1]):
                found.append(f"{lang}: placeholders differ in {key!r}: {other!r}")
        elif placeholders(strings[0]) != placeholders(key):
            found.append(f"{lang}: placeholders differ in {key!r}: {strings[0]!r}")
    return found


def main(argv: list[str]) -> int:
    if argv[:1] == ["update"]:
        update()
        print(f"updated {TEMPLATE.relative_to(ROOT)} and {len(translated_languages())} catalogues")
        return 0
    if argv[:1] == ["check"]:
        template = extract()
        found = [line for lang in translated_languages() for line in problems(lang, template)]
        print("\n".join(found) or "all catalogues complete")
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
