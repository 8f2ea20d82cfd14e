"""Hundreds of plain members in one room, quickly: for the big-room fault scenario.

They are not E2EE clients (nobody reads as them): each is registered with the server's
shared secret and joins through the client-server API with the access token registration
returns, a bounded number at a time, so Synapse is kept busy but never flooded.
"""

from __future__ import annotations

import asyncio
import secrets
import time
import urllib.parse
from dataclasses import dataclass

import aiohttp

from devtools.devserver import DevServer, DevServerError


@dataclass
class Crowd:
    user_ids: list[str]
    seconds: float  # registration and joins, wall clock


async def join_crowd(server: DevServer, room_id: str, count: int, *, prefix: str = "crowd",
                     concurrency: int = 8) -> Crowd:
    """Register `count` users and join each to `room_id` (which must let them join)."""
    started = time.monotonic()
    gate = asyncio.Semaphore(concurrency)
    room = urllib.parse.quote(room_id, safe="")
    tag = secrets.token_hex(2)

    async def call(session: aiohttp.ClientSession, method: str, path: str,
                   body: dict[str, object] | None = None, token: str = "") -> dict[str, object]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for attempt in range(5):
            async with session.request(method, server.url + path, json=body,
                                       headers=headers) as resp:
                if resp.status == 429 or resp.status >= 500:
                    await asyncio.sleep(0.2 * (attempt + 1))
                    continue
                data: dict[str, object] = await resp.json()
                if resp.status != 200:
                    raise DevServerError(f"{method} {path} -> HTTP {resp.status}: {data}")
                return data
        raise DevServerError(f"{method} {path}: still refused after 5 attempts")

    async def one(session: aiohttp.ClientSession, index: int) -> str:
        localpart = f"{prefix}-{tag}-{index:04d}"
        password = secrets.token_urlsafe(12)
        async with gate:
            nonce = str((await call(session, "GET", "/_synapse/admin/v1/register"))["nonce"])
            body = await call(session, "POST", "/_synapse/admin/v1/register",
                              server.registration(nonce, localpart, password))
            await call(session, "POST", f"/_matrix/client/v3/join/{room}", {},
                       token=str(body["access_token"]))
            return str(body["user_id"])

    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        user_ids = await asyncio.gather(*(one(session, i) for i in range(count)))
    return Crowd(list(user_ids), time.monotonic() - started)
