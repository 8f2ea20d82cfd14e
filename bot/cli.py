"""`minga run | check-config | demo | backup`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sqlite3
import sys
from pathlib import Path

from bot.config import ConfigError, load_config

# A long-lived task could not be kept alive (bot/supervisor.py): sysexits' EX_SOFTWARE, so a
# service manager restarts the process and an operator can tell it from a bad config (2) or
# a failed start-up (1).
EXIT_TASK_FAILED = 70


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="minga", description="Minga, a Matrix bot for networks.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the bot")
    run.add_argument("--config", required=True, type=Path)
    check = sub.add_parser("check-config", help="validate a config file")
    check.add_argument("--config", required=True, type=Path)
    demo = sub.add_parser("demo", help="a scripted conversation on a throw-away homeserver")
    demo.add_argument("--keep", action="store_true",
                      help="leave the homeserver and bot running and print how to log in")
    backup = sub.add_parser("backup", help="write a consistent copy of the database")
    backup.add_argument("path", type=Path)
    backup.add_argument("--config", required=True, type=Path)
    args = parser.parse_args(argv)

    if args.command == "demo":
        from devtools.demo import run_demo

        return asyncio.run(run_demo(keep=args.keep))
    try:
        config = load_config(args.config)
    except ConfigError as err:
        print(f"minga: config error: {err}", file=sys.stderr)
        return 2
    if args.command == "check-config":
        print(f"{args.config}: OK (bot {config.matrix.user_id} on {config.matrix.homeserver})")
        return 0
    if args.command == "backup":
        return backup_database(config.storage.database, args.path)
    return asyncio.run(run_bot(config))


def backup_database(source: Path, target: Path) -> int:
    """SQLite's online backup API: a consistent copy even while the bot writes."""
    if not source.exists():
        print(f"minga: no database at {source}", file=sys.stderr)
        return 2
    target.parent.mkdir(parents=True, exist_ok=True)
    target.touch(mode=0o600)
    target.chmod(0o600)
    with contextlib.closing(sqlite3.connect(source)) as src, \
            contextlib.closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    print(f"backed up {source} to {target}")
    return 0


async def run_bot(config: object) -> int:
    from bot.client import MingaBot, StartupError
    from bot.config import Config
    from bot.logs import setup_logging
    from bot.session import StoreLocked
    from storage import DatabaseTooNew

    assert isinstance(config, Config)
    setup_logging(config.log_level_number)
    bot = MingaBot(config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await bot.start()
    except (StartupError, StoreLocked, DatabaseTooNew) as err:
        print(f"minga: {err}", file=sys.stderr)
        return 1
    stopping = asyncio.create_task(stop.wait())
    failing = asyncio.create_task(bot.failed.wait())
    await asyncio.wait({stopping, failing}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    failing.cancel()
    await bot.stop()
    if bot.supervisor.failure:
        print(f"minga: {bot.supervisor.failure}; exiting with code {EXIT_TASK_FAILED} so that "
              "systemd or the container runtime starts it again (see the log above)",
              file=sys.stderr)
        return EXIT_TASK_FAILED
    return 0


if __name__ == "__main__":
    sys.exit(main())
