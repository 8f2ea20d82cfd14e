"""Scenario 20: the upgrade drill, from the last tagged release to this code.

The newest `v*` tag reachable from HEAD is extracted with `git archive` (a checkout without
tags, as in CI, uses the newest bundle in tests/faults/releases/, which
`make release-bundle` writes). That release runs as its own process, with this
environment's Python and libraries and its own source tree first on the path, against a
real Synapse: two members in an encrypted room write through it what a network writes
(zones, languages, hours, a calendar, an absence, a weekly series with reminders, an agenda,
a link and a skip, a rota, actions with a note and one done, the digest, check-ins run once,
the night window, a poll). It is stopped, and this code starts on the same data folder.
Measured: the migrations applied, every row of every table of the release (lost, or
changed outside the two tables a running bot rewrites), the device (no new login), and the
answer to a command that reads the release's data.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import tarfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.process import BotProcess
from devtools.harness import Network
from storage.migrations import MIGRATIONS
from tests.faults.conftest import ROOT, Report
from tests.faults.roomtools import answers, ask, bot_events

pytestmark = pytest.mark.faults

RELEASES = Path(__file__).resolve().parent / "releases"
# A running bot rewrites these as it goes: the sync position, what the outbox has sent, and
# SQLite's AUTOINCREMENT counters (new outbox rows move them on).
VOLATILE = {"bot_state", "outbox", "sqlite_sequence"}


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name))


def newest_release(into: Path) -> tuple[str, str]:
    """Extract the last release into `into`; (its name, where it came from)."""
    tags: list[str] = []
    # MINGA_RELEASE_SOURCE=bundle: what a checkout without tags does (CI), on purpose.
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        if os.environ.get("MINGA_RELEASE_SOURCE") == "bundle":
            raise OSError("tags ignored")
        tags = subprocess.run(
            ["git", "tag", "--merged", "HEAD", "--list", "v*", "--sort=-v:refname"],
            cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    into.mkdir(parents=True)
    if tags:
        archive = subprocess.run(["git", "archive", "--format=tar", tags[0]], cwd=ROOT,
                                 capture_output=True, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(into, filter="data")
        return tags[0], "git tag"
    bundles = sorted(RELEASES.glob("v*.tar.gz"), key=lambda p: _version(p.name))
    assert bundles, "no v* tag and no bundle in tests/faults/releases: run make release-bundle"
    with tarfile.open(bundles[-1]) as tar:
        tar.extractall(into, filter="data")
    return bundles[-1].name.removesuffix(".tar.gz"), f"bundle {bundles[-1].name}"


def imported_from(code: Path) -> str:
    """Where a process started the way BotProcess starts the release finds `bot`."""
    return subprocess.run([sys.executable, "-c", "import bot; print(bot.__file__)"],
                          env=BotProcess(Path(), Path(), code=code).environment(), cwd=code,
                          capture_output=True, text=True, check=True).stdout.strip()


def write_config(network: Network, folder: Path) -> tuple[Path, Any]:
    """A minimal config, in keys every release reads."""
    config = network.bot_config()
    path = folder / "minga.toml"
    path.write_text("\n".join([
        "[matrix]",
        f"homeserver = {json.dumps(config.matrix.homeserver)}",
        f"user_id = {json.dumps(config.matrix.user_id)}",
        f"password = {json.dumps(config.matrix.password)}",
        "[storage]",
        f"database = {json.dumps(str(config.storage.database))}",
        f"store_dir = {json.dumps(str(config.storage.store_dir))}",
        "[bot]",
        f"allowed_inviters = {json.dumps(list(config.bot.allowed_inviters))}",
    ]) + "\n", encoding="utf-8")
    return path, config


Snapshot = dict[str, tuple[list[str], dict[tuple[Any, ...], tuple[Any, ...]]]]


def snapshot(database: Path) -> Snapshot:
    """Every table: its columns, and its rows by primary key (the whole row if none)."""
    conn = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
    try:
        out: Snapshot = {}
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for table in tables:
            info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
            columns = [r[1] for r in info]
            keys = [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5]] or (
                ["name"] if table == "sqlite_sequence" else columns)  # a counter per table
            rows = {}
            names = ", ".join(f'"{c}"' for c in columns)
            for row in conn.execute(f'SELECT {names} FROM "{table}"'):
                record = dict(zip(columns, row, strict=True))
                rows[tuple(record[k] for k in keys)] = tuple(row)
            out[table] = (columns, rows)
        return out
    finally:
        conn.close()


def compare(old: Snapshot, new: Snapshot) -> tuple[int, dict[str, int], dict[str, int]]:
    """(rows the release had, rows lost per table, rows changed per table), on the
    release's own columns (a migration may add some)."""
    total, lost, changed = 0, Counter[str](), Counter[str]()
    for table, (columns, rows) in old.items():
        total += len(rows)
        new_columns, new_rows = new.get(table, ([], {}))
        if table not in new:
            lost[table] += len(rows)
            continue
        index = [new_columns.index(c) if c in new_columns else None for c in columns]
        for key, row in rows.items():
            if key not in new_rows:
                lost[table] += 1
                continue
            now = tuple(None if i is None else new_rows[key][i] for i in index)
            if now != row:
                changed[table] += 1
    return total, dict(lost), dict(changed)


def session_device(store: Path) -> str:
    return str(json.loads((store / "session.json").read_text(encoding="utf-8"))["device_id"])


