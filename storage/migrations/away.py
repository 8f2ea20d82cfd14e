"""Away periods. Released migrations are never edited."""

from storage.migrations.base import upgrades

upgrades.sql(
    6,
    "members' absences, used by rotas and check-ins",
    (
        """CREATE TABLE away (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id TEXT NOT NULL,
            start_utc TEXT NOT NULL,
            end_utc TEXT NOT NULL,
            reason TEXT,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX away_by_user ON away (user_id, end_utc)",
    ),
)
