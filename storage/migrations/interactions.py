"""Interactions. Released migrations are never edited."""

from storage.migrations.base import upgrades

upgrades.sql(
    4,
    "interactions: remember which logical message each sent event was",
    (
        # A reaction or a threaded answer to one of Minga's messages is routed by the
        # logical key of that message (e.g. "action:!room:12").
        "ALTER TABLE outbox ADD COLUMN logical_key TEXT",
    ),
)
