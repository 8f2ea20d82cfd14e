"""An operator's path, through the real `minga` command and a real Synapse.

First start while the homeserver is still down (retried until it is up), every file
private afterwards, `minga status` healthy then unhealthy, restarts and backups without
the password once the login is saved, and `check-config --online` that never leaves a
device behind.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from devtools.devserver import DevServer
from tests.integration.test_startup_errors import one_line, write_config

pytestmark = pytest.mark.integration


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINGA_MATRIX_")}
    return {**env, "PYTHONUNBUFFERED": "1", **extra}


def minga(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True,
                            text=True, timeout=120, env=clean_env(**env), check=False,
                            stdin=subprocess.DEVNULL)
    print(f"$ minga {' '.join(args)}  -> {result.returncode}\n{result.stdout}{result.stderr}")
    return result


class Running:
    """`minga run` in the background, its output in a file."""

    def __init__(self, config: Path, log: Path, **env: str) -> None:
        self.log = log
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "run", "--config", str(config)],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=clean_env(**env))

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, needle: str, count: int = 1, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while self.text().count(needle) < count:
            assert self.proc.poll() is None, self.text()
            assert time.monotonic() < deadline, self.text()
            time.sleep(0.1)

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)


def modes(root: Path) -> dict[str, str]:
    """Every file and folder under `root`, with its mode."""
    found = {".": oct(stat.S_IMODE(root.stat().st_mode))}
    for path in sorted(root.rglob("*")):
        found[str(path.relative_to(root))] = oct(stat.S_IMODE(path.lstat().st_mode))
    return found


def test_operator_path(tmp_path: Path) -> None:
    server = DevServer(tmp_path / "synapse")
    server.start()
    user = server.register("operator-bot", "first-password")
    server.stop()  # the homeserver is still down when Minga first starts

    data = tmp_path / "data"
    (data / "store").mkdir(parents=True, mode=0o755)  # made by hand, too open
    (data / "store").chmod(0o755)
    (data / "store" / "notes.txt").write_text("left by the operator")
    (data / "store" / "notes.txt").chmod(0o644)
    config = write_config(tmp_path, server.url, data, user=user, password=None)
    try:
        bot = Running(config, tmp_path / "run1.log", MINGA_MATRIX_PASSWORD="first-password")
        bot.wait_for("attempt 2,")
        server.start()
        bot.wait_for(": ready")
        assert "Traceback" not in bot.text()

        # ---- every file private, nio's crypto database included ------------------------
        found = modes(data)
        print("\n".join(f"{mode} {name}" for name, mode in found.items()))
        crypto = [name for name in found if name.startswith("store/@operator-bot")
                  and name.endswith(".db")]
        assert crypto, found
        assert "minga.db" in found and "store/session.json" in found
        for name, mode in found.items():
            expected = "0o700" if (data / name).is_dir() else "0o600"
            assert mode == expected, f"{name} is {mode}"

        # ---- status: healthy, read without touching the bot -----------------------------
        status = minga("status", "--config", str(config))
        assert status.returncode == 0
        lines = status.stdout.splitlines()
        assert lines[0].startswith("Minga ") and lines[0].endswith(": healthy")
        assert lines[1].startswith("  last successful sync: ") and "s ago)" in lines[1]
        assert lines[2] == "  outbox: empty"
        assert lines[3].startswith("  next scheduled job: ")
        assert lines[4] == "  rooms: 0"
        assert lines[5].startswith(f"  database: {data / 'minga.db'} (") and "MiB)" in lines[5]

        # ---- a second copy on the same store is refused in one line --------------------
        second = minga("run", "--config", str(config))
        assert one_line(second) == (
            f"minga: another Minga is already running with the store {data / 'store'}: stop "
            "it first (two on one store would corrupt its keys)")
        assert bot.stop() == 0
        devices = server.user_devices(user)
        assert len(devices) == 1

        # ---- no password any more: run, check-config, backup, status --------------------
        check = minga("check-config", "--config", str(config))
        assert check.returncode == 0
        assert "no password needed: the saved login is used" in check.stdout
        online = minga("check-config", "--config", str(config), "--online")
        assert online.returncode == 0, online.stderr
        assert "a Matrix homeserver (Synapse 1." in online.stdout
        assert f"works: {user}, device {devices[0]} (no password needed to start)" \
            in online.stdout
        bot = Running(config, tmp_path / "run2.log")
        bot.wait_for(": ready")
        assert f"restored device {devices[0]}" in bot.text()
        assert bot.stop() == 0
        assert server.user_devices(user) == devices  # still the one device

        backup = minga("backup", str(tmp_path / "copy.db"), "--config", str(config))
        assert backup.returncode == 0
        assert stat.S_IMODE((tmp_path / "copy.db").stat().st_mode) == 0o600

        time.sleep(2.1)
        stale = minga("status", "--config", str(config), "--max-sync-age", "2")
        assert stale.returncode == 1
        assert "UNHEALTHY: last successful sync " in stale.stdout.splitlines()[0]
        assert "(limit 2 s)" in stale.stdout
    finally:
        server.stop()


def test_check_config_online_with_a_password_leaves_no_device(
    synapse: DevServer, tmp_path: Path
) -> None:
    user = synapse.register(f"online-{time.monotonic_ns()}", "pw-online")
    config = write_config(tmp_path, synapse.url, user=user, password="pw-online")
    result = minga("check-config", "--config", str(config), "--online")
    assert result.returncode == 0, result.stderr
    out = result.stdout.splitlines()
    assert out[1].startswith(f"{synapse.url}: a Matrix homeserver (Synapse 1.")
    assert out[1].endswith("client API up to v1.15)") or "client API up to v1." in out[1]
    assert out[2] == (f"the password works for {user} (the test login was logged out again; "
                      "`minga run` logs in once and saves the login)")
    assert synapse.user_devices(user) == []
    assert not (tmp_path / "data").exists()  # it wrote nothing


def test_check_config_online_wrong_password(synapse: DevServer, tmp_path: Path) -> None:
    user = synapse.register(f"online-bad-{time.monotonic_ns()}", "pw-right")
    config = write_config(tmp_path, synapse.url, user=user, password="pw-wrong")
    result = minga("check-config", "--config", str(config), "--online")
    assert result.returncode == 1
    assert result.stdout.startswith(f"{config}: OK")
    line = one_line(subprocess.CompletedProcess(result.args, 1, "", result.stderr))
    assert line.startswith(f"minga: login as {user} failed: the homeserver says the user id "
                           "or password is wrong (M_FORBIDDEN")


def test_check_config_online_unreachable(tmp_path: Path) -> None:
    config = write_config(tmp_path, "http://127.0.0.1:9")
    result = minga("check-config", "--config", str(config), "--online")
    line = one_line(subprocess.CompletedProcess(result.args, result.returncode, "",
                                                result.stderr))
    assert line == ("minga: cannot reach the homeserver at http://127.0.0.1:9 (connection "
                    "refused): check matrix.homeserver, and that the homeserver is running")
