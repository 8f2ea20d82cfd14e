"""One login, ever: restore the saved device, or log in once and save it.

Once `session.json` is in the store, no password is needed to start: the saved access
token is checked with `whoami` (so a logged-out device is named in one line instead of
an endless "sync failed") and reused, and nio keeps the same olm account. Every request
here waits and retries while the homeserver is unreachable or rate-limits us, since at
boot it may still be starting.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from nio import (
    AsyncClient,
    AsyncClientConfig,
    ErrorResponse,
    LoginResponse,
    WhoamiResponse,
)

from bot.config import MatrixConfig
from bot.homeserver import (
    Unreachable,
    login_problem,
    retry_after,
    token_problem,
    transport_problem,
    wait_until_reachable,
)
from bot.nio_client import REQUEST_TIMEOUT, MingaClient
from bot.session import SESSION_FILE, SavedSession, load_session, save_session
from bot.startup import StartupError
from bot.transport import TRANSPORT_ERRORS

log = logging.getLogger(__name__)

T = TypeVar("T")
RETRY_SECONDS = 5.0


def new_client(cfg: MatrixConfig, store_dir: Path | None) -> MingaClient:
    return MingaClient(
        cfg.homeserver,
        cfg.user_id,
        store_path=str(store_dir) if store_dir else "",
        config=AsyncClientConfig(
            encryption_enabled=store_dir is not None,
            store_sync_tokens=False,  # our own SQLite keeps the position
            max_limit_exceeded=0,  # we honour Retry-After ourselves
            max_timeouts=0,  # our loops retry (bot/reconnect.py), not nio
            request_timeout=REQUEST_TIMEOUT,
        ),
    )


def saved_session_for(cfg: MatrixConfig, store_dir: Path) -> SavedSession | None:
    """The saved login, refusing a store that belongs to another account."""
    saved = load_session(store_dir)
    if saved and (saved.user_id != cfg.user_id or saved.homeserver != cfg.homeserver):
        raise StartupError(
            f"the store {store_dir} belongs to {saved.user_id} on {saved.homeserver}; "
            "use another storage.store_dir for this account")
    return saved


async def log_in(cfg: MatrixConfig, store_dir: Path) -> MingaClient:
    """A client logged in on the bot's one device; closed again if anything fails."""
    client = new_client(cfg, store_dir)
    try:
        saved = saved_session_for(cfg, store_dir)
        await wait_until_reachable(client)
        if saved:
            await check_token(client, saved.access_token,
                              f"the saved login in {store_dir / SESSION_FILE}")
            client.restore_login(saved.user_id, saved.device_id, saved.access_token)
            log.info("restored device %s", saved.device_id)
            return client
        session = await first_login(client, cfg)
        save_session(store_dir, session)
        client.restore_login(session.user_id, session.device_id, session.access_token)
        log.info("logged in as %s, new device %s", session.user_id, session.device_id)
        return client
    except BaseException:
        await client.close()
        raise


async def check_token(client: AsyncClient, token: str, what: str, *,
                      retry: bool = True) -> WhoamiResponse:
    client.access_token = token
    who = await (patiently(client, client.whoami) if retry else client.whoami())
    if isinstance(who, WhoamiResponse):
        return who
    raise StartupError(token_problem(who, what))


async def first_login(client: AsyncClient, cfg: MatrixConfig) -> SavedSession:
    """Password or access token, the first time only; the caller saves the session."""
    if cfg.access_token:
        who = await check_token(client, cfg.access_token, "matrix.access_token")
        if not who.device_id:
            raise StartupError("matrix.access_token is not tied to a device (an appservice "
                               "token?): use a user's token, or a password")
        return SavedSession(cfg.homeserver, who.user_id, who.device_id, cfg.access_token)
    if not cfg.password:
        raise StartupError(
            "matrix.password is missing: it is needed once, for the first login (there is "
            "no saved login in storage.store_dir yet): set MINGA_MATRIX_PASSWORD or "
            "matrix.password, or matrix.access_token")
    resp = await patiently(client, lambda: client.login(password=cfg.password,
                                                       device_name=cfg.device_name))
    if isinstance(resp, LoginResponse):
        return SavedSession(cfg.homeserver, resp.user_id, resp.device_id, resp.access_token)
    raise StartupError(login_problem(resp, cfg.user_id))


async def patiently(client: AsyncClient, call: Callable[[], Awaitable[T]]) -> T:
    """Retry a start-up request while the homeserver is unreachable or asks us to wait."""
    while True:
        try:
            resp = await call()
        except TRANSPORT_ERRORS as err:
            problem = transport_problem(err, client.homeserver)
            if isinstance(problem, StartupError):
                raise problem from None
            assert isinstance(problem, Unreachable)
            log.warning("%s; retrying in %.0f s", problem, RETRY_SECONDS)
            await asyncio.sleep(RETRY_SECONDS)
            continue
        wait = retry_after(resp) if isinstance(resp, ErrorResponse) else None
        if wait is None:
            return resp
        log.warning("the homeserver asks Minga to wait %.0f s before the next request", wait)
        await asyncio.sleep(wait)
