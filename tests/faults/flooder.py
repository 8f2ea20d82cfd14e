"""A member flooding a room with commands, in its own process (the flood scenario).

Run by tests/faults/test_flood.py, so the flooder's encryption and syncing do not compete
with the member whose latency is measured (that one lives in the test's process). A real
E2EE member (devtools.member): its messages are encrypted like anyone's.

Usage: python -m tests.faults.flooder HOMESERVER USER_ID PASSWORD STORE_DIR BOT_ID [--no-bot]
Protocol, one JSON object per line: it prints {"room": ...} once its room is ready (with the
bot joined and answering, unless --no-bot), reads {"count": N, "seconds": S, "linger": L}
on stdin, sends N commands evenly over S seconds, waits L seconds more for answers, then
prints what it sent and what came back, and exits.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from nio import RoomMessageNotice

from devtools.member import Member, is_reply_to

COMMAND = "!help"
# The English "slow down" notice (bot/sync_handler.py SLOW_DOWN); this member speaks English.
SLOW_DOWN_MARK = "faster than I can answer"


def say(obj: object) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def main(argv: list[str]) -> None:
    homeserver, user_id, password, store_dir, bot_id = argv[:5]
    with_bot = "--no-bot" not in argv
    member = Member(homeserver, user_id, password, Path(store_dir))
    await member.start()
    room = await member.create_room(invite=[bot_id] if with_bot else [], name="Flooded")
    if with_bot:
        await member.wait_until(lambda: bot_id in member.client.rooms[room].users
                                and bot_id not in member.client.rooms[room].invited_users, 30)
        first = await member.send(room, COMMAND)
        await member.reply_to(room, first, timeout=30)
    say({"room": room})

    line = await asyncio.to_thread(sys.stdin.readline)
    plan = json.loads(line)
    count, seconds, linger = int(plan["count"]), float(plan["seconds"]), float(plan["linger"])
    sent: list[str] = []
    started = time.monotonic()
    for index in range(count):
        delay = started + index * seconds / count - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        sent.append(await member.send(room, COMMAND))
    flood_seconds = time.monotonic() - started
    await asyncio.sleep(linger)

    answers = notices = 0
    ours = set(sent)
    for event in member.notices(room, bot_id):
        if not isinstance(event, RoomMessageNotice) or not any(
                is_reply_to(event, e) for e in ours):
            continue
        if SLOW_DOWN_MARK in event.body:
            notices += 1
        else:
            answers += 1
    say({"sent": len(sent), "flood_seconds": flood_seconds, "answers_seen": answers,
         "notices_seen": notices, "event_ids": sent})
    await member.stop()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
