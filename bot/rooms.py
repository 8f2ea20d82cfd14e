"""A `RoomView` over nio's in-memory room state (kept current by sync, no request per message)."""

from __future__ import annotations

from nio import MatrixRoom

from domain.people import shown_name

# Room versions in which the creators outrank every power level (MSC4289, v12+).
CREATORS_OUTRANK_FROM = 12
INFINITE = 10**9


class NioRoomView:
    def __init__(self, room: MatrixRoom, bot_user_id: str, creators: set[str]) -> None:
        self._room = room
        self._bot = bot_user_id
        self._creators = creators
        self.room_id = room.room_id
        self.encrypted = bool(room.encrypted)

    def members(self) -> list[str]:
        """Joined members other than the bot."""
        return [uid for uid in self._room.users if uid != self._bot
                and uid not in self._room.invited_users]

    def display_name(self, user_id: str) -> str:
        """The disambiguated display name; for someone not in the room (left, or forgotten)
        their localpart or translated pseudonym, never the raw id."""
        return shown_name(user_id, self._room.user_name(user_id))

    def power_level(self, user_id: str) -> int:
        if self._creators_outrank() and user_id in self._creators:
            return INFINITE
        return int(self._room.power_levels.get_user_level(user_id))

    def required_level(self, action: str) -> int:
        levels = self._room.power_levels
        if action == "state_default":
            return int(levels.defaults.state_default)
        if action.startswith("notifications."):
            return int(levels.get_notification_required_level(action.split(".", 1)[1]))
        return int(getattr(levels.defaults, action, levels.defaults.state_default))

    def _creators_outrank(self) -> bool:
        try:
            return int(self._room.room_version) >= CREATORS_OUTRANK_FROM
        except ValueError:
            return False
