"""`make bench`: Minga against the physical floor, one local Synapse, one run.

Writes BENCHMARKS.md. Parts: latency (encrypted and not) against a plain-nio echo
bot, reminder punctuality, scale (start-up, memory, latency on a big database,
digest render, growth with history), a burst across rooms, the cost of
`synchronous=FULL` per command (`--only durability` runs that part alone and replaces only
its section), and optionally the 200-reminders-under-default-rate-limits run
(`--with-rate-limited`).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nio import RoomMessageNotice

from benchmarks.calendars import calendars_part
from benchmarks.charts import charts_part
from benchmarks.durability import durability_part, splice
from benchmarks.i18n import i18n_part
from benchmarks.measure import EchoBot, Series, percentile, round_trip
from benchmarks.peer import peer_part
from benchmarks.scale import burst, digest_render_ms, scale_part
from benchmarks.suggest import suggest_part
from devtools.devserver import DevServer
from devtools.harness import Network
from devtools.member import Member

ROOT = Path(__file__).resolve().parents[1]
MINGA_COMMANDS = ("!help", "!actions", "!meetings", "!action bench item {i}")
# The same bar for members who read Spanish and Arabic (catalogue lookups, CLDR dates, RTL).
READERS = {"es": "beto", "ar": "amal"}
READER_COMMANDS = ("!help", "!meetings")


async def latency_part(network: Network, rounds: int, out: list[str], *,
                       with_peer: bool) -> dict[str, Series]:
    config = network.bot_config("minga", require_encryption=False)
    await network.start_bot(config)
    alice = await network.member("alice")
    readers = {lang: await network.member(name) for lang, name in READERS.items()}
    echo_id, echo_password = network.register("echo")
    echo = EchoBot(network.server.url, echo_id, echo_password,
                   network.workdir / "echo-store")
    await echo.start()
    results: dict[str, Series] = {}
    rooms: dict[bool, str] = {}
    for encrypted in (True, False):
        room = await network.room(alice, list(readers.values()), config.matrix.user_id,
                                  encrypted=encrypted)
        rooms[encrypted] = room
        for lang, reader in readers.items():
            await round_trip(reader, room, f"!lang {lang}")
        await alice.client.room_invite(room, echo_id)
        await asyncio.sleep(0.5)
        await echo.join(room)
        await asyncio.sleep(1)
        kind = "encrypted" if encrypted else "unencrypted"
        floor = Series(f"echo bot (floor), {kind}", [])
        minga = {cmd: Series(f"Minga `{cmd.format(i='N')}`, {kind}", []) for cmd in
                 MINGA_COMMANDS}
        localized = {(lang, cmd): Series(f"Minga `{cmd}` read in {lang}, {kind}", [])
                     for lang in readers for cmd in READER_COMMANDS}
        for i in range(5):  # warm-up: sessions shared, members loaded
            await round_trip(alice, room, f"echo warm {i}")
            for cmd in MINGA_COMMANDS:
                await round_trip(alice, room, cmd.format(i=f"w{i}"))
            for (lang, cmd) in localized:
                await round_trip(readers[lang], room, cmd)
        for i in range(rounds):
            floor.samples_ms.append(await round_trip(alice, room, f"echo {i}"))
            for cmd in MINGA_COMMANDS:
                minga[cmd].samples_ms.append(await round_trip(alice, room, cmd.format(i=i)))
            for (lang, cmd), series in localized.items():
                series.samples_ms.append(await round_trip(readers[lang], room, cmd))
        minga |= {f"{lang} {cmd}": series for (lang, cmd), series in localized.items()}
        results[f"floor-{kind}"] = floor
        out.append(f"\n### Reply latency, {kind} room ({rounds} round trips each)\n")
        out.append("| Bot and command | n | median ms | p95 ms | median / floor | "
                   "p95 / floor |")
        out.append("|---|---|---|---|---|---|")
        out.append(floor.row())
        for series in minga.values():
            out.append(series.row(floor))
            results[series.label] = series
        worst_med = max(s.median / floor.median for s in minga.values())
        worst_p95 = max(s.p95 / floor.p95 for s in minga.values())
        verdict = "met" if worst_med <= 1.15 and worst_p95 <= 1.3 else "**not met**"
        out.append(f"\nBar (median ≤ 1.15× floor, p95 ≤ 1.3× floor): {verdict} — worst "
                   f"median {worst_med:.2f}×, worst p95 {worst_p95:.2f}×.")
    await echo.stop()
    if with_peer:
        await peer_part(network, alice, rooms[True], rounds, out,
                        results["Minga `!help`, encrypted"])
    return results


async def punctuality_part(network: Network, out: list[str]) -> None:
    """10 reminders due in the same second: lateness from due to the member's client."""
    config = network.bot_config("minga-punctual")
    bot = await network.start_bot(config)
    alice = await network.member("alice")
    room = await network.room(alice, [], config.matrix.user_id)
    await network.stop_bot(bot)
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=12)
    insert_reminders(config.storage.database, room, alice.user_id, due, 10, "Punctual")
    await network.start_bot(config)
    await alice.wait_until(lambda: len(reminder_events(alice, room, "Punctual")) >= 10, 90)
    late_ms = [(alice.received_wall[e.event_id] - due.timestamp()) * 1000
               for e in reminder_events(alice, room, "Punctual")]
    p50, p99 = percentile(late_ms, 50), percentile(late_ms, 99)
    out.append("\n### Reminder punctuality (10 due in the same second)\n")
    out.append(f"Lateness due → member's client has it: p50 {p50:.0f} ms, p99 {p99:.0f} ms "
               f"(bar p99 ≤ 1000 ms: {'met' if p99 <= 1000 else '**not met**'}).")


