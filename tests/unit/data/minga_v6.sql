BEGIN TRANSACTION;
CREATE TABLE agenda_items (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
            occurrence_local TEXT NOT NULL,
            text TEXT NOT NULL,
            added_by TEXT NOT NULL,
            added_at TEXT NOT NULL
        );
INSERT INTO "agenda_items" VALUES(1,1,'2025-03-06T14:00','Budget','@alice:example.org','2025-03-01T09:00:00+00:00');
CREATE TABLE away (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id TEXT NOT NULL,
            start_utc TEXT NOT NULL,
            end_utc TEXT NOT NULL,
            reason TEXT,
            created_at TEXT NOT NULL
        );
INSERT INTO "away" VALUES(1,'@bob:example.org','2025-03-10T00:00:00+00:00','2025-03-20T00:00:00+00:00','leave','2025-03-01T09:00:00+00:00');
CREATE TABLE bot_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO "bot_state" VALUES('sync_token','s72594_4483_1934');
CREATE TABLE counters (
            room_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            value INTEGER NOT NULL,
            PRIMARY KEY (room_id, kind)
        );
INSERT INTO "counters" VALUES('!room:example.org','meeting',1);
CREATE TABLE direct_rooms (
            user_id TEXT PRIMARY KEY,
            room_id TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
INSERT INTO "direct_rooms" VALUES('@alice:example.org','!dm:example.org','2025-03-01T09:00:00+00:00');
CREATE TABLE handled_events (
            event_id TEXT PRIMARY KEY,
            room_id TEXT NOT NULL,
            handled_at TEXT NOT NULL
        );
INSERT INTO "handled_events" VALUES('$ev1','!room:example.org','2025-03-01T09:00:00+00:00');
CREATE TABLE meeting_notify (
            room_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            PRIMARY KEY (room_id, user_id)
        );
INSERT INTO "meeting_notify" VALUES('!room:example.org','@alice:example.org');
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
INSERT INTO "meetings" VALUES(1,'!room:example.org',1,'Network call','2025-03-06T14:00','Africa/Nairobi','FREQ=WEEKLY',60,NULL,NULL,NULL,0,'@alice:example.org','2025-03-01T09:00:00+00:00','2025-03-01T09:00:00+00:00',NULL,NULL);
CREATE TABLE members (
            user_id TEXT PRIMARY KEY,
            zone TEXT,
            hours TEXT,
            updated_at TEXT NOT NULL
        );
INSERT INTO "members" VALUES('@alice:example.org','Asia/Kathmandu','09:00-17:00 0,1,2,3,4','2025-03-01T09:00:00+00:00');
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
        , logical_key TEXT);
INSERT INTO "outbox" VALUES(1,'minga-aaa','!room:example.org','m.room.message','{"body": "hi"}','2025-03-01T09:00:00+00:00','2025-03-01T09:00:01+00:00','$sent1',1,NULL,'reply:$ev1:0');
INSERT INTO "outbox" VALUES(2,'minga-bbb','!room:example.org','m.room.message','{"body": "queued"}','2025-03-01T09:05:00+00:00',NULL,NULL,0,NULL,NULL);
CREATE TABLE pending_decryption (
            event_id TEXT PRIMARY KEY,
            room_id TEXT NOT NULL,
            sender TEXT NOT NULL,
            source TEXT NOT NULL,
            received_at REAL NOT NULL,
            notified INTEGER NOT NULL DEFAULT 0
        );
INSERT INTO "pending_decryption" VALUES('$enc1','!room:example.org','@bob:example.org','{}',1740819600.5,0);
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
INSERT INTO "reminders_sent" VALUES('1:2025-03-06T14:00:x:15',1,'2025-03-06T10:45:00+00:00',0);
CREATE TABLE rooms (
            room_id TEXT PRIMARY KEY,
            joined_ts INTEGER NOT NULL,
            default_zone TEXT
        , reminder_leads TEXT);
INSERT INTO "rooms" VALUES('!room:example.org',1740819600000,'Africa/Nairobi',NULL);
CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT);
INSERT INTO "schema_version" VALUES(1,'2025-03-01 09:00:00');
INSERT INTO "schema_version" VALUES(2,'2025-03-01 09:00:00');
INSERT INTO "schema_version" VALUES(3,'2025-03-01 09:00:00');
INSERT INTO "schema_version" VALUES(4,'2025-03-01 09:00:00');
INSERT INTO "schema_version" VALUES(5,'2025-03-01 09:00:00');
INSERT INTO "schema_version" VALUES(6,'2025-03-01 09:00:00');
CREATE INDEX outbox_pending ON outbox (id) WHERE sent_at IS NULL AND failed IS NULL;
CREATE INDEX meetings_next ON meetings (next_start_utc) WHERE cancelled_at IS NULL;
CREATE INDEX meetings_room ON meetings (room_id) WHERE cancelled_at IS NULL;
CREATE INDEX agenda_by_occurrence ON agenda_items (meeting_id, occurrence_local);
CREATE INDEX polls_open ON polls (closes_at) WHERE closed_at IS NULL;
CREATE INDEX outbox_event ON outbox (event_id);
CREATE INDEX away_by_user ON away (user_id, end_utc);
DELETE FROM "sqlite_sequence";
INSERT INTO "sqlite_sequence" VALUES('outbox',2);
INSERT INTO "sqlite_sequence" VALUES('meetings',1);
INSERT INTO "sqlite_sequence" VALUES('agenda_items',1);
INSERT INTO "sqlite_sequence" VALUES('away',1);
COMMIT;
