"""Action items, meeting minutes, the weekly digest. Released migrations are
never edited."""

from storage.migrations.base import upgrades

upgrades.sql(
    8,
    "action items with owners and notes, meeting minutes, weekly digest schedule",
    (
        # Minutes of one meeting (or an ad-hoc one: meeting_id NULL).
        """CREATE TABLE minutes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            room_id TEXT NOT NULL,
            meeting_id INTEGER,
            occurrence_local TEXT,
            started_by TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT
        )""",
        "CREATE INDEX minutes_by_room ON minutes (room_id, started_at)",
        "CREATE INDEX minutes_by_meeting ON minutes (meeting_id, occurrence_local)",
        # Only the lines members tagged with a command: decisions and information.
        """CREATE TABLE minutes_lines (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            minutes_id INTEGER NOT NULL REFERENCES minutes (id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            user_id TEXT NOT NULL,
            added_at TEXT NOT NULL
        )""",
        "CREATE INDEX minutes_lines_by_minutes ON minutes_lines (minutes_id)",
        """CREATE TABLE minutes_attendees (
            minutes_id INTEGER NOT NULL REFERENCES minutes (id) ON DELETE CASCADE,
            user_id TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            PRIMARY KEY (minutes_id, user_id)
        )""",
        # An action item; due is a UTC instant (the owner's end of day unless a time was given).
        """CREATE TABLE actions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            room_id TEXT NOT NULL,
            number INTEGER NOT NULL,
            text TEXT NOT NULL,
            due_utc TEXT,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            closed_at TEXT,
            closed_by TEXT,
            dropped_at TEXT,
            dropped_by TEXT,
            minutes_id INTEGER REFERENCES minutes (id) ON DELETE SET NULL,
            meeting_id INTEGER,
            occurrence_local TEXT,
            UNIQUE (room_id, number)
        )""",
        "CREATE INDEX actions_open_due ON actions (due_utc) "
        "WHERE closed_at IS NULL AND dropped_at IS NULL",
        "CREATE INDEX actions_by_room ON actions (room_id, closed_at)",
        "CREATE INDEX actions_by_meeting ON actions (meeting_id, occurrence_local)",
        """CREATE TABLE action_owners (
            action_id INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
            user_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (action_id, user_id)
        )""",
        "CREATE INDEX action_owners_by_user ON action_owners (user_id)",
        """CREATE TABLE action_notes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            action_id INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            added_by TEXT NOT NULL,
            added_at TEXT NOT NULL
        )""",
        # One row per overdue nudge ever sent; the key holds the due instant it was about.
        """CREATE TABLE action_nudges (
            key TEXT PRIMARY KEY,
            action_id INTEGER NOT NULL,
            sent_at TEXT NOT NULL
        )""",
        # A room without a row gets the default digest (Monday 09:00, room zone).
        """CREATE TABLE digest_settings (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            room_id TEXT NOT NULL UNIQUE,
            enabled INTEGER NOT NULL,
            weekday INTEGER NOT NULL,
            at_time TEXT NOT NULL,
            zone TEXT,
            updated_at TEXT NOT NULL
        )""",
        # One row per room and ISO week: sent, or skipped because there was nothing to say.
        """CREATE TABLE digests_sent (
            key TEXT PRIMARY KEY,
            room_id TEXT NOT NULL,
            sent_at TEXT NOT NULL,
            skipped INTEGER NOT NULL DEFAULT 0
        )""",
    ),
)
