"""A bot, its members and rooms on a local DevServer: shared by `minga demo` and the tests."""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from bot.client import MingaBot
from bot.clock import Clock
from bot.config import BotConfig, Config, MatrixConfig, StorageConfig
from devtools.devserver import DevServer
from devtools.element import ElementMember
from devtools.member import Member

_counter = itertools.count(1)
# The per-member rate of test bots: open (bot.member_burst / member_per_minute's maxima).
OPEN_BURST, OPEN_PER_MINUTE = 1000, 60000


class Network:
    """Registers unique accounts per use, so many tests can share one homeserver."""

    def __init__(self, server: DevServer, workdir: Path) -> None:
        self.server = server
        self.workdir = workdir
        self.members: list[Member] = []
        self.element_members: list[ElementMember] = []
        self.bots: list[MingaBot] = []
        self.passwords: dict[str, str] = {}

    def register(self, name: str) -> tuple[str, str]:
        localpart = f"{name}-{next(_counter)}-{secrets.token_hex(2)}"
        password = secrets.token_urlsafe(12)
        user_id = self.server.register(localpart, password)
        self.passwords[user_id] = password
        return user_id, password

    async def member(self, name: str) -> Member:
        user_id, password = self.register(name)
        member = Member(self.server.url, user_id, password, self.workdir / "members" / user_id)
        await member.start()
        self.members.append(member)
        return member

    async def element_member(self, name: str, *, cross_signing: bool = True) -> ElementMember:
        """A member on Element's crypto stack (matrix-js-sdk + Rust crypto, in Node)."""
        user_id, password = self.register(name)
        member = ElementMember(self.server.url, user_id, password,
                               self.workdir / "element" / f"{user_id}.log")
        self.element_members.append(member)
        await member.start(cross_signing=cross_signing)
        return member

    async def element_room(self, owner: ElementMember, bot_user_id: str, *,
                           is_direct: bool = False) -> str:
        """An encrypted room made by an Element member, with the bot joined."""
        room_id = await owner.create_room(invite=[bot_user_id], is_direct=is_direct)
        await owner.wait_joined(room_id, [owner.user_id, bot_user_id])
        return room_id

    def bot_config(self, name: str = "minga", **bot_overrides: Any) -> Config:
        user_id, password = self.register(name)
        data = self.workdir / "bots" / user_id
        # Test members send as fast as the answers come back (benchmarks: ~10 a second), so
        # the per-member rate is opened here; the flood scenario sets the real one.
        bot = BotConfig(allowed_inviters=(f"@*:{self.server.server_name}",),
                        member_burst=OPEN_BURST, member_per_minute=OPEN_PER_MINUTE)
        return Config(
            matrix=MatrixConfig(self.server.url, user_id, password, None, "Minga"),
            storage=StorageConfig(data / "minga.db", data / "store"),
            bot=replace(bot, **bot_overrides),
        )

    def write_config(self, config: Config, path: Path) -> Path:
        """The same config as a TOML file, for a bot run as its own process."""
        def q(value: object) -> str:
            return json.dumps(str(value))

        bot = config.bot
        lines = [
            "[matrix]",
            f"homeserver = {q(config.matrix.homeserver)}",
            f"user_id = {q(config.matrix.user_id)}",
            f"password = {q(config.matrix.password)}",
            f"device_name = {q(config.matrix.device_name)}",
            "[storage]",
            f"database = {q(config.storage.database)}",
            f"store_dir = {q(config.storage.store_dir)}",
            "[bot]",
            f"command_prefix = {q(bot.command_prefix)}",
            f"default_timezone = {q(bot.default_timezone)}",
            f"allowed_inviters = {json.dumps(list(bot.allowed_inviters))}",
            f"admins = {json.dumps(list(bot.admins))}",
            f"log_level = {q(bot.log_level)}",
            f"require_encryption = {'true' if bot.require_encryption else 'false'}",
            f"undecryptable_grace_seconds = {bot.undecryptable_grace_seconds}",
            f"member_burst = {bot.member_burst}",
            f"member_per_minute = {bot.member_per_minute}",
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    async def start_bot(self, config: Config, *, clock: Clock | None = None,
                        cross_sign: bool = True) -> MingaBot:
        bot = MingaBot(config, clock=clock, cross_sign=cross_sign)
        await bot.start()
        await bot.wait_ready(60)
        self.bots.append(bot)
        return bot

    async def stop_bot(self, bot: MingaBot) -> None:
        await bot.stop()
        if bot in self.bots:
            self.bots.remove(bot)

    async def room(self, owner: Member, others: list[Member], bot_user_id: str | None,
                   *, encrypted: bool = True, **kwargs: Any) -> str:
        """A room with everyone joined, the bot included, ready for commands."""
        invite = [m.user_id for m in others] + ([bot_user_id] if bot_user_id else [])
        room_id = await owner.create_room(invite=invite, encrypted=encrypted, **kwargs)
        everyone = [m.user_id for m in others] + ([bot_user_id] if bot_user_id else [])

        def all_joined() -> bool:
            room = owner.client.rooms.get(room_id)
            return room is not None and all(
                uid in room.users and uid not in room.invited_users for uid in everyone
            )

        await owner.wait_until(all_joined, 30)
        for member in others:
            await member.wait_until(partial(_in_room, member, room_id), 15)
        return room_id

    async def close(self) -> None:
        for bot in list(self.bots):
            await bot.stop()
        self.bots.clear()
        await asyncio.gather(*(m.stop() for m in self.members), return_exceptions=True)
        self.members.clear()
        await asyncio.gather(*(m.stop() for m in self.element_members), return_exceptions=True)
        self.element_members.clear()


def _in_room(member: Member, room_id: str) -> bool:
    return room_id in member.client.rooms
