"""Shared fixtures: one real Synapse per test session, a fresh Network per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from devtools.devserver import DevServer
from devtools.harness import Network


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    server = DevServer(tmp_path_factory.mktemp("synapse"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def network(synapse: DevServer, tmp_path: Path) -> AsyncIterator[Network]:
    net = Network(synapse, tmp_path)
    try:
        yield net
    finally:
        await net.close()
