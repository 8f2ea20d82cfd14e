"""Migration 11: indexes for start-up planning and retention. Never edited once released."""

from storage.migrations.base import Migration

MIGRATION = Migration(
    11,
    "indexes: recent reminder keys, overrides by meeting",
    (
        "CREATE INDEX IF NOT EXISTS reminders_sent_by_time ON reminders_sent (sent_at)",
    ),
)
