"""Minga's cross-signing identity: why Element shows no red shield on its messages.

nio has no cross-signing, but the protocol is small: three Ed25519 keys (master,
self-signing, user-signing), one upload, and a signature on our own device by the
self-signing key. The private seeds are the identity: they live beside the E2EE store
(0600, fsync, atomic rename) and are written *before* anything is uploaded, because
keys on the server without their seeds can only be replaced by a reset that every
member sees as "identity changed". So a missing seed is never papered over: start-up
refuses and names the two ways out (restore from backup, or `minga reset-identity`).

Every start checks the server and uploads or signs only what is missing, so restarts
change nothing. Start-up order (docs/ARCHITECTURE.md): first sync, device keys up,
`ensure()`, and only then invites and messages, because a strict member who sends
before our device is signed withholds the room key for that message for good.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from Crypto.PublicKey import ECC
from Crypto.Signature import eddsa
from nio import AsyncClient

from bot.transport import TRANSPORT_ERRORS

log = logging.getLogger(__name__)

SEEDS_FILE = "cross_signing.json"
# A reset writes the new seeds here first; they replace SEEDS_FILE once the server has them.
PENDING_FILE = "cross_signing.pending.json"
RESET_HINT = "minga reset-identity --config <your config file>"

KEYS_QUERY = "/_matrix/client/v3/keys/query"
SIGNING_UPLOAD = "/_matrix/client/v3/keys/device_signing/upload"
SIGNATURES_UPLOAD = "/_matrix/client/v3/keys/signatures/upload"


class IdentityError(RuntimeError):
    """Start-up must not go on with this identity; the message says what to do, in one line."""


class HomeserverError(RuntimeError):
    """The homeserver answered a cross-signing request with an error."""

    def __init__(self, status: int, body: dict[str, Any], what: str) -> None:
        errcode = body.get("errcode") or f"HTTP {status}"
        super().__init__(f"{what}: {errcode} {body.get('error', '')}".strip())
        self.status = status
        self.body = body

    @property
    def transient(self) -> bool:
        return self.status >= 500 or self.status == 429


# Any way a cross-signing request can fail: no answer, or an error answer.
REQUEST_ERRORS: tuple[type[BaseException], ...] = (HomeserverError, *TRANSPORT_ERRORS)


# ---- encoding and signing -----------------------------------------------------------
def b64(data: bytes) -> str:
    """Matrix's unpadded standard base64."""
    return base64.b64encode(data).decode("ascii").rstrip("=")


def unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def canonical_json(obj: Any) -> bytes:
    """The spec's canonical JSON: sorted keys, no spaces, UTF-8 as is."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signable(obj: dict[str, Any]) -> bytes:
    return canonical_json({k: v for k, v in obj.items() if k not in ("signatures", "unsigned")})


class SigningKey:
    """One Ed25519 key from its 32-byte seed (pycryptodome: vodozemac cannot sign with one)."""

    def __init__(self, seed: bytes) -> None:
        if len(seed) != 32:
            raise ValueError("an Ed25519 seed is 32 bytes")
        self._key = ECC.construct(curve="Ed25519", seed=seed)
        self.public = b64(self._key.public_key().export_key(format="raw"))

    @property
    def key_id(self) -> str:
        return f"ed25519:{self.public}"

    def sign_json(self, obj: dict[str, Any], user_id: str) -> dict[str, Any]:
        """A copy of `obj` with our signature added beside any it already has."""
        signature = b64(eddsa.new(self._key, "rfc8032").sign(signable(obj)))
        signed = {k: v for k, v in obj.items() if k != "unsigned"}
        signatures = {u: dict(s) for u, s in (obj.get("signatures") or {}).items()}
        signatures.setdefault(user_id, {})[self.key_id] = signature
        signed["signatures"] = signatures
        return signed


def verify_json(obj: dict[str, Any], user_id: str, key_id: str, public: str) -> bool:
    """Whether `obj` carries a valid signature by `public` under `signatures[user_id][key_id]`."""
    signature = ((obj.get("signatures") or {}).get(user_id) or {}).get(key_id)
    if not isinstance(signature, str):
        return False
    try:
        key = eddsa.import_public_key(unb64(public))
        eddsa.new(key, "rfc8032").verify(signable(obj), unb64(signature))
    except (ValueError, TypeError):
        return False
    return True


def public_key_of(key_obj: dict[str, Any] | None) -> str | None:
    """The base64 public key of a cross-signing key object (its only `keys` entry)."""
    if not key_obj:
        return None
    keys = key_obj.get("keys") or {}
    for key_id, public in keys.items():
        if key_id.startswith("ed25519:") and isinstance(public, str):
            return public
    return None


# ---- the seeds on disk -------------------------------------------------------------------
@dataclass(frozen=True)
class Seeds:
    master: bytes
    self_signing: bytes
    user_signing: bytes

    @classmethod
    def generate(cls) -> Seeds:
        return cls(secrets.token_bytes(32), secrets.token_bytes(32), secrets.token_bytes(32))

    def keys(self) -> Identity:
        return Identity(SigningKey(self.master), SigningKey(self.self_signing),
                        SigningKey(self.user_signing))


@dataclass(frozen=True)
class Identity:
    master: SigningKey
    self_signing: SigningKey
    user_signing: SigningKey

    def upload_body(self, user_id: str) -> dict[str, Any]:
        """The three public keys as /keys/device_signing/upload wants them."""
        def key(signing: SigningKey, usage: str) -> dict[str, Any]:
            return {"user_id": user_id, "usage": [usage],
                    "keys": {signing.key_id: signing.public}}

        return {
            "master_key": key(self.master, "master"),
            "self_signing_key": self.master.sign_json(key(self.self_signing, "self_signing"),
                                                      user_id),
            "user_signing_key": self.master.sign_json(key(self.user_signing, "user_signing"),
                                                      user_id),
        }


def load_seeds(path: Path, user_id: str) -> Seeds | None:
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("user_id") != user_id:
            raise IdentityError(
                f"{path} holds the cross-signing keys of {data.get('user_id')}, not {user_id}; "
                "put this account's own file there")
        return Seeds(unb64(data["master"]), unb64(data["self_signing"]),
                     unb64(data["user_signing"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise IdentityError(f"{path} is unreadable or damaged; restore it from your backup, "
                            f"or run `{RESET_HINT}`") from None


def save_seeds(path: Path, seeds: Seeds, user_id: str) -> None:
    """0600 from the first byte, fsynced, then renamed into place and the folder fsynced."""
    data = {"user_id": user_id, "master": b64(seeds.master),
            "self_signing": b64(seeds.self_signing), "user_signing": b64(seeds.user_signing),
            "note": "Minga's cross-signing private keys: as secret as its password. Back up."}
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---- what the homeserver holds --------------------------------------------------------------
@dataclass(frozen=True)
class ServerKeys:
    """One user's cross-signing keys and (for us) our device, as /keys/query returns them."""

    master: dict[str, Any] | None
    self_signing: dict[str, Any] | None
    user_signing: dict[str, Any] | None
    devices: dict[str, dict[str, Any]]

    @classmethod
    def from_query(cls, body: dict[str, Any], user_id: str) -> ServerKeys:
        def pick(section: str) -> dict[str, Any] | None:
            found = (body.get(section) or {}).get(user_id)
            return found if isinstance(found, dict) else None

        devices = (body.get("device_keys") or {}).get(user_id) or {}
        return cls(pick("master_keys"), pick("self_signing_keys"), pick("user_signing_keys"),
                   {d: k for d, k in devices.items() if isinstance(k, dict)})


