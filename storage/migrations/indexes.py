"""Indexes for start-up planning and retention. Never edited once released."""

from storage.migrations.base import upgrades

upgrades.sql(
    11,
    "start-up cost follows active schedules, not history; replies before scheduled posts",
    (
        "CREATE INDEX IF NOT EXISTS reminders_sent_by_time ON reminders_sent (sent_at)",
        "CREATE INDEX IF NOT EXISTS actions_room_created ON actions (room_id, created_at)",
        "CREATE INDEX IF NOT EXISTS meetings_room_created ON meetings (room_id, created_at)",
        "CREATE INDEX IF NOT EXISTS meetings_room_next ON meetings (room_id, next_start_utc) "
        "WHERE cancelled_at IS NULL",
        # 0 = an answer to a command, 1 = a scheduled post: a member waiting for a reply
        # is not kept behind a batch of reminders or nudges.
        "ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 1",
        "CREATE INDEX outbox_queue ON outbox (priority, id) "
        "WHERE sent_at IS NULL AND failed IS NULL",
    ),
)
