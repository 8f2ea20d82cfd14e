"""Every way start-up fails, through the real `minga run`: one line, what and what to do.

Each case runs the installed command as its own process, as an operator would, and checks
that nothing else is printed (no traceback, no nio noise) and that the exit code says it
failed. Real parts throughout: a real Synapse for the credentials, a real web server that
is not Matrix, a real self-signed TLS server, a real full disk (a small tmpfs in a private
mount namespace) and a real unprivileged user for folders it may not write.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import shutil
import signal
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.devserver import DevServer, free_port

pytestmark = pytest.mark.integration


def config_text(homeserver: str, data: Path, *, user: str = "@minga:localhost",
                password: str | None = "secret") -> str:
    lines = ["[matrix]", f'homeserver = "{homeserver}"', f'user_id = "{user}"']
    if password is not None:
        lines.append(f'password = "{password}"')
    lines += ["[storage]", f'database = "{data}/minga.db"', f'store_dir = "{data}/store"']
    return "\n".join(lines) + "\n"


def write_config(folder: Path, homeserver: str, data: Path | None = None, **kw: str | None
                 ) -> Path:
    path = folder / "minga.toml"
    path.write_text(config_text(homeserver, data or folder / "data", **kw), encoding="utf-8")
    return path


def minga(*args: str, prefix: tuple[str, ...] = (), timeout: float = 60
          ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINGA_MATRIX_")}
    return subprocess.run(
        [*prefix, sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True,
        timeout=timeout, env=env, stdin=subprocess.DEVNULL, check=False)


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The process failed and said so in exactly one line, and nothing else."""
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 1, output
    assert "Traceback" not in output and "Error validating response" not in output, output
    assert len(output.splitlines()) == 1, output
    assert output.startswith("minga: ")
    print(output)
    return output