class KeysApi:
    """The three endpoints, through nio's own HTTP session (`client.send`)."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client

    async def _post(self, path: str, body: dict[str, Any], what: str) -> tuple[int, dict[str, Any]]:
        resp = await self.client.send(
            "POST", path, json.dumps(body),
            headers={"Authorization": f"Bearer {self.client.access_token}",
                     "Content-Type": "application/json"})
        try:
            answer = await resp.json(content_type=None)
        except (ValueError, UnicodeDecodeError):
            answer = {}
        finally:
            resp.release()
        return resp.status, answer if isinstance(answer, dict) else {}

    async def query(self, user_id: str) -> ServerKeys:
        status, body = await self._post(KEYS_QUERY, {"device_keys": {user_id: []}}, "keys query")
        if status != 200:
            raise HomeserverError(status, body, "keys query")
        return ServerKeys.from_query(body, user_id)

    async def upload_signing_keys(self, body: dict[str, Any], *, password: str | None,
                                  user_id: str) -> None:
        """Upload; if the homeserver asks for the password (a changed identity), give it."""
        status, answer = await self._post(SIGNING_UPLOAD, body, "signing keys upload")
        if status == 401 and "flows" in answer:
            if not password:
                raise IdentityError(
                    "the homeserver wants the account password to replace the cross-signing "
                    "keys; set matrix.password (or MINGA_MATRIX_PASSWORD) and try again")
            auth = {"type": "m.login.password", "password": password,
                    "identifier": {"type": "m.id.user", "user": user_id}}
            if answer.get("session"):
                auth["session"] = answer["session"]
            status, answer = await self._post(SIGNING_UPLOAD, {**body, "auth": auth},
                                              "signing keys upload")
            if status == 401:
                raise IdentityError("the homeserver refused the account password for the "
                                    "cross-signing reset; check matrix.password")
        if status != 200:
            raise HomeserverError(status, answer, "signing keys upload")

    async def upload_signatures(self, signed: dict[str, dict[str, dict[str, Any]]]) -> None:
        """Synapse answers 200 even when it rejects a signature: `failures` says so."""
        status, answer = await self._post(SIGNATURES_UPLOAD, signed, "signatures upload")
        if status != 200:
            raise HomeserverError(status, answer, "signatures upload")
        if answer.get("failures"):
            raise HomeserverError(400, {"errcode": "failures",
                                        "error": json.dumps(answer["failures"])[:300]},
                                  "signatures upload")


# ---- the identity -------------------------------------------------------------------------
class CrossSigning:
    """Check, create, repair and reset Minga's cross-signing identity."""

    def __init__(self, client: AsyncClient, store_dir: Path, *, password: str | None) -> None:
        self.client = client
        self.api = KeysApi(client)
        self.user_id = client.user_id
        self.password = password
        self.path = store_dir / SEEDS_FILE
        self.pending_path = store_dir / PENDING_FILE
        self.identity: Identity | None = None
        self.last_actions: list[str] | None = None  # what the last ensure() did
        self._complete_at_start: Identity | None = None

    @property
    def device_id(self) -> str:
        return str(self.client.device_id)

    async def check(self) -> None:
        """Refuse (IdentityError) if the server has an identity whose seeds we lack.

        On a restart the answer usually shows everything in place already; `ensure()` then
        trusts it instead of asking again (one /keys/query per start, not two).
        """
        state = await self.api.query(self.user_id)
        seeds = self._resolve(state)
        if seeds is not None and self._complete(state, seeds.keys()):
            self._complete_at_start = seeds.keys()

    async def ensure(self) -> list[str]:
        """Upload or sign only what is missing; returns what was done (empty on a restart)."""
        done: list[str] = []
        known, self._complete_at_start = self._complete_at_start, None
        if known is not None:
            self.identity = known
            self.last_actions = done
            return done
        state = await self.api.query(self.user_id)
        seeds = self._resolve(state)
        if state.master is None:
            if seeds is None:
                seeds = Seeds.generate()
                save_seeds(self.path, seeds, self.user_id)  # before the upload, always
                done.append("created the cross-signing keys")
            identity = seeds.keys()
            await self.api.upload_signing_keys(identity.upload_body(self.user_id),
                                               password=self.password, user_id=self.user_id)
            done.append("uploaded the cross-signing keys")
            state = await self.api.query(self.user_id)
        else:
            assert seeds is not None
            identity = seeds.keys()
            if (public_key_of(state.self_signing) != identity.self_signing.public
                    or public_key_of(state.user_signing) != identity.user_signing.public):
                # Same master key, so members see no change; Synapse may still ask for the
                # password because the upload differs from what it holds.
                await self.api.upload_signing_keys(identity.upload_body(self.user_id),
                                                   password=self.password, user_id=self.user_id)
                done.append("repaired the self- and user-signing keys")
                state = await self.api.query(self.user_id)
        self.identity = identity
        if await self._sign_device(state, identity):
            done.append(f"signed device {self.device_id}")
        self.last_actions = done
        return done

    async def reset(self) -> tuple[str | None, str]:
        """A new identity on purpose (password confirmation). Returns (old, new) master keys."""
        state = await self.api.query(self.user_id)
        seeds = Seeds.generate()
        save_seeds(self.pending_path, seeds, self.user_id)
        identity = seeds.keys()
        await self.api.upload_signing_keys(identity.upload_body(self.user_id),
                                           password=self.password, user_id=self.user_id)
        self._promote_pending()
        self.identity = identity
        try:
            await self._sign_device(await self.api.query(self.user_id), identity)
        except REQUEST_ERRORS as err:
            log.warning("the new identity is up; the device will be signed at the next start "
                        "(%s)", err or type(err).__name__)
        return public_key_of(state.master), identity.master.public

    async def sign_master_key(self, user_id: str, master_key: dict[str, Any]) -> None:
        """After a verification: our user-signing key vouches for their master key."""
        assert self.identity is not None, "ensure() runs before any verification"
        public = public_key_of(master_key)
        assert public is not None
        signed = self.identity.user_signing.sign_json(master_key, self.user_id)
        await self.api.upload_signatures({user_id: {public: signed}})

    def _resolve(self, state: ServerKeys) -> Seeds | None:
        """Our seeds if they match the server; None if the server has no identity yet."""
        seeds = load_seeds(self.path, self.user_id)
        server_master = public_key_of(state.master)
        if server_master is None:
            if seeds is None and load_seeds(self.pending_path, self.user_id) is not None:
                self._promote_pending()
                seeds = load_seeds(self.path, self.user_id)
            return seeds
        if seeds and SigningKey(seeds.master).public == server_master:
            return seeds
        pending = load_seeds(self.pending_path, self.user_id)
        if pending and SigningKey(pending.master).public == server_master:
            self._promote_pending()  # a reset that reached the server but not the rename
            return pending
        if seeds:
            raise IdentityError(
                f"the cross-signing keys in {self.path} are not the identity the homeserver "
                f"has for {self.user_id} (master key {server_master[:8]}…); restore the "
                f"matching file from your backup, or run `{RESET_HINT}` to make a new "
                "identity on purpose (members will see that Minga's identity changed)")
        raise IdentityError(
            f"the homeserver already has a cross-signing identity for {self.user_id} (master "
            f"key {server_master[:8]}…) but its private keys are not in {self.path}; restore "
            f"that file from your backup, or run `{RESET_HINT}` to make a new identity on "
            "purpose (members will see that Minga's identity changed)")

    def _complete(self, state: ServerKeys, identity: Identity) -> bool:
        """Identity on the server is ours, all three keys, and our device is signed."""
        device = state.devices.get(self.device_id)
        return (public_key_of(state.master) == identity.master.public
                and public_key_of(state.self_signing) == identity.self_signing.public
                and public_key_of(state.user_signing) == identity.user_signing.public
                and device is not None
                and verify_json(device, self.user_id, identity.self_signing.key_id,
                                identity.self_signing.public))

    def _promote_pending(self) -> None:
        os.replace(self.pending_path, self.path)
        _fsync_dir(self.path.parent)

    async def _sign_device(self, state: ServerKeys, identity: Identity) -> bool:
        device = state.devices.get(self.device_id)
        if device is None:  # the device-keys upload failed: retried by `establish`
            raise HomeserverError(503, {"errcode": "M_NOT_FOUND",
                                        "error": "our device keys are not on the server yet"},
                                  "device signing")
        if verify_json(device, self.user_id, identity.self_signing.key_id,
                       identity.self_signing.public):
            return False
        # Sign the server's own copy: Synapse rejects anything that differs from it.
        signed = identity.self_signing.sign_json(device, self.user_id)
        await self.api.upload_signatures({self.user_id: {self.device_id: signed}})
        return True


