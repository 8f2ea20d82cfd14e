"""What a migration is, and the registry each one declares itself in (once, with its number).

A migration is SQL statements, or an async function for what SQL alone cannot do (reading
rows to rewrite them, say); either way `storage.db.migrate` runs it in one transaction
together with recording its version.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiosqlite

# A function migration gets the connection of the migration's transaction.
Upgrade = Callable[[aiosqlite.Connection], Awaitable[None]]


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...] = ()
    function: Upgrade | None = None

    def __post_init__(self) -> None:
        if bool(self.statements) == (self.function is not None):
            raise ValueError(f"migration {self.version} must be SQL statements or a function")

    async def apply(self, conn: aiosqlite.Connection) -> None:
        for statement in self.statements:
            await conn.execute(statement)
        if self.function is not None:
            await self.function(conn)


class Registry:
    """Every version declared once; `ordered()` refuses a gap or a number used twice."""

    def __init__(self) -> None:
        self._found: dict[int, Migration] = {}

    def add(self, migration: Migration) -> Migration:
        if migration.version < 1:
            raise ValueError(f"migration versions start at 1, not {migration.version}")
        other = self._found.get(migration.version)
        if other is not None:
            raise ValueError(f"migration {migration.version} is declared twice: "
                             f"{other.description!r} and {migration.description!r}")
        self._found[migration.version] = migration
        return migration

    def sql(self, version: int, description: str, statements: tuple[str, ...]) -> Migration:
        return self.add(Migration(version, description, statements))

    def register(self, version: int, description: str) -> Callable[[Upgrade], Upgrade]:
        """Decorator: an async function `(conn) -> None` is migration `version`."""
        def register(function: Upgrade) -> Upgrade:
            self.add(Migration(version, description, function=function))
            return function

        return register

    def ordered(self) -> tuple[Migration, ...]:
        versions = sorted(self._found)
        if versions != list(range(1, len(versions) + 1)):
            missing = sorted(set(range(1, max(versions, default=0) + 1)) - set(versions))
            raise ValueError(f"migrations {missing} are missing: versions run 1, 2, 3… "
                             "without gaps")
        return tuple(self._found[v] for v in versions)


# The schema's history: every module of this package adds its migration here.
upgrades = Registry()
