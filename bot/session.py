"""The saved login and the single-instance lock, both in the store directory.

One login, one device, forever: the access token and device id are written
once (0600) and reused, so the bot keeps its keys and never leaves a trail
of dead devices that members' clients keep encrypting for.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

SESSION_FILE = "session.json"
LOCK_FILE = "minga.lock"


class StoreLocked(RuntimeError):
    """Another Minga is running on this store; two would corrupt the olm state."""


@dataclass(frozen=True)
class SavedSession:
    homeserver: str
    user_id: str
    device_id: str
    access_token: str


def prepare_store_dir(store_dir: Path) -> None:
    store_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(store_dir, 0o700)


def load_session(store_dir: Path) -> SavedSession | None:
    path = store_dir / SESSION_FILE
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return SavedSession(**{k: data[k] for k in ("homeserver", "user_id", "device_id",
                                                "access_token")})


def save_session(store_dir: Path, session: SavedSession) -> None:
    """Write atomically with mode 0600 from the first byte."""
    path = store_dir / SESSION_FILE
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(asdict(session), fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class StoreLock:
    """An flock on the store; released by the OS even after kill -9."""

    def __init__(self, store_dir: Path) -> None:
        self.path = store_dir / LOCK_FILE
        self._fh: IO[str] | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fh = os.fdopen(fd, "r+", encoding="utf-8")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            raise StoreLocked(
                f"another Minga is already running with the store {self.path.parent}: "
                "stop it first (two on one store would corrupt its keys)"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None
