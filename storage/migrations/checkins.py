"""Check-ins. Released migrations are never edited."""

from storage.migrations.base import upgrades

upgrades.sql(
    9,
    "check-ins: room settings, members' choices, cycles, prompts sent and answers",
    (
        # One row per room that uses check-ins. days NULL = no schedule (only !checkin now).
        """CREATE TABLE checkin_settings (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            room_id TEXT NOT NULL UNIQUE,
            days TEXT,
            at_local TEXT,
            zone TEXT,
            fallback_zone TEXT NOT NULL,
            questions TEXT,
            window_minutes INTEGER NOT NULL DEFAULT 1440,
            schedule_updated_at TEXT NOT NULL,
            updated_by TEXT,
            updated_at TEXT NOT NULL
        )""",
        # A member's choices in one room: opted out, prompted by direct message.
        """CREATE TABLE checkin_members (
            room_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            muted INTEGER NOT NULL DEFAULT 0,
            dm INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (room_id, user_id)
        )""",
        # One check-in: the day it belongs to (or "now:<instant>"), a snapshot of the
        # questions and window, when it closes, whether its summary was posted, and how
        # many summary edits (late answers) were asked for and sent.
        """CREATE TABLE checkin_cycles (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            settings_id INTEGER NOT NULL REFERENCES checkin_settings(id) ON DELETE CASCADE,
            room_id TEXT NOT NULL,
            cycle_key TEXT NOT NULL,
            label TEXT NOT NULL,
            at_local TEXT,
            zone TEXT,
            questions TEXT NOT NULL,
            window_minutes INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            closes_at TEXT NOT NULL,
            void INTEGER NOT NULL DEFAULT 0,
            room_prompts INTEGER NOT NULL DEFAULT 0,
            summary_at TEXT,
            summary_edits INTEGER NOT NULL DEFAULT 0,
            summary_edits_sent INTEGER NOT NULL DEFAULT 0,
            UNIQUE (room_id, cycle_key)
        )""",
        "CREATE INDEX checkin_cycles_open ON checkin_cycles (room_id) WHERE summary_at IS NULL",
        # Each member's prompt in a cycle: planned, then sent or skipped, exactly once.
        """CREATE TABLE checkin_prompts (
            cycle_id INTEGER NOT NULL REFERENCES checkin_cycles(id) ON DELETE CASCADE,
            user_id TEXT NOT NULL,
            due_utc TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'planned',
            reason TEXT,
            via TEXT,
            prompt_key TEXT,
            name TEXT,
            sent_at TEXT,
            PRIMARY KEY (cycle_id, user_id)
        )""",
        "CREATE INDEX checkin_prompts_by_user ON checkin_prompts (user_id, status)",
        # Answers as the members wrote them (edits replace the text).
        """CREATE TABLE checkin_answers (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            cycle_id INTEGER NOT NULL REFERENCES checkin_cycles(id) ON DELETE CASCADE,
            user_id TEXT NOT NULL,
            name TEXT,
            event_id TEXT NOT NULL UNIQUE,
            text TEXT NOT NULL,
            late INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        "CREATE INDEX checkin_answers_by_cycle ON checkin_answers (cycle_id, user_id, id)",
    ),
)
