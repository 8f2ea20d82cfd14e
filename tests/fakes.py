"""Test doubles shared by the unit tests: a configurable RoomView, database seeding, and
dispatching a command line the way the sync handler does."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime

from commands.context import Context
from commands.router import Router
from domain.people import shown_name
from storage import Database
from storage.members import set_zone
from storage.state import record_room

Seed = Callable[[Database], Awaitable[None]]


def localpart_name(user_id: str) -> str:
    """"@alice:example.org" → "Alice": what the fake room shows as a display name."""
    return user_id[1:].split(":", 1)[0].title()


class FakeRoom:
    """A RoomView with the members, power levels and names a test chooses.

    `levels` maps users to power levels; without `members`, the members are the users
    in `levels` (so a test can add one with `room.levels |= {...}`). With `members`,
    membership is the list `room.joined`, which a test may change, and `levels` only
    gives power (anyone not in it has 0). Changing state needs `state_default`, pinging
    the room needs `room_notify` (the `notifications.room` level)."""

    def __init__(self, room_id: str = "!room:example.org",
                 levels: Mapping[str, int] | None = None, *,
                 members: Iterable[str] | None = None, state_default: int = 50,
                 room_notify: int = 50, names: Callable[[str], str] = localpart_name,
                 encrypted: bool = True) -> None:
        self.room_id = room_id
        self.encrypted = encrypted
        self.levels = dict(levels or {})
        self.joined = list(members) if members is not None else None
        self.state_default = state_default
        self.room_notify = room_notify
        self.names = names

    def members(self) -> list[str]:
        return list(self.levels if self.joined is None else self.joined)

    def display_name(self, user_id: str) -> str:
        """As the bot's view: a forgotten member's pseudonym is shown translated."""
        return self.names(user_id) if user_id.startswith("@") else shown_name(user_id)

    def power_level(self, user_id: str) -> int:
        return self.levels.get(user_id, 0)

    def required_level(self, action: str) -> int:
        return self.state_default if action == "state_default" else self.room_notify


def seed(*rooms: str, zones: Mapping[str, str] | None = None,
         at: datetime | None = None) -> Seed:
    """What to put in a fresh test database: known rooms, and members' zones set `at`."""

    async def run(db: Database) -> None:
        async with db.transaction() as conn:
            for room in rooms:
                await record_room(conn, room, 1_700_000_000_000)
            for user, zone in (zones or {}).items():
                assert at is not None, "zones need the time they were set"
                await set_zone(db, user, zone, at.isoformat())

    return run


async def dispatch(router: Router, ctx: Context, line: str) -> Context:
    """Run `name args` (no prefix) inside one transaction, as the sync handler does."""
    name, _, args = line.partition(" ")
    async with ctx.db.transaction():
        await router.dispatch(ctx, name, args)
    return ctx


def reply_text(ctx: Context) -> str:
    """The text of the one reply a command gave."""
    assert len(ctx.replies) == 1, [m.plain() for m in ctx.replies]
    return ctx.replies[0].plain()
