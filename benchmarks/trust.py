"""What an Element member sees of Minga, before and after cross-signing and verification.

    python -m benchmarks.trust [--messages N]      (or: make trust)

For each bot (no cross-signing, as before issue 14; cross-signed; cross-signed and
verified by emoji) and each member setting (Element's default; "exclude insecure devices";
"never send encrypted messages to unverified sessions"), a fresh member on Element's own
crypto stack (matrix-js-sdk + Rust crypto) shares an encrypted room with Minga and a nio
member. It counts the member's commands Minga could read, Minga's replies (to the nio
member) that the Element member could decrypt, the shield Element puts on them, and
whether the withheld-key notice arrived. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.sync_handler import SyncHandler
from devtools.devserver import DevServer
from devtools.element import ElementMember, SeenEvent
from devtools.harness import Network

BOTS = (("before: no cross-signing", False, False), ("cross-signed", True, False),
        ("cross-signed, verified by emoji", True, True))
MODES = (("Element default", "all", False), ("exclude insecure devices", "only_signed", False),
         ("never send to unverified sessions", "all", True))
WAIT = 8.0


@dataclass
class Row:
    bot: str
    mode: str
    read: int
    decrypted: int
    sent: int
    shields: set[str]
    notice: bool


def shield_name(event: SeenEvent) -> str:
    if event.failure:
        return "undecryptable"
    shield = event.shield or {}
    return "none" if shield.get("colour") == "NONE" else f"{shield.get('colour')} " \
        f"{shield.get('reason')}"


async def settle(check: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        await asyncio.sleep(0.1)


async def until_handled(handler: SyncHandler, count: int) -> None:
    await settle(lambda: handler.commands_handled >= count, WAIT)


async def verify(member: ElementMember, network: Network, bot_user: str) -> None:
    dm = await network.element_room(member, bot_user, is_direct=True)
    await member.verify_start(bot_user, room_id=dm)
    await member.verify_confirm(match=True)
    for _ in range(50):
        if (await member.user_status(bot_user))["is_verified"]:
            return
        await asyncio.sleep(0.2)
    raise RuntimeError("verification did not make Minga verified")


async def cell(network: Network, bot_name: str, cross_sign: bool, verified: bool,
               mode: tuple[str, str, bool], messages: int) -> Row:
    config = network.bot_config()
    bot = await network.start_bot(config, cross_sign=cross_sign)
    user = config.matrix.user_id
    try:
        member = await network.element_member("el")
        other = await network.member("nio")
        if verified:
            await verify(member, network, user)
        room = await member.create_room(invite=[user, other.user_id])
        await member.wait_joined(room, [member.user_id, user, other.user_id])
        await other.wait_until(lambda: room in other.client.rooms, 15)
        await member.set_trust(isolation=mode[1], blacklist_unverified=mode[2])
        handler = bot.handler
        assert handler
        before = handler.commands_handled
        for i in range(messages):
            await member.send(room, "!tz")
            await until_handled(handler, before + i + 1)
        read = handler.commands_handled - before
        asked = []
        for _ in range(messages):
            asked.append(await other.send(room, "!tz"))
            await other.reply_to(room, asked[-1], timeout=15)

        def replies() -> list[SeenEvent]:
            return [e for e in member.in_room(room) if e.sender == user
                    and any(e.replies_to(a) for a in asked)]

        await settle(lambda: len([e for e in replies() if e.decrypted]) == messages, WAIT)
        seen = replies()
        notice = any(e.decrypted and "verify me once" in e.body for e in member.in_room(room)
                     if e.sender == user)
        return Row(bot_name, mode[0], read, len([e for e in seen if e.decrypted]), messages,
                   {shield_name(e) for e in seen} or {"nothing arrived"}, notice)
    finally:
        await network.stop_bot(bot)


async def run(messages: int) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="minga-trust-") as tmp:
        work = Path(tmp)
        server = DevServer(work / "synapse")
        server.start()
        network = Network(server, work)
        rows = []
        try:
            for bot_name, cross_sign, verified in BOTS:
                for mode in MODES:
                    rows.append(await cell(network, bot_name, cross_sign, verified, mode,
                                           messages))
                    await network.close()
        finally:
            await network.close()
            server.stop()
        return rows


def table(rows: list[Row], command: str) -> str:
    lines = [f"Command: `{command}`. Element member: matrix-js-sdk 43 + Rust crypto.", "",
             "| Minga | member's setting | Minga read the member | member decrypted Minga "
             "| shield on Minga's replies | withheld-key notice |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r.bot} | {r.mode} | {r.read}/{r.sent} | {r.decrypted}/{r.sent} | "
                     f"{', '.join(sorted(r.shields))} | {'yes' if r.notice else 'no'} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    rows = asyncio.run(run(args.messages))
    print(table(rows, f"python -m benchmarks.trust --messages {args.messages}"))


if __name__ == "__main__":
    main()
