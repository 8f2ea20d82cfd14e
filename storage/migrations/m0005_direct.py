"""Migration 5: direct chats. Released migrations are never edited."""

from storage.migrations.base import Migration

MIGRATION = Migration(
    5,
    "direct chats the bot opened with members",
    (
        """CREATE TABLE direct_rooms (
            user_id TEXT PRIMARY KEY,
            room_id TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
    ),
)