async def establish(cross_signing: CrossSigning, *,
                    retry_prepare: Callable[[], Awaitable[None]] | None = None,
                    max_delay: float = 60.0) -> bool:
    """`ensure()` until it succeeds; transient failures back off, anything else is logged.

    `retry_prepare` runs before each retry (the bot passes its key maintenance, so device
    keys that failed to upload are uploaded before we try to sign them again).

    An identity that cannot be used (IdentityError) is never replaced here: Minga goes on
    without cross-signing (a red shield) rather than silently reset what members trust.
    """
    delay = 1.0
    while True:
        began = time.monotonic()
        try:
            done = await cross_signing.ensure()
        except IdentityError as err:
            log.error("not cross-signing this device: %s", err)
            return False
        except HomeserverError as err:
            if not err.transient:
                log.error("cross-signing failed: %s", err)
                return False
            reason = str(err)
        except TRANSPORT_ERRORS as err:
            reason = type(err).__name__
        else:
            log.info("cross-signing: %s (%.0f ms)", "; ".join(done) if done else "identity and "
                     "device signature already on the server", (time.monotonic() - began) * 1000)
            return True
        log.warning("cross-signing failed (%s); retrying in %.0fs", reason, delay)
        await asyncio.sleep(delay)
        delay = min(delay * 2, max_delay)
        if retry_prepare is not None:
            await retry_prepare()


async def preflight(cross_signing: CrossSigning) -> None:
    """At start: raise IdentityError if our seeds don't fit the server's identity.

    If the homeserver can't be asked now, the same check runs in `ensure()` after the
    first sync; start-up itself does not wait for the network.
    """
    try:
        await cross_signing.check()
    except HomeserverError as err:
        log.warning("could not check the cross-signing identity yet (%s)", err)
    except TRANSPORT_ERRORS as err:
        log.warning("could not check the cross-signing identity yet (%s)", type(err).__name__)
