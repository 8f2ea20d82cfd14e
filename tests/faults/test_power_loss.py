"""Scenario 21: durability on power loss.

A power cut (or an OS crash) loses what is in the OS's page cache, not on the disk. With
`synchronous=NORMAL` in WAL mode SQLite leaves the last commits there until a checkpoint, so
a member could see "Saved" for a change that a power cut then takes back. A power cut cannot
be made here, so the test proves the three things that together rule that out:

1. every database connection the running bot opens reports `PRAGMA synchronous` = 2 (FULL);
2. the WAL reaches the disk before each reply leaves: the running bot's system calls, traced
   with strace (`fdatasync`/`fsync` on `minga.db-wal`, and the `PUT …/send/…` of each reply),
   under FULL against the same bot forced to NORMAL;
3. a write acknowledged to a member survives `kill -9` right after the acknowledgement.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import sqlite3
import statistics
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot.process import BotProcess
from devtools.harness import Network
from devtools.member import Member
from storage.db import SYNCHRONOUS
from tests.faults.conftest import Report

pytestmark = pytest.mark.faults

KILLS = 4  # kill -9 right after an acknowledgement, each time on a new write
TRACED_WRITES = 6
# The bot as `minga run`, but first: let any process trace it (Yama's ptrace_scope=1, the
# default on Ubuntu, only lets a parent trace its children), and, for the NORMAL baseline
# the FULL run is compared with, force SQLite's synchronous setting ("-": the product's
# own). Product code has no such switch.
BOOT = ("import ctypes, sys; ctypes.CDLL(None).prctl(0x59616D61, ctypes.c_ulong(2**64 - 1), "
        "0, 0, 0); import storage.db\n"
        "if sys.argv[1] != '-': storage.db.SYNCHRONOUS = sys.argv[1]\n"
        "from bot.cli import main; sys.exit(main(['run', '--config', sys.argv[2]]))")
STRACE = shutil.which("strace")
REPLY_PUT = re.compile(r"PUT /_matrix/client/[^ ]*/send/[^ ]*/minga-[0-9a-f]+[ ?]")
WAL = "minga.db-wal>"


@dataclass
class Trace:
    """What one traced run did, in the order the kernel saw it."""

    replies: int = 0
    syncs_before_reply: list[int] = field(default_factory=list)  # WAL syncs since the last
    dirty_replies: int = 0  # replies that left with WAL bytes written but not yet synced
    wal_syncs: int = 0

    @classmethod
    def read(cls, path: Path) -> Trace:
        trace = cls()
        unfinished: dict[str, str] = {}  # pid -> the WAL sync it is in
        since, dirty = 0, False
        for line in path.read_text(errors="replace").splitlines():
            pid, _, call = line.partition(" ")
            call = call.lstrip()  # strace pads pids to one width: "7056  pwrite64(…"
            sync_started = call.startswith(("fdatasync(", "fsync(")) and WAL in call
            if sync_started and "<unfinished" in call:
                unfinished[pid] = call
                continue
            finished = (sync_started or (call.startswith(("<... fdatasync resumed",
                                                          "<... fsync resumed"))
                                         and unfinished.pop(pid, None) is not None))
            if finished and call.rstrip().endswith("= 0"):
                trace.wal_syncs += 1
                since, dirty = since + 1, False
            elif call.startswith("pwrite64(") and WAL in call:
                dirty = True
            elif REPLY_PUT.search(call):
                trace.replies += 1
                trace.syncs_before_reply.append(since)
                trace.dirty_replies += dirty
                since = 0
        return trace


async def reply_body(member: Member, room: str, text: str) -> tuple[str, str]:
    event_id = await member.send(room, text)
    reply = await member.reply_to(room, event_id, timeout=30)
    return event_id, str(getattr(reply, "body", ""))


def tracer_attached(pid: int) -> bool:
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return False
    return bool(tasks) and all(
        int(next(line for line in (t / "status").read_text().splitlines()
                 if line.startswith("TracerPid:")).split()[1]) != 0 for t in tasks)


@contextlib.asynccontextmanager
async def strace(pid: int, out: Path) -> AsyncIterator[str | None]:
    """The process's file syncs, WAL writes and network sends, with file names (-y).

    Yields None once attached, or why it could not attach (the work goes on untraced)."""
    assert STRACE
    proc = await asyncio.create_subprocess_exec(
        STRACE, "-f", "-qq", "-y", "-s", "256", "-o", str(out),
        "-e", "trace=fsync,fdatasync,pwrite64,write,writev,sendto,sendmsg", "-p", str(pid),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    deadline = time.monotonic() + 10
    while not tracer_attached(pid):
        if proc.returncode is not None or time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            _out, err = await proc.communicate()
            yield f"strace could not attach ({err.decode(errors='replace').strip()[:80]})"
            return
        await asyncio.sleep(0.05)
    try:
        yield None
    finally:
        # A tracee killed meanwhile ends strace; a living one is detached (SIGTERM).
        with contextlib.suppress(ProcessLookupError):
            if Path(f"/proc/{pid}").exists() and proc.returncode is None:
                proc.terminate()
        await asyncio.wait_for(proc.wait(), 15)


async def connections_in_force(network: Network, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """PRAGMA synchronous of every connection an in-process bot opened while it started,
    answered one write and one read."""
    opened: list[aiosqlite.Connection] = []
    real_connect = aiosqlite.connect

    def recording(*args: Any, **kwargs: Any) -> aiosqlite.Connection:
        conn = real_connect(*args, **kwargs)  # awaited by the caller, as usual
        opened.append(conn)
        return conn

    monkeypatch.setattr(aiosqlite, "connect", recording)
    config = network.bot_config()
    bot = await network.start_bot(config)
    alice = await network.member("alice")
    room = await network.room(alice, [], config.matrix.user_id)
    await reply_body(alice, room, '!meeting add "In force" next mon 10:00')
    await reply_body(alice, room, "!meetings")
    settings = []
    for conn in opened:
        async with conn.execute("PRAGMA synchronous") as cur:
            row = await cur.fetchone()
        settings.append(int(row[0]) if row else -1)
    await network.stop_bot(bot)
    return settings


async def test_power_loss(network: Network, report: Report,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    started = time.monotonic()
    settings = await connections_in_force(network, monkeypatch)
    monkeypatch.undo()

    alice = await network.member("alice")
    traces: dict[str, Trace] = {}
    untraced = "strace not installed"
    acked: dict[str, str] = {}  # marker -> the database it must be in
    survived_paths: list[Path] = []
    restart_s: list[float] = []

    async def run_bot(setting: str) -> tuple[BotProcess, str, Path]:
        config = network.bot_config()
        path = network.write_config(config, network.workdir / f"{setting}.toml")
        forced = "-" if setting == SYNCHRONOUS else setting
        bot = BotProcess(path, network.workdir / f"{setting}.log",
                         python_args=["-c", BOOT, forced, str(path)])
        await bot.start()
        room = await network.room(alice, [], config.matrix.user_id)
        await reply_body(alice, room, "!tz")  # room key shared, members loaded
        return bot, room, Path(config.storage.database)

    # Without strace the NORMAL baseline has nothing to show: only the kills run.
    for setting in ("NORMAL", "FULL") if STRACE else ("FULL",):
        bot, room, database = await run_bot(setting)
        try:
            if STRACE:
                async with strace(bot.pid or 0, network.workdir / f"{setting}.trace") as why:
                    for i in range(TRACED_WRITES):
                        marker = f"{setting} traced {i}"
                        await reply_body(alice, room, f"!action {marker}")
                        acked[marker] = str(database)
                    if setting == "FULL":
                        bot.kill9()  # right after the last acknowledgement
                        await bot.wait()
                if why is None:
                    traces[setting] = Trace.read(network.workdir / f"{setting}.trace")
                else:
                    untraced = why
            if setting == "FULL":
                survived_paths.append(database)
                for k in range(KILLS if STRACE else KILLS + 1):
                    if bot.proc and bot.proc.returncode is not None:
                        restart_s.append(await bot.start())
                    marker = f"killed {k}"
                    await reply_body(alice, room, f"!action {marker}")
                    acked[marker] = str(database)
                    bot.kill9()
                    await bot.wait()
        finally:
            await bot.stop()

    stored: set[str] = set()
    integrity = []
    for path in {Path(p) for p in acked.values()}:
        with contextlib.closing(sqlite3.connect(path)) as db:
            integrity.append(db.execute("PRAGMA integrity_check").fetchone()[0])
            stored |= {r[0] for r in db.execute("SELECT text FROM actions")}
    kill_markers = [m for m in acked if acked[m] == str(survived_paths[0])]
    lost = [m for m in kill_markers if m not in stored]
    kills = KILLS + 1

    all_full = bool(settings) and all(s == 2 for s in settings)
    if len(traces) == 2:
        full, normal = traces["FULL"], traces["NORMAL"]
        per_command = statistics.median(full.syncs_before_reply) if full.replies else 0
        traced_ok = (full.replies >= TRACED_WRITES
                     and min(full.syncs_before_reply, default=0) >= 1
                     and full.dirty_replies == 0
                     and normal.replies >= TRACED_WRITES and normal.wal_syncs == 0)
        traced = (f"strace: under FULL {full.replies} replies left, each after ≥ "
                  f"{min(full.syncs_before_reply, default=0)} WAL sync since the one before "
                  f"(median {per_command:g}), {full.dirty_replies} with unsynced WAL bytes; "
                  f"the same bot forced to NORMAL: {normal.replies} replies, "
                  f"{normal.wal_syncs} WAL syncs in all, {normal.dirty_replies} left with "
                  f"unsynced WAL bytes")
    else:
        traced_ok = True
        traced = f"{untraced}: the WAL syncs were not counted"
    passed = (all_full and traced_ok and not lost and set(integrity) == {"ok"}
              and SYNCHRONOUS == "FULL")
    report.add(
        "21. Durability on power loss",
        "every connection synchronous=FULL; the WAL synced before each reply leaves; "
        "0 acknowledged writes lost after kill -9",
        f"database connections the running bot opened: {len(settings)}, synchronous "
        f"{sorted(set(settings))} (2 = FULL); {traced}; kill -9 right after the "
        f"acknowledgement {kills} times: {len(lost)} of {len(kill_markers)} acknowledged "
        f"writes lost, integrity_check {sorted(set(integrity))}, restart to ready median "
        f"{statistics.median(restart_s) if restart_s else float('nan'):.2f}s; "
        f"{time.monotonic() - started:.0f} s",
        passed, "test_power_loss")
    assert passed, (settings, traces, lost, integrity)
