"""The saved login (0600, atomic) and the single-instance store lock."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.session import (
    LOCK_FILE,
    SESSION_FILE,
    SavedSession,
    StoreLock,
    StoreLocked,
    load_session,
    prepare_store_dir,
    save_session,
)

SESSION = SavedSession(
    homeserver="https://matrix.example.org",
    user_id="@minga:example.org",
    device_id="ABCDEFGHIJ",
    access_token="syt_secret_token",
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def store(tmp_path: Path, umask_022: None) -> Path:
    path = tmp_path / "store"
    prepare_store_dir(path)
    return path


# ---- the store directory -------------------------------------------------------------------


def test_prepare_store_dir_creates_private_dir(tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "a" / "b" / "store"
    prepare_store_dir(path)
    assert path.is_dir()
    assert mode(path) == 0o700


def test_prepare_store_dir_tightens_existing_dir(tmp_path: Path) -> None:
    path = tmp_path / "store"
    path.mkdir()
    os.chmod(path, 0o755)
    (path / "keep.txt").write_text("x")
    prepare_store_dir(path)
    assert mode(path) == 0o700
    assert (path / "keep.txt").read_text() == "x"


# ---- the saved session -----------------------------------------------------------------------


def test_no_session_yet(store: Path) -> None:
    assert load_session(store) is None


def test_save_load_round_trip(store: Path) -> None:
    save_session(store, SESSION)
    assert load_session(store) == SESSION
    data = json.loads((store / SESSION_FILE).read_text(encoding="utf-8"))
    assert data == {
        "homeserver": "https://matrix.example.org",
        "user_id": "@minga:example.org",
        "device_id": "ABCDEFGHIJ",
        "access_token": "syt_secret_token",
    }


def test_session_file_is_private(store: Path) -> None:
    save_session(store, SESSION)
    assert mode(store / SESSION_FILE) == 0o600


def test_save_replaces_and_leaves_no_temp_file(store: Path) -> None:
    save_session(store, SESSION)
    newer = SavedSession(SESSION.homeserver, SESSION.user_id, "NEWDEVICE", "syt_new")
    save_session(store, newer)
    assert load_session(store) == newer
    assert mode(store / SESSION_FILE) == 0o600
    assert sorted(p.name for p in store.iterdir()) == [SESSION_FILE]


def test_replacing_a_world_readable_session_makes_it_private(store: Path) -> None:
    path = store / SESSION_FILE
    path.write_text(json.dumps(SESSION.__dict__), encoding="utf-8")
    os.chmod(path, 0o644)
    save_session(store, SESSION)
    assert mode(path) == 0o600


def test_load_ignores_extra_keys(store: Path) -> None:
    data = dict(SESSION.__dict__, future_field="ignored")
    (store / SESSION_FILE).write_text(json.dumps(data), encoding="utf-8")
    assert load_session(store) == SESSION


def test_load_with_missing_key_fails_loudly(store: Path) -> None:
    data = dict(SESSION.__dict__)
    del data["access_token"]
    (store / SESSION_FILE).write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(KeyError):
        load_session(store)


# ---- the store lock ------------------------------------------------------------------------


def test_second_lock_is_refused_while_first_holds(store: Path) -> None:
    first = StoreLock(store)
    second = StoreLock(store)
    first.acquire()
    try:
        with pytest.raises(StoreLocked) as info:
            second.acquire()
        assert str(store) in str(info.value)
        # The refused attempt did not disturb the holder's pid.
        assert (store / LOCK_FILE).read_text() == str(os.getpid())
    finally:
        first.release()
    second.acquire()
    try:
        with pytest.raises(StoreLocked):
            StoreLock(store).acquire()
    finally:
        second.release()


def test_lock_file_is_private_and_holds_pid(store: Path) -> None:
    lock = StoreLock(store)
    lock.acquire()
    try:
        path = store / LOCK_FILE
        assert path.read_text() == str(os.getpid())
        assert mode(path) == 0o600
    finally:
        lock.release()


def test_stale_lock_file_content_is_replaced(store: Path) -> None:
    (store / LOCK_FILE).write_text("999999999 stale and much longer than a pid")
    lock = StoreLock(store)
    lock.acquire()
    try:
        assert (store / LOCK_FILE).read_text() == str(os.getpid())
    finally:
        lock.release()


def test_release_is_idempotent_and_lock_reusable(store: Path) -> None:
    lock = StoreLock(store)
    lock.release()  # never acquired: nothing happens
    lock.acquire()
    lock.release()
    lock.release()
    lock.acquire()
    try:
        with pytest.raises(StoreLocked):
            StoreLock(store).acquire()
    finally:
        lock.release()


def test_locks_on_different_stores_are_independent(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    prepare_store_dir(one)
    prepare_store_dir(two)
    a, b = StoreLock(one), StoreLock(two)
    a.acquire()
    try:
        b.acquire()
        b.release()
    finally:
        a.release()
