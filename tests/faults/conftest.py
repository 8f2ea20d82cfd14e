"""The fault suite: each scenario measures a figure, checks its bar, and reports it.

Figures are collected for the whole session and written to RELIABILITY.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import platform
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devtools.harness import Network

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Row:
    scenario: str
    bar: str
    result: str
    passed: bool
    command: str


class Report:
    def __init__(self) -> None:
        self.rows: list[Row] = []

    def add(self, scenario: str, bar: str, result: str, passed: bool, test: str) -> None:
        command = f"make faults FAULTS='-k {test}'"
        self.rows.append(Row(scenario, bar, result, passed, command))
        print(f"\n[fault] {scenario}: {result} (bar: {bar}) -> {'PASS' if passed else 'FAIL'}")

    def write(self, path: Path) -> None:
        """Rewrite the table; rows of scenarios not run this time are kept as they were."""
        ours = {row.scenario for row in self.rows}
        kept: list[str] = []
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                cells = [c.strip() for c in line.strip("|").split("|")]
                if (line.startswith("| ") and len(cells) == 5 and cells[0] not in ours
                        and cells[0] not in ("Scenario", "---")):
                    kept.append(line)
        lines = [
            "# Reliability figures",
            "",
            f"Written by `make faults` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
            f"{platform.machine()} / Python {platform.python_version()}, "
            "against a real Synapse on 127.0.0.1, encrypted rooms.",
            "",
            "| Scenario | Bar | Result | Pass | Reproduce |",
            "|---|---|---|---|---|",
        ]
        new_lines = []
        for row in self.rows:
            verdict = "yes" if row.passed else "**no**"
            new_lines.append(f"| {row.scenario} | {row.bar} | {row.result} | {verdict} | "
                             f"`{row.command}` |")
        lines += sorted(kept + new_lines, key=_scenario_number)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _scenario_number(line: str) -> tuple[int, str]:
    """Rows in scenario order: "| 2. …" before "| 10. …"."""
    number = line[2:].split(".", 1)[0]
    return (int(number) if number.isdigit() else 10**6, line)


@pytest.fixture(scope="session")
def report() -> Iterator[Report]:
    collected = Report()
    yield collected
    if collected.rows:
        collected.write(ROOT / "RELIABILITY.md")


@pytest.fixture
async def drained(network: Network) -> AsyncIterator[Network]:
    """The network, whose bots' outboxes are drained before they are stopped.

    On Python 3.11 a stop that lands in the same loop turn as an outbox kick hangs for ever
    (`asyncio.wait_for` in `OutboxWorker.run` swallows the cancellation), so a test that
    fails right after queueing messages would hang the suite instead of failing.
    """
    yield network
    for bot in network.bots:
        if bot.outbox is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(bot.outbox.wait_idle(), 10)
