"""Migration 13: a revision number per meeting. Released migrations are never edited."""

from storage.migrations.base import Migration

MIGRATION = Migration(
    13,
    "meeting revision: counts changes, so a re-exported .ics carries a higher SEQUENCE",
    (
        "ALTER TABLE meetings ADD COLUMN revision INTEGER NOT NULL DEFAULT 0",
    ),
)
