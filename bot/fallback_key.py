"""A fallback key beside the one-time keys (Matrix spec v1.2, MSC2732); nio uploads none.

A member's client opens an olm session with Minga's device by claiming one of its one-time
keys, and each session uses one up. Minga keeps 50 on the homeserver and tops them up after
each sync; when more devices than that reach for one in between (a new device in many rooms,
many members writing at once), the rest get no key, their clients share the room key with
every device but Minga's, and Minga never reads those messages. Once the one-time keys are
gone the homeserver hands out the fallback key instead, to any number of clients.

The homeserver says in every sync which fallback keys it still holds unused
(`device_unused_fallback_key_types`); when ours is not among them (none yet, or one was
handed out) a new one is uploaded. vodozemac keeps the one before it, so a session opened
with the old key just before the change still opens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

ALGORITHM = "signed_curve25519"
UNUSED_FIELD = "device_unused_fallback_key_types"


class PublicKey(Protocol):
    def to_base64(self) -> str: ...


class FallbackAccount(Protocol):
    """What vodozemac's `Account` offers for fallback keys (its stubs omit it)."""

    def generate_fallback_key(self) -> None: ...

    @property
    def fallback_key(self) -> Mapping[str, PublicKey]: ...


def unused_types(sync_body: Mapping[str, Any]) -> frozenset[str] | None:
    """The fallback-key algorithms a sync answer says the homeserver holds unused for us;
    None when it does not say (a homeserver without fallback keys)."""
    kinds = sync_body.get(UNUSED_FIELD)
    if not isinstance(kinds, list):
        return None
    return frozenset(kind for kind in kinds if isinstance(kind, str))


def needs_new(unused: Iterable[str] | None) -> bool:
    """Upload a new fallback key? Only on the homeserver's word that it holds no unused one."""
    return unused is not None and ALGORITHM not in unused


def new_fallback_keys(account: FallbackAccount, sign: Callable[[dict[str, Any]], str],
                      user_id: str, device_id: str) -> dict[str, Any]:
    """A new fallback key, signed by the device, as `/keys/upload`'s `fallback_keys`.

    The key object is signed as a one-time key is (canonical JSON without `signatures`),
    with `"fallback": true` inside what is signed, as the spec has it.
    """
    account.generate_fallback_key()
    keys: dict[str, Any] = {}
    for key_id, public in account.fallback_key.items():
        obj: dict[str, Any] = {"key": public.to_base64(), "fallback": True}
        obj["signatures"] = {user_id: {f"ed25519:{device_id}": sign(obj)}}
        keys[f"{ALGORITHM}:{key_id}"] = obj
    return keys
