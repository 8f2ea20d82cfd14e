"""The unit tests' database (a fresh SQLite file per test) and the real command router."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from commands import build_router
from commands.router import Router
from storage import Database, open_database
from tests.fakes import Seed


@pytest.fixture
def db_seed() -> Seed | None:
    """What `db` holds before the test starts; a module overrides this to seed rooms and
    zones (see `tests.fakes.seed`)."""
    return None


@pytest.fixture
async def db(tmp_path: Path, db_seed: Seed | None) -> AsyncIterator[Database]:
    database = await open_database(tmp_path / "t.db")
    try:
        if db_seed is not None:
            await db_seed(database)
        yield database
    finally:
        await database.close()


@pytest.fixture(scope="module")
def router() -> Router:
    """The bot's router, built once per module: a module that adds hooks builds its own."""
    return build_router()
