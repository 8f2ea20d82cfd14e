"""What a handler sees of the world: who asked, where, when, and the room's members."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from commands.reply import Msg
from storage.db import Database


class ChangeKind(StrEnum):
    """What a command changed (`ctx.changed`), so its jobs are planned again after commit."""

    MEETING = "meeting"
    ROTA = "rota"
    ACTION = "action"
    DIGEST = "digest"
    POLL = "poll"
    CHECKIN = "checkin"
    CHECKIN_SUMMARY = "checkin-summary"


class RoomView(Protocol):
    """The bot layer's answer to "who is in this room and what may they do"."""

    room_id: str
    encrypted: bool

    def members(self) -> list[str]: ...

    def display_name(self, user_id: str) -> str: ...

    def power_level(self, user_id: str) -> int: ...

    def required_level(self, action: str) -> int:
        """Power level the room requires for `action` ("state_default", "notifications.room")."""
        ...


@dataclass
class Settings:
    """The parts of the configuration handlers need, without the secrets."""

    prefix: str = "!"
    default_zone: str = "UTC"
    admins: tuple[str, ...] = ()
    # Closed actions, old minutes, answers, votes… are purged after this many days.
    retention_days: int = 365
    # The language of rooms and members that chose none (a code from domain.i18n.LANGUAGES).
    language: str = "en"
    # Charts beside the text replies (config bot.charts); off unless the bot turns it on, so
    # handler tests draw only when they mean to.
    charts: bool = False


@dataclass
class Context:
    room: RoomView
    sender: str
    event_id: str
    now: datetime
    db: Database
    settings: Settings
    replies: list[Msg] = field(default_factory=list)
    # Users the message mentions (m.mentions and literal @user:server ids), bot excluded.
    mentioned: tuple[str, ...] = ()
    # The text of each pill in the message ({user id: "Chidi (Lagos)"}): what the plain body
    # shows in place of the id, which may differ from the member's current display name.
    pills: dict[str, str] = field(default_factory=dict)
    # What this command changed that has schedules, e.g. (ChangeKind.MEETING, 12): its jobs
    # are planned again on commit.
    changed: set[tuple[ChangeKind, int]] = field(default_factory=set)
    # The sender's language (theirs, else the room's, else the bot's); set by the router.
    lang: str = "en"

    @property
    def room_id(self) -> str:
        return self.room.room_id

    def reply(self, msg: Msg) -> None:
        self.replies.append(msg)

    def is_moderator(self, user_id: str | None = None) -> bool:
        """Moderator = may change room state (≥ state_default), or a configured bot admin."""
        who = user_id or self.sender
        if who in self.settings.admins:
            return True
        return self.room.power_level(who) >= self.room.required_level("state_default")
