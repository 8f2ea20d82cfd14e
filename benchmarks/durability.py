"""What `synchronous=FULL` costs per command, against NORMAL, on the bot's own command path.

Run by `make bench` (or alone: `python -m benchmarks.bench --only durability`). In process,
no homeserver: each message goes through `SyncHandler.on_message` exactly as a synced event
does (parse, mark handled, run the command, queue its reply in the outbox, COMMIT) on a
real database file, one per setting, the two interleaved round by round so the disk's mood
is shared. The difference is the time COMMIT waits for the WAL to reach the disk.
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import cast

from nio import AsyncClient, MatrixRoom, RoomMessageText

from benchmarks.measure import percentile
from bot.clock import SystemClock
from bot.config import BotConfig, Config, MatrixConfig, StorageConfig
from bot.outbox import OutboxWorker
from bot.sync_handler import SyncHandler
from commands import build_router
from storage import open_database
from storage.db import SYNCHRONOUS
from storage.outbox import Outgoing

BOT = "@minga:localhost"
MEMBER = "@alice:localhost"
ROOM = "!durability:localhost"
COMMANDS = ("!help", "!actions", "!meetings", "!action durability item {i}")
SETTINGS = ("NORMAL", "FULL")


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
                        StorageConfig(path, path.parent / "store"), BotConfig())
        clock = SystemClock()
        outbox = OutboxWorker(db, _never_sent, clock)
        return cls(SyncHandler(config, client, db, build_router(), outbox, clock))

    async def command(self, body: str) -> float:
        """One message through the command path; milliseconds until it is committed."""
        self.events += 1
        event = RoomMessageText.from_dict({
            "type": "m.room.message", "event_id": f"$durability{self.events}",
            "sender": MEMBER, "origin_server_ts": int(time.time() * 1000),
            "content": {"msgtype": "m.text", "body": body},
        })
        assert isinstance(event, RoomMessageText)
        started = time.perf_counter()
        await self.handler.on_message(ROOM, event, 0)
        return (time.perf_counter() - started) * 1000

    async def synchronous(self) -> int:
        row = await self.handler.db.fetchone("PRAGMA synchronous")
        return int(row[0]) if row else -1

    async def close(self) -> None:
        await self.handler.db.close()


def filesystem(path: Path) -> str:
    found = subprocess.run(["stat", "-f", "-c", "%T", str(path)], capture_output=True,
                           text=True, check=False).stdout.strip()
    return found or "unknown"


async def measure(rounds: int, workdir: Path) -> dict[str, list[float]]:
    paths = {s: await CommandPath.open(workdir / s.lower() / "minga.db", s) for s in SETTINGS}
    try:
        for path in paths.values():
            for i in range(5):  # warm-up: catalogues, caches, the first pages of each table
                for body in COMMANDS:
                    await path.command(body.format(i=f"w{i}"))
            await path.command('!meeting add "Durability" next mon 10:00 every week')
        samples: dict[str, list[float]] = {s: [] for s in SETTINGS}
        for i in range(rounds):
            order = SETTINGS if i % 2 == 0 else tuple(reversed(SETTINGS))
            for setting in order:
                for body in COMMANDS:
                    samples[setting].append(await paths[setting].command(body.format(i=i)))
        for setting, path in paths.items():
            assert await path.synchronous() == {"NORMAL": 1, "FULL": 2}[setting]
        return samples
    finally:
        for path in paths.values():
            await path.close()


async def durability_part(out: list[str], rounds: int = 250) -> float:
    """Appends the section; returns the extra milliseconds per command under FULL (the larger
    of the paired median and mean)."""
    workdir = Path(tempfile.mkdtemp(prefix="minga-durability-"))
    try:
        samples = await measure(rounds, workdir)
        fs = filesystem(workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    normal, full = samples["NORMAL"], samples["FULL"]
    # The same command in the same round under each setting: its extra cost under FULL.
    extra = [f - n for f, n in zip(full, normal, strict=True)]
    extra_median, extra_mean = statistics.median(extra), statistics.fmean(extra)
    extra_p95 = percentile(full, 95) - percentile(normal, 95)
    n = len(normal)
    shown = ", ".join(f"`{c.format(i='N')}`" for c in COMMANDS)
    out.append(f"\n### Durability: `synchronous=FULL` against NORMAL ({n} commands each)\n")
    out.append(f"The bot's own command path in process (`SyncHandler.on_message`: mark handled, "
               f"run the command, queue the reply, COMMIT), on a real database file "
               f"(file system: {fs}), the two settings interleaved; commands "
               f"{shown} in turn, "
               f"{n // len(COMMANDS)} rounds. Each command is one transaction, so each pays "
               f"one WAL sync under FULL. Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC "
               f"(`python -m benchmarks.bench --only durability`).\n")
    out.append("| synchronous | median ms | p95 ms | mean ms |")
    out.append("|---|---|---|---|")
    for setting in SETTINGS:
        values = samples[setting]
        out.append(f"| {setting} | {statistics.median(values):.2f} | "
                   f"{percentile(values, 95):.2f} | {statistics.fmean(values):.2f} |")
    verdict = ("FULL is in force" if SYNCHRONOUS == "FULL" else
               f"the bot runs {SYNCHRONOUS}")
    out.append(f"\nExtra per command under FULL: median {extra_median:+.2f} ms and mean "
               f"{extra_mean:+.2f} ms (paired: the same command of the same round under each "
               f"setting), p95 {extra_p95:+.2f} ms (FULL's p95 less NORMAL's). Bar for "
               f"switching: ≤ 2 ms per command; {verdict}.")
    return max(extra_median, extra_mean)


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
