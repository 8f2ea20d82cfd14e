"""`minga backup` copies the seeds; `minga reset-identity` refuses everything but a clear go."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Config, MatrixConfig, StorageConfig
from bot.crosssign import SEEDS_FILE, Seeds, load_seeds, save_seeds
from bot.identity_cli import backup_seeds, reset_identity
from bot.session import SavedSession, StoreLock, save_session

USER = "@minga:example.org"


def config(tmp_path: Path, password: str | None = "pw") -> Config:
    store = tmp_path / "store"
    store.mkdir(exist_ok=True)
    return Config(MatrixConfig("http://127.0.0.1:9", USER, password, None),
                  StorageConfig(tmp_path / "minga.db", store))


def test_backup_writes_the_seeds_beside_the_database_copy(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    cfg = config(tmp_path)
    seeds = Seeds.generate()
    save_seeds(cfg.storage.store_dir / SEEDS_FILE, seeds, USER)
    (tmp_path / "minga.db").write_bytes(b"")
    toml = tmp_path / "minga.toml"
    toml.write_text(f'[matrix]\nhomeserver = "http://127.0.0.1:9"\nuser_id = "{USER}"\n'
                    f'password = "pw"\n[storage]\ndatabase = "minga.db"\nstore_dir = "store"\n',
                    encoding="utf-8")

    assert main(["backup", str(tmp_path / "out" / "copy.db"), "--config", str(toml)]) == 0
    copy = tmp_path / "out" / "copy.db.cross-signing.json"
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert load_seeds(copy, USER) == seeds
    out = capsys.readouterr().out
    assert "cross-signing keys" in out and str(cfg.storage.store_dir) in out


def test_backup_before_the_first_start_says_so(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert backup_seeds(config(tmp_path), tmp_path / "copy.db") == 0
    assert "back up again after that" in capsys.readouterr().err
    assert not (tmp_path / "copy.db.cross-signing.json").exists()


def test_reset_needs_a_saved_session(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert reset_identity(config(tmp_path), assume_yes=True) == 2
    assert "start Minga once" in capsys.readouterr().err


def test_reset_refuses_while_minga_runs(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    cfg = config(tmp_path)
    save_session(cfg.storage.store_dir, SavedSession("http://127.0.0.1:9", USER, "DEV", "t"))
    running = StoreLock(cfg.storage.store_dir)
    running.acquire()
    try:
        assert reset_identity(cfg, assume_yes=True) == 1
    finally:
        running.release()
    assert "stop it before" in capsys.readouterr().err


def test_reset_without_a_terminal_needs_yes_and_a_password(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    cfg = config(tmp_path)
    save_session(cfg.storage.store_dir, SavedSession("http://127.0.0.1:9", USER, "DEV", "t"))
    assert reset_identity(cfg, assume_yes=False) == 2
    assert "--yes" in capsys.readouterr().err
    assert reset_identity(config(tmp_path, password=None), assume_yes=True) == 2
    assert "password" in capsys.readouterr().err
    assert not (cfg.storage.store_dir / SEEDS_FILE).exists()


def test_backup_copies_the_store_without_its_lock(tmp_path: Path) -> None:
    import sqlite3

    from bot.backup import (
        RESTORED_MARKER,
        backup_store,
        restore_handled,
        restored_from_backup,
    )

    cfg = config(tmp_path)
    store = cfg.storage.store_dir
    (store / "session.json").write_text('{"device_id": "DEV"}', encoding="utf-8")
    (store / "minga.lock").write_text("123", encoding="utf-8")
    crypto = sqlite3.connect(store / "@minga:localhost_DEV.db")
    crypto.execute("CREATE TABLE accounts (pickle TEXT)")
    crypto.execute("INSERT INTO accounts VALUES ('olm')")
    crypto.commit()
    for _ in range(2):  # a second backup replaces the first
        assert backup_store(cfg, tmp_path / "out" / "copy.db") == 0
    copy = tmp_path / "out" / "copy.db.store"
    assert sorted(p.name for p in copy.iterdir()) == ["@minga:localhost_DEV.db",
                                                      RESTORED_MARKER, "session.json"]
    assert not restored_from_backup(store) and restored_from_backup(copy)
    restore_handled(copy)
    assert not restored_from_backup(copy)
    assert stat.S_IMODE(copy.stat().st_mode) == 0o700
    assert stat.S_IMODE((copy / "session.json").stat().st_mode) == 0o600
    restored = sqlite3.connect(copy / "@minga:localhost_DEV.db")
    assert restored.execute("SELECT pickle FROM accounts").fetchall() == [("olm",)]
    restored.close()
    crypto.close()
    assert not list((tmp_path / "out").glob("*.partial")) and \
        not list((tmp_path / "out").glob("*.old"))
