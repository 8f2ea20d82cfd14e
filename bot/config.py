"""The one typed configuration object, validated at start with errors that name the key."""

from __future__ import annotations

import difflib
import logging
import os
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.flood import BURST, PER_MINUTE
from bot.session import SESSION_FILE
from domain.i18n import LANGUAGES

LOG_LEVELS = ("debug", "info", "warning", "error")
KNOWN_KEYS: dict[str, tuple[str, ...]] = {
    "matrix": ("homeserver", "user_id", "password", "access_token", "device_name"),
    "storage": ("database", "store_dir"),
    "bot": ("command_prefix", "default_timezone", "allowed_inviters", "admins", "log_level",
            "require_encryption", "undecryptable_grace_seconds", "retention_days",
            "language", "charts", "member_burst", "member_per_minute"),
}


class ConfigError(ValueError):
    """One line naming the key and what is expected."""


@dataclass(frozen=True)
class MatrixConfig:
    homeserver: str
    user_id: str
    password: str | None
    access_token: str | None
    device_name: str = "Minga"


@dataclass(frozen=True)
class StorageConfig:
    database: Path
    store_dir: Path


@dataclass(frozen=True)
class BotConfig:
    command_prefix: str = "!"
    default_timezone: str = "UTC"
    allowed_inviters: tuple[str, ...] = ()
    admins: tuple[str, ...] = ()
    log_level: str = "info"
    require_encryption: bool = True
    undecryptable_grace_seconds: float = 60.0
    retention_days: int = 365
    language: str = "en"
    # Post the overlap and fairness charts beside the text; false: text only.
    charts: bool = True
    # The per-member rate (bot/flood.py): this many messages at once, then this many a
    # minute, per room; beyond it commands are skipped and the member told to slow down.
    member_burst: int = BURST
    member_per_minute: int = PER_MINUTE


@dataclass(frozen=True)
class Config:
    matrix: MatrixConfig
    storage: StorageConfig
    bot: BotConfig = field(default_factory=BotConfig)

    @property
    def log_level_number(self) -> int:
        return int(getattr(logging, self.bot.log_level.upper()))


def _table(raw: dict[str, Any], name: str) -> dict[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"[{name}] must be a table")
    return value


def _string(
    table: dict[str, Any],
    section: str,
    key: str,
    *,
    required: bool = True,
    default: str | None = None,
) -> str | None:
    value = table.get(key, default)
    if value is None or value == "":
        if required:
            raise ConfigError(f"{section}.{key} is missing: expected a non-empty string")
        return default
    if not isinstance(value, str):
        raise ConfigError(f"{section}.{key} must be a string, got {type(value).__name__}")
    return value


