"""Scenario 19: the backup and restore drill, as an operator would do it after losing a server.

Minga runs as its own process in an encrypted room. A member schedules a meeting with a
reminder and asks a few things; the operator runs `minga backup`; the member asks more;
Minga restarts (its olm sessions move on past the backup's); it is stopped, its whole data
folder deleted, and restored from the backup into a fresh
folder the way the README says (the database, the `.store` folder, the seeds), then
started. Measured: the device (id and keys, and the server's device list), every command's
answers (before the backup, between the backup and the loss, after the restore), the
reminder, what the member could not decrypt, and the rows the restore brought back.

Commands answered between the backup and the loss are in the sync stream after the backup's
sync token, so the restored Minga handles them again: that re-applies what they wrote (the
restore had lost it), and their replies go out under the same transaction ids, which the
homeserver recognises from the same device: members see no second answer.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from bot.backup import RESTORED_MARKER
from bot.process import BotProcess
from devtools.harness import Network
from devtools.member import Member
from tests.faults.conftest import ROOT, Report
from tests.faults.recovery import answer_counts
from tests.faults.roomtools import ask, bot_events

pytestmark = pytest.mark.faults

BEFORE = ('!meeting add "Drill" in 2 minutes', "!meeting reminders m1 1m", "!tz",
          "!action add @{me} check the backups by friday")
BETWEEN = ('!meeting add "After the backup" next fri 10:00', "!meetings")
AFTER = ("!meetings", "!actions")


def session(store: Path) -> dict[str, str]:
    data: dict[str, str] = json.loads((store / "session.json").read_text(encoding="utf-8"))
    return data


def device_keys(server_url: str, member: Member, user_id: str) -> dict[str, dict[str, str]]:
    """The keys the homeserver hands out for each of the bot's devices (what members use)."""
    request = urllib.request.Request(
        f"{server_url}/_matrix/client/v3/keys/query",
        data=json.dumps({"device_keys": {user_id: []}}).encode(),
        headers={"Authorization": f"Bearer {member.client.access_token}",
                 "Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as resp:
        body = json.load(resp)
    return {device: dict(keys["keys"]) for device, keys in body["device_keys"][user_id].items()}


def minga(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True,
                          text=True, timeout=60, cwd=ROOT)


def restore(backup: Path, database: Path, store: Path) -> None:
    """The README's restore steps, on a fresh data folder."""
    database.parent.mkdir(mode=0o700, parents=True)
    shutil.copy2(backup, database)
    shutil.copytree(backup.with_name(backup.name + ".store"), store)
    shutil.copy2(backup.with_name(backup.name + ".cross-signing.json"),
                 store / "cross_signing.json")


async def test_backup_restore(network: Network, report: Report) -> None:
    started = time.monotonic()
    config = network.bot_config()
    bot_id = config.matrix.user_id
    config_path = network.write_config(config, network.workdir / "minga.toml")
    bot = BotProcess(config_path, network.workdir / "bot.log")
    await bot.start()
    alice = await network.member("alice")
    room = await network.room(alice, [], bot_id)

    asked: list[str] = []
    for text in BEFORE:
        asked.append((await ask(alice, room, text.format(me=alice.user_id), bot_id,
                                timeout=30))[0])
    store, database = config.storage.store_dir, config.storage.database
    device_before = session(store)["device_id"]
    keys_before = device_keys(network.server.url, alice, bot_id)

    backup = network.workdir / "backups" / "minga.db"
    made = await asyncio.to_thread(minga, "backup", str(backup), "--config", str(config_path))
    assert made.returncode == 0, made.stderr
    for text in BETWEEN:
        asked.append((await ask(alice, room, text, bot_id, timeout=30))[0])
    # A restart after the backup: its new megolm session goes to the member over olm, so the
    # olm sessions move on past what the backup holds (a nightly backup, a restart at noon).
    await bot.stop()
    await bot.start()
    asked.append((await ask(alice, room, "!tz", bot_id, timeout=30))[0])

    # The server is lost: Minga stops, its data folder goes.
    await bot.stop()
    data = database.parent
    assert store.is_relative_to(data)
    shutil.rmtree(data)
    restore(backup, database, store)
    await bot.start()

    marker_left = (store / RESTORED_MARKER).exists()
    for text in AFTER:
        asked.append((await ask(alice, room, text, bot_id, timeout=30))[0])

    def reminders() -> list[str]:
        return [n.body for n in alice.notices(room, bot_id) if n.body.startswith("Reminder:")]

    await alice.wait_until(lambda: len(reminders()) >= 1, 120)
    await asyncio.sleep(4)  # any second reminder or late duplicate answer arrives meanwhile
    await bot.stop()

    device_after = session(store)["device_id"]
    keys_after = device_keys(network.server.url, alice, bot_id)
    server_devices = network.server.user_devices(bot_id)
    same_device = (device_after == device_before and server_devices == [device_before]
                   and keys_after == keys_before)
    counts = answer_counts(alice, room, bot_id, asked)
    replayed = sum(1 for c in asked if counts[c] > 1)
    unanswered = sum(1 for c in asked if counts[c] == 0)
    reminder_count = Counter(reminders())
    undecryptable = [e for e in alice.undecrypted(room) if e.sender == bot_id]
    conn = sqlite3.connect(database)
    titles = {r[0] for r in conn.execute("SELECT title FROM meetings")}
    conn.close()
    seconds = time.monotonic() - started
    print(f"\n[restore] device {device_before} -> {device_after}, server devices "
          f"{server_devices}, keys same: {keys_after == keys_before}; answers {dict(counts)}; "
          f"reminders {dict(reminder_count)}; meetings {sorted(titles)}; "
          f"{len(bot_events(alice, room, bot_id))} bot events")

    passed = (same_device and replayed == 0 and unanswered == 0
              and list(reminder_count.values()) == [1] and not undecryptable
              and {"Drill", "After the backup"} <= titles and not marker_left)
    report.add(
        "19. Backup and restore",
        "same device after restore, 0 commands replayed, reminders continue, nothing "
        "answered twice",
        f"data folder deleted, restored from `minga backup`: device "
        f"{'same' if same_device else 'CHANGED'} ({len(server_devices)} on the server, "
        f"keys {'same' if keys_after == keys_before else 'CHANGED'}); {len(asked)} commands "
        f"({len(BEFORE)} before the backup, {len(BETWEEN) + 1} between it and the loss with a "
        f"restart, "
        f"{len(AFTER)} after the restore): {replayed} answered twice, {unanswered} "
        f"unanswered; reminder sent {sum(reminder_count.values())}x; {len(undecryptable)} "
        f"undecryptable for the member; writes after the backup re-applied: "
        f"{'yes' if 'After the backup' in titles else 'no'}; {seconds:.0f}s",
        passed, "test_backup_restore")
    assert passed
