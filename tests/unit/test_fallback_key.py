"""The fallback key (bot/fallback_key.py): when to upload one, and what is uploaded."""

from __future__ import annotations

from typing import Any

import vodozemac

from bot.crosssign import canonical_json, verify_json
from bot.fallback_key import ALGORITHM, needs_new, new_fallback_keys, unused_types
from bot.nio_client import MingaClient

USER, DEVICE = "@minga:example.org", "MINGADEVICE"


def test_only_the_homeservers_word_that_none_is_left_asks_for_one() -> None:
    assert unused_types({"device_unused_fallback_key_types": [ALGORITHM]}) == {ALGORITHM}
    assert unused_types({"device_unused_fallback_key_types": []}) == frozenset()
    assert unused_types({"next_batch": "s1"}) is None  # a server without fallback keys
    assert not needs_new(None)
    assert needs_new(frozenset())
    assert needs_new({"curve25519_other"})
    assert not needs_new({ALGORITHM})


def test_the_key_is_signed_by_the_device_with_fallback_inside_the_signature() -> None:
    account = vodozemac.Account()

    def sign(obj: dict[str, Any]) -> str:
        return str(account.sign(canonical_json(obj)).to_base64())

    keys = new_fallback_keys(account, sign, USER, DEVICE)  # type: ignore[arg-type]
    (key_id, obj), = keys.items()
    assert key_id.startswith(f"{ALGORITHM}:")
    assert obj["fallback"] is True
    assert verify_json(obj, USER, f"ed25519:{DEVICE}", account.ed25519_key.to_base64())
    tampered = {**obj, "fallback": False}
    assert not verify_json(tampered, USER, f"ed25519:{DEVICE}", account.ed25519_key.to_base64())
    again = new_fallback_keys(account, sign, USER, DEVICE)  # type: ignore[arg-type]
    assert next(iter(again.values()))["key"] != obj["key"], "each upload is a new key"


class Answer:
    def __init__(self, body: Any) -> None:
        self.body = body

    async def json(self) -> Any:
        return self.body


async def test_the_client_notes_what_each_sync_says() -> None:
    client = MingaClient("http://localhost:1", USER)
    try:
        assert client.unused_fallback_key_types is None
        await client.parse_body(Answer({"device_unused_fallback_key_types": []}))  # type: ignore[arg-type]
        assert client.unused_fallback_key_types == frozenset()
        await client.parse_body(Answer({"one_time_key_counts": {ALGORITHM: 50}}))  # type: ignore[arg-type]
        assert client.unused_fallback_key_types == frozenset(), "other answers change nothing"
        await client.parse_body(Answer([1, 2]))  # type: ignore[arg-type]
        await client.parse_body(Answer({"device_unused_fallback_key_types": [ALGORITHM]}))  # type: ignore[arg-type]
        assert client.unused_fallback_key_types == {ALGORITHM}
    finally:
        await client.close()
