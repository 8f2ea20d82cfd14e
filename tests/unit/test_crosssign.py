"""Cross-signing without a homeserver: signing, the seeds file, and the no-silent-reset rule."""

from __future__ import annotations

import base64
import stat
from pathlib import Path
from typing import Any

import pytest
import vodozemac

from bot.crosssign import (
    PENDING_FILE,
    RESET_HINT,
    SEEDS_FILE,
    CrossSigning,
    IdentityError,
    Seeds,
    ServerKeys,
    canonical_json,
    load_seeds,
    public_key_of,
    save_seeds,
    verify_json,
)

USER = "@minga:example.org"


def test_canonical_json_sorts_keys_and_keeps_unicode() -> None:
    assert canonical_json({"b": 1, "a": {"d": "ü", "c": [1, 2]}}) == \
        '{"a":{"c":[1,2],"d":"ü"},"b":1}'.encode()


def test_signature_verifies_with_vodozemac_and_ignores_unsigned() -> None:
    identity = Seeds.generate().keys()
    obj = {"user_id": USER, "keys": {"ed25519:X": "y"}, "unsigned": {"name": "Minga"},
           "signatures": {"@other:x": {"ed25519:Z": "kept"}}}
    signed = identity.master.sign_json(obj, USER)

    assert signed["signatures"]["@other:x"] == {"ed25519:Z": "kept"}
    assert "unsigned" not in signed
    signature = signed["signatures"][USER][identity.master.key_id]
    # An independent verifier (the E2EE library) agrees on the bytes that were signed.
    vodozemac.Ed25519PublicKey.from_base64(identity.master.public).verify_signature(
        canonical_json({"user_id": USER, "keys": {"ed25519:X": "y"}}),
        vodozemac.Ed25519Signature.from_base64(signature))
    assert verify_json({**signed, "unsigned": {"other": 1}}, USER, identity.master.key_id,
                       identity.master.public)
    assert not verify_json({**signed, "user_id": "@evil:x"}, USER, identity.master.key_id,
                           identity.master.public)
    assert not verify_json(signed, USER, identity.master.key_id, identity.self_signing.public)


def test_upload_body_chains_to_the_master_key() -> None:
    identity = Seeds.generate().keys()
    body = identity.upload_body(USER)
    master = public_key_of(body["master_key"])
    assert master == identity.master.public and body["master_key"]["usage"] == ["master"]
    for name, usage in (("self_signing_key", "self_signing"), ("user_signing_key",
                                                                "user_signing")):
        assert body[name]["usage"] == [usage]
        assert verify_json(body[name], USER, f"ed25519:{master}", master)


def test_seeds_are_private_and_round_trip(tmp_path: Path) -> None:
    seeds = Seeds.generate()
    path = tmp_path / SEEDS_FILE
    save_seeds(path, seeds, USER)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [SEEDS_FILE], "no temporary file left"
    assert load_seeds(path, USER) == seeds
    assert load_seeds(tmp_path / "absent.json", USER) is None


def test_seeds_of_another_account_or_damaged_are_refused(tmp_path: Path) -> None:
    path = tmp_path / SEEDS_FILE
    save_seeds(path, Seeds.generate(), "@someone-else:example.org")
    with pytest.raises(IdentityError, match="someone-else"):
        load_seeds(path, USER)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(IdentityError) as damaged:
        load_seeds(path, USER)
    assert "\n" not in str(damaged.value) and RESET_HINT in str(damaged.value)


class FakeClient:
    user_id = USER
    device_id = "DEVICE"
    access_token = "token"


def server_with(master_public: str | None) -> ServerKeys:
    master = ({"user_id": USER, "usage": ["master"], "keys": {f"ed25519:{master_public}":
                                                              master_public}}
              if master_public else None)
    return ServerKeys(master, None, None, {})


def cross_signing(tmp_path: Path) -> CrossSigning:
    client: Any = FakeClient()
    return CrossSigning(client, tmp_path, password=None)


