"""A member's language and a room's default language. Never edited once released."""

from storage.migrations.base import upgrades

upgrades.sql(
    12,
    "languages: per member (replies to them) and per room (room-wide messages)",
    (
        "ALTER TABLE members ADD COLUMN lang TEXT",
        "ALTER TABLE rooms ADD COLUMN lang TEXT",
    ),
)
