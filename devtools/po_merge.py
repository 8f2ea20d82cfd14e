#!/usr/bin/env python3
"""git merge driver for gettext catalogues: a 3-way merge per message, not per line.

Enable once per clone:
    git config merge.minga-po.driver ".venv/bin/python devtools/po_merge.py %O %A %B"
Parallel branches that each add messages then merge without conflicts; `make i18n`
afterwards refreshes the source locations.
"""
import sys

from babel.messages.pofile import read_po, write_po


def load(path):
    with open(path, "rb") as fh:
        return read_po(fh, abort_invalid=False)

def key(m):
    return (m.id if isinstance(m.id, str) else tuple(m.id), m.context)

def main(base_p, ours_p, theirs_p):
    base, ours, theirs = load(base_p), load(ours_p), load(theirs_p)
    b = {key(m): m for m in base if m.id}
    o = {key(m): m for m in ours if m.id}
    t = {key(m): m for m in theirs if m.id}
    out = ours  # keep ours' header and order
    clashes = 0
    for k, tm in t.items():
        om, bm = o.get(k), b.get(k)
        if om is None:
            if bm is not None and bm.string == tm.string:
                continue  # ours deleted it, theirs did not change it
            out[tm.id] = tm  # new on their side (or changed on theirs, deleted on ours)
            continue
        if om.string == tm.string:
            continue
        if bm is not None and om.string == bm.string:
            om.string = tm.string
            om.flags = set(tm.flags)
        elif bm is not None and tm.string == bm.string:
            pass
        else:
            clashes += 1  # both translated differently: keep ours
    for k, om in list(o.items()):
        if k not in t and k in b and b[k].string == om.string:
            out.delete(om.id, context=om.context)
    with open(ours_p, "wb") as fh:
        write_po(fh, out, width=100, ignore_obsolete=True)
    if clashes:
        print(f"po_merge: {clashes} message(s) translated differently on both sides; kept ours",
              file=sys.stderr)
    return 0

if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
