"""The operator's commands without a homeserver: --version, help, check-config's file
errors, and how `minga status` reads a database a bot has written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import cli
from bot.status import Status, ago, read_status, render, version
from storage import open_database
from storage.health import Backlog, set_next_job
from storage.state import record_last_sync
from tests.unit.test_config import MINIMAL_TOML, write

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"minga {version()}"
    assert version()[0].isdigit()


@pytest.mark.parametrize("command", [[], ["run"], ["check-config"]])
def test_help_names_the_secret_variables(command: list[str],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main([*command, "--help"])
    out = capsys.readouterr().out
    assert "MINGA_MATRIX_PASSWORD" in out and "MINGA_MATRIX_ACCESS_TOKEN" in out
    assert "needed once, for the first login" in out
    if command:
        assert "the config file (start from config.example.toml)" in " ".join(out.split())


def test_check_config_on_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check-config", "--config", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"minga: config error: {tmp_path} is a folder: give the config file itself, like "
        f"{tmp_path / 'config.toml'}\n")


def test_check_config_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL_TOML)
    path.chmod(0o200)
    prefix: tuple[str, ...] = ()
    if os.getuid() == 0:  # root reads anything: drop that power in a user namespace
        if shutil.which("unshare") is None:
            pytest.skip("root without unshare: cannot make a file unreadable")
        prefix = ("unshare", "-U")
    result = subprocess.run([*prefix, sys.executable, "-m", "bot.cli", "check-config",
                             "--config", str(path)], capture_output=True, text=True,
                            check=False)
    if os.getuid() == 0 and "unshare" in result.stderr:
        pytest.skip(f"no user namespaces here: {result.stderr.strip()}")
    assert result.returncode == 2
    assert result.stderr.startswith(f"minga: config error: config file {path} cannot be read "
                                    "by uid ")
    assert result.stderr.endswith("make it readable by the user Minga runs as (and by no one "
                                  "else: chmod 600)\n")


def test_check_config_empty_prefix_and_typo(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, MINIMAL_TOML.replace("homeserver", "homesever"))
    assert cli.main(["check-config", "--config", str(path)]) == 2
    assert capsys.readouterr().err == ("minga: config error: matrix.homesever (did you mean "
                                       "matrix.homeserver?) is not a known setting\n")
    path = write(tmp_path, MINIMAL_TOML + '[bot]\ncommand_prefix = ""\n')
    assert cli.main(["check-config", "--config", str(path)]) == 2
    assert "bot.command_prefix is empty" in capsys.readouterr().err


def test_no_password_needed_once_a_login_is_saved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MINGA_MATRIX_PASSWORD", raising=False)
    path = write(tmp_path, MINIMAL_TOML.replace('password = "hunter2"\n', ""))
    assert cli.main(["check-config", "--config", str(path)]) == 2
    assert "matrix.password is missing: it is needed once, for the first login" \
        in capsys.readouterr().err
    (tmp_path / "data" / "store").mkdir(parents=True)
    (tmp_path / "data" / "store" / "session.json").write_text("{}")
    assert cli.main(["check-config", "--config", str(path)]) == 0
    assert "no password needed: the saved login is used" in capsys.readouterr().out


def test_status_without_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, MINIMAL_TOML.replace('password = "hunter2"\n', ""))
    assert cli.main(["status", "--config", str(path)]) == 1
    assert capsys.readouterr().err == (
        f"minga: no database at {tmp_path / 'data' / 'minga.db'}: has Minga been started "
        "with this config?\n")


async def test_status_reads_what_the_bot_wrote(tmp_path: Path) -> None:
    path = tmp_path / "minga.db"
    db = await open_database(path)
    await record_last_sync(db, (NOW - timedelta(seconds=40)).isoformat())
    async with db.transaction() as conn:
        await set_next_job(conn, ("reminder", NOW + timedelta(minutes=95)))
        for n, age in enumerate((300, 30)):
            await conn.execute(
                "INSERT INTO outbox (txn_id, room_id, event_type, content, created_at) "
                "VALUES (?, '!r:x', 'm.room.message', '{}', ?)",
                (f"t{n}", (NOW - timedelta(seconds=age)).isoformat()))
        await conn.execute("INSERT INTO rooms (room_id, joined_ts) VALUES ('!r:x', 0)")
    await db.close()
    before = path.stat().st_mtime_ns
    status = await read_status(path)
    assert path.stat().st_mtime_ns == before  # read only
    assert status.backlog == Backlog(2, NOW - timedelta(seconds=300))
    lines, healthy = render(status, path, NOW, timedelta(minutes=10))
    assert healthy
    assert lines[1:] == [
        "  last successful sync: 2026-06-01 08:59:20 UTC (40 s ago)",
        "  outbox: 2 waiting, the oldest queued 5 min ago",
        "  next scheduled job: reminder at 2026-06-01 10:35:00 UTC (in 1 h 35 min)",
        "  rooms: 1",
        f"  database: {path} ({status.db_bytes / 1024 / 1024:.1f} MiB)",
    ]
    lines, healthy = render(status, path, NOW + timedelta(minutes=11), timedelta(minutes=10))
    assert not healthy
    assert lines[0].endswith("UNHEALTHY: last successful sync 11 min ago (limit 10 min); is "
                             "the bot running and its homeserver reachable? see its log")


def test_status_before_the_first_sync() -> None:
    status = Status(None, Backlog(0, None), None, 0, 1024 * 1024)
    lines, healthy = render(status, Path("/d/minga.db"), NOW, timedelta(minutes=10))
    assert not healthy
    assert lines[0].endswith("UNHEALTHY: no successful sync recorded yet")
    assert lines[2:5] == ["  outbox: empty",
                          "  next scheduled job: none planned (jobs are planned up to two "
                          "hours ahead)", "  rooms: 0"]


@pytest.mark.parametrize(("seconds", "text"), [(5, "5 s"), (89, "89 s"), (90, "1 min"),
                                               (3599, "59 min"), (3660, "1 h 01 min"),
                                               (3 * 86400 + 7200, "3 d 2 h")])
def test_ago(seconds: int, text: str) -> None:
    assert ago(timedelta(seconds=seconds)) == text
