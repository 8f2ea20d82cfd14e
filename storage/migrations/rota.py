"""Rotas (who facilitates and takes notes). Released migrations are never edited."""

from storage.migrations.base import upgrades

upgrades.sql(
    7,
    "rotas: order, fairness counters, recorded history, skips, swaps, facilitator nudges",
    (
        # One rota per meeting series. Occurrences starting at or before recorded_until
        # are history (or predate the rota); later ones are computed, never stored.
        # next_start_utc: the first start after recorded_until (NULL = not yet computed),
        # so the hourly planner only looks at rotas with something to record or nudge.
        """CREATE TABLE rotas (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            room_id TEXT NOT NULL,
            meeting_id INTEGER NOT NULL UNIQUE REFERENCES meetings (id) ON DELETE CASCADE,
            roles TEXT NOT NULL,
            seq INTEGER NOT NULL DEFAULT 0,
            recorded_until TEXT NOT NULL,
            next_start_utc TEXT,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX rotas_room ON rotas (room_id)",
        "CREATE INDEX rotas_next ON rotas (next_start_utc)",
        """CREATE TABLE rota_members (
            rota_id INTEGER NOT NULL REFERENCES rotas (id) ON DELETE CASCADE,
            user_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (rota_id, user_id)
        )""",
        # As of recorded_until, per role and member: the fairness counter (turns held plus
        # any joining baseline) and the occurrence number (rotas.seq) of their last turn.
        """CREATE TABLE rota_turns (
            rota_id INTEGER NOT NULL REFERENCES rotas (id) ON DELETE CASCADE,
            role TEXT NOT NULL,
            user_id TEXT NOT NULL,
            turns INTEGER NOT NULL,
            last_seq INTEGER NOT NULL,
            PRIMARY KEY (rota_id, role, user_id)
        )""",
        # Who actually held each role once the occurrence happened; never rewritten.
        """CREATE TABLE rota_history (
            rota_id INTEGER NOT NULL REFERENCES rotas (id) ON DELETE CASCADE,
            occurrence_local TEXT NOT NULL,
            start_utc TEXT NOT NULL,
            role TEXT NOT NULL,
            user_id TEXT,
            PRIMARY KEY (rota_id, occurrence_local, role)
        )""",
        "CREATE INDEX rota_history_start ON rota_history (rota_id, start_utc)",
        """CREATE TABLE rota_skips (
            rota_id INTEGER NOT NULL REFERENCES rotas (id) ON DELETE CASCADE,
            occurrence_local TEXT NOT NULL,
            user_id TEXT NOT NULL,
            added_by TEXT NOT NULL,
            added_at TEXT NOT NULL,
            PRIMARY KEY (rota_id, occurrence_local, user_id)
        )""",
        # Agreed swaps, as the holder a role must have in one occurrence; instead_of is
        # the member the turn was traded from (see domain.rotation).
        """CREATE TABLE rota_pins (
            rota_id INTEGER NOT NULL REFERENCES rotas (id) ON DELETE CASCADE,
            occurrence_local TEXT NOT NULL,
            role TEXT NOT NULL,
            user_id TEXT NOT NULL,
            instead_of TEXT,
            PRIMARY KEY (rota_id, occurrence_local, role)
        )""",
        # A swap one member asked for, waiting for the other to confirm.
        """CREATE TABLE rota_swaps (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            rota_id INTEGER NOT NULL REFERENCES rotas (id) ON DELETE CASCADE,
            room_id TEXT NOT NULL,
            occurrence_local TEXT NOT NULL,
            start_utc TEXT NOT NULL,
            asked_by TEXT NOT NULL,
            confirmer TEXT NOT NULL,
            created_at TEXT NOT NULL,
            done_at TEXT
        )""",
        "CREATE INDEX rota_swaps_pending ON rota_swaps (room_id, confirmer) WHERE done_at IS NULL",
        # One row per facilitator nudge ever sent: the unique key makes a second send impossible.
        """CREATE TABLE rota_nudges_sent (
            key TEXT PRIMARY KEY,
            rota_id INTEGER NOT NULL,
            occurrence_local TEXT NOT NULL,
            start_utc TEXT NOT NULL,
            sent_at TEXT NOT NULL
        )""",
        "CREATE INDEX rota_nudges_occurrence ON rota_nudges_sent (rota_id, occurrence_local)",
    ),
)
