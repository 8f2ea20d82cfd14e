"""Migration 14: fair times. Never edited once released."""

from storage.migrations.base import Migration

MIGRATION = Migration(
    14,
    "fair times: a room's night window and minimum poll window; who decides a poll",
    (
        # "22:00-06:00"; NULL means the default night.
        "ALTER TABLE rooms ADD COLUMN night_window TEXT",
        # Minutes a poll stays open at least; NULL means the default (12 h).
        "ALTER TABLE rooms ADD COLUMN poll_window_min INTEGER",
        # JSON list of the `with` members whose votes decide; NULL: everyone's votes decide.
        "ALTER TABLE polls ADD COLUMN voters TEXT",
    ),
)
