"""A throw-away local Synapse for integration tests and `minga demo`.

Synchronous and stdlib-only on purpose: a plain (non-async) pytest session fixture can
drive it, and it works before the bot's own dependencies are importable.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import importlib.util
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

log = logging.getLogger(__name__)

ADMIN_LOCALPART = "minga-admin"
_REPO_ROOT = Path(__file__).resolve().parent.parent
_OPEN = {"per_second": 10_000, "burst_count": 100_000}
# Every limiter Synapse 1.163 reads (synapse/config/ratelimiting.py), except federation.
_SETUP_LIMITS: dict[str, Any] = {
    "rc_login": {"address": _OPEN, "account": _OPEN, "failed_attempts": _OPEN},
    "rc_registration": _OPEN,
    "rc_registration_token_validity": _OPEN,
    "rc_joins": {"local": _OPEN, "remote": _OPEN},
    "rc_joins_per_room": _OPEN,
    "rc_room_creation": _OPEN,
    "rc_invites": {"per_room": _OPEN, "per_user": _OPEN, "per_issuer": _OPEN},
}
_OTHER_LIMITS: dict[str, Any] = {
    "rc_message": _OPEN,
    "rc_admin_redaction": _OPEN,
    "rc_key_requests": _OPEN,
    "rc_3pid_validation": _OPEN,
    "rc_third_party_invite": _OPEN,
    "rc_media_create": _OPEN,
    "rc_presence": {"per_user": _OPEN},
    "rc_delayed_event_mgmt": _OPEN,
    "rc_reports": _OPEN,
    "rc_user_directory": _OPEN,
    "rc_profile": _OPEN,
}


class DevServerError(RuntimeError):
    """The local Synapse could not be started or refused a request."""


def free_port() -> int:
    """Ask the kernel for an unused loopback port (racy, but fine for tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_synapse_python(explicit: str | None = None) -> str:
    """Pick the interpreter that runs Synapse; a separate venv keeps its pins off the bot."""
    if explicit:
        return explicit
    env = os.environ.get("MINGA_SYNAPSE_PYTHON")
    if env:
        return env
    if importlib.util.find_spec("synapse") is not None:
        return sys.executable
    venv_python = _REPO_ROOT / ".venv-synapse" / "bin" / "python"
    if venv_python.exists():
        return str(venv_python)
    raise DevServerError(
        "Synapse is not installed: pip install 'minga[demo]', or in a checkout run "
        "`make demo` (`make test-deps` for the tests); or set MINGA_SYNAPSE_PYTHON"
    )


class DevServer:
    """A Synapse on 127.0.0.1 with SQLite in `workdir`, no federation."""

    server_name: str = "localhost"

    def __init__(
        self,
        workdir: Path,
        *,
        port: int | None = None,
        rate_limited: bool = False,
        synapse_python: str | None = None,
    ) -> None:
        self.workdir = Path(workdir).resolve()
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.rate_limited = rate_limited
        self.synapse_python = find_synapse_python(synapse_python)
        self.config_path = self.workdir / "homeserver.yaml"
        self.log_path = self.workdir / "homeserver.log"
        self.stdout_path = self.workdir / "synapse.stdout.log"
        self._secret = secrets.token_hex(32)
        self._proc: subprocess.Popen[bytes] | None = None
        self._admin_token: str | None = None

    # --- lifecycle -------------------------------------------------------------------

    def start(self, timeout: float = 60) -> None:
        """Spawn Synapse and block until the client API answers, so callers can use it."""
        if self._proc is not None and self._proc.poll() is None:
            return
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._write_config()
        cmd = [self.synapse_python, "-m", "synapse.app.homeserver", "-c", str(self.config_path)]
        started = time.monotonic()
        with open(self.stdout_path, "ab") as out:
            self._proc = subprocess.Popen(
                cmd,
                cwd=self.workdir,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = started + timeout
        while True:
            code = self._proc.poll()
            if code is not None:
                self._proc = None
                raise DevServerError(f"Synapse exited with code {code}:\n{self._log_tail()}")
            if self._ready():
                log.info("Synapse ready at %s in %.1f s", self.url, time.monotonic() - started)
                return
            if time.monotonic() > deadline:
                self.stop()
                raise DevServerError(
                    f"Synapse not ready after {timeout:.0f} s:\n{self._log_tail()}"
                )
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop Synapse politely, then by force; safe to call twice."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    def kill(self) -> None:
        """Kill Synapse without warning (SIGKILL), as a crash or the OOM killer would."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.kill()
        proc.wait(timeout=10)

    def restart(self) -> None:
        """Simulate a server outage: same port, same database, tokens stay valid."""
        self.stop()
        self.start()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def __enter__(self) -> DevServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- users -----------------------------------------------------------------------

    def register(self, localpart: str, password: str, *, admin: bool = False) -> str:
        """Create a user and drop the login that registration implies (a device without keys)."""
        body = self._register_session(localpart, password, admin=admin)
        self._call("POST", "/_matrix/client/v3/logout", {}, token=body["access_token"])
        return str(body["user_id"])

    def login_token(self, user_id: str, password: str) -> str:
        """Log in with a password; every call makes a new device."""
        body = self._call(
            "POST",
            "/_matrix/client/v3/login",
            {
                "type": "m.login.password",
                "identifier": {"type": "m.id.user", "user": user_id},
                "password": password,
            },
        )
        return str(body["access_token"])

    def admin_token(self) -> str:
        """An admin access token for the admin API; one device, reused for the server's life."""
        if self._admin_token is None:
            password_file = self.workdir / "admin-password"
            user_id = f"@{ADMIN_LOCALPART}:{self.server_name}"
            if password_file.exists():  # workdir reused: the admin already exists
                self._admin_token = self.login_token(user_id, password_file.read_text())
            else:
                password = secrets.token_urlsafe(16)
                body = self._register_session(ADMIN_LOCALPART, password, admin=True)
                password_file.write_text(password)
                self._admin_token = str(body["access_token"])
        return self._admin_token

    def user_devices(self, user_id: str) -> list[str]:
        """Device ids of a user, to check that clients don't leak devices."""
        path = f"/_synapse/admin/v2/users/{urllib.parse.quote(user_id, safe='')}/devices"
        body = self._call("GET", path, token=self.admin_token())
        return [str(d["device_id"]) for d in body.get("devices", [])]

    def registration(self, nonce: str, localpart: str, password: str, *, admin: bool = False
                     ) -> dict[str, Any]:
        """The body of a shared-secret registration for `nonce` (`devtools.crowd` posts
        many of these concurrently)."""
        message = "\0".join([nonce, localpart, password, "admin" if admin else "notadmin"])
        mac = hmac.new(self._secret.encode(), message.encode(), hashlib.sha1)
        return {"nonce": nonce, "username": localpart, "password": password, "admin": admin,
                "mac": mac.hexdigest()}

    def _register_session(self, localpart: str, password: str, *, admin: bool) -> dict[str, Any]:
        nonce = self._call("GET", "/_synapse/admin/v1/register")["nonce"]
        return self._call("POST", "/_synapse/admin/v1/register",
                          self.registration(nonce, localpart, password, admin=admin))

    # --- plumbing --------------------------------------------------------------------

    def _call(
        self, method: str, path: str, payload: dict[str, Any] | None = None, *, token: str = ""
    ) -> dict[str, Any]:
        data = json.dumps(payload).encode() if payload is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as err:
            detail = err.read().decode(errors="replace")
            raise DevServerError(f"{method} {path} -> HTTP {err.code}: {detail}") from err
        except OSError as err:
            raise DevServerError(f"{method} {path} failed: {err}") from err
        result: dict[str, Any] = json.loads(raw) if raw else {}
        return result

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/_matrix/client/versions", timeout=2) as resp:
                return bool(resp.status == 200)
        except (OSError, ValueError):
            return False

    def _log_tail(self, lines: int = 40) -> str:
        parts = []
        for path in (self.stdout_path, self.log_path):
            if path.exists():
                tail = path.read_text(errors="replace").splitlines()[-lines:]
                parts.append(f"--- {path.name} ---\n" + "\n".join(tail))
        return "\n".join(parts) or "(no log output)"

    def _write_config(self) -> None:
        log_config = {
            "version": 1,
            "formatters": {"plain": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}},
            "handlers": {
                "file": {
                    "class": "logging.FileHandler",
                    "filename": str(self.log_path),
                    "formatter": "plain",
                }
            },
            "root": {"level": "WARNING", "handlers": ["file"]},
            "disable_existing_loggers": False,
        }
        log_config_path = self.workdir / "log_config.yaml"
        log_config_path.write_text(json.dumps(log_config, indent=2))
        config: dict[str, Any] = {
            "server_name": self.server_name,
            "pid_file": str(self.workdir / "homeserver.pid"),
            "listeners": [
                {
                    "port": self.port,
                    "bind_addresses": ["127.0.0.1"],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            "database": {
                "name": "sqlite3",
                "args": {"database": str(self.workdir / "homeserver.db")},
            },
            "media_store_path": str(self.workdir / "media_store"),
            "signing_key_path": str(self.workdir / "signing.key"),
            "registration_shared_secret": self._secret,
            "enable_registration": False,
            "report_stats": False,
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "bcrypt_rounds": 4,
            # Synapse replays cached /sync answers for 2 min otherwise, which hides bugs.
            "caches": {"sync_response_cache_duration": 0},
            "log_config": str(log_config_path),
            **_SETUP_LIMITS,
        }
        if not self.rate_limited:
            config.update(_OTHER_LIMITS)
        self.config_path.write_text(json.dumps(config, indent=2))


def main() -> None:
    """Run a dev server by hand until Ctrl-C: `python -m devtools.devserver [--keep]`."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--workdir", type=Path, help="state directory (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="don't delete the temp dir on exit")
    parser.add_argument("--port", type=int)
    parser.add_argument("--rate-limited", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    # Stop Synapse on SIGTERM too (and on SIGINT even if the launching shell ignored it).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="minga-synapse-"))
    try:
        with DevServer(workdir, port=args.port, rate_limited=args.rate_limited) as server:
            print(f"Synapse at {server.url} (server name {server.server_name}), state in {workdir}")
            print(f"admin token: {server.admin_token()}   Ctrl-C to stop")
            while server.running:
                time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        if not args.workdir and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
