"""Commands run in-process, as the bot would run them, without a homeserver.

A message body goes through the bot's own parsing (`bot.events.parse_command`,
`mentioned_users`), then `router.dispatch` inside one transaction on a real database,
exactly as `bot/sync_handler.py` does; the replies are rendered by `bot/render.py`.
Rooms are `FakeRoom`s: fixed members, names and power levels.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.events import bot_names, mentioned_users, parse_command
from bot.render import outgoing
from commands.context import Context, RoomView, Settings
from commands.reply import Msg
from commands.router import Interaction, Router
from storage.db import Database
from storage.state import record_room

BOT = "@minga:localhost"
APOLOGY = "something went wrong on my side"


class FakeRoom:
    """A RoomView with fixed members, display names and power levels."""

    def __init__(self, room_id: str, levels: dict[str, int], *,
                 names: dict[str, str] | None = None, state_default: int = 50,
                 room_ping: int = 50, encrypted: bool = True) -> None:
        self.room_id = room_id
        self.encrypted = encrypted
        self.levels = dict(levels)
        self.names = names or {}
        self.state_default = state_default
        self.room_ping = room_ping

    def members(self) -> list[str]:
        return list(self.levels)

    def display_name(self, user_id: str) -> str:
        return self.names.get(user_id) or user_id

    def power_level(self, user_id: str) -> int:
        return self.levels.get(user_id, 0)

    def required_level(self, action: str) -> int:
        if action == "notifications.room":
            return self.room_ping
        return self.state_default


class _RollBack(Exception):
    """Raised inside a transaction to undo an attempt."""


class ErrorLog(logging.Handler):
    """Counts ERROR records of one logger (the router's apology path logs one each)."""

    def __init__(self, logger: str) -> None:
        super().__init__(logging.ERROR)
        self.logger = logging.getLogger(logger)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __enter__(self) -> ErrorLog:
        self.logger.addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        self.logger.removeHandler(self)


@dataclass
class Outcome:
    body: str
    command: str
    ctx: Context
    replies: list[Msg]
    contents: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    wrote: bool | None = None  # for an attempt rolled back: did it write anything?

    def text(self) -> str:
        return "\n".join(m.plain() for m in self.replies)

    def apologised(self) -> bool:
        return any(APOLOGY in m.plain() or "error id" in m.plain() for m in self.replies)

    def largest_event(self) -> int:
        return max((len(json.dumps(c, ensure_ascii=False).encode()) for t, c in self.contents
                    if t != "minga.file"), default=0)


class Bench:
    """One database, one router, any number of fake rooms."""

    def __init__(self, db: Database, router: Router, *, prefix: str = "!",
                 default_zone: str = "UTC", admins: tuple[str, ...] = ()) -> None:
        self.db = db
        self.router = router
        self.settings = Settings(prefix, default_zone, admins)
        self.names = bot_names(BOT, "Minga")
        self.events = 0
        self.replan_errors: list[str] = []

    async def join(self, room: RoomView, joined_ts: int = 0) -> None:
        async with self.db.transaction() as conn:
            await record_room(conn, room.room_id, joined_ts)

    def _event_id(self) -> str:
        self.events += 1
        return f"$inproc{self.events}:localhost"

    async def send(self, room: RoomView, sender: str, body: str, now: datetime, *,
                   content: dict[str, Any] | None = None, keep: bool = True
                   ) -> Outcome | None:
        """What the bot does with a text message; None when it is not a command.

        `keep=False` rolls everything back afterwards, so many attempts can start from the
        same state; the outcome then says whether the command wrote anything.
        """
        command = parse_command(body, self.settings.prefix, self.names)
        if command is None:
            return None
        if not command.prefixed and self.router.find(command.name) is None:
            return None
        ctx = Context(room, sender, self._event_id(), now, self.db, self.settings,
                      mentioned=mentioned_users(content or {}, body, BOT))
        if keep:
            async with self.db.transaction():
                await self.router.dispatch(ctx, command.name, command.args)
            return await self._finish(command.name, body, ctx)
        before = await self.snapshot()
        try:
            async with self.db.transaction():
                await self.router.dispatch(ctx, command.name, command.args)
                after = await self.snapshot()
                raise _RollBack
        except _RollBack:
            pass
        outcome = await self._finish(command.name, body, ctx, replan=False)
        outcome.wrote = before != after
        return outcome

    async def snapshot(self) -> list[tuple[str, list[tuple[Any, ...]]]]:
        """Every row of every table: small test databases only."""
        tables = [r[0] for r in await self.db.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return [(t, [tuple(r) for r in await self.db.fetchall(f'SELECT * FROM "{t}"')])
                for t in tables]

    async def interact(self, room: RoomView, sender: str, interaction: Interaction,
                       now: datetime) -> Outcome:
        ctx = Context(room, sender, interaction.event_id, now, self.db, self.settings)
        async with self.db.transaction():
            await self.router.interact(ctx, interaction)
        return await self._finish(interaction.kind, interaction.text, ctx)

    async def _finish(self, command: str, body: str, ctx: Context, *, replan: bool = True
                      ) -> Outcome:
        contents = [outgoing(msg, in_reply_to=ctx.event_id) for msg in ctx.replies]
        for kind, item_id in sorted(ctx.changed) if replan else ():
            try:
                async with self.db.transaction():
                    await self.router.schedules.plan_changed(self.db, kind, item_id, ctx.now)
            except Exception as exc:  # the scheduler would log it and carry on
                self.replan_errors.append(f"{kind}:{item_id} {type(exc).__name__}: {exc}")
        return Outcome(body, command, ctx, list(ctx.replies), contents)
