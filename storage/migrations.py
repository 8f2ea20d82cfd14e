"""Numbered migrations. Append only: a released migration is never edited."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
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
    ),
    Migration(
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
    ),
    Migration(
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
    ),
)
