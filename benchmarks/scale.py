"""Scale, digest render and burst parts of `make bench`."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import statistics
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nio import RoomMessageNotice

from benchmarks.gendata import generate
from benchmarks.measure import Series, round_trip
from bot.process import BotProcess
from bot.render import outgoing
from bot.sync_handler import UNDECRYPTABLE
from commands.actions.digest import digest_messages
from commands.context import Settings
from commands.jobs import JobEnv
from devtools.devserver import DevServer
from devtools.harness import Network
from devtools.member import Member, is_reply_to
from storage import open_database

# What a command whose room key never reached Minga gets after the grace period: a reply to
# it, yet not an answer (the burst once counted 20 of them as answered, 60 s late).
NOT_READ = UNDECRYPTABLE.split(" — ")[0]


async def timed_start(bot: BotProcess, member: Member, room: str) -> tuple[float, float]:
    """(seconds from spawn until the member has the answer to a command sent while down,
    resident MiB after that)."""
    event_id = await member.send(room, "!help")
    started = time.monotonic()
    await bot.start(timeout=120)
    reply = await member.wait_for(room, lambda e: is_reply_to(e, event_id), timeout=60)
    return member.received_at[reply.event_id] - started, bot.rss_mib()


async def scale_part(server: DevServer, workdir: Path, out: list[str], floor: Series, *,
                     rounds: int) -> None:
    network = Network(server, workdir)
    try:
        config = network.bot_config("minga-scale")
        bot = await network.start_bot(config)
        alice = await network.member("alice")
        room = await network.room(alice, [], config.matrix.user_id)
        await network.stop_bot(bot)
        db_path = Path(config.storage.database)
        pristine = workdir / "pristine.db"
        shutil_copy(db_path, pristine)
        counts = generate(db_path, big_room=room, members=[alice.user_id])
        process = BotProcess(network.write_config(config, workdir / "minga.toml"),
                             workdir / "bot.log")
        cold, rss = await timed_start(process, alice, room)
        backlog, drained = await settle(db_path)  # then latency is measured in steady state
        latencies = {cmd: Series(f"Minga `{cmd}`, biggest room", []) for cmd in
                     ("!actions", "!meetings")}
        for _ in range(rounds):
            for cmd, series in latencies.items():
                series.samples_ms.append(await round_trip(alice, room, cmd))
        await process.stop()
        warm, _ = await timed_start(process, alice, room)
        await process.stop()

        shutil_copy(pristine, db_path)
        history = generate(db_path, big_room=room, members=[alice.user_id], history=10)
        cold10, rss10 = await timed_start(process, alice, room)
        await settle(db_path)
        await process.stop()
        warm10, _ = await timed_start(process, alice, room)
        await process.stop()

        big = counts
        out.append("\n### Scale\n")
        out.append(f"Generated: {big['rooms']} rooms, {big['meetings']:,} meeting series, "
                   f"{big['actions']:,} actions ({big['open_actions']:,} open), "
                   f"{big['answers']:,} check-in answers; the biggest room (a real one) holds "
                   "a tenth of all meetings and actions.")
        out.append("")
        out.append("| Start-up (spawn → answer to a command sent while down) | seconds | RSS MiB |")
        out.append("|---|---|---|")
        out.append(f"| 1× data, first start (every series expanded) | {cold:.2f} | {rss:.0f} |")
        out.append(f"| 1× data, next start | {warm:.2f} | |")
        out.append(f"| 10× history ({history['actions']:,} actions, {history['answers']:,} "
                   f"answers; same schedules), first start | {cold10:.2f} | {rss10:.0f} |")
        out.append(f"| 10× history, next start | {warm10:.2f} | |")
        verdict = "met" if max(cold, warm) < 3 and rss < 150 else "**not met**"
        out.append(f"\nBars (start-up < 3 s, RSS < 150 MB): {verdict}. Growth 1× → 10× history: "
                   f"{warm10 / warm:.2f}× (next start).")
        out.append(f"\nThe first start found {backlog} reminders and nudges that had fallen due "
                   f"while the generated data had no bot; they were sent (marked late) in "
                   f"{drained:.1f} s, replies to commands going first. Latency below is measured "
                   "after that.")
        out.append("\n| Command in the biggest room | n | median ms | p95 ms | median / floor | "
                   "p95 / floor |")
        out.append("|---|---|---|---|---|---|")
        out.append(floor.row())
        for series in latencies.values():
            out.append(series.row(floor))
    finally:
        await network.close()


async def settle(db_path: Path, quiet: float = 2.0, limit: float = 600) -> tuple[int, float]:
    """Wait until the bot's outbox has been empty for `quiet` seconds: (messages, seconds)."""
    started = time.monotonic()
    empty_since: float | None = None
    while time.monotonic() - started < limit:
        db = sqlite3.connect(db_path, timeout=5)
        pending, scheduled = db.execute(
            "SELECT SUM(sent_at IS NULL AND failed IS NULL), SUM(priority = 1) FROM outbox"
        ).fetchone()
        db.close()
        if not pending:
            empty_since = empty_since or time.monotonic()
            if time.monotonic() - empty_since >= quiet:
                return int(scheduled or 0), time.monotonic() - started - quiet
        else:
            empty_since = None
        await asyncio.sleep(0.2)
    return -1, limit