def insert_reminders(db_path: Path, room: str, creator: str, due: datetime, count: int,
                     title: str) -> None:
    """One-off meetings starting a minute after `due`, each with a 1-minute reminder."""
    db = sqlite3.connect(db_path)
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="seconds")
    start = (due + timedelta(minutes=1)).replace(tzinfo=None).isoformat()
    first = (db.execute("SELECT COALESCE(MAX(number), 0) FROM meetings WHERE room_id = ?",
                        (room,)).fetchone()[0]) + 1
    rows = [(room, first + n, f"{title} {n:03d}", start, "UTC", 30, "1", creator, past, past)
            for n in range(count)]
    db.executemany(
        "INSERT INTO meetings (room_id, number, title, start_local, zone, duration_min, leads, "
        "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.execute("INSERT OR REPLACE INTO counters (room_id, kind, value) VALUES (?, 'meeting', ?)",
               (room, first + count - 1))
    db.commit()
    db.close()


def reminder_events(member: Member, room: str, title: str) -> list[RoomMessageNotice]:
    return [n for n in member.notices(room) if f"Reminder: {title}" in n.body]


async def rate_limited_part(workdir: Path, out: list[str], count: int = 200) -> None:
    server = DevServer(workdir / "synapse-limited", rate_limited=True)
    server.start()
    network = Network(server, workdir / "limited")
    try:
        config = network.bot_config("minga-limited")
        bot = await network.start_bot(config)
        alice = await network.member("alice")
        room = await network.room(alice, [], config.matrix.user_id)
        await network.stop_bot(bot)
        due = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=12)
        insert_reminders(config.storage.database, room, alice.user_id, due, count, "Limited")
        await network.start_bot(config)
        await alice.wait_until(
            lambda: len(reminder_events(alice, room, "Limited")) >= count, 1800)
        events = reminder_events(alice, room, "Limited")
        last = max(alice.received_wall[e.event_id] for e in events)
        titles = Counter(e.body.split("Reminder: ")[1].split(" (m")[0] for e in events)
        out.append(f"\n### {count} reminders due in the same minute, default rate limits\n")
        out.append(f"All delivered: {len(titles)}/{count} distinct, "
                   f"{sum(titles.values()) - len(titles)} duplicates; last one "
                   f"{last - due.timestamp():.0f} s after due (rc_message 0.2/s, burst 10 "
                   f"allows {(count - 10) / 0.2:.0f} s).")
    finally:
        await network.close()
        server.stop()


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return f"{platform.system()} {platform.machine()}, {cores} cores, {cpu}, " \
           f"Python {platform.python_version()}"


async def only(args: argparse.Namespace) -> int:
    """One in-process part, its section replaced in BENCHMARKS.md, the rest left as it was."""
    section: list[str] = []
    if args.only == "durability":
        await durability_part(section)
    path = Path(args.out)
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    path.write_text(splice(text, section), encoding="utf-8")
    print("\n".join(section))
    return 0


async def main(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("nio").setLevel(logging.ERROR)
    if args.only:
        return await only(args)
    workdir = Path(tempfile.mkdtemp(prefix="minga-bench-"))
    server = DevServer(workdir / "synapse")
    server.start()
    out = [
        "# Benchmarks",
        "",
        f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {machine()}.",
        f"Command: `make bench` (`python -m benchmarks.bench {' '.join(sys.argv[1:])}`).",
        "One local Synapse on 127.0.0.1 (SQLite), real E2EE clients; all parts in one run.",
    ]
    started = time.monotonic()
    try:
        network = Network(server, workdir / "net")
        floors = await latency_part(network, args.rounds, out, with_peer=not args.no_peer)
        await network.close()
        punctual = Network(server, workdir / "punctual")
        try:
            await punctuality_part(punctual, out)
        finally:
            await punctual.close()
        await scale_part(server, workdir / "scale", out, floors["floor-encrypted"],
                         rounds=max(20, args.rounds // 5))
        out.append(f"\n### Digest render\n\n{await digest_render_ms(workdir / 'digest')}")
        await burst(Network(server, workdir / "burst"), out)
        i18n_part(out)
        charts_part(out)
        suggest_part(out)
        calendars_part(out)
        await durability_part(out)
        if args.with_rate_limited:
            await rate_limited_part(workdir, out)
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    out.append(f"\nWhole run: {time.monotonic() - started:.0f} s.")
    text = "\n".join(out) + "\n"
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--with-rate-limited", action="store_true")
    parser.add_argument("--no-peer", action="store_true",
                        help="skip matrix-reminder-bot (installed into .venv-peer on first use)")
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument("--only", choices=("durability",),
                        help="run one in-process part and update only its section")
    sys.exit(asyncio.run(main(parser.parse_args())))
