"""What `synchronous=FULL` costs per command, against NORMAL, on the bot's own command path.

Run by `make bench` (or alone: `python -m benchmarks.bench --only durability`). In process,
no homeserver: each message goes through `SyncHandler.on_message` exactly as a synced event
does (parse, mark handled, run the command, queue its reply in the outbox, COMMIT) on a
real database file, one per setting, the two interleaved round by round so the disk's mood
is shared. The difference is the time COMMIT waits for the WAL to reach the disk.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import aiosqlite
from nio import AsyncClient, MatrixRoom, RoomMessageText

from benchmarks.measure import percentile
from bot.clock import SystemClock
from bot.config import BotConfig, Config, MatrixConfig, StorageConfig
from bot.outbox import OutboxWorker
from bot.sync_handler import SyncHandler
from commands import build_router
from devtools.harness import OPEN_BURST, OPEN_PER_MINUTE
from storage import open_database
from storage.db import SYNCHRONOUS
from storage.outbox import Outgoing, mark_sent, unsent
from storage.state import SYNC_TOKEN, set_value

BOT = "@minga:localhost"
MEMBER = "@alice:localhost"
ROOM = "!durability:localhost"
COMMANDS = ("!help", "!actions", "!meetings", "!action durability item {i}")
SETTINGS = ("NORMAL", "FULL")
BLOCK_ROUNDS = 25


async def _never_sent(item: Outgoing) -> str:
    raise AssertionError("the outbox worker does not run here")


class CommandPath:
    """A SyncHandler over a real database and a room held in memory, as nio would hold it."""

    def __init__(self, handler: SyncHandler) -> None:
        self.handler = handler
        self.events = 0

    @classmethod
    async def open(cls, path: Path, synchronous: str) -> CommandPath:
        db = await open_database(path)
        await db.conn.execute(f"PRAGMA synchronous={synchronous}")
        room = MatrixRoom(ROOM, BOT, encrypted=True)
        room.add_member(MEMBER, "Alice", None)
        room.add_member(BOT, "Minga", None)
        room.members_synced = True
        client = cast(AsyncClient, SimpleNamespace(rooms={ROOM: room}))
        config = Config(MatrixConfig("http://127.0.0.1:1", BOT, None, None, "Minga"),
                        StorageConfig(path, path.parent / "store"),
                        # The command path is measured, not the per-member rate: opened.
                        BotConfig(member_burst=OPEN_BURST, member_per_minute=OPEN_PER_MINUTE))
        clock = SystemClock()
        outbox = OutboxWorker(db, _never_sent, clock)
        return cls(SyncHandler(config, client, db, build_router(), outbox, clock))

    async def command(self, body: str) -> tuple[float, float]:
        """One message through the command path: milliseconds until its reply is queued
        (committed), and until the bookkeeping around it is committed too (the batch's sync
        token, as `SyncHandler.handle` saves it, and the reply's sent mark, as the outbox
        worker records it after the send)."""
        self.events += 1
        event = RoomMessageText.from_dict({
            "type": "m.room.message", "event_id": f"$durability{self.events}",
            "sender": MEMBER, "origin_server_ts": int(time.time() * 1000),
            "content": {"msgtype": "m.text", "body": body},
        })
        assert isinstance(event, RoomMessageText)
        started = time.perf_counter()
        await self.handler.on_message(ROOM, event, 0)
        queued = time.perf_counter()
        token = f"s{self.events}"

        async def save_token(conn: aiosqlite.Connection) -> None:
            await set_value(conn, SYNC_TOKEN, token)

        await self.handler.deferred.write(SYNC_TOKEN, save_token)
        replies = await unsent(self.handler.db, 10)
        if not replies:  # a skipped command would time nothing: refuse to report it
            raise RuntimeError(f"{body!r} queued no reply: the command path was not taken")
        for item in replies:
            async with self.handler.db.transaction() as conn:
                await mark_sent(conn, item.row_id, f"$sent{self.events}", "2026-01-01T00:00:00")
        done = time.perf_counter()
        return (queued - started) * 1000, (done - started) * 1000

    async def synchronous(self) -> int:
        row = await self.handler.db.fetchone("PRAGMA synchronous")
        return int(row[0]) if row else -1

    async def close(self) -> None:
        await self.handler.db.close()


def filesystem(path: Path) -> str:
    found = subprocess.run(["stat", "-f", "-c", "%T", str(path)], capture_output=True,
                           text=True, check=False).stdout.strip()
    return found or "unknown"


async def measure(rounds: int, workdir: Path
                  ) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    paths = {s: await CommandPath.open(workdir / s.lower() / "minga.db", s) for s in SETTINGS}
    try:
        for path in paths.values():
            for i in range(5):  # warm-up: catalogues, caches, the first pages of each table
                for body in COMMANDS:
                    await path.command(body.format(i=f"w{i}"))
            await path.command('!meeting add "Durability" next mon 10:00 every week')
        queued: dict[str, list[float]] = {s: [] for s in SETTINGS}
        whole: dict[str, list[float]] = {s: [] for s in SETTINGS}
        # Blocks of rounds, one setting at a time, the order alternating per block.
        # Interleaving the two databases command by command measured an artefact: whichever
        # database was opened second ran ~3 ms slower per command, under either setting.
        for start in range(0, rounds, BLOCK_ROUNDS):
            block = range(start, min(start + BLOCK_ROUNDS, rounds))
            order = SETTINGS if (start // BLOCK_ROUNDS) % 2 == 0 else tuple(reversed(SETTINGS))
            for setting in order:
                for i in block:
                    for body in COMMANDS:
                        to_reply, to_end = await paths[setting].command(body.format(i=i))
                        queued[setting].append(to_reply)
                        whole[setting].append(to_end)
        for setting, path in paths.items():
            assert await path.synchronous() == {"NORMAL": 1, "FULL": 2}[setting]
        return queued, whole
    finally:
        for path in paths.values():
            await path.close()


async def durability_part(out: list[str], rounds: int = 300) -> float:
    """Appends the section; returns the extra milliseconds a typical command costs under
    FULL (the paired median, with its bookkeeping)."""
    workdir = Path(tempfile.mkdtemp(prefix="minga-durability-"))
    try:
        queued, whole = await measure(rounds, workdir)
        fs = filesystem(workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    n = len(queued["NORMAL"])
    shown = ", ".join(f"`{c.format(i='N')}`" for c in COMMANDS)
    out.append(f"\n### Durability: `synchronous=FULL` against NORMAL ({n} commands each)\n")
    out.append(f"The bot's own command path in process (`SyncHandler.on_message`: mark handled, "
               f"run the command, queue the reply, COMMIT; then the bookkeeping around it: the "
               f"batch's sync token and the reply's sent mark, two more commits) on a real "
               f"database file (file system: {fs}), the two settings in alternating blocks of "
               f"{BLOCK_ROUNDS} rounds; commands "
               f"{shown} in turn, {n // len(COMMANDS)} rounds. Under FULL each commit waits "
               f"for one WAL sync. Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load "
               f"average {os.getloadavg()[0]:.1f} (`python -m benchmarks.bench --only "
               f"durability`).\n")
    out.append("| synchronous | until the reply is queued: median ms | p95 ms | "
               "with its bookkeeping: median ms | p95 ms |")
    out.append("|---|---|---|---|---|")
    for setting in SETTINGS:
        a, b = queued[setting], whole[setting]
        out.append(f"| {setting} | {statistics.median(a):.2f} | {percentile(a, 95):.2f} | "
                   f"{statistics.median(b):.2f} | {percentile(b, 95):.2f} |")
    costs = []
    per_block = BLOCK_ROUNDS * len(COMMANDS)
    for label, samples in (("until the reply is queued", queued),
                           ("with its bookkeeping", whole)):
        normal, full = samples["NORMAL"], samples["FULL"]
        # The same command of the same round under each setting: its extra cost under FULL.
        extra = [f - m for f, m in zip(full, normal, strict=True)]
        # A sync's cost moves with what else the machine writes: each block of rounds gives
        # its own median, and the typical cost is the median of those.
        blocks = sorted(statistics.median(extra[i:i + per_block])
                        for i in range(0, len(extra), per_block))
        typical = statistics.median(blocks)
        costs.append(typical)
        out.append(f"\nExtra per command under FULL, {label}: median {typical:+.2f} ms over "
                   f"{len(blocks)} blocks of {BLOCK_ROUNDS} rounds (block medians "
                   f"{blocks[0]:+.2f} to {blocks[-1]:+.2f} ms); mean "
                   f"{statistics.fmean(extra):+.2f} ms, p95 "
                   f"{percentile(full, 95) - percentile(normal, 95):+.2f} ms (FULL's p95 less "
                   f"NORMAL's).")
    verdict = ("FULL is in force" if SYNCHRONOUS == "FULL" else
               f"the bot runs {SYNCHRONOUS}")
    met = "met" if max(costs) <= 2.0 else "**not met**"
    out.append(f"\nBar for switching: a typical command costs ≤ 2 ms more under FULL, with its "
               f"bookkeeping (the median of the blocks' paired medians; a block's cost moves "
               f"with what else the machine writes meanwhile): {met}; {verdict}.")
    return max(costs)


def splice(text: str, section: list[str]) -> str:
    """BENCHMARKS.md with this part's section replaced (or added before "Whole run"), every
    other section as it was."""
    new = "\n".join(section).strip("\n") + "\n"
    lines = text.splitlines(keepends=True)
    heading = new.splitlines()[0].split("(")[0]
    start = next((i for i, line in enumerate(lines) if line.startswith(heading)), None)
    if start is None:
        at = next((i for i, line in enumerate(lines) if line.startswith("Whole run:")),
                  len(lines))
        return "".join(lines[:at]) + new + "\n" + "".join(lines[at:])
    end = next((i for i in range(start + 1, len(lines))
                if lines[i].startswith(("### ", "Whole run:"))), len(lines))
    return "".join(lines[:start]) + new + "\n" + "".join(lines[end:])


if __name__ == "__main__":
    found: list[str] = []
    asyncio.run(durability_part(found))
    print("\n".join(found))
    print(datetime.now(UTC).isoformat())
