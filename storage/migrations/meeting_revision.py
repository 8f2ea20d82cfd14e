"""A revision number per meeting. Released migrations are never edited."""

from storage.migrations.base import upgrades

upgrades.sql(
    13,
    "meeting revision: counts changes, so a re-exported .ics carries a higher SEQUENCE",
    (
        "ALTER TABLE meetings ADD COLUMN revision INTEGER NOT NULL DEFAULT 0",
    ),
)
