"""Members' calendars. Released migrations are never edited."""

from storage.migrations.base import upgrades

upgrades.sql(
    15,
    "members' calendars: a chosen country (or none), whether !hours named days, days off",
    (
        # NULL: inferred from the member's zone; '': no public holidays; else "JO", "IN-KA".
        "ALTER TABLE members ADD COLUMN calendar TEXT",
        # NULL (hours set before this migration): read from the days themselves; 0 or 1.
        "ALTER TABLE members ADD COLUMN hours_days_named INTEGER",
        # Local dates in the member's own calendar (a day off is a date, not an instant).
        # worked = 1: a day they work although it is a public holiday (`!calendar on`).
        """CREATE TABLE days_off (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id TEXT NOT NULL,
            first_day TEXT NOT NULL,
            last_day TEXT NOT NULL,
            worked INTEGER NOT NULL DEFAULT 0,
            note TEXT,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX days_off_by_user ON days_off (user_id, last_day)",
    ),
)
