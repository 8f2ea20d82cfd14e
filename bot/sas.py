"""The short-authentication-string (emoji) exchange, as the side that accepts.

Built on vodozemac's SAS primitives (the same ones nio's `nio.crypto.Sas` uses) and nio's
emoji table. nio's own `Sas` object cannot talk to Element's Rust crypto, measured and
read in nio 0.26:
- its accept carries the commitment as *hex* (`sha256(...).hexdigest()`); the spec and
  Element want unpadded base64, so Element cancels with `m.mismatched_commitment`;
- it accepts with the MAC method `hkdf-hmac-sha256` but computes MACs with vodozemac's
  `calculate_mac` (the fixed base64 of `hkdf-hmac-sha256.v2`), so every MAC mismatches;
- it MACs only the device key, never the master key, so a member's client can verify the
  device but never the *user* (no green shield);
- its transaction model is to-device only, and Element verifies other users in-room.
So this module does the protocol and nio's Sas is left out of the flow.

Pure: contents in, contents out. `bot/verification.py` does the I/O.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

import vodozemac
from nio.crypto.sas import Sas as NioSas

from bot.crosssign import b64, canonical_json

SAS_METHOD = "m.sas.v1"
KEY_AGREEMENT = "curve25519-hkdf-sha256"
HASH = "sha256"
# Preference order. The legacy name's MACs use libolm's broken base64; vodozemac keeps it.
MAC_V2 = "hkdf-hmac-sha256.v2"
MAC_MSC3783 = "org.matrix.msc3783.hkdf-hmac-sha256"
MAC_LEGACY = "hkdf-hmac-sha256"
MAC_METHODS = (MAC_V2, MAC_MSC3783, MAC_LEGACY)
SAS_KINDS = ("emoji", "decimal")


class SasError(Exception):
    """The flow must be cancelled with this spec code."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Party:
    user_id: str
    device_id: str


def commitment(public_key: str, start_content: dict[str, Any]) -> str:
    """Unpadded base64 of sha256(our ephemeral key + canonical JSON of their start)."""
    return b64(hashlib.sha256(public_key.encode() + canonical_json(start_content)).digest())


class SasFlow:
    """One emoji verification that the other side started and we accept."""

    def __init__(self, flow_id: str, us: Party, them: Party) -> None:
        self.flow_id = flow_id
        self.us = us
        self.them = them
        self._sas = vodozemac.Sas()
        self.public_key = self._sas.public_key.to_base64()
        self._established: vodozemac.EstablishedSas | None = None
        self._their_key: str | None = None
        self.mac_method: str | None = None
        self.kinds: list[str] = []

    def accept(self, start: dict[str, Any]) -> dict[str, Any]:
        """Check their `m.key.verification.start` and answer with our accept's fields."""
        if start.get("method") != SAS_METHOD:
            raise SasError("m.unknown_method", "only m.sas.v1 is supported")
        if KEY_AGREEMENT not in (start.get("key_agreement_protocols") or []):
            raise SasError("m.unknown_method", f"{KEY_AGREEMENT} is required")
        if HASH not in (start.get("hashes") or []):
            raise SasError("m.unknown_method", f"{HASH} is required")
        offered = start.get("message_authentication_codes") or []
        self.mac_method = next((m for m in MAC_METHODS if m in offered), None)
        if self.mac_method is None:
            raise SasError("m.unknown_method", "no common MAC method")
        self.kinds = [k for k in SAS_KINDS if k in (start.get("short_authentication_string")
                                                     or [])]
        if "emoji" not in self.kinds:
            raise SasError("m.unknown_method", "emoji are required")
        return {
            "method": SAS_METHOD,
            "key_agreement_protocol": KEY_AGREEMENT,
            "hash": HASH,
            "message_authentication_code": self.mac_method,
            "short_authentication_string": self.kinds,
            "commitment": commitment(self.public_key, start),
        }

    def receive_key(self, their_key: str) -> dict[str, Any]:
        """Their ephemeral key in, ours out (the accepter sends its key second)."""
        if self._established is not None:
            raise SasError("m.unexpected_message", "key received twice")
        try:
            self._established = self._sas.diffie_hellman(
                vodozemac.Curve25519PublicKey.from_base64(their_key))
        except (vodozemac.KeyException, ValueError) as err:
            raise SasError("m.invalid_message", "bad key") from err
        self._their_key = their_key
        return {"key": self.public_key}

    def _sas_info(self) -> str:
        # They started: their part comes first.
        return (f"MATRIX_KEY_VERIFICATION_SAS|{self.them.user_id}|{self.them.device_id}|"
                f"{self._their_key}|{self.us.user_id}|{self.us.device_id}|{self.public_key}|"
                f"{self.flow_id}")

    def emoji(self) -> list[str]:
        """The seven emoji both screens must show, in order."""
        indices = self._need().bytes(self._sas_info()).emoji_indices
        return [NioSas.emoji[i][0] for i in indices]

    def decimals(self) -> tuple[int, int, int]:
        first, second, third = self._need().bytes(self._sas_info()).decimals
        return first, second, third

    def _mac(self, text: str, info: str) -> str:
        established = self._need()
        if self.mac_method == MAC_LEGACY:
            return established.calculate_mac_invalid_base64(text, info)
        return established.calculate_mac(text, info)

    def check_mac(self, content: dict[str, Any], known: dict[str, str]) -> list[str]:
        """Verify their MAC over the keys they name; returns the key ids it proves.

        `known` maps key ids we can check (their device key, their master key) to the
        public keys the homeserver gave us. A key id we don't know is skipped, as the
        spec says; any MAC that fails cancels the whole flow.
        """
        macs = content.get("mac")
        keys_mac = content.get("keys")
        if not isinstance(macs, dict) or not isinstance(keys_mac, str) or not macs:
            raise SasError("m.invalid_message", "malformed MAC")
        info = (f"MATRIX_KEY_VERIFICATION_MAC{self.them.user_id}{self.them.device_id}"
                f"{self.us.user_id}{self.us.device_id}{self.flow_id}")
        if not hmac.compare_digest(self._mac(",".join(sorted(macs)), info + "KEY_IDS"),
                                   keys_mac):
            raise SasError("m.key_mismatch", "the key list does not match")
        proved = []
        for key_id, mac in macs.items():
            public = known.get(key_id)
            if public is None:
                continue
            if not isinstance(mac, str) or not hmac.compare_digest(
                    self._mac(public, info + key_id), mac):
                raise SasError("m.key_mismatch", f"MAC of {key_id} does not match")
            proved.append(key_id)
        if f"ed25519:{self.them.device_id}" not in proved:
            raise SasError("m.key_mismatch", "their device key was not proved")
        return proved

    def mac(self, our_keys: dict[str, str]) -> dict[str, Any]:
        """Our MAC over our device key and our master key (so they can trust the *user*)."""
        info = (f"MATRIX_KEY_VERIFICATION_MAC{self.us.user_id}{self.us.device_id}"
                f"{self.them.user_id}{self.them.device_id}{self.flow_id}")
        macs = {key_id: self._mac(public, info + key_id) for key_id, public in our_keys.items()}
        return {"mac": macs, "keys": self._mac(",".join(sorted(macs)), info + "KEY_IDS")}

    def _need(self) -> vodozemac.EstablishedSas:
        if self._established is None:
            raise SasError("m.unexpected_message", "keys were not exchanged yet")
        return self._established