def test_missing_seeds_with_an_identity_on_the_server_refuse(tmp_path: Path) -> None:
    someone = Seeds.generate().keys().master.public
    with pytest.raises(IdentityError) as refused:
        cross_signing(tmp_path)._resolve(server_with(someone))
    message = str(refused.value)
    assert "\n" not in message and "backup" in message and RESET_HINT in message
    assert not (tmp_path / SEEDS_FILE).exists()


def test_seeds_that_are_not_the_server_identity_refuse(tmp_path: Path) -> None:
    save_seeds(tmp_path / SEEDS_FILE, Seeds.generate(), USER)
    with pytest.raises(IdentityError, match="not the identity"):
        cross_signing(tmp_path)._resolve(server_with(Seeds.generate().keys().master.public))


def test_matching_seeds_and_first_start(tmp_path: Path) -> None:
    seeds = Seeds.generate()
    save_seeds(tmp_path / SEEDS_FILE, seeds, USER)
    signing = cross_signing(tmp_path)
    assert signing._resolve(server_with(seeds.keys().master.public)) == seeds
    assert signing._resolve(server_with(None)) == seeds  # saved, upload never got through
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cross_signing(empty)._resolve(server_with(None)) is None


def test_a_reset_that_reached_the_server_is_finished(tmp_path: Path) -> None:
    """Crash between the upload and the rename: the pending seeds are the identity now."""
    save_seeds(tmp_path / SEEDS_FILE, Seeds.generate(), USER)
    new = Seeds.generate()
    save_seeds(tmp_path / PENDING_FILE, new, USER)
    assert cross_signing(tmp_path)._resolve(server_with(new.keys().master.public)) == new
    assert load_seeds(tmp_path / SEEDS_FILE, USER) == new
    assert not (tmp_path / PENDING_FILE).exists()


def test_unpadded_base64_keys() -> None:
    public = Seeds.generate().keys().master.public
    assert "=" not in public and len(base64.b64decode(public + "=")) == 32


class CountingApi:
    """/keys/query answers from a fixed state; uploads are counted, never expected here."""

    def __init__(self, state: ServerKeys) -> None:
        self.state = state
        self.queries = 0
        self.uploads = 0

    async def query(self, user_id: str) -> ServerKeys:
        self.queries += 1
        return self.state

    async def upload_signing_keys(self, *args: Any, **kwargs: Any) -> None:
        self.uploads += 1

    async def upload_signatures(self, *args: Any) -> None:
        self.uploads += 1


async def test_a_restart_asks_the_server_once_and_changes_nothing(tmp_path: Path) -> None:
    seeds = Seeds.generate()
    save_seeds(tmp_path / SEEDS_FILE, seeds, USER)
    identity = seeds.keys()
    body = identity.upload_body(USER)
    device = identity.self_signing.sign_json({"user_id": USER, "device_id": "DEVICE",
                                              "keys": {"ed25519:DEVICE": "k"}}, USER)
    api = CountingApi(ServerKeys(body["master_key"], body["self_signing_key"],
                                 body["user_signing_key"], {"DEVICE": device}))
    signing = cross_signing(tmp_path)
    signing.api = api  # type: ignore[assignment]

    await signing.check()
    assert await signing.ensure() == []
    assert (api.queries, api.uploads) == (1, 0)
    assert signing.identity and signing.identity.master.public == identity.master.public


async def test_an_unsigned_device_is_signed_even_after_a_good_check(tmp_path: Path) -> None:
    seeds = Seeds.generate()
    save_seeds(tmp_path / SEEDS_FILE, seeds, USER)
    body = seeds.keys().upload_body(USER)
    api = CountingApi(ServerKeys(body["master_key"], body["self_signing_key"],
                                 body["user_signing_key"], {"DEVICE": {"user_id": USER}}))
    signing = cross_signing(tmp_path)
    signing.api = api  # type: ignore[assignment]

    await signing.check()
    assert await signing.ensure() == ["signed device DEVICE"]
    assert (api.queries, api.uploads) == (2, 1)
