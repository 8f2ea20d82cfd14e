"""What a failed request to the homeserver means, decided in one place.

Everything Minga asks of its homeserver (sync, keys, to-device, sends, uploads,
joins, state) fails in one of two ways. Either no answer came back: the
connection was refused, reset or cut, or it stalled past its deadline. That
says nothing about the request, so it is retried as soon as the server answers
again. Or the server answered with an error: that is its own word, and is
waited out (Retry-After for 429, a long backoff for 5xx) or accepted (4xx).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import aiohttp
from nio import ErrorResponse
from nio.exceptions import LocalTransportError, RemoteTransportError, SendRetryError

# No answer came back. aiohttp's base class covers ServerDisconnectedError (the server went
# away during a request: a restart while a /sync long-poll is open), ClientConnectorError
# (refused), ClientPayloadError (a body cut short) and the rest; OSError what lies below it.
# SendRetryError is nio's "could not load the room's members to encrypt", a transport failure
# in disguise (it subclasses LocalProtocolError, so check this before that).
TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    aiohttp.ClientError,
    TimeoutError,  # a deadline passed; asyncio.TimeoutError is this class since Python 3.11
    OSError,
    SendRetryError,
    LocalTransportError,
    RemoteTransportError,
)

# A reverse proxy in front of a restarting Synapse answers these itself: the homeserver
# behind it is away, which is the same as not reachable.
GATEWAY_STATUSES = frozenset({502, 503, 504})
DEFAULT_RETRY_AFTER = 5.0


def is_transport_error(exc: BaseException) -> bool:
    """True when a request got no answer at all (see TRANSPORT_ERRORS)."""
    return isinstance(exc, TRANSPORT_ERRORS)


class Kind(enum.Enum):
    UNREACHABLE = "unreachable"  # no answer, or a gateway's: retry as soon as it answers
    RATE_LIMITED = "rate limited"  # 429: wait as long as it says
    SERVER_ERROR = "server error"  # 5xx from the server itself: back off, up to minutes
    REFUSED = "refused"  # any other 4xx: the server's final word on this request


@dataclass(frozen=True)
class Verdict:
    kind: Kind
    reason: str  # an error code or exception type, never content
    retry_after: float | None = None


def unreachable(exc: BaseException) -> Verdict:
    return Verdict(Kind.UNREACHABLE, type(exc).__name__)


def classify_response(resp: ErrorResponse) -> Verdict:
    """What an error answer from the homeserver (or a proxy in front of it) means."""
    status = http_status(resp)
    reason = describe(resp) if status is None else f"HTTP {status} {describe(resp)}".strip()
    if status == 429 or resp.status_code == "M_LIMIT_EXCEEDED":
        return Verdict(Kind.RATE_LIMITED, reason, retry_after(resp))
    if status is None or status < 400 or status in GATEWAY_STATUSES:
        # No status: nio made the error up from an unreadable body; a 2xx that parsed as an
        # error is a garbled answer. Both are the network's doing, like a gateway's 502.
        return Verdict(Kind.UNREACHABLE, reason)
    if status >= 500:
        return Verdict(Kind.SERVER_ERROR, reason)
    return Verdict(Kind.REFUSED, reason)


def describe(resp: object) -> str:
    """An error response as its code and the server's message (never our content)."""
    if isinstance(resp, ErrorResponse):
        return f"{resp.status_code or ''} {resp.message or ''}".strip()
    return type(resp).__name__


def http_status(resp: ErrorResponse) -> int | None:
    transport = getattr(resp, "transport_response", None)
    status = getattr(transport, "status", None)
    return status if isinstance(status, int) else None


def retry_after(resp: ErrorResponse) -> float:
    """How long the homeserver asks us to wait.

    retry_after_ms (deprecated since v1.10, still sent by Synapse) is exact; the
    Retry-After header is whole seconds, so waiting by it alone often earns a
    second 429. Take the precise one when both are there.
    """
    ms = getattr(resp, "retry_after_ms", None)
    if ms:
        return float(ms) / 1000
    transport = getattr(resp, "transport_response", None)
    headers = getattr(transport, "headers", None)
    header = headers.get("Retry-After") if headers is not None else None
    if header:
        try:
            return max(float(header), 0.0)
        except ValueError:
            pass
    return DEFAULT_RETRY_AFTER
