"""Polls. Released migrations are never edited."""

from storage.migrations.base import upgrades

upgrades.sql(
    3,
    "meeting polls: suggested times and the votes on them",
    (
        """CREATE TABLE polls (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            room_id TEXT NOT NULL,
            number INTEGER NOT NULL,
            txn_id TEXT NOT NULL,
            title TEXT NOT NULL,
            created_by TEXT NOT NULL,
            zone TEXT NOT NULL,
            duration_min INTEGER NOT NULL,
            options TEXT NOT NULL,
            created_at TEXT NOT NULL,
            closes_at TEXT NOT NULL,
            closed_at TEXT,
            meeting_number INTEGER,
            UNIQUE (room_id, number)
        )""",
        "CREATE INDEX polls_open ON polls (closes_at) WHERE closed_at IS NULL",
        "CREATE INDEX outbox_event ON outbox (event_id)",
        """CREATE TABLE poll_votes (
            poll_id INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
            user_id TEXT NOT NULL,
            option INTEGER NOT NULL,
            ts INTEGER NOT NULL,
            PRIMARY KEY (poll_id, user_id)
        )""",
    ),
)
