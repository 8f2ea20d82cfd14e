"""The fault suite's TCP proxy does what its faults say, on loopback, in well under a second."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from tests.faults.proxy import FaultProxy


class Upper:
    """An upstream server that answers every chunk with the same bytes upper-cased."""

    def __init__(self) -> None:
        self.received = b""
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                self.received += data
                writer.write(data.upper())
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()


@pytest.fixture
async def setup() -> AsyncIterator[tuple[FaultProxy, Upper]]:
    upstream = Upper()
    proxy = FaultProxy(await upstream.start())
    await proxy.start()
    yield proxy, upstream
    await proxy.close()
    assert upstream.server is not None
    upstream.server.close()


async def connect(proxy: FaultProxy) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", proxy.port)


async def ask(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, data: bytes) -> bytes:
    writer.write(data)
    await writer.drain()
    return await asyncio.wait_for(reader.readexactly(len(data)), 5)


async def test_passes_bytes_both_ways(setup: tuple[FaultProxy, Upper]) -> None:
    proxy, _ = setup
    reader, writer = await connect(proxy)
    assert await ask(reader, writer, b"hello") == b"HELLO"
    writer.close()


async def test_cut_with_reset_and_with_fin(setup: tuple[FaultProxy, Upper]) -> None:
    proxy, _ = setup
    reader, writer = await connect(proxy)
    await ask(reader, writer, b"a")
    assert proxy.cut(rst=True) == 1
    with pytest.raises(ConnectionResetError):
        await asyncio.wait_for(reader.read(10), 5)
    reader, writer = await connect(proxy)
    await ask(reader, writer, b"b")
    assert proxy.cut(rst=False) == 1
    assert await asyncio.wait_for(reader.read(10), 5) == b""  # a clean end of stream


async def test_refuse_then_accept(setup: tuple[FaultProxy, Upper]) -> None:
    proxy, _ = setup
    proxy.refuse()
    with pytest.raises(ConnectionRefusedError):
        await connect(proxy)
    await proxy.accept()
    reader, writer = await connect(proxy)
    assert await ask(reader, writer, b"back") == b"BACK"
    writer.close()


async def test_black_hole_accepts_and_never_answers_until_healed(
        setup: tuple[FaultProxy, Upper]) -> None:
    proxy, upstream = setup
    reader, writer = await connect(proxy)
    await ask(reader, writer, b"x")
    proxy.blackhole()
    writer.write(b"lost")
    fresh_reader, fresh_writer = await connect(proxy)  # accepted...
    fresh_writer.write(b"also lost")
    for stream in (reader, fresh_reader):  # ...and silent
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(stream.read(10), 0.3)
    assert b"lost" not in upstream.received
    proxy.heal()
    assert await ask(reader, writer, b"again") == b"AGAIN"
    writer.close()
    fresh_writer.close()


async def test_drip_slows_the_bytes_down(setup: tuple[FaultProxy, Upper]) -> None:
    proxy, _ = setup
    reader, writer = await connect(proxy)
    proxy.drip(2048)
    started = time.monotonic()
    payload = b"d" * 1024
    assert await ask(reader, writer, payload) == payload.upper()
    # 1 KiB at 2 KiB/s (both ways overlap): half a second at least, however fast the machine.
    assert time.monotonic() - started >= 0.45
    writer.close()


async def test_cut_response_to_delivers_the_request_and_loses_the_answer(
        setup: tuple[FaultProxy, Upper]) -> None:
    proxy, upstream = setup
    reader, writer = await connect(proxy)
    proxy.cut_response_to(b"PUT /send")
    writer.write(b"PUT /send/1")
    await writer.drain()
    with pytest.raises(ConnectionResetError):
        await asyncio.wait_for(reader.read(100), 5)
    assert proxy.marker_hit.is_set()
    assert b"PUT /send/1" in upstream.received
