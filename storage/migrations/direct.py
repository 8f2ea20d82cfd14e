"""Direct chats. Released migrations are never edited."""

from storage.migrations.base import upgrades

upgrades.sql(
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
