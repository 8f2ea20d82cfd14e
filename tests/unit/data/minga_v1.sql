BEGIN TRANSACTION;
CREATE TABLE bot_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO "bot_state" VALUES('sync_token','s72594_4483_1934');
CREATE TABLE handled_events (
            event_id TEXT PRIMARY KEY,
            room_id TEXT NOT NULL,
            handled_at TEXT NOT NULL
        );
INSERT INTO "handled_events" VALUES('$ev1','!room:example.org','2025-03-01T09:00:00+00:00');
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
        );
INSERT INTO "outbox" VALUES(1,'minga-aaa','!room:example.org','m.room.message','{"body": "hi"}','2025-03-01T09:00:00+00:00','2025-03-01T09:00:01+00:00','$sent1',1,NULL);
INSERT INTO "outbox" VALUES(2,'minga-bbb','!room:example.org','m.room.message','{"body": "queued"}','2025-03-01T09:05:00+00:00',NULL,NULL,0,NULL);
CREATE TABLE pending_decryption (
            event_id TEXT PRIMARY KEY,
            room_id TEXT NOT NULL,
            sender TEXT NOT NULL,
            source TEXT NOT NULL,
            received_at REAL NOT NULL,
            notified INTEGER NOT NULL DEFAULT 0
        );
INSERT INTO "pending_decryption" VALUES('$enc1','!room:example.org','@bob:example.org','{}',1740819600.5,0);
CREATE TABLE rooms (
            room_id TEXT PRIMARY KEY,
            joined_ts INTEGER NOT NULL,
            default_zone TEXT
        );
INSERT INTO "rooms" VALUES('!room:example.org',1740819600000,'Africa/Nairobi');
CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT);
INSERT INTO "schema_version" VALUES(1,'2025-03-01 09:00:00');
CREATE INDEX outbox_pending ON outbox (id) WHERE sent_at IS NULL AND failed IS NULL;
DELETE FROM "sqlite_sequence";
INSERT INTO "sqlite_sequence" VALUES('outbox',2);
COMMIT;
