"""The reading corpus: what members type, one case per line, in `tests/corpus/*.tsv`.

Each file is UTF-8, tab-separated. Lines starting with `#` and blank lines are skipped;
the first other line is the header naming the columns. Every file has a `lang` column (en,
es, fr, pt, ar) and an `input` column; the other columns are the file's own (what was
read, the refusal, the restated text…) and its test decides what they mean. A tab or a
line break inside a cell is written `\\t` or `\\n`; an empty cell is an empty string.

A new case costs one line: `load("dates")` gives the cases of `dates.tsv`, and
`params("dates")` the same as pytest parameters named `dates:<line>:<lang>`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = ["Case", "load", "params"]

HERE = Path(__file__).parent
_ESCAPES = {"\\t": "\t", "\\n": "\n", "\\\\": "\\"}


@dataclass(frozen=True)
class Case:
    """One line of a corpus file; `case["column"]` reads a cell."""

    file: str
    line: int
    cells: Mapping[str, str]

    def __getitem__(self, column: str) -> str:
        return self.cells[column]

    def get(self, column: str, default: str = "") -> str:
        return self.cells.get(column, default) or default

    @property
    def lang(self) -> str:
        return self.cells["lang"]

    @property
    def input(self) -> str:
        return self.cells["input"]

    @property
    def id(self) -> str:
        return f"{self.file}:{self.line}:{self.lang}"


def _unescape(cell: str) -> str:
    out, i = [], 0
    while i < len(cell):
        pair = cell[i:i + 2]
        if pair in _ESCAPES:
            out.append(_ESCAPES[pair])
            i += 2
        else:
            out.append(cell[i])
            i += 1
    return "".join(out)


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        yield number, raw.split("\t")


def load(name: str) -> list[Case]:
    """The cases of `<name>.tsv`; a malformed line fails loudly with its number."""
    path = HERE / f"{name}.tsv"
    rows = _rows(path)
    try:
        _number, header = next(rows)
    except StopIteration:
        raise ValueError(f"{path.name} has no header line") from None
    header = [column.strip() for column in header]
    missing = {"lang", "input"} - set(header)
    if missing:
        raise ValueError(f"{path.name}: the header lacks {sorted(missing)}")
    cases = []
    for number, cells in rows:
        if len(cells) > len(header):
            raise ValueError(f"{path.name}:{number}: {len(cells)} cells, header has "
                             f"{len(header)}")
        cells += [""] * (len(header) - len(cells))
        cases.append(Case(path.stem, number, dict(zip(header, map(_unescape, cells),
                                                      strict=True))))
    return cases


def params(name: str) -> list[object]:
    """`load(name)` as pytest parameters, one per case, named after file, line and language."""
    return [pytest.param(case, id=case.id) for case in load(name)]
