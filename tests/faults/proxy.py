"""A network fault injector: a TCP proxy on 127.0.0.1 between the bot and Synapse.

The technique of Toxiproxy, in plain asyncio. The bot is configured with the
proxy's address and the test switches faults on and off:

- `cut(rst=True)` / `cut(rst=False)`: every open connection is cut at once, in
  the middle of whatever request it carries, with a reset (SO_LINGER 0) or a
  clean FIN;
- `refuse()` / `accept()`: nothing listens, so new connections are refused;
  then they are accepted again;
- `blackhole()`: connections are accepted and every byte is dropped, both
  ways, so nothing is ever answered; `heal()` lets bytes through again (the
  ones dropped meanwhile stay lost, as on a real network);
- `drip(bytes_per_second)`: bytes trickle through in small slices;
- `cut_response_to(marker)`: the next request containing `marker` reaches the
  server, but its answer never reaches the client: the connection is cut
  instead (the request was done, the client can't know).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct

from devtools.devserver import free_port

PASS, BLACKHOLE, DRIP = "pass", "blackhole", "drip"
SLICE = 64  # bytes per drip
READ_SIZE = 65536


def _cut_stream(writer: asyncio.StreamWriter, *, rst: bool) -> None:
    if writer.transport.is_closing():
        return
    if rst:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()
    else:
        writer.close()


class Link:
    """One client connection and its connection to the server."""

    def __init__(self, proxy: FaultProxy, client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
                 server: tuple[asyncio.StreamReader, asyncio.StreamWriter]) -> None:
        self.proxy = proxy
        self.client_reader, self.client_writer = client
        self.server_reader, self.server_writer = server
        self.cut_on_answer: bool | None = None  # set: cut (rst?) when the server answers
        self.tasks: list[asyncio.Task[None]] = []

    async def run(self) -> None:
        self.tasks = [
            asyncio.create_task(self._pump(self.client_reader, self.server_writer, up=True)),
            asyncio.create_task(self._pump(self.server_reader, self.client_writer, up=False)),
        ]
        await asyncio.gather(*self.tasks, return_exceptions=True)

    def cut(self, *, rst: bool) -> None:
        for task in self.tasks:
            if task is not asyncio.current_task():
                task.cancel()
        _cut_stream(self.client_writer, rst=rst)
        _cut_stream(self.server_writer, rst=rst)
        self.proxy.links.discard(self)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *,
                    up: bool) -> None:
        proxy = self.proxy
        rst = False
        while True:
            try:
                data = await reader.read(READ_SIZE)
            except ConnectionResetError:
                data, rst = b"", True
            except OSError:
                data = b""
            if not data:
                self.cut(rst=rst)  # pass the end on, as it came: a reset or a FIN
                return
            if proxy.mode == BLACKHOLE:
                continue
            if up and proxy.marker is not None and proxy.marker[0] in data:
                self.cut_on_answer = proxy.marker[1]
                proxy.marker = None
            if not up and self.cut_on_answer is not None:
                proxy.cuts += 1
                self.cut(rst=self.cut_on_answer)
                proxy.marker_hit.set()
                return
            try:
                if proxy.mode == DRIP:
                    for start in range(0, len(data), SLICE):
                        writer.write(data[start:start + SLICE])
                        await writer.drain()
                        if proxy.mode == DRIP:
                            await asyncio.sleep(SLICE / proxy.rate)
                else:
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, OSError):
                self.cut(rst=True)
                return


class FaultProxy:
    def __init__(self, upstream_port: int, *, upstream_host: str = "127.0.0.1") -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.mode = PASS
        self.rate = 0.0
        self.links: set[Link] = set()
        self.marker: tuple[bytes, bool] | None = None
        self.marker_hit = asyncio.Event()
        self.accepted = 0
        self.cuts = 0
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()

    # ---- lifecycle ----------------------------------------------------------------
    async def start(self) -> None:
        await self.accept()

    async def close(self) -> None:
        self.refuse()
        self.cut(rst=False)
        if self._handlers:
            await asyncio.wait(list(self._handlers), timeout=5)

    # ---- faults -------------------------------------------------------------------
    def cut(self, *, rst: bool = True) -> int:
        """Cut every open connection now; returns how many."""
        links = list(self.links)
        for link in links:
            link.cut(rst=rst)
        self.cuts += len(links)
        return len(links)

    def refuse(self) -> None:
        """Stop listening: new connections are refused (open ones are left alone)."""
        if self._server is not None:
            self._server.close()
            self._server = None

    async def accept(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port,
                                                      reuse_address=True)

    def blackhole(self) -> None:
        self.mode = BLACKHOLE

    def drip(self, bytes_per_second: float) -> None:
        self.rate = bytes_per_second
        self.mode = DRIP

    def heal(self) -> None:
        self.mode = PASS

    def cut_response_to(self, marker: bytes, *, rst: bool = True) -> None:
        """Let the next request containing `marker` through, and cut its answer."""
        self.marker_hit.clear()
        self.marker = (marker, rst)

    # ---- plumbing -------------------------------------------------------------------
    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            try:
                server = await asyncio.open_connection(*self.upstream)
            except OSError:  # the server itself is down: the client sees a reset
                _cut_stream(writer, rst=True)
                return
            link = Link(self, (reader, writer), server)
            self.links.add(link)
            await link.run()
        finally:
            self._handlers.discard(task)