class BadGateway(http.server.BaseHTTPRequestHandler):
    """What a reverse proxy answers while the homeserver behind it is down."""

    def do_GET(self) -> None:
        self.send_response(502)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<h1>502 Bad Gateway</h1>")

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def web_server(tls: tuple[Path, Path] | None = None,
               handler: type[http.server.BaseHTTPRequestHandler] | None = None
               ) -> Iterator[int]:
    """A real web server that is not Matrix: every path is a 404 page (or `handler`'s)."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler or Quiet)
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def unprivileged() -> tuple[tuple[str, ...], int]:
    """A command prefix that drops root's power to ignore file modes, and the uid it gives.

    As root, a user namespace without capabilities (the files stay readable: they still
    belong to the same real user); as anyone else, nothing is needed.
    """
    if os.getuid() != 0:
        return (), os.getuid()
    if shutil.which("unshare") is None:
        pytest.skip("running as root without unshare: file modes cannot be tested")
    probe = subprocess.run(["unshare", "-U", "id", "-u"], capture_output=True, text=True,
                           check=False)
    if probe.returncode != 0:
        pytest.skip(f"no user namespaces here: {probe.stderr.strip()}")
    return ("unshare", "-U"), int(probe.stdout)


# ---- the homeserver ------------------------------------------------------------------------


def test_unreachable_homeserver_is_retried_one_line_per_attempt(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    config = write_config(tmp_path, f"http://127.0.0.1:{port}")
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--config", str(config)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    lines = [proc.stdout.readline().strip() for _ in range(2)]
    proc.send_signal(signal.SIGTERM)  # it stops at once, even while waiting
    rest, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, rest
    for attempt, line in enumerate(lines, 1):
        print(line)
        assert line.endswith(
            f"WARNING bot.homeserver: cannot reach the homeserver at http://127.0.0.1:{port} "
            f"(connection refused); attempt {attempt}, next in {2 ** (attempt - 1)} s (check "
            "matrix.homeserver if this goes on)"), line
    assert "Traceback" not in rest and "Unclosed" not in rest, rest


def test_proxy_without_homeserver_is_retried(tmp_path: Path) -> None:
    with web_server(handler=BadGateway) as port:
        config = write_config(tmp_path, f"http://127.0.0.1:{port}")
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--config", str(config)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=20)
    print(line)
    assert proc.returncode == 0, rest
    assert line.endswith(
        f"WARNING bot.homeserver: http://127.0.0.1:{port} answers HTTP 502: the homeserver "
        "behind it is down or still starting; attempt 1, next in 1 s (check "
        "matrix.homeserver if this goes on)"), line


def test_unknown_host(tmp_path: Path) -> None:
    line = one_line(minga("run", "--config",
                          str(write_config(tmp_path, "https://minga-no-such-host.invalid"))))
    assert line.startswith("minga: cannot resolve the homeserver's host name "
                           "'minga-no-such-host.invalid' (DNS: ")
    assert line.endswith("check matrix.homeserver for a typo, and that this machine's DNS works")


def test_not_a_matrix_server(tmp_path: Path) -> None:
    with web_server() as port:
        line = one_line(minga("run", "--config",
                              str(write_config(tmp_path, f"http://127.0.0.1:{port}"))))
    assert line == (
        f"minga: http://127.0.0.1:{port} is not a Matrix homeserver (GET "
        "/_matrix/client/versions answered HTTP 404, text/html): set matrix.homeserver to the "
        "client API's base URL, the one Element uses, e.g. https://matrix.example.org")


def test_tls_to_a_plain_http_port(tmp_path: Path) -> None:
    with web_server() as port:
        line = one_line(minga("run", "--config",
                              str(write_config(tmp_path, f"https://127.0.0.1:{port}"))))
    assert line.startswith(f"minga: the TLS handshake with https://127.0.0.1:{port} failed (")
    assert line.endswith("check that matrix.homeserver has the right scheme and port "
                         "(https:// where TLS is served, http:// where it is not)")


def test_self_signed_certificate(tmp_path: Path) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: no certificate to serve")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=localhost"],
                   check=True, capture_output=True)
    with web_server((cert, key)) as port:
        line = one_line(minga("run", "--config",
                              str(write_config(tmp_path, f"https://127.0.0.1:{port}"))))
    assert line == (
        f"minga: the TLS certificate of https://127.0.0.1:{port} was refused (self-signed "
        "certificate): the homeserver needs a certificate valid for its name (e.g. from "
        "Let's Encrypt); check matrix.homeserver")


def test_wrong_password(synapse: DevServer, tmp_path: Path) -> None:
    user = synapse.register(f"wrongpw-{os.getpid()}-{time.monotonic_ns()}", "right-password")
    config = write_config(tmp_path, synapse.url, user=user, password="wrong-password")
    line = one_line(minga("run", "--config", str(config)))
    assert line == (
        f"minga: login as {user} failed: the homeserver says the user id or password is "
        "wrong (M_FORBIDDEN Invalid username or password): check matrix.user_id and the "
        "password (MINGA_MATRIX_PASSWORD or matrix.password)")
    assert synapse.user_devices(user) == []


def test_rejected_access_token(synapse: DevServer, tmp_path: Path) -> None:
    user = synapse.register(f"badtoken-{os.getpid()}-{time.monotonic_ns()}", "pw")
    config = write_config(tmp_path, synapse.url, user=user, password=None)
    text = config.read_text().replace("[storage]", 'access_token = "syt_not_a_token"\n[storage]')
    config.write_text(text)
    line = one_line(minga("run", "--config", str(config)))
    assert line == (
        "minga: matrix.access_token was rejected (M_UNKNOWN_TOKEN Invalid access token "
        "passed): it was logged out or mistyped; give a current access token, or a password "
        "to log in once")


# ---- storage -------------------------------------------------------------------------------


def test_store_dir_is_a_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "store").write_text("not a folder")
    line = one_line(minga("run", "--config", str(write_config(tmp_path, "http://127.0.0.1:9"))))
    assert line == (
        f"minga: storage.store_dir: {data / 'store'} is a file, not a folder: point "
        "storage.store_dir at a folder (Minga creates it) or move the file away")


def test_data_folder_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("not a folder")
    line = one_line(minga("run", "--config", str(write_config(tmp_path, "http://127.0.0.1:9"))))
    assert line == (
        f"minga: storage.store_dir: {tmp_path / 'data'} is a file, so "
        f"{tmp_path / 'data' / 'store'} cannot be created under it: move the file away or "
        "point storage.store_dir elsewhere")


def test_database_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "data" / "minga.db").mkdir(parents=True)
    line = one_line(minga("run", "--config", str(write_config(tmp_path, "http://127.0.0.1:9"))))
    assert line == (f"minga: storage.database: {tmp_path / 'data' / 'minga.db'} is a folder, "
                    "not a file: give a file path such as data/minga.db")


def test_store_not_writable(tmp_path: Path) -> None:
    prefix, uid = unprivileged()
    store = tmp_path / "data" / "store"
    store.mkdir(parents=True)
    store.chmod(0o500)
    line = one_line(minga("run", "--config", str(write_config(tmp_path, "http://127.0.0.1:9")),
                          prefix=prefix))
    assert line == (
        f"minga: storage.store_dir: {store} is not writable by Minga (uid {uid}): make it "
        "writable by the user Minga runs as (chown / chmod u+rwx)")


def test_database_folder_not_writable(tmp_path: Path) -> None:
    prefix, uid = unprivileged()
    data = tmp_path / "db"
    data.mkdir()
    data.chmod(0o500)
    config = write_config(tmp_path, "http://127.0.0.1:9")
    config.write_text(config.read_text().replace(f"{tmp_path}/data/minga.db",
                                                 f"{data}/minga.db"))
    line = one_line(minga("run", "--config", str(config), prefix=prefix))
    assert line == (f"minga: storage.database: {data} is not writable by Minga (uid {uid}): "
                    "make it writable by the user Minga runs as (chown / chmod u+rwx)")


def test_data_folder_cannot_be_created(tmp_path: Path) -> None:
    prefix, uid = unprivileged()
    parent = tmp_path / "locked"
    parent.mkdir()
    parent.chmod(0o500)
    config = write_config(tmp_path, "http://127.0.0.1:9", parent / "data")
    line = one_line(minga("run", "--config", str(config), prefix=prefix))
    assert line == (f"minga: storage.store_dir: {parent / 'data'} cannot be created: "
                    f"permission denied in {parent}: create it and give it to the user Minga "
                    f"runs as (uid {uid})")


def in_small_tmpfs(options: str) -> tuple[str, ...]:
    """A command prefix: a private mount namespace with a tiny tmpfs on /mnt."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare is not installed")
    check = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs tmpfs /mnt"],
                           capture_output=True, check=False)
    if check.returncode != 0:
        pytest.skip("no user namespaces here: cannot mount a small disk "
                    f"({check.stderr.decode().strip()})")
    return ("unshare", "-rm", "sh", "-c", f'mount -t tmpfs -o {options} tmpfs /mnt && exec "$@"',
            "sh")


def test_disk_full(tmp_path: Path) -> None:
    prefix = in_small_tmpfs("size=200k")
    config = write_config(tmp_path, "http://127.0.0.1:9", Path("/mnt/data"))
    line = one_line(minga("run", "--config", str(config), prefix=prefix))
    assert line == ("minga: storage.database: /mnt/data/minga.db: the disk is full: free some "
                    "space on it, then start Minga again")


def test_read_only_file_system(tmp_path: Path) -> None:
    prefix = in_small_tmpfs("ro,size=200k")
    config = write_config(tmp_path, "http://127.0.0.1:9", Path("/mnt/data"))
    line = one_line(minga("run", "--config", str(config), prefix=prefix))
    assert line == (
        "minga: storage.store_dir: /mnt/data is on a read-only file system: put Minga's data "
        "on a writable one (under systemd: ReadWritePaths / StateDirectory; in a container: "
        "the data volume)")


def test_debug_level_shows_the_traceback(tmp_path: Path) -> None:
    (tmp_path / "data" / "minga.db").mkdir(parents=True)
    config = write_config(tmp_path, "http://127.0.0.1:9")
    result = minga("run", "--config", str(config), "--log-level", "debug")
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("minga: storage.database: ")
