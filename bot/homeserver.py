"""Is `matrix.homeserver` a Matrix homeserver we can reach? Answers in one line each.

Used at start (before any login, retrying while the homeserver may still be starting)
and by `minga check-config --online`. A problem that waiting cannot fix (an unknown
host, a bad certificate, a web server that is not Matrix, a wrong password) is a
`StartupError` at once; one that waiting can fix is retried with backoff, one log line
per attempt.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import socket
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
from nio import AsyncClient, ErrorResponse

from bot.startup import StartupError
from bot.transport import GATEWAY_STATUSES, TRANSPORT_ERRORS, Kind, classify_response, http_status

log = logging.getLogger(__name__)

PROBE_TIMEOUT = 15.0
# Back within seconds (issue 21): a homeserver that is still starting is asked again at least
# every 5 s, the same bound as the running bot's probing.
RETRY_CAP = 5.0
VERSIONS = "/_matrix/client/versions"
_REASONS = {
    errno.ECONNREFUSED: "connection refused",
    errno.EHOSTUNREACH: "host unreachable",
    errno.ENETUNREACH: "network unreachable",
    errno.ETIMEDOUT: "timed out",
    errno.ECONNRESET: "connection reset",
}


class Unreachable(Exception):
    """Waiting may help: the homeserver is down, starting, or the network is."""


@dataclass(frozen=True)
class ServerInfo:
    versions: tuple[str, ...]
    software: str


def transport_problem(err: BaseException, url: str) -> StartupError | Unreachable:
    """What a failed request means for an operator, and whether waiting can fix it."""
    host = urlsplit(url).hostname or url
    if isinstance(err, aiohttp.ClientConnectorCertificateError):
        return StartupError(
            f"the TLS certificate of {url} was refused ({_tls_reason(err)}): the homeserver "
            "needs a certificate valid for its name (e.g. from Let's Encrypt); check "
            "matrix.homeserver")
    if isinstance(err, aiohttp.ClientSSLError | ssl.SSLError):
        return StartupError(
            f"the TLS handshake with {url} failed ({_tls_reason(err)}): check that "
            "matrix.homeserver has the right scheme and port (https:// where TLS is served, "
            "http:// where it is not)")
    gai = _gaierror(err)
    if gai is not None:
        if gai.errno == socket.EAI_AGAIN:
            return Unreachable(f"cannot resolve {host} right now (temporary DNS failure)")
        return StartupError(
            f"cannot resolve the homeserver's host name {host!r} (DNS: "
            f"{gai.strerror or 'no such host'}): check matrix.homeserver for a typo, and "
            "that this machine's DNS works")
    if isinstance(err, aiohttp.ClientConnectorError):
        reason = _REASONS.get(err.os_error.errno or 0, err.os_error.strerror or "cannot connect")
        return Unreachable(f"cannot reach the homeserver at {url} ({reason})")
    if isinstance(err, TimeoutError):
        return Unreachable(f"the homeserver at {url} did not answer in time")
    return Unreachable(f"the connection to {url} failed ({type(err).__name__})")


def _gaierror(err: BaseException) -> socket.gaierror | None:
    if isinstance(err, socket.gaierror):
        return err
    inner = getattr(err, "os_error", None) or err.__cause__
    return inner if isinstance(inner, socket.gaierror) else None


def _tls_reason(err: BaseException) -> str:
    inner = getattr(err, "certificate_error", None) or getattr(err, "os_error", None) or err
    reason = getattr(inner, "verify_message", None) or getattr(inner, "reason", None)
    return str(reason or inner).strip() or type(err).__name__


async def _get_json(client: AsyncClient, path: str) -> tuple[int, str, object]:
    resp = await client.send("GET", path, timeout=PROBE_TIMEOUT)
    try:
        body = await resp.read()
    finally:
        resp.release()
    try:
        data: object = json.loads(body)
    except ValueError:
        data = None
    return resp.status, resp.headers.get("Content-Type", "?").split(";")[0], data


async def versions(client: AsyncClient) -> tuple[str, ...]:
    """GET /versions once: the spec versions, or StartupError / Unreachable."""
    url = client.homeserver
    try:
        status, kind, data = await _get_json(client, VERSIONS)
    except TRANSPORT_ERRORS as err:
        raise transport_problem(err, url) from None
    if status in GATEWAY_STATUSES:
        raise Unreachable(f"{url} answers HTTP {status}: the homeserver behind it is down "
                          "or still starting")
    found = data.get("versions") if isinstance(data, dict) else None
    if status == 200 and isinstance(found, list) and found:
        return tuple(str(v) for v in found)
    hint = await _well_known_hint(client)
    raise StartupError(
        f"{url} is not a Matrix homeserver (GET {VERSIONS} answered HTTP {status}, {kind}): "
        + (hint or "set matrix.homeserver to the client API's base URL, the one Element "
           "uses, e.g. https://matrix.example.org"))


async def _well_known_hint(client: AsyncClient) -> str | None:
    """A server name given instead of the client API's URL: .well-known names the right one."""
    try:
        status, _, data = await _get_json(client, "/.well-known/matrix/client")
    except TRANSPORT_ERRORS:
        return None
    base = (data.get("m.homeserver") or {}).get("base_url") if isinstance(data, dict) else None
    if status == 200 and isinstance(base, str) and base.rstrip("/") != client.homeserver:
        return f"its .well-known names {base.rstrip('/')}; use that as matrix.homeserver"
    return None


