"""One classification of failed requests: no answer vs. the server's own error."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from nio import ErrorResponse, SyncError, UploadError
from nio.exceptions import LocalProtocolError, RemoteTransportError, SendRetryError

from bot.transport import (
    DEFAULT_RETRY_AFTER,
    Kind,
    classify_response,
    is_transport_error,
    retry_after,
)


@pytest.mark.parametrize("exc", [
    aiohttp.ServerDisconnectedError(),  # the restart under an open long-poll (issue 21)
    aiohttp.ClientOSError(104, "reset"),
    aiohttp.ClientPayloadError("body cut short"),
    aiohttp.ClientConnectionError("Connector is closed."),
    TimeoutError(),  # asyncio.TimeoutError is this class since Python 3.11
    ConnectionRefusedError(111, "refused"),
    ConnectionResetError(104, "reset"),
    SendRetryError("members not synced"),
    RemoteTransportError("gone"),
], ids=lambda e: type(e).__name__)
def test_no_answer_is_a_transport_error(exc: BaseException) -> None:
    assert is_transport_error(exc)


@pytest.mark.parametrize("exc", [
    ValueError("bad"), KeyError("x"), LocalProtocolError("not logged in"),
    RuntimeError("bug"), asyncio.CancelledError(),
], ids=lambda e: type(e).__name__)
def test_bugs_and_local_refusals_are_not(exc: BaseException) -> None:
    assert not is_transport_error(exc)


def answer(cls: type[ErrorResponse], body: dict[str, Any], status: int | None,
           headers: dict[str, str] | None = None) -> ErrorResponse:
    resp = cls.from_dict(body)
    if status is not None:
        resp.transport_response = SimpleNamespace(status=status, headers=headers or {})
    return resp


def test_429_waits_as_long_as_asked_preferring_milliseconds() -> None:
    limited = answer(UploadError, {"errcode": "M_LIMIT_EXCEEDED", "error": "slow down",
                                     "retry_after_ms": 1500}, 429, {"Retry-After": "2"})
    verdict = classify_response(limited)
    assert verdict.kind is Kind.RATE_LIMITED
    assert verdict.retry_after == 1.5
    header_only = answer(UploadError, {"errcode": "M_LIMIT_EXCEEDED", "error": "x"}, 429,
                         {"Retry-After": "7"})
    assert retry_after(header_only) == 7.0
    neither = answer(UploadError, {"errcode": "M_LIMIT_EXCEEDED", "error": "x"}, 429)
    assert retry_after(neither) == DEFAULT_RETRY_AFTER


@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_gateway_answering_for_an_absent_server_is_unreachable(status: int) -> None:
    # nginx's HTML error page parses as nothing: nio makes up "unknown error".
    verdict = classify_response(answer(SyncError, {}, status))
    assert verdict.kind is Kind.UNREACHABLE
    assert str(status) in verdict.reason


def test_an_unreadable_answer_is_unreachable() -> None:
    assert classify_response(answer(SyncError, {}, None)).kind is Kind.UNREACHABLE
    assert classify_response(answer(SyncError, {}, 200)).kind is Kind.UNREACHABLE


def test_a_5xx_of_the_server_itself_is_a_server_error() -> None:
    resp = answer(SyncError, {"errcode": "M_UNKNOWN", "error": "Internal server error"}, 500)
    verdict = classify_response(resp)
    assert verdict.kind is Kind.SERVER_ERROR
    assert verdict.reason == "HTTP 500 M_UNKNOWN Internal server error"


def test_any_other_4xx_is_the_servers_last_word() -> None:
    resp = answer(UploadError, {"errcode": "M_FORBIDDEN", "error": "not in room"}, 403)
    assert classify_response(resp).kind is Kind.REFUSED
