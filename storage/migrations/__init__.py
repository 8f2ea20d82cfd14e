"""The schema's history: one module per migration, each declaring its version once.

A new migration is a new module here (named for what it does) calling
`upgrades.sql(<next version>, "<what and why>", (<statements>,))`, or decorating an async
function `(conn) -> None` with `@upgrades.register(<next version>, "<what and why>")`.
Nothing else lists it: every module of this package is imported below, and the registry
refuses a version declared twice or a gap. Released migrations are never edited; the
newest version is `MIGRATIONS[-1].version`. `storage.db.migrate` applies each pending one
in its own transaction.
"""

from __future__ import annotations

import importlib
import pkgutil

from storage.migrations.base import Migration, Registry, Upgrade, upgrades

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")

MIGRATIONS: tuple[Migration, ...] = upgrades.ordered()

__all__ = ["MIGRATIONS", "Migration", "Registry", "Upgrade", "upgrades"]
