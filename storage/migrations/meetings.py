"""Meetings. Released migrations are never edited."""

from storage.migrations.base import upgrades

upgrades.sql(
    2,
    "meetings: series, per-occurrence overrides, agenda, reminders sent",
    (
        """CREATE TABLE counters (
            room_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            value INTEGER NOT NULL,
            PRIMARY KEY (room_id, kind)
        )""",
        # A series is wall-clock start + IANA zone + RRULE; occurrences are derived.
        """CREATE TABLE meetings (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            room_id TEXT NOT NULL,
            number INTEGER NOT NULL,
            title TEXT NOT NULL,
            start_local TEXT NOT NULL,
            zone TEXT NOT NULL,
            rule TEXT,
            duration_min INTEGER NOT NULL,
            alternate_time TEXT,
            link TEXT,
            leads TEXT,
            ping_room INTEGER NOT NULL DEFAULT 0,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            cancelled_at TEXT,
            next_start_utc TEXT,
            UNIQUE (room_id, number)
        )""",
        "CREATE INDEX meetings_next ON meetings (next_start_utc) WHERE cancelled_at IS NULL",
        "CREATE INDEX meetings_room ON meetings (room_id) WHERE cancelled_at IS NULL",
        """CREATE TABLE meeting_overrides (
            meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
            original_local TEXT NOT NULL,
            skipped INTEGER NOT NULL DEFAULT 0,
            new_start_utc TEXT,
            PRIMARY KEY (meeting_id, original_local)
        )""",
        """CREATE TABLE agenda_items (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
            occurrence_local TEXT NOT NULL,
            text TEXT NOT NULL,
            added_by TEXT NOT NULL,
            added_at TEXT NOT NULL
        )""",
        "CREATE INDEX agenda_by_occurrence ON agenda_items (meeting_id, occurrence_local)",
        # One row per reminder ever sent: the unique key makes a second send impossible.
        """CREATE TABLE reminders_sent (
            key TEXT PRIMARY KEY,
            meeting_id INTEGER NOT NULL,
            sent_at TEXT NOT NULL,
            late INTEGER NOT NULL DEFAULT 0
        )""",
        """CREATE TABLE meeting_notify (
            room_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            PRIMARY KEY (room_id, user_id)
        )""",
        "ALTER TABLE rooms ADD COLUMN reminder_leads TEXT",
    ),
)
