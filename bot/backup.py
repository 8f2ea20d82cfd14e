"""The E2EE store part of `minga backup`: the device's keys, so a restore is the same device.

The store holds the saved login (`session.json`), nio's crypto database (the olm account,
olm and megolm sessions) and the cross-signing seeds. Restored beside the database copy,
Minga starts as the same device with the same keys: no new login, nothing for members'
clients to notice. SQLite files are copied with SQLite's online backup API, so the copy is
consistent while Minga runs; the lock and SQLite's side files are left out.

A backup taken while Minga runs is behind the olm sessions it goes on using: after a
restore, Minga would encrypt to members' devices with message keys they have already used
up, and they could read nothing it says. So the copy carries a marker, and the first start
on a restored store opens new olm sessions with every device it had one with (what nio
does for a "wedged" session: claim a one-time key, send an `m.dummy`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Config
from bot.session import LOCK_FILE

SKIPPED_SUFFIXES = ("-wal", "-shm", "-journal")
# Written into the store copy only: a store that has it was restored from a backup (see
# MingaBot._after_restore), and Minga removes it once it has dealt with that.
RESTORED_MARKER = "restored-from-backup.json"
SQLITE_MAGIC = b"SQLite format 3\0"


def store_copy_path(database_copy: Path) -> Path:
    return database_copy.with_name(database_copy.name + ".store")


def backup_store(config: Config, database_copy: Path) -> int:
    source = Path(config.storage.store_dir)
    target = store_copy_path(database_copy)
    if not source.is_dir():
        print(f"minga: no E2EE store in {source} yet (Minga creates it on its first start); "
              "back up again after that", file=sys.stderr)
        return 0
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(mode=0o700, parents=True)
    copied = 0
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.name == LOCK_FILE or path.name.endswith(SKIPPED_SUFFIXES) \
                or path.name.startswith(".minga-write-test") or path.is_symlink():
            continue
        out = partial / relative
        if path.is_dir():
            out.mkdir(mode=0o700, parents=True, exist_ok=True)
            continue
        out.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _copy_file(path, out)
        copied += 1
    _write_marker(partial / RESTORED_MARKER)
    _fsync_dir(partial)
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    partial.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    _fsync_dir(target.parent)
    print(f"backed up the E2EE store {source} ({copied} files: the device's login and keys) "
          f"to {target} (as secret as the password)")
    return 0


def restored_from_backup(store_dir: Path) -> bool:
    return (store_dir / RESTORED_MARKER).exists()


def restore_handled(store_dir: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (store_dir / RESTORED_MARKER).unlink()


def _write_marker(path: Path) -> None:
    taken = datetime.now(UTC).isoformat(timespec="seconds")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({"taken_at": taken}, out)
        out.flush()
        os.fsync(out.fileno())


def _copy_file(source: Path, target: Path) -> None:
    with source.open("rb") as fh:
        is_sqlite = fh.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    if is_sqlite:
        os.close(fd)
        with contextlib.closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro",
                                                uri=True)) as src, \
                contextlib.closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
        return
    with os.fdopen(fd, "wb") as out, source.open("rb") as src_file:
        shutil.copyfileobj(src_file, out)
        out.flush()
        os.fsync(out.fileno())


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