async def test_upgrade(network: Network, report: Report) -> None:
    started = time.monotonic()
    code = network.workdir / "release"
    release, source = await asyncio.to_thread(newest_release, code)
    imported = await asyncio.to_thread(imported_from, code)
    assert imported.startswith(str(code)), imported  # the release runs its own code

    config_path, config = write_config(network, network.workdir)
    bot_id = config.matrix.user_id
    old_bot = BotProcess(config_path, network.workdir / "release.log", code=code)
    await old_bot.start()
    alice = await network.member("alice")
    bob = await network.member("bob")
    room = await network.room(alice, [bob], bot_id)

    today = datetime.now(UTC).date()
    off, away_from, away_to = (today + timedelta(days=n) for n in (10, 20, 24))
    script = [
        (alice, "!tz set Asia/Kolkata"), (bob, "!tz set America/Bogota"),
        (bob, "!lang es"), (alice, "!hours set 09:00-17:00 Mon-Fri"),
        (alice, "!calendar set IN"), (alice, f"!calendar off {off.isoformat()}"),
        (bob, f"!away {away_from.isoformat()} to {away_to.isoformat()} conference"),
        (alice, "!tz room Europe/Lisbon"),
        (alice, '!meeting add "Weekly sync" next mon 10:00 every week'),
        (alice, '!meeting add "Planning" tomorrow 15:00'),
        (alice, "!meeting reminders m1 1h 10m"), (alice, "!meeting agenda m1 add budget"),
        (alice, "!meeting link m1 https://meet.example.org/weekly"),
        (alice, "!meeting skip m1"), (bob, "!meeting notify on"),
        (alice, f"!rota m1 set {alice.user_id} {bob.user_id}"),
        (alice, f"!action {bob.user_id} prepare the budget due friday"),
        (alice, f"!action {alice.user_id} book the room"),
        (bob, "!action 1 note started on it"), (alice, "!done 2"),
        (alice, "!digest schedule fri 16:00"),
        (alice, "!checkin schedule mon 10:00 local"),
        (alice, '!checkin questions "What did you do?" "Any blockers?"'),
        (alice, "!checkin now"), (alice, "!meeting night 23:00-07:00"),
        (alice, "!poll window 6h"), (alice, "!meeting suggest 1h within 3 days"),
    ]
    asked: list[tuple[Any, str]] = []
    for member, text in script:
        if text == "!checkin now":  # answered by the check-in itself, not a reply
            mark = len(member.events)
            await member.send(room, text)
            await member.wait_for(room, lambda e: e.sender == bot_id, after=mark, timeout=45)
            continue
        asked.append((member, (await ask(member, room, text, bot_id, timeout=45))[0]))
    await asyncio.sleep(2)  # the release's outbox sends what it queued last (a poll's list)
    await old_bot.stop()
    commands = [e for _, e in asked]
    device_before = session_device(config.storage.store_dir)
    before = snapshot(config.storage.database)
    version_before = max(before["schema_version"][1])[0]

    upgraded_at = time.time()
    new_bot = BotProcess(config_path, network.workdir / "minga.log")
    await new_bot.start()
    _, answer = await ask(alice, room, "!meetings", bot_id, timeout=45)
    answered = "Weekly sync" in getattr(answer, "body", "")
    await asyncio.sleep(3)  # an old command answered again by the new code would be here
    await new_bot.stop()

    after = snapshot(config.storage.database)
    version_after = max(after["schema_version"][1])[0]
    latest = MIGRATIONS[-1].version
    total, lost, changed = compare(before, after)
    unexpected = {t: n for t, n in changed.items() if t not in VOLATILE}
    filled = sum(1 for _, rows in before.values() if rows)
    device_after = session_device(config.storage.store_dir)
    devices = network.server.user_devices(bot_id)
    same_device = device_after == device_before and devices == [device_before]
    # An old command answered again: a bot event about it sent by the new code.
    replayed = sum(1 for e in bot_events(alice, room, bot_id)
                   if e.server_timestamp >= upgraded_at * 1000
                   and any(answers(e, command) for command in commands))
    seconds = time.monotonic() - started
    print(f"\n[upgrade] {release} ({source}) schema {version_before} -> {version_after} "
          f"(latest {latest}); {total} rows in {filled} tables; lost {lost}; changed "
          f"{changed}; devices {devices}; answer: {getattr(answer, 'body', '')[:120]!r}")

    passed = (version_after == latest and not lost and not unexpected and same_device
              and answered and replayed == 0)
    report.add(
        "20. Upgrade",
        "from the last tagged release: migrations applied, 0 rows lost, the bot answers "
        "(same device)",
        f"{release} ({source}) → this code: schema {version_before} → {version_after} "
        f"({version_after - version_before} migrations applied), {total} rows in {filled} "
        f"of {len(before)} tables written by the release through {len(script)} commands: "
        f"{sum(lost.values())} lost, {sum(unexpected.values())} changed (besides the sync "
        f"position, outbox state and id counters); device {'same' if same_device else 'CHANGED'} "
        f"({len(devices)} on the server); `!meetings` answered with the release's series: "
        f"{'yes' if answered else 'no'}; {replayed} old commands answered again; "
        f"{seconds:.0f}s",
        passed, "test_upgrade")
    assert passed, (lost, unexpected, devices, answered)
