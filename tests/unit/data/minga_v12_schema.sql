BEGIN TRANSACTION;
CREATE TABLE action_notes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            action_id INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            added_by TEXT NOT NULL,
            added_at TEXT NOT NULL
        );
CREATE TABLE action_nudges (
            key TEXT PRIMARY KEY,
            action_id INTEGER NOT NULL,
            sent_at TEXT NOT NULL
        );
CREATE TABLE action_owners (
            action_id INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
            user_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (action_id, user_id)
        );
CREATE TABLE actions (
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
        );
CREATE TABLE agenda_items (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
            occurrence_local TEXT NOT NULL,
            text TEXT NOT NULL,
            added_by TEXT NOT NULL,
            added_at TEXT NOT NULL
        );
CREATE TABLE away (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id TEXT NOT NULL,
            start_utc TEXT NOT NULL,
            end_utc TEXT NOT NULL,
            reason TEXT,
            created_at TEXT NOT NULL
        );
CREATE TABLE bot_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE checkin_answers (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            cycle_id INTEGER NOT NULL REFERENCES checkin_cycles(id) ON DELETE CASCADE,
            user_id TEXT NOT NULL,
            name TEXT,
            event_id TEXT NOT NULL UNIQUE,
            text TEXT NOT NULL,
            late INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
CREATE TABLE checkin_cycles (
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
        );
CREATE TABLE checkin_members (
            room_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            muted INTEGER NOT NULL DEFAULT 0,
            dm INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (room_id, user_id)
        );
CREATE TABLE checkin_prompts (
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
        );
CREATE TABLE checkin_settings (
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
        );
CREATE TABLE counters (
            room_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            value INTEGER NOT NULL,
            PRIMARY KEY (room_id, kind)
        );
CREATE TABLE digest_settings (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            room_id TEXT NOT NULL UNIQUE,
            enabled INTEGER NOT NULL,
            weekday INTEGER NOT NULL,
            at_time TEXT NOT NULL,
            zone TEXT,
            updated_at TEXT NOT NULL
        );
CREATE TABLE digests_sent (
            key TEXT PRIMARY KEY,
            room_id TEXT NOT NULL,
            sent_at TEXT NOT NULL,
            skipped INTEGER NOT NULL DEFAULT 0
        );
CREATE TABLE direct_rooms (
            user_id TEXT PRIMARY KEY,
            room_id TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
CREATE TABLE forget_requests (
            requester TEXT NOT NULL,
            target TEXT NOT NULL,
            asked_at TEXT NOT NULL,
            PRIMARY KEY (requester, target)
        );
CREATE TABLE handled_events (
            event_id TEXT PRIMARY KEY,
            room_id TEXT NOT NULL,
            handled_at TEXT NOT NULL
        );
CREATE TABLE meeting_notify (
            room_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            PRIMARY KEY (room_id, user_id)
        );
CREATE TABLE meeting_overrides (
            meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
            original_local TEXT NOT NULL,
            skipped INTEGER NOT NULL DEFAULT 0,
            new_start_utc TEXT,
            PRIMARY KEY (meeting_id, original_local)
        );
CREATE TABLE meetings (
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
        );
CREATE TABLE members (
            user_id TEXT PRIMARY KEY,
            zone TEXT,
            hours TEXT,
            updated_at TEXT NOT NULL
        , lang TEXT);
CREATE TABLE minutes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            room_id TEXT NOT NULL,
            meeting_id INTEGER,
            occurrence_local TEXT,
            started_by TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT
        );
CREATE TABLE minutes_attendees (
            minutes_id INTEGER NOT NULL REFERENCES minutes (id) ON DELETE CASCADE,
            user_id TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            PRIMARY KEY (minutes_id, user_id)
        );
CREATE TABLE minutes_lines (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            minutes_id INTEGER NOT NULL REFERENCES minutes (id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            user_id TEXT NOT NULL,
            added_at TEXT NOT NULL
        );
CREATE TABLE outbox (
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
        , logical_key TEXT, priority INTEGER NOT NULL DEFAULT 1);
CREATE TABLE pending_decryption (
            event_id TEXT PRIMARY KEY,
            room_id TEXT NOT NULL,
            sender TEXT NOT NULL,
            source TEXT NOT NULL,
            received_at REAL NOT NULL,
            notified INTEGER NOT NULL DEFAULT 0
        );
CREATE TABLE poll_votes (
            poll_id INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
            user_id TEXT NOT NULL,
            option INTEGER NOT NULL,
            ts INTEGER NOT NULL,
            PRIMARY KEY (poll_id, user_id)
        );
CREATE TABLE polls (
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
        );
CREATE TABLE reminders_sent (
            key TEXT PRIMARY KEY,
            meeting_id INTEGER NOT NULL,
            sent_at TEXT NOT NULL,
            late INTEGER NOT NULL DEFAULT 0
        );
CREATE TABLE retention_runs (
            key TEXT PRIMARY KEY,
            ran_at TEXT NOT NULL,
            removed INTEGER NOT NULL
        );
CREATE TABLE rooms (
            room_id TEXT PRIMARY KEY,
            joined_ts INTEGER NOT NULL,
            default_zone TEXT
        , reminder_leads TEXT, lang TEXT);
CREATE TABLE rota_history (
            rota_id INTEGER NOT NULL REFERENCES rotas (id) ON DELETE CASCADE,
            occurrence_local TEXT NOT NULL,
            start_utc TEXT NOT NULL,
            role TEXT NOT NULL,
            user_id TEXT,
            PRIMARY KEY (rota_id, occurrence_local, role)
        );
CREATE TABLE rota_members (
            rota_id INTEGER NOT NULL REFERENCES rotas (id) ON DELETE CASCADE,
            user_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (rota_id, user_id)
        );
CREATE TABLE rota_nudges_sent (
            key TEXT PRIMARY KEY,
            rota_id INTEGER NOT NULL,
            occurrence_local TEXT NOT NULL,
            start_utc TEXT NOT NULL,
            sent_at TEXT NOT NULL
        );
CREATE TABLE rota_pins (
            rota_id INTEGER NOT NULL REFERENCES rotas (id) ON DELETE CASCADE,
            occurrence_local TEXT NOT NULL,
            role TEXT NOT NULL,
            user_id TEXT NOT NULL,
            instead_of TEXT,
            PRIMARY KEY (rota_id, occurrence_local, role)
        );
CREATE TABLE rota_skips (
            rota_id INTEGER NOT NULL REFERENCES rotas (id) ON DELETE CASCADE,
            occurrence_local TEXT NOT NULL,
            user_id TEXT NOT NULL,
            added_by TEXT NOT NULL,
            added_at TEXT NOT NULL,
            PRIMARY KEY (rota_id, occurrence_local, user_id)
        );
CREATE TABLE rota_swaps (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            rota_id INTEGER NOT NULL REFERENCES rotas (id) ON DELETE CASCADE,
            room_id TEXT NOT NULL,
            occurrence_local TEXT NOT NULL,
            start_utc TEXT NOT NULL,
            asked_by TEXT NOT NULL,
            confirmer TEXT NOT NULL,
            created_at TEXT NOT NULL,
            done_at TEXT
        );
CREATE TABLE rota_turns (
            rota_id INTEGER NOT NULL REFERENCES rotas (id) ON DELETE CASCADE,
            role TEXT NOT NULL,
            user_id TEXT NOT NULL,
            turns INTEGER NOT NULL,
            last_seq INTEGER NOT NULL,
            PRIMARY KEY (rota_id, role, user_id)
        );
CREATE TABLE rotas (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            room_id TEXT NOT NULL,
            meeting_id INTEGER NOT NULL UNIQUE REFERENCES meetings (id) ON DELETE CASCADE,
            roles TEXT NOT NULL,
            seq INTEGER NOT NULL DEFAULT 0,
            recorded_until TEXT NOT NULL,
            next_start_utc TEXT,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT);
INSERT INTO "schema_version" VALUES(1,'2025-03-01 09:00:00');
INSERT INTO "schema_version" VALUES(2,'2025-03-01 09:00:00');
INSERT INTO "schema_version" VALUES(3,'2025-03-01 09:00:00');
INSERT INTO "schema_version" VALUES(4,'2025-03-01 09:00:00');
INSERT INTO "schema_version" VALUES(5,'2025-03-01 09:00:00');
INSERT INTO "schema_version" VALUES(6,'2025-03-01 09:00:00');
INSERT INTO "schema_version" VALUES(7,'2025-03-01 09:00:00');
INSERT INTO "schema_version" VALUES(8,'2025-03-01 09:00:00');
INSERT INTO "schema_version" VALUES(9,'2025-03-01 09:00:00');
INSERT INTO "schema_version" VALUES(10,'2025-03-01 09:00:00');
INSERT INTO "schema_version" VALUES(11,'2025-03-01 09:00:00');
INSERT INTO "schema_version" VALUES(12,'2025-03-01 09:00:00');
CREATE INDEX outbox_pending ON outbox (id) WHERE sent_at IS NULL AND failed IS NULL;
CREATE INDEX meetings_next ON meetings (next_start_utc) WHERE cancelled_at IS NULL;
CREATE INDEX meetings_room ON meetings (room_id) WHERE cancelled_at IS NULL;
CREATE INDEX agenda_by_occurrence ON agenda_items (meeting_id, occurrence_local);
CREATE INDEX polls_open ON polls (closes_at) WHERE closed_at IS NULL;
CREATE INDEX outbox_event ON outbox (event_id);
CREATE INDEX away_by_user ON away (user_id, end_utc);
CREATE INDEX rotas_room ON rotas (room_id);
CREATE INDEX rotas_next ON rotas (next_start_utc);
CREATE INDEX rota_history_start ON rota_history (rota_id, start_utc);
CREATE INDEX rota_swaps_pending ON rota_swaps (room_id, confirmer) WHERE done_at IS NULL;
CREATE INDEX rota_nudges_occurrence ON rota_nudges_sent (rota_id, occurrence_local);
CREATE INDEX minutes_by_room ON minutes (room_id, started_at);
CREATE INDEX minutes_by_meeting ON minutes (meeting_id, occurrence_local);
CREATE INDEX minutes_lines_by_minutes ON minutes_lines (minutes_id);
CREATE INDEX actions_open_due ON actions (due_utc) WHERE closed_at IS NULL AND dropped_at IS NULL;
CREATE INDEX actions_by_room ON actions (room_id, closed_at);
CREATE INDEX actions_by_meeting ON actions (meeting_id, occurrence_local);
CREATE INDEX action_owners_by_user ON action_owners (user_id);
CREATE INDEX checkin_cycles_open ON checkin_cycles (room_id) WHERE summary_at IS NULL;
CREATE INDEX checkin_prompts_by_user ON checkin_prompts (user_id, status);
CREATE INDEX checkin_answers_by_cycle ON checkin_answers (cycle_id, user_id, id);
CREATE INDEX handled_events_at ON handled_events (handled_at);
CREATE INDEX outbox_created ON outbox (created_at);
CREATE INDEX checkin_answers_by_user ON checkin_answers (user_id);
CREATE INDEX reminders_sent_by_time ON reminders_sent (sent_at);
CREATE INDEX actions_room_created ON actions (room_id, created_at);
CREATE INDEX meetings_room_created ON meetings (room_id, created_at);
CREATE INDEX meetings_room_next ON meetings (room_id, next_start_utc) WHERE cancelled_at IS NULL;
CREATE INDEX outbox_queue ON outbox (priority, id) WHERE sent_at IS NULL AND failed IS NULL;
DELETE FROM "sqlite_sequence";
COMMIT;
