"""Core. Released migrations are never edited."""

from storage.migrations.base import upgrades

upgrades.sql(
    1,
    "core: sync position, handled events, outbox, rooms, members",
    (
        # Key/value state of the bot itself (sync token, first-start marker).
        """CREATE TABLE bot_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
        # Every event acted on, so a replayed sync never acts twice.
        """CREATE TABLE handled_events (
            event_id TEXT PRIMARY KEY,
            room_id TEXT NOT NULL,
            handled_at TEXT NOT NULL
        )""",
        # Messages to send. txn_id is derived from the logical message, so a
        # send retried after a crash is de-duplicated by the homeserver.
        """CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            txn_id TEXT NOT NULL UNIQUE,
            room_id TEXT NOT NULL,
            event_type TEXT NOT NULL,
            content TEXT NOT NULL,
            created_at TEXT NOT NULL,
            sent_at TEXT,
            event_id TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            failed TEXT
        )""",
        "CREATE INDEX outbox_pending ON outbox (id) WHERE sent_at IS NULL AND failed IS NULL",
        # Rooms the bot is in, and when it joined: older events are history.
        """CREATE TABLE rooms (
            room_id TEXT PRIMARY KEY,
            joined_ts INTEGER NOT NULL,
            default_zone TEXT
        )""",
        # A member's personal settings. Only in this database, never in room state.
        """CREATE TABLE members (
            user_id TEXT PRIMARY KEY,
            zone TEXT,
            hours TEXT,
            updated_at TEXT NOT NULL
        )""",
        # Encrypted events whose room key had not arrived yet.
        """CREATE TABLE pending_decryption (
            event_id TEXT PRIMARY KEY,
            room_id TEXT NOT NULL,
            sender TEXT NOT NULL,
            source TEXT NOT NULL,
            received_at REAL NOT NULL,
            notified INTEGER NOT NULL DEFAULT 0
        )""",
    ),
)
