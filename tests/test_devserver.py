"""The throw-away Synapse the integration tests stand on."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from devtools.devserver import DevServer, DevServerError

pytestmark = pytest.mark.integration


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_lifecycle_registration_and_restart(tmp_path: Path) -> None:
    server = DevServer(tmp_path)
    assert server.url == f"http://127.0.0.1:{server.port}"
    with server:
        assert server.server_name == "localhost"
        alice = server.register("alice", "alice-pw")
        bob = server.register("bob", "bob-pw", admin=True)
        assert (alice, bob) == ("@alice:localhost", "@bob:localhost")
        # The registration logins were logged out: no key-less devices left behind.
        assert server.user_devices(alice) == []
        assert server.user_devices(bob) == []
        assert server.admin_token() == server.admin_token()

        server.login_token(alice, "alice-pw")
        assert len(server.user_devices(alice)) == 1

        server.restart()
        assert _port_open(server.port)
        # Same database: users survive, the cached admin token still works.
        assert len(server.user_devices(alice)) == 1
        with pytest.raises(DevServerError, match="M_USER_IN_USE"):
            server.register("alice", "other-pw")

    assert not server.running
    assert not _port_open(server.port)
    server.stop()  # idempotent


def test_rate_limited_server_starts(tmp_path: Path) -> None:
    started = time.monotonic()
    with DevServer(tmp_path, rate_limited=True) as server:
        assert server.register("carol", "pw") == "@carol:localhost"
    assert time.monotonic() - started < 30


def test_start_failure_reports_log(tmp_path: Path) -> None:
    server = DevServer(tmp_path, synapse_python="/bin/false")
    with pytest.raises(DevServerError, match="exited with code 1"):
        server.start(timeout=10)
    assert not server.running
