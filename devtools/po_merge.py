#!/usr/bin/env python3
"""git merge driver for gettext catalogues: a 3-way merge per message, not per line.

Two branches that each add strings touch neighbouring lines of every `.po` file, so a
line merge conflicts on almost every parallel change. Per message, they rarely do.
Enable once per clone (`.gitattributes` names the driver):
    git config merge.minga-po.driver ".venv/bin/python devtools/po_merge.py %O %A %B"
`make i18n` afterwards refreshes the source locations.
"""

from __future__ import annotations

import sys

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

Key = tuple[str | tuple[str, ...], str | None]


def load(path: str) -> Catalog:
    with open(path, "rb") as fh:
        return read_po(fh, abort_invalid=False)


def key(message: Message) -> Key:
    ident = message.id if isinstance(message.id, str) else tuple(message.id)
    return ident, message.context


def merge(base: Catalog, ours: Catalog, theirs: Catalog) -> int:
    """Merge `theirs` into `ours` in place; return how many messages clashed (ours kept)."""
    b = {key(m): m for m in base if m.id}
    o = {key(m): m for m in ours if m.id}
    t = {key(m): m for m in theirs if m.id}
    clashes = 0
    for k, their in t.items():
        mine, old = o.get(k), b.get(k)
        if mine is None:
            if old is None or old.string != their.string:
                ours[their.id] = their  # new on their side, or changed there
            continue
        if mine.string == their.string:
            continue
        if old is not None and mine.string == old.string:
            mine.string, mine.flags = their.string, set(their.flags)
        elif old is None or their.string != old.string:
            clashes += 1
    for k, mine in o.items():
        if k not in t and k in b and b[k].string == mine.string:
            ours.delete(mine.id, context=mine.context)  # they dropped it; we left it alone
    return clashes


def main(base_path: str, ours_path: str, theirs_path: str) -> int:
    ours = load(ours_path)
    clashes = merge(load(base_path), ours, load(theirs_path))
    with open(ours_path, "wb") as fh:
        write_po(fh, ours, width=100, ignore_obsolete=True)
    if clashes:
        print(f"po_merge: {clashes} message(s) translated differently on both sides; "
              "kept ours", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
