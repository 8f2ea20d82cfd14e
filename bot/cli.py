"""`minga run | check-config | demo | backup | reset-identity`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sqlite3
import sys
from pathlib import Path

from bot.config import ConfigError, load_config


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
    reset = sub.add_parser("reset-identity",
                           help="replace Minga's cross-signing identity (members will notice)")
    reset.add_argument("--config", required=True, type=Path)
    reset.add_argument("--yes", action="store_true", help="do not ask before resetting")
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
        from bot.identity_cli import backup_seeds

        return backup_database(config.storage.database, args.path) or backup_seeds(config,
                                                                                    args.path)
    if args.command == "reset-identity":
        from bot.identity_cli import reset_identity

        return reset_identity(config, assume_yes=args.yes)
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
    await stop.wait()
    await bot.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
