"""`minga run | check-config | status | backup | reset-identity | demo`, `minga --version`.

Whatever goes wrong before the bot is up is said in one line on stderr, naming what
failed and what to do; `--log-level debug` adds the traceback to the log.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sqlite3
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import LOG_LEVELS, Config, ConfigError, load_config
from bot.status import DEFAULT_MAX_SYNC_AGE, version

log = logging.getLogger("minga.cli")

ENVIRONMENT = """\
environment:
  MINGA_MATRIX_PASSWORD      the bot account's password (overrides matrix.password)
  MINGA_MATRIX_ACCESS_TOKEN  an access token instead (overrides matrix.access_token)
  Either is needed once, for the first login: it is saved in storage.store_dir, and
  later starts need neither.
"""
CONFIG_HELP = "the config file (start from config.example.toml)"


class _Version(argparse.Action):
    """Looked up only when asked: reading the package metadata costs ~0.2 s per start."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        print(f"minga {version()}")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    def command(name: str, text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=text, description=text, epilog=ENVIRONMENT,
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    parser = argparse.ArgumentParser(
        prog="minga", description="Minga, a Matrix bot for networks.", epilog=ENVIRONMENT,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action=_Version, nargs=0,
                        help="show the version and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = command("run", "run the bot (stops cleanly on SIGTERM)")
    run.add_argument("--config", required=True, type=Path, help=CONFIG_HELP)
    run.add_argument("--log-level", choices=LOG_LEVELS,
                     help="override bot.log_level (debug shows tracebacks, and may log "
                          "message content)")
    check = command("check-config", "validate a config file")
    check.add_argument("--config", required=True, type=Path, help=CONFIG_HELP)
    check.add_argument("--online", action="store_true",
                       help="also reach the homeserver and check the login (creates no "
                            "device when a login is saved)")
    status = command("status", "health read from the database; exits 1 when unhealthy")
    status.add_argument("--config", required=True, type=Path, help=CONFIG_HELP)
    status.add_argument("--max-sync-age", type=int, default=DEFAULT_MAX_SYNC_AGE,
                        metavar="SECONDS",
                        help="unhealthy when the last successful sync is older "
                             f"(default {DEFAULT_MAX_SYNC_AGE})")
    demo = command("demo", "a scripted conversation on a throw-away homeserver")
    demo.add_argument("--keep", action="store_true",
                      help="leave the homeserver and bot running and print how to log in")
    backup = command("backup", "write a consistent copy of the database, and beside it the "
                               "cross-signing keys (PATH.cross-signing.json) and the E2EE "
                               "store (PATH.store/)")
    backup.add_argument("path", type=Path)
    backup.add_argument("--config", required=True, type=Path, help=CONFIG_HELP)
    reset = command("reset-identity", "replace Minga's cross-signing identity on purpose "
                                      "(every member will notice; asks for the password)")
    reset.add_argument("--config", required=True, type=Path, help=CONFIG_HELP)
    reset.add_argument("--yes", action="store_true", help="do not ask before resetting")
    return parser

# A long-lived task could not be kept alive (bot/supervisor.py): sysexits' EX_SOFTWARE, so a
# service manager restarts the process and an operator can tell it from a bad config (2) or
# a failed start-up (1).
EXIT_TASK_FAILED = 70


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "demo":
        from devtools.demo import run_demo

        return asyncio.run(run_demo(keep=args.keep))
    try:
        # Only run and check-config log in; backup and status read the database.
        config = load_config(args.config, need_login=args.command in ("run", "check-config"))
    except ConfigError as err:
        print(f"minga: config error: {err}", file=sys.stderr)
        return 2
    if args.command == "check-config":
        login = "" if config.matrix.password or config.matrix.access_token else \
            "; no password needed: the saved login is used"
        print(f"{args.config}: OK (bot {config.matrix.user_id} on "
              f"{config.matrix.homeserver}{login})")
        if check_database(config.storage.database):
            return 1
        return asyncio.run(check_online(config)) if args.online else 0
    if args.command == "status":
        return asyncio.run(show_status(config, timedelta(seconds=args.max_sync_age)))
    if args.command == "backup":
        from bot.backup import backup_store
        from bot.identity_cli import backup_seeds

        return (backup_database(config.storage.database, args.path)
                or backup_seeds(config, args.path) or backup_store(config, args.path))
    if args.command == "reset-identity":
        from bot.identity_cli import reset_identity

        return reset_identity(config, assume_yes=args.yes)
    if args.log_level:
        config = replace(config, bot=replace(config.bot, log_level=args.log_level))
    return asyncio.run(run_bot(config))


def check_database(database: Path) -> int:
    """The start's own check of an existing database (reading only); 1 with one line if it
    would refuse to start."""
    from storage import DatabaseDamaged, DatabaseTooNew, check_existing

    try:
        check_existing(database)
    except (DatabaseDamaged, DatabaseTooNew) as err:
        print(f"minga: storage.database: {err}", file=sys.stderr)
        return 1
    return 0


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


async def show_status(config: Config, max_age: timedelta) -> int:
    from bot.status import read_status, render

    database = config.storage.database
    if not database.is_file():
        print(f"minga: no database at {database}: has Minga been started with this config?",
              file=sys.stderr)
        return 1
    try:
        status = await read_status(database)
    except sqlite3.Error as err:
        print(f"minga: cannot read {database}: {err}", file=sys.stderr)
        return 1
    lines, healthy = render(status, database, datetime.now(UTC), max_age)
    print("\n".join(lines))
    return 0 if healthy else 1


async def check_online(config: Config) -> int:
    from bot.logs import setup_logging
    from bot.online import check_online as check
    from bot.startup import StartupError

    setup_logging(logging.WARNING)
    try:
        lines = await check(config)
    except StartupError as err:
        print(f"minga: {err}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


def failure_line(err: BaseException, config: Config) -> str:
    """One line for anything that stopped the start; a bug is named, not dumped."""
    from bot.session import StoreLocked
    from bot.startup import StartupError, explain
    from storage import DatabaseDamaged, DatabaseTooNew

    if isinstance(err, DatabaseDamaged | DatabaseTooNew):
        return f"storage.database: {err}"
    if isinstance(err, StartupError | StoreLocked):
        return str(err)
    return explain(err, config) or (
        f"start-up failed: {type(err).__name__}: {err} (run with --log-level debug for the "
        "traceback, and please report it)")


async def run_bot(config: Config) -> int:
    from bot.client import MingaBot
    from bot.logs import setup_logging
    from bot.startup import private_umask

    private_umask()
    setup_logging(config.log_level_number)
    bot = MingaBot(config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    # SIGTERM must work while start-up still waits for the homeserver.
    starting = asyncio.create_task(bot.start(), name="minga-start")
    stopping = asyncio.create_task(stop.wait(), name="minga-stop")
    await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if not starting.done():
        starting.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await starting
        log.info("stopped before start-up finished")
        return 0
    stopping.cancel()
    err = starting.exception()
    if err is not None:
        log.debug("start-up failed", exc_info=err)
        print(f"minga: {failure_line(err, config)}", file=sys.stderr)
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
