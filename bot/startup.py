"""Start-up checks and the one-line answer to every way start-up can fail.

An operator reading `journalctl -u minga` needs one line that names what failed and
what to do, not 80 lines of traceback. The checks here run before anything is opened,
so most problems are named before they happen; `explain` translates the rest (a disk
that fills up during a migration, a store nio cannot write) after the fact.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sqlite3
import stat
from pathlib import Path

from bot.config import Config

log = logging.getLogger(__name__)

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
# Files SQLite keeps beside a database; they hold the same data.
SQLITE_SIDES = ("", "-wal", "-shm", "-journal")


class StartupError(RuntimeError):
    """Start-up cannot continue; the message says what to do."""


def private_umask() -> None:
    """Everything this process creates (nio's crypto database included) starts 0600/0700."""
    os.umask(0o077)


def _who() -> str:
    return f"uid {os.getuid()}"


def _first_existing(path: Path) -> Path:
    for parent in (path, *path.parents):
        if parent.exists() or parent.is_symlink():
            return parent
    return Path("/")


def check_folder(path: Path, key: str) -> None:
    """`path` must be a folder this process can create files in; make it if missing."""
    existing = _first_existing(path)
    if existing != path and not existing.is_dir():
        raise StartupError(
            f"{key}: {existing} is a file, so {path} cannot be created under it: "
            f"move the file away or point {key} elsewhere"
        )
    if path.exists() and not path.is_dir():
        raise StartupError(
            f"{key}: {path} is a file, not a folder: point {key} at a folder "
            "(Minga creates it) or move the file away"
        )
    try:
        path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    except OSError as err:
        raise StartupError(explain_os_error(err, key, path)) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise StartupError(_not_writable(path, key))
    probe = path / f".minga-write-test-{os.getpid()}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        try:
            os.write(fd, b"minga")
        finally:
            os.close(fd)
    except OSError as err:
        raise StartupError(explain_os_error(err, key, path)) from None
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()


def check_storage(config: Config) -> None:
    """The store and the database's folder exist, are folders and are writable."""
    store, database = config.storage.store_dir, config.storage.database
    if store.is_dir() and os.getuid() != 0 and store.stat().st_uid != os.getuid():
        raise StartupError(
            f"storage.store_dir: {store} belongs to uid {store.stat().st_uid}, but Minga runs "
            f"as {_who()}: chown -R it to that user (the store holds the bot's keys and "
            "must be its own)")
    check_folder(store, "storage.store_dir")
    if database.is_dir():
        raise StartupError(
            f"storage.database: {database} is a folder, not a file: give a file path "
            "such as data/minga.db"
        )
    check_folder(database.parent, "storage.database")
    for part in _sqlite_files(database):
        if part.exists() and not os.access(part, os.R_OK | os.W_OK):
            raise StartupError(_not_writable(part, "storage.database"))


def _sqlite_files(database: Path) -> list[Path]:
    return [Path(f"{database}{side}") for side in SQLITE_SIDES]


def tighten(config: Config) -> None:
    """Make what exists private: files a copy, a restore or an older Minga left readable.

    The store is Minga's alone, so every file in it becomes 0600 and every folder 0700.
    The database's folder may be shared (a home folder, /var/lib), so only the database
    and its SQLite side files are changed, and the folder only when it is ours and not a
    shared sticky folder like /tmp.
    """
    store = config.storage.store_dir
    if store.is_dir():
        _chmod(store, PRIVATE_DIR)
        for root, dirs, files in os.walk(store):
            for name in dirs:
                _chmod(Path(root) / name, PRIVATE_DIR)
            for name in files:
                _chmod(Path(root) / name, PRIVATE_FILE)
    database = config.storage.database
    for part in _sqlite_files(database):
        if part.exists():
            _chmod(part, PRIVATE_FILE)
    folder = database.parent
    info = folder.stat()
    if info.st_uid == os.getuid() and not info.st_mode & stat.S_ISVTX:
        _chmod(folder, PRIVATE_DIR)
    elif stat.S_IMODE(info.st_mode) & 0o077:
        log.warning("the database's folder %s is open to others (mode %o); "
                    "keep Minga's data in a folder of its own", folder,
                    stat.S_IMODE(info.st_mode))


def _chmod(path: Path, mode: int) -> None:
    if path.is_symlink():
        return
    if stat.S_IMODE(path.stat().st_mode) != mode:
        try:
            os.chmod(path, mode)
        except PermissionError:
            raise StartupError(
                f"{path} belongs to another user (uid {path.stat().st_uid}) and Minga, "
                f"running as {_who()}, cannot make it private: "
                f"chown -R it to the user Minga runs as"
            ) from None


def _not_writable(path: Path, key: str) -> str:
    owner = path.stat().st_uid if path.exists() else None
    if owner is not None and owner != os.getuid():
        return (f"{key}: {path} belongs to uid {owner} and is not writable by Minga "
                f"({_who()}): chown -R it to the user Minga runs as")
    return (f"{key}: {path} is not writable by Minga ({_who()}): "
            "make it writable by the user Minga runs as (chown / chmod u+rwx)")


def explain_os_error(err: OSError, key: str, path: Path | None = None) -> str:
    where = Path(err.filename) if err.filename else path
    subject = f"{key}: {where}" if where else key
    if err.errno == errno.ENOSPC or err.errno == errno.EDQUOT:
        return f"{subject}: the disk is full: free some space on it, then start Minga again"
    if err.errno == errno.EROFS:
        return (f"{subject} is on a read-only file system: put Minga's data on a writable "
                "one (under systemd: ReadWritePaths / StateDirectory; in a container: the "
                "data volume)")
    if err.errno in (errno.EACCES, errno.EPERM):
        target = where or path
        if target is not None and target.exists():
            return _not_writable(target, key)
        parent = _first_existing(target) if target else None
        return (f"{subject} cannot be created: permission denied in {parent}: "
                f"create it and give it to the user Minga runs as ({_who()})")
    if err.errno in (errno.EEXIST, errno.ENOTDIR):
        return f"{subject}: a file is in the way of a folder: move it away or point {key} elsewhere"
    if err.errno == errno.EISDIR:
        return f"{subject} is a folder where a file is expected: point {key} at a file path"
    return f"{subject}: {err.strerror or err}"


def explain(err: BaseException, config: Config) -> str | None:
    """One line for a failure met while starting; None if it is not a storage problem."""
    if isinstance(err, OSError):
        return explain_os_error(err, _key_for(err, config))
    text = str(err).lower()
    sqlite_like = isinstance(err, sqlite3.Error) or type(err).__module__.startswith("peewee")
    if not sqlite_like:
        return None
    # peewee errors come from nio's crypto store; sqlite3 ones from our database.
    store = type(err).__module__.startswith("peewee")
    key = "storage.store_dir" if store else "storage.database"
    path = config.storage.store_dir if store else config.storage.database
    if "disk is full" in text or "no space" in text:
        return f"{key}: {path}: the disk is full: free some space on it, then start Minga again"
    if "readonly" in text or "read-only" in text:
        return _not_writable(path, key)
    if "unable to open" in text:
        return (f"{key}: {path} cannot be opened: check that its folder exists and is "
                f"writable by the user Minga runs as ({_who()})")
    if "malformed" in text or "not a database" in text:
        return (f"{key}: {path} is damaged or not a database: restore it from a backup "
                "(minga backup makes one)")
    return f"{key}: {path}: {err}"


def _key_for(err: OSError, config: Config) -> str:
    name = str(err.filename or "")
    if name.startswith(str(config.storage.store_dir)):
        return "storage.store_dir"
    if name.startswith(str(config.storage.database)):
        return "storage.database"
    return "storage"

