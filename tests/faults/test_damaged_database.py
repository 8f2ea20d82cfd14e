"""Scenario 14: a damaged database at start — truncated, a garbage page, a newer schema.

A database with real data (meetings, agendas, actions written through the real router)
is damaged three ways; `minga run` and `minga check-config` are then started as an
operator would start them, as their own processes. Each must refuse with one line on
stderr that names the file and the way out, exit non-zero, and leave every file exactly
as it was (SHA-256 of the database and of its -wal/-shm when there are some, and no file
created beside it). No Matrix is involved: the refusal comes before the login.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from commands import build_router
from storage import open_database
from storage.migrations import MIGRATIONS
from tests.faults.conftest import Report
from tests.faults.inproc import BOT, Bench, FakeRoom

pytestmark = pytest.mark.faults

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
ALICE = "@alice:localhost"
ROOT = Path(__file__).resolve().parents[2]


async def write_real_data(path: Path) -> None:
    """Enough rows for many pages: 60 meetings with agendas, 60 actions."""
    db = await open_database(path)
    try:
        bench = Bench(db, build_router())
        room = FakeRoom("!r:localhost", {ALICE: 100, BOT: 100})
        await bench.join(room)
        for n in range(60):
            now = NOW + timedelta(minutes=n)
            await bench.send(room, ALICE, f'!meeting add "Planning {n:03d} {"x" * 40}" '
                                          "next tue 10:00 every week", now)
            await bench.send(room, ALICE, f"!meeting agenda m{n + 1} add item {n} "
                                          f"{'y' * 60}", now)
            await bench.send(room, ALICE, f"!action add @alice:localhost write report {n} "
                                          "by friday", now)
    finally:
        await db.close()


def truncate(path: Path) -> str:
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.truncate(size // 2 + 123)
    return f"truncated {size} → {size // 2 + 123} bytes"


def garbage_page(path: Path) -> str:
    """512 random bytes over the middle of a page, from the middle of the file on.

    SQLite keeps no checksums: garbage inside one text value is invisible to any check. The
    first page from the middle where `PRAGMA integrity_check` (on a scratch copy) sees the
    damage is the one damaged here: structure, record headers or an index that no longer
    matches its table.
    """
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    pages = path.stat().st_size // page_size
    original = path.read_bytes()
    rng = random.Random(14)
    scratch = path.with_name("scratch.db")
    for page in range(pages // 2, pages + 1):
        offset = (page - 1) * page_size + page_size // 2 - 256
        damaged = original[:offset] + rng.randbytes(512) + original[offset + 512:]
        scratch.write_bytes(damaged)
        check = sqlite3.connect(f"{scratch.as_uri()}?immutable=1", uri=True)
        try:
            seen = check.execute("PRAGMA integrity_check").fetchone()[0] != "ok"
        except sqlite3.DatabaseError:
            seen = True
        finally:
            check.close()
        if seen:
            scratch.unlink()
            path.write_bytes(damaged)
            return f"page {page} of {pages}: 512 bytes from byte {page_size // 2 - 256}"
    raise AssertionError("no page whose damage SQLite can see")


def newer_schema(path: Path) -> str:
    """A newer Minga's migration, left in the -wal by a process that died (no checkpoint)."""
    version = MIGRATIONS[-1].version + 7
    code = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA journal_mode=WAL'); c.execute('PRAGMA wal_autocheckpoint=0')\n"
        "c.execute('INSERT INTO schema_version VALUES (?, datetime())', (int(sys.argv[2]),))\n"
        "os._exit(0)\n")
    subprocess.run([sys.executable, "-c", code, str(path), str(version)], check=True)
    return f"schema version {version} (this code knows {MIGRATIONS[-1].version}), in the -wal"


DAMAGES = {"truncated": truncate, "garbage page": garbage_page, "newer schema": newer_schema}
# What the one line must say for each: the file, and the way out.
WAY_OUT = {"truncated": ("integrity_check", "minga backup"),
           "garbage page": ("integrity_check", "minga backup"),
           "newer schema": ("newer Minga", "minga backup")}


def fingerprint(folder: Path) -> dict[str, str]:
    """SHA-256 of every file beside and of the database (the store folder aside)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


def write_config(folder: Path) -> Path:
    path = folder / "minga.toml"
    path.write_text("\n".join([
        "[matrix]",
        'homeserver = "http://127.0.0.1:9"',
        'user_id = "@minga:localhost"',
        'password = "unused-the-refusal-comes-first"',
        "[storage]",
        f"database = {json.dumps(str(folder / 'data' / 'minga.db'))}",
        f"store_dir = {json.dumps(str(folder / 'store'))}",
    ]) + "\n", encoding="utf-8")
    return path


def minga(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True,
                          text=True, timeout=60, cwd=ROOT)


async def test_damaged_database(tmp_path: Path, report: Report) -> None:
    started = time.monotonic()
    clean = tmp_path / "clean.db"
    await write_real_data(clean)
    results: dict[str, dict[str, object]] = {}
    for kind, damage in DAMAGES.items():
        folder = tmp_path / kind.replace(" ", "-")
        data = folder / "data"
        data.mkdir(parents=True)
        database = data / "minga.db"
        database.write_bytes(clean.read_bytes())
        how = damage(database)
        before = fingerprint(data)
        config = write_config(folder)
        runs = {name: await asyncio.to_thread(minga, name, "--config", str(config))
                for name in ("run", "check-config")}
        after = fingerprint(data)
        lines = {name: [line for line in run.stderr.splitlines() if line.strip()]
                 for name, run in runs.items()}
        refusal = lines["run"][0] if lines["run"] else ""
        clear = all(
            len(lines[name]) == 1 and str(database) in lines[name][0]
            and all(word in lines[name][0] for word in WAY_OUT[kind])
            for name in runs)
        results[kind] = {
            "how": how, "exit": {name: run.returncode for name, run in runs.items()},
            "clear": clear, "untouched": before == after, "files": sorted(before),
            "refusal": refusal,
        }
        print(f"\n[{kind}] {how}; files {sorted(before)}\n  minga run -> exit "
              f"{runs['run'].returncode}: {refusal}")
    seconds = time.monotonic() - started

    refused = sum(1 for r in results.values()
                  if all(code != 0 for code in r["exit"].values()))  # type: ignore[attr-defined]
    clear = sum(1 for r in results.values() if r["clear"])
    untouched = sum(1 for r in results.values() if r["untouched"])
    passed = len(DAMAGES) == 3 and refused == clear == untouched == 3
    report.add(
        "14. Damaged database",
        "3 damage kinds: 3 one-line refusals naming the file and the way out, non-zero exit, "
        "files untouched (same SHA-256)",
        f"{len(DAMAGES)} kinds (truncated, garbage page, newer schema in the -wal): "
        f"{refused}/3 refused by run and check-config, {clear}/3 one clear line, "
        f"{untouched}/3 files untouched (db, -wal, -shm hashes), {seconds:.1f}s",
        passed, "test_damaged_database")
    assert passed, results
