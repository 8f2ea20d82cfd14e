"""The peer: matrix-reminder-bot 0.4.0 in its own venv, timed on `!remindme` in the same run."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.measure import Series
from devtools.harness import Network
from devtools.member import Member

ROOT = Path(__file__).resolve().parents[1]
PEER_VENV = ROOT / ".venv-peer"
PEER_VERSION = "0.4.0"


def install_peer() -> Path | None:
    """The peer's console script, installing it on first use; None if it won't install."""
    script = PEER_VENV / "bin" / "matrix-reminder-bot"
    if script.exists():
        return script
    try:
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run([str(PEER_VENV / "bin" / "pip"), "install", "--quiet",
                        f"matrix-reminder-bot=={PEER_VERSION}"], check=True, timeout=600)
    except (subprocess.SubprocessError, OSError):
        return None
    return script if script.exists() else None


def peer_config(path: Path, homeserver: str, user_id: str, password: str) -> Path:
    data = path.parent
    config = {
        "command_prefix": "!",
        "matrix": {"user_id": user_id, "user_password": password, "homeserver_url": homeserver,
                   "device_id": "PEERBENCH", "device_name": "reminder-bot"},
        "storage": {"database": f"sqlite://{data / 'peer.db'}", "store_path": str(data / "store")},
        "reminders": {"timezone": "Etc/UTC"},
        "allowlist": {"enabled": False, "regexes": []},
        "blocklist": {"enabled": False, "regexes": []},
        "logging": {"level": "WARNING", "console_logging": {"enabled": True},
                    "file_logging": {"enabled": False, "filepath": str(data / "bot.log")}},
    }
    (data / "store").mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML
    return path


async def peer_round_trip(member: Member, room: str, peer_id: str, text: str) -> float:
    """The peer answers with a plain message (no reply relation): its next message counts."""
    after = len(member.events)
    started = time.monotonic()
    await member.send(room, text)
    answer = await member.wait_for(room, lambda e: getattr(e, "sender", "") == peer_id,
                                   timeout=30, after=after)
    return (member.received_at[answer.event_id] - started) * 1000


async def peer_part(network: Network, alice: Member, room: str, rounds: int,
                    out: list[str], minga: Series) -> None:
    script = install_peer()
    out.append("\n### Peer: matrix-reminder-bot " + PEER_VERSION + "\n")
    if script is None:
        out.append("It did not install in a separate venv here, so it was not measured.")
        return
    peer_id, password = network.register("reminder")
    workdir = network.workdir / "peer"
    workdir.mkdir(parents=True, exist_ok=True)
    config = peer_config(workdir / "config.yaml", network.server.url, peer_id, password)
    log = open(workdir / "peer.log", "wb")  # noqa: SIM115, ASYNC230 - handed to the child
    proc = await asyncio.create_subprocess_exec(str(script), str(config), stdout=log,
                                                stderr=log, cwd=workdir)
    log.close()
    try:
        await asyncio.sleep(3)
        await alice.client.room_invite(room, peer_id)
        await alice.wait_until(lambda: peer_id in alice.client.rooms[room].users
                               and peer_id not in alice.client.rooms[room].invited_users, 60)
        await asyncio.sleep(2)
        for i in range(3):  # warm-up
            await peer_round_trip(alice, room, peer_id, f"!remindme 1h; warm {i}")
        series = Series("matrix-reminder-bot `!remindme 1h; …`, encrypted", [])
        for i in range(rounds):
            series.samples_ms.append(
                await peer_round_trip(alice, room, peer_id, f"!remindme 1h; bench {i}"))
        out.append("| Bot and command | n | median ms | p95 ms |")
        out.append("|---|---|---|---|")
        out.append(series.row())
        out.append(minga.row())
        out.append(f"\nRatio Minga `!help` / peer: median {minga.median / series.median:.2f}×, "
                   f"p95 {minga.p95 / series.p95:.2f}×.")
    except TimeoutError:
        out.append("The peer did not answer in time (see its log); not measured.")
    finally:
        if proc.returncode is None:
            proc.terminate()
        await proc.wait()
