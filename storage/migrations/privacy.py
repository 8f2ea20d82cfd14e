"""Privacy (forgetting a member, retention). Released migrations are never
edited."""

from storage.migrations.base import upgrades

upgrades.sql(
    10,
    "privacy: pending `!forget` confirmations, daily retention runs, indexes to purge by age",
    (
        # `!forget me` waits here for `!forget me confirm` (10 minutes; the row is then
        # deleted, and expired ones by the daily retention run).
        """CREATE TABLE forget_requests (
            requester TEXT NOT NULL,
            target TEXT NOT NULL,
            asked_at TEXT NOT NULL,
            PRIMARY KEY (requester, target)
        )""",
        # One row per daily retention run: the unique key makes a second run a no-op.
        """CREATE TABLE retention_runs (
            key TEXT PRIMARY KEY,
            ran_at TEXT NOT NULL,
            removed INTEGER NOT NULL
        )""",
        "CREATE INDEX handled_events_at ON handled_events (handled_at)",
        "CREATE INDEX outbox_created ON outbox (created_at)",
        "CREATE INDEX checkin_answers_by_user ON checkin_answers (user_id)",
    ),
)