def shutil_copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()


class _Room:
    room_id = "!digest:localhost"
    encrypted = True

    def __init__(self, members: list[str]) -> None:
        self._members = members

    def members(self) -> list[str]:
        return self._members

    def display_name(self, user_id: str) -> str:
        return user_id[1:].split(":")[0]

    def power_level(self, user_id: str) -> int:
        return 0

    def required_level(self, action: str) -> int:
        return 50


async def digest_render_ms(workdir: Path, items: int = 2000) -> str:
    """Digest for a room with 2,000 open items: query, build and render to event content."""
    workdir.mkdir(parents=True, exist_ok=True)
    db = await open_database(workdir / "digest.db")
    rng = random.Random(4)
    users = [f"@owner{i:02d}:localhost" for i in range(20)]
    now = datetime.now(UTC).replace(microsecond=0)
    zones = ("Africa/Nairobi", "Asia/Kolkata", "America/Bogota", "Asia/Kathmandu")
    async with db.transaction() as conn:
        await conn.executemany("INSERT INTO members (user_id, zone, updated_at) VALUES (?, ?, ?)",
                               [(u, rng.choice(zones), now.isoformat()) for u in users])
        await conn.executemany(
            "INSERT INTO actions (room_id, number, text, due_utc, created_by, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(_Room.room_id, n + 1, f"Open item {n} <b>for</b> the network — ñandú",
              (now + timedelta(days=rng.randint(-20, 30))).isoformat(), rng.choice(users),
              now.isoformat(), now.isoformat()) for n in range(items)])
        await conn.execute("INSERT INTO action_owners (action_id, user_id, position) "
                           "SELECT id, created_by, 0 FROM actions")
    room = _Room(users)

    async def lookup(room_id: str) -> _Room:
        return room

    env = JobEnv(db, now, Settings(), lookup)
    timings = []
    messages = []
    for _ in range(5):
        started = time.perf_counter()
        messages = await digest_messages(env, room.room_id, room, "UTC", is_reply=False)
        for msg in messages:
            outgoing(msg)
        timings.append((time.perf_counter() - started) * 1000)
    await db.close()
    median = statistics.median(timings)
    return (f"{items:,} open items → {len(messages)} messages, median {median:.0f} ms over 5 "
            f"runs (bar < 100 ms: {'met' if median < 100 else '**not met**'}).")


async def burst(network: Network, out: list[str], members_n: int = 10, rooms_n: int = 20,
                commands: int = 200) -> None:
    """Many members, many rooms, commands as fast as the clients can send them."""
    try:
        config = network.bot_config("minga-burst")
        await network.start_bot(config)
        members = [await network.member(f"m{i}") for i in range(members_n)]
        rooms: list[tuple[str, list[Member]]] = []
        for index in range(rooms_n):
            group = [members[(index + k) % members_n] for k in range(3)]
            room = await network.room(group[0], group[1:], config.matrix.user_id)
            rooms.append((room, group))
        plan = [(rooms[i % rooms_n][0], rooms[i % rooms_n][1][i % 3], i) for i in range(commands)]
        texts = ("!tz", "!meetings", "!actions", "!help tz", "!hours")
        started = time.monotonic()
        sent = await asyncio.gather(*(member.send(room, texts[i % len(texts)])
                                      for room, member, i in plan))
        first = rooms[0][1][0]

        def replies(member: Member, room: str, event_id: str) -> list[RoomMessageNotice]:
            return [n for n in member.notices(room) if is_reply_to(n, event_id)]

        def answered(member: Member, room: str, event_id: str) -> int:
            return sum(1 for n in replies(member, room, event_id) if NOT_READ not in n.body)

        def not_read(member: Member, room: str, event_id: str) -> bool:
            return any(NOT_READ in n.body for n in replies(member, room, event_id))

        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if all(replies(m, r, e) for (r, m, _), e in zip(plan, sent, strict=True)):
                break
            await asyncio.sleep(0.1)
        took = time.monotonic() - started
        await asyncio.sleep(2)
        counts = Counter(answered(m, r, e) for (r, m, _), e in zip(plan, sent, strict=True))
        unread = sum(not_read(m, r, e) for (r, m, _), e in zip(plan, sent, strict=True))
        del first
        out.append(f"\n### Burst ({commands} commands, {members_n} members, {rooms_n} rooms)\n")
        out.append(f"Answered once: {counts.get(1, 0)}, twice or more: "
                   f"{sum(v for k, v in counts.items() if k > 1)}, unanswered: "
                   f"{counts.get(0, 0)} ({unread} of them never read: the \"couldn't decrypt\" "
                   f"notice); {took:.1f} s from the first send to the last reply "
                   f"= {commands / took:.1f} commands/s.")
    finally:
        await network.close()