async def software(client: AsyncClient) -> str:
    """The server's name and version, from whichever endpoint it answers."""
    probes: list[tuple[str, Callable[[dict[str, object]], str]]] = [
        ("/_matrix/federation/v1/version",
         lambda d: "{name} {version}".format(**d["server"])),  # type: ignore[arg-type]
        ("/_synapse/admin/v1/server_version", lambda d: f"Synapse {d['server_version']}"),
    ]
    for path, pick in probes:
        try:
            status, _, data = await _get_json(client, path)
            if status == 200 and isinstance(data, dict):
                return pick(data)
        except TRANSPORT_ERRORS:
            continue
        except (KeyError, TypeError):  # an answer of another shape
            continue
    return "unknown (the server does not say)"


async def wait_until_reachable(
    client: AsyncClient, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
) -> tuple[str, ...]:
    """/versions until it answers: the homeserver may still be starting (same boot)."""
    delay, attempt = 1.0, 0
    while True:
        attempt += 1
        try:
            return await versions(client)
        except Unreachable as problem:
            log.warning("%s; attempt %d, next in %.0f s (check matrix.homeserver if this "
                        "goes on)", problem, attempt, delay)
        await sleep(delay)
        delay = min(delay * 2, RETRY_CAP)


def login_problem(resp: ErrorResponse, user_id: str) -> str:
    code, message = resp.status_code or "", (resp.message or "").rstrip(".")
    if code == "M_FORBIDDEN":
        return (f"login as {user_id} failed: the homeserver says the user id or password is "
                f"wrong ({code} {message}): check matrix.user_id and the password "
                "(MINGA_MATRIX_PASSWORD or matrix.password)")
    if code == "M_USER_DEACTIVATED":
        return (f"login as {user_id} failed: the account is deactivated ({code}): ask the "
                "homeserver's admin, or use another account")
    return (f"login as {user_id} failed ({code or 'HTTP ' + str(http_status(resp))} {message}): "
            "check matrix.user_id and the credentials")


def token_problem(resp: ErrorResponse, what: str) -> str:
    code, message = resp.status_code or "", (resp.message or "").rstrip(".")
    return (f"{what} was rejected ({code} {message}): it was logged out or mistyped; give a "
            "current access token, or a password to log in once")


def retry_after(resp: ErrorResponse) -> float | None:
    """Seconds to wait if the homeserver rate-limited us, else None."""
    verdict = classify_response(resp)
    return verdict.retry_after if verdict.kind is Kind.RATE_LIMITED else None
