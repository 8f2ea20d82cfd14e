"""Minga's cross-signing identity against a real Synapse: signed, stable, never reset silently."""

from __future__ import annotations

import asyncio
import stat
import subprocess
import sys

import pytest

from bot.client import StartupError
from bot.crosssign import PENDING_FILE, SEEDS_FILE, KeysApi, ServerKeys, public_key_of, verify_json
from devtools.harness import Network
from devtools.member import Member

pytestmark = pytest.mark.integration


async def bot_keys(member: Member, bot_user: str) -> ServerKeys:
    """What any member's client learns about the bot from /keys/query."""
    return await KeysApi(member.client).query(bot_user)


def assert_device_signed(keys: ServerKeys, bot_user: str, device_id: str) -> None:
    master = public_key_of(keys.master)
    ssk = public_key_of(keys.self_signing)
    assert master and ssk
    assert keys.self_signing and verify_json(keys.self_signing, bot_user, f"ed25519:{master}",
                                             master), "self-signing key signed by the master"
    device = keys.devices[device_id]
    assert verify_json(device, bot_user, f"ed25519:{ssk}", ssk), "device signed by its owner"


async def test_device_signed_and_identity_survives_restarts(network: Network) -> None:
    config = network.bot_config()
    bot = await network.start_bot(config)
    device = bot.device_id
    assert device
    alice = await network.member("alice")
    user = config.matrix.user_id
    first = await bot_keys(alice, user)
    assert_device_signed(first, user, device)
    assert bot.client
    own = await KeysApi(bot.client).query(user)  # the user-signing key is shown only to us
    assert own.user_signing and verify_json(own.user_signing, user,
                                            f"ed25519:{public_key_of(own.master)}",
                                            public_key_of(own.master) or "")
    seeds = config.storage.store_dir / SEEDS_FILE
    assert stat.S_IMODE(seeds.stat().st_mode) == 0o600

    for _ in range(3):
        await network.stop_bot(bot)
        bot = await network.start_bot(config)
        assert bot.cross_signing and bot.cross_signing.last_actions == [], \
            "a restart uploads and signs nothing"
        again = await bot_keys(alice, user)
        assert public_key_of(again.master) == public_key_of(first.master)
        assert again.self_signing == first.self_signing
        assert_device_signed(again, user, device)


async def test_missing_seeds_refuse_to_start_in_one_line(network: Network) -> None:
    config = network.bot_config()
    bot = await network.start_bot(config)
    await network.stop_bot(bot)
    (config.storage.store_dir / SEEDS_FILE).unlink()

    with pytest.raises(StartupError) as refused:
        await network.start_bot(config)
    message = str(refused.value)
    assert "\n" not in message
    assert "restore" in message and "backup" in message
    assert "minga reset-identity --config" in message
    assert not (config.storage.store_dir / SEEDS_FILE).exists(), "nothing was made up"


async def test_reset_identity_changes_the_key_and_signs_the_device(network: Network,
                                                                    tmp_path) -> None:
    config = network.bot_config()
    bot = await network.start_bot(config)
    device = bot.device_id
    assert device
    alice = await network.member("alice")
    user = config.matrix.user_id
    before = public_key_of((await bot_keys(alice, user)).master)
    await network.stop_bot(bot)

    path = network.write_config(config, tmp_path / "minga.toml")
    done = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "bot.cli", "reset-identity", "--config",
                         str(path), "--yes"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "What members will see" in done.stdout
    after_keys = await bot_keys(alice, user)
    after = public_key_of(after_keys.master)
    assert after and after != before
    assert_device_signed(after_keys, user, device)
    assert not (config.storage.store_dir / PENDING_FILE).exists()

    bot = await network.start_bot(config)  # the new seeds are the ones on disk
    assert bot.cross_signing and bot.cross_signing.last_actions == []


async def test_new_device_with_kept_seeds_is_signed_without_reset(network: Network) -> None:
    config = network.bot_config()
    bot = await network.start_bot(config)
    old_device = bot.device_id
    await network.stop_bot(bot)
    alice = await network.member("alice")
    user = config.matrix.user_id
    master = public_key_of((await bot_keys(alice, user)).master)
    # The E2EE store is lost but the seeds were restored from a backup.
    for path in config.storage.store_dir.iterdir():
        if path.name != SEEDS_FILE:
            path.unlink()

    bot = await network.start_bot(config)
    assert bot.device_id and bot.device_id != old_device
    keys = await bot_keys(alice, user)
    assert public_key_of(keys.master) == master
    assert_device_signed(keys, user, bot.device_id)
