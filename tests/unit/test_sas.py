"""The emoji exchange, checked against the spec's formulas computed here independently.

The other side is played with vodozemac directly and the spec's strings, the way Element's
Rust crypto does it, so a formula Minga gets wrong (commitment, info strings, MAC method)
fails here rather than only against a real client.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest
import vodozemac
from nio.crypto.sas import Sas as NioSas

from bot.sas import MAC_LEGACY, MAC_V2, Party, SasError, SasFlow

US = Party("@minga:example.org", "MINGADEV")
THEM = Party("@ana:example.org", "ANADEV")
FLOW = "$request-event-id"
THEIR_DEVICE_KEY = "x" * 43
THEIR_MASTER = "m" * 43


def start(macs: list[str] | None = None, sas: list[str] | None = None) -> dict[str, Any]:
    return {
        "from_device": THEM.device_id, "method": "m.sas.v1",
        "key_agreement_protocols": ["curve25519-hkdf-sha256"], "hashes": ["sha256"],
        "message_authentication_codes": macs or [MAC_V2, MAC_LEGACY],
        "short_authentication_string": sas or ["decimal", "emoji"],
        "m.relates_to": {"rel_type": "m.reference", "event_id": FLOW},
    }


def unpadded(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


class Starter:
    """The member's side, from the spec."""

    def __init__(self) -> None:
        self.sas = vodozemac.Sas()
        self.public = self.sas.public_key.to_base64()
        self.established: vodozemac.EstablishedSas | None = None

    def exchange(self, flow: SasFlow) -> str:
        ours = flow.receive_key(self.public)["key"]
        self.established = self.sas.diffie_hellman(vodozemac.Curve25519PublicKey.from_base64(ours))
        return str(ours)

    def mac(self, method: str, keys: dict[str, str]) -> dict[str, Any]:
        assert self.established
        calc = (self.established.calculate_mac_invalid_base64 if method == MAC_LEGACY
                else self.established.calculate_mac)
        info = (f"MATRIX_KEY_VERIFICATION_MAC{THEM.user_id}{THEM.device_id}"
                f"{US.user_id}{US.device_id}{FLOW}")
        macs = {key_id: calc(public, info + key_id) for key_id, public in keys.items()}
        return {"mac": macs, "keys": calc(",".join(sorted(macs)), info + "KEY_IDS")}


def ready_flow(macs: list[str] | None = None) -> tuple[SasFlow, Starter, dict[str, Any], str]:
    flow = SasFlow(FLOW, US, THEM)
    content = start(macs)
    accept = flow.accept(content)
    starter = Starter()
    ours = starter.exchange(flow)
    return flow, starter, accept, ours


def test_commitment_is_base64_sha256_of_key_and_canonical_start() -> None:
    _flow, _starter, accept, ours = ready_flow()
    canonical = json.dumps(start(), sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False).encode()
    assert accept["commitment"] == unpadded(hashlib.sha256(ours.encode() + canonical).digest())
    assert accept["key_agreement_protocol"] == "curve25519-hkdf-sha256"
    assert accept["message_authentication_code"] == MAC_V2
    assert accept["short_authentication_string"] == ["emoji", "decimal"]


def test_both_sides_see_the_same_emoji_and_numbers() -> None:
    flow, starter, _accept, ours = ready_flow()
    assert starter.established
    info = (f"MATRIX_KEY_VERIFICATION_SAS|{THEM.user_id}|{THEM.device_id}|{starter.public}|"
            f"{US.user_id}|{US.device_id}|{ours}|{FLOW}")
    theirs = starter.established.bytes(info)
    assert flow.emoji() == [NioSas.emoji[i][0] for i in theirs.emoji_indices]
    assert flow.decimals() == tuple(theirs.decimals)
    assert len(flow.emoji()) == 7


@pytest.mark.parametrize("method", [MAC_V2, MAC_LEGACY])
def test_macs_check_both_ways(method: str) -> None:
    flow, starter, accept, _ours = ready_flow([method])
    assert accept["message_authentication_code"] == method
    known = {f"ed25519:{THEM.device_id}": THEIR_DEVICE_KEY,
             f"ed25519:{THEIR_MASTER}": THEIR_MASTER}
    theirs = starter.mac(method, {**known, "ed25519:UNKNOWN": "u" * 43})
    assert sorted(flow.check_mac(theirs, known)) == sorted(known)

    ours = flow.mac({f"ed25519:{US.device_id}": "d" * 43, "ed25519:" + "M" * 43: "M" * 43})
    assert starter.established
    calc = (starter.established.calculate_mac_invalid_base64 if method == MAC_LEGACY
            else starter.established.calculate_mac)
    info = (f"MATRIX_KEY_VERIFICATION_MAC{US.user_id}{US.device_id}"
            f"{THEM.user_id}{THEM.device_id}{FLOW}")
    assert ours["mac"]["ed25519:" + "M" * 43] == calc("M" * 43, info + "ed25519:" + "M" * 43)
    assert ours["keys"] == calc(",".join(sorted(ours["mac"])), info + "KEY_IDS")


def test_legacy_and_v2_macs_differ() -> None:
    """Why nio's Sas fails with Element: it names the legacy method but sends v2 MACs."""
    _flow, starter, _accept, _ours = ready_flow()
    assert starter.established
    assert (starter.established.calculate_mac("k", "i")
            != starter.established.calculate_mac_invalid_base64("k", "i"))


def test_a_wrong_mac_or_a_missing_device_key_trusts_nothing() -> None:
    flow, starter, _accept, _ours = ready_flow()
    known = {f"ed25519:{THEM.device_id}": THEIR_DEVICE_KEY}
    forged = starter.mac(MAC_V2, {f"ed25519:{THEM.device_id}": "y" * 43})
    with pytest.raises(SasError) as bad:
        flow.check_mac(forged, known)
    assert bad.value.code == "m.key_mismatch"
    master_only = starter.mac(MAC_V2, {f"ed25519:{THEIR_MASTER}": THEIR_MASTER})
    with pytest.raises(SasError, match="device key"):
        flow.check_mac(master_only, {**known, f"ed25519:{THEIR_MASTER}": THEIR_MASTER})


@pytest.mark.parametrize("change", [{"method": "m.reciprocate.v1"},
                                    {"key_agreement_protocols": ["curve25519"]},
                                    {"message_authentication_codes": ["hmac-sha1"]},
                                    {"short_authentication_string": ["decimal"]}])
def test_unsupported_starts_are_refused(change: dict[str, Any]) -> None:
    with pytest.raises(SasError) as refused:
        SasFlow(FLOW, US, THEM).accept({**start(), **change})
    assert refused.value.code == "m.unknown_method"


def test_nothing_before_the_keys_are_exchanged() -> None:
    flow = SasFlow(FLOW, US, THEM)
    flow.accept(start())
    with pytest.raises(SasError):
        flow.emoji()
    with pytest.raises(SasError):
        flow.mac({})