def _string_list(table: dict[str, Any], section: str, key: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{section}.{key} must be a list of non-empty strings")
    return tuple(value)


def _check_user_id(value: str, key: str) -> None:
    if not (value.startswith("@") and ":" in value):
        raise ConfigError(f"{key} must be a full Matrix user id like @minga:example.org")


def _may_have_saved_login(store_dir: Path) -> bool:
    """True unless the store is readable and holds no saved login; a store Minga cannot
    read is for the start-up checks to name, not a missing password."""
    if store_dir.is_dir() and not os.access(store_dir, os.R_OK | os.X_OK):
        return True
    return (store_dir / SESSION_FILE).exists()


def _check_known_keys(raw: dict[str, Any]) -> None:
    """Every unknown key, in every section, named in one line with the likely intended one."""
    unknown = sorted(set(raw) - set(KNOWN_KEYS))
    if unknown:
        raise ConfigError(f"unknown section [{unknown[0]}]: expected matrix, storage, bot")
    problems = []
    for section, known in KNOWN_KEYS.items():
        table = _table(raw, section)
        for key in sorted(set(table) - set(known)):
            guess = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            problems.append(f"{section}.{key}" + (f" (did you mean {section}.{guess[0]}?)"
                                                  if guess else ""))
    if problems:
        noun = "is not a known setting" if len(problems) == 1 else "are not known settings"
        raise ConfigError(f"{', '.join(problems)} {noun}")


def parse_config(raw: dict[str, Any], *, base_dir: Path, env: dict[str, str],
                 need_login: bool = True) -> Config:
    """`need_login=False` for commands that only read the database (backup, status)."""
    _check_known_keys(raw)

    m = _table(raw, "matrix")
    homeserver = _string(m, "matrix", "homeserver")
    assert homeserver is not None
    if not homeserver.startswith(("http://", "https://")):
        raise ConfigError("matrix.homeserver must be a URL starting with https:// or http://")
    user_id = _string(m, "matrix", "user_id")
    assert user_id is not None
    _check_user_id(user_id, "matrix.user_id")
    password = env.get("MINGA_MATRIX_PASSWORD") or _string(m, "matrix", "password", required=False)
    token = env.get("MINGA_MATRIX_ACCESS_TOKEN") or _string(
        m, "matrix", "access_token", required=False
    )
    device_name = _string(m, "matrix", "device_name", required=False, default="Minga") or "Minga"

    s = _table(raw, "storage")
    database = Path(_string(s, "storage", "database") or "")
    store_dir = Path(_string(s, "storage", "store_dir") or "")
    database = database if database.is_absolute() else base_dir / database
    store_dir = store_dir if store_dir.is_absolute() else base_dir / store_dir
    # Once the first login is saved in the store, no password is needed any more.
    if need_login and not password and not token and not _may_have_saved_login(store_dir):
        raise ConfigError(
            "matrix.password is missing: it is needed once, for the first login (no saved "
            f"login in {store_dir} yet): set MINGA_MATRIX_PASSWORD or matrix.password "
            "(or an access token: MINGA_MATRIX_ACCESS_TOKEN / matrix.access_token)"
        )

    b = _table(raw, "bot")
    if b.get("command_prefix") == "":
        raise ConfigError('bot.command_prefix is empty: give 1–5 characters without spaces, '
                          'like "!"')
    prefix = _string(b, "bot", "command_prefix", required=False, default="!") or "!"
    if len(prefix) > 5 or any(c.isspace() for c in prefix):
        raise ConfigError('bot.command_prefix must be 1–5 characters without spaces, like "!"')
    zone = _string(b, "bot", "default_timezone", required=False, default="UTC") or "UTC"
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise ConfigError(
            f'bot.default_timezone {zone!r} is not an IANA time zone, like "Africa/Nairobi"'
        ) from None
    inviters = _string_list(b, "bot", "allowed_inviters")
    admins = _string_list(b, "bot", "admins")
    for admin in admins:
        _check_user_id(admin, "bot.admins")
    level = (_string(b, "bot", "log_level", required=False, default="info") or "info").lower()
    if level not in LOG_LEVELS:
        raise ConfigError(f"bot.log_level must be one of {', '.join(LOG_LEVELS)}")
    require_encryption = b.get("require_encryption", True)
    if not isinstance(require_encryption, bool):
        raise ConfigError("bot.require_encryption must be true or false")
    grace = b.get("undecryptable_grace_seconds", 60)
    if not isinstance(grace, int | float) or isinstance(grace, bool) or not 1 <= grace <= 3600:
        raise ConfigError("bot.undecryptable_grace_seconds must be a number from 1 to 3600")
    retention = b.get("retention_days", 365)
    if not isinstance(retention, int) or isinstance(retention, bool) \
            or not 7 <= retention <= 3650:
        raise ConfigError("bot.retention_days must be a whole number of days from 7 to 3650")
    language = _string(b, "bot", "language", required=False, default="en") or "en"
    if language not in LANGUAGES:
        raise ConfigError(f"bot.language must be one of {', '.join(LANGUAGES)}")
    charts = b.get("charts", True)
    if not isinstance(charts, bool):
        raise ConfigError("bot.charts must be true or false")
    burst = b.get("member_burst", BURST)
    if not isinstance(burst, int) or isinstance(burst, bool) or not 1 <= burst <= 1000:
        raise ConfigError("bot.member_burst must be a whole number from 1 to 1000")
    per_minute = b.get("member_per_minute", PER_MINUTE)
    if not isinstance(per_minute, int) or isinstance(per_minute, bool) \
            or not 1 <= per_minute <= 60000:
        raise ConfigError("bot.member_per_minute must be a whole number from 1 to 60000")
    return Config(
        matrix=MatrixConfig(homeserver.rstrip("/"), user_id, password, token, device_name),
        storage=StorageConfig(database, store_dir),
        bot=BotConfig(prefix, zone, inviters, admins, level, require_encryption, float(grace),
                      retention, language, charts, burst, per_minute),
    )


def load_config(path: str | os.PathLike[str], env: dict[str, str] | None = None, *,
                need_login: bool = True) -> Config:
    file = Path(path)
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {file} does not exist") from None
    except IsADirectoryError:
        raise ConfigError(f"{file} is a folder: give the config file itself, like "
                          f"{file / 'config.toml'}") from None
    except PermissionError:
        raise ConfigError(f"config file {file} cannot be read by uid {os.getuid()}: make it "
                          "readable by the user Minga runs as (and by no one else: chmod 600)"
                          ) from None
    except UnicodeDecodeError:
        raise ConfigError(f"config file {file} is not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"config file {file} cannot be read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {file} is not valid TOML: {exc}") from None
    return parse_config(raw, base_dir=file.resolve().parent,
                        env=dict(os.environ if env is None else env), need_login=need_login)
