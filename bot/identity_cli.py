"""`minga reset-identity` and the cross-signing part of `minga backup`.

A reset is the only way Minga ever gets a new cross-signing identity, because every
member's client notices one: it is a command an operator runs on purpose, confirmed
with the account password (the homeserver's own check), and it says what members
will see before it acts.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import os
import shutil
import sys
from pathlib import Path

from nio import AsyncClient, AsyncClientConfig

from bot.config import Config
from bot.crosssign import REQUEST_ERRORS, SEEDS_FILE, CrossSigning, IdentityError
from bot.session import SavedSession, StoreLock, StoreLocked, load_session

WHAT_MEMBERS_SEE = (
    "What members will see: Element tells every member "
    "that Minga's identity was reset and asks them to acknowledge it. Members who had "
    "verified Minga see a red shield on its messages, and in \"exclude insecure devices\" "
    "mode their app refuses to send in rooms with Minga, until they verify Minga again "
    "(Minga's profile → Verify, compare emoji) or withdraw the verification. Members who "
    "send only to verified sessions must verify it again too. Everyone else keeps talking "
    "to Minga as before."
)


def reset_identity(config: Config, *, assume_yes: bool) -> int:
    store_dir = Path(config.storage.store_dir)
    saved = load_session(store_dir) if store_dir.exists() else None
    if saved is None:
        print(f"minga: no saved session in {store_dir}; start Minga once instead "
              "(it creates its identity by itself)", file=sys.stderr)
        return 2
    lock = StoreLock(store_dir)
    try:
        lock.acquire()
    except StoreLocked:
        print(f"minga: Minga is running on {store_dir}; stop it before resetting its identity",
              file=sys.stderr)
        return 1
    try:
        password = config.matrix.password
        if not password and sys.stdin.isatty():
            password = getpass.getpass(f"Password of {saved.user_id} (the homeserver asks "
                                       "for it): ")
        if not password:
            print("minga: a reset needs the account password: set matrix.password or "
                  "MINGA_MATRIX_PASSWORD", file=sys.stderr)
            return 2
        print(f"This replaces the cross-signing identity of {saved.user_id}.")
        print(WHAT_MEMBERS_SEE)
        if not assume_yes:
            if not sys.stdin.isatty():
                print("minga: add --yes to reset without a question", file=sys.stderr)
                return 2
            if input("Type RESET to go on: ").strip() != "RESET":
                print("Nothing changed.")
                return 1
        return asyncio.run(_reset(saved, store_dir, password))
    finally:
        lock.release()


async def _reset(saved: SavedSession, store_dir: Path, password: str) -> int:
    client = AsyncClient(saved.homeserver, saved.user_id,
                         config=AsyncClientConfig(encryption_enabled=False))
    client.restore_login(saved.user_id, saved.device_id, saved.access_token)
    try:
        old, new = await CrossSigning(client, store_dir, password=password).reset()
    except IdentityError as err:
        print(f"minga: {err}", file=sys.stderr)
        return 1
    except REQUEST_ERRORS as err:
        print(f"minga: the reset did not reach the homeserver ({err or type(err).__name__}); "
              "nothing changed for members, run it again", file=sys.stderr)
        return 1
    finally:
        await client.close()
    print(f"Done. Master key {_short(old)} → {_short(new)}; device {saved.device_id} is "
          "signed by the new identity.")
    print(f"Back up {store_dir / SEEDS_FILE} now (`minga backup`): it holds the new "
          "private keys.")
    return 0


def backup_seeds(config: Config, database_copy: Path) -> int:
    """Copy the cross-signing seeds beside the database copy, 0600 like the original."""
    source = Path(config.storage.store_dir) / SEEDS_FILE
    target = database_copy.with_name(database_copy.name + ".cross-signing.json")
    if not source.exists():
        print(f"minga: no cross-signing keys in {source} yet (Minga creates them on its first "
              "start); back up again after that", file=sys.stderr)
        return 0
    with contextlib.suppress(FileNotFoundError):
        target.unlink()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out, source.open("rb") as src:
        shutil.copyfileobj(src, out)
        out.flush()
        os.fsync(out.fileno())
    print(f"backed up the cross-signing keys to {target} (as secret as the password)")
    return 0


def _short(key: str | None) -> str:
    return f"{key[:8]}…" if key else "(none)"
