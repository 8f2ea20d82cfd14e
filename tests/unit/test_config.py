"""Configuration: one typed object, and errors that name the offending key."""

from __future__ import annotations

import copy
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot import cli
from bot.config import BotConfig, Config, ConfigError, load_config, parse_config

REPO_ROOT = Path(__file__).resolve().parents[2]
BASE = Path("/srv/minga")

MINIMAL: dict[str, Any] = {
    "matrix": {
        "homeserver": "https://matrix.example.org/",
        "user_id": "@minga:example.org",
        "password": "hunter2",
    },
    "storage": {"database": "data/minga.db", "store_dir": "data/store"},
}

MINIMAL_TOML = """\
[matrix]
homeserver = "https://matrix.example.org"
user_id = "@minga:example.org"
password = "hunter2"

[storage]
database = "data/minga.db"
store_dir = "data/store"
"""


@pytest.fixture(autouse=True)
def _no_secrets_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MINGA_MATRIX_PASSWORD", raising=False)
    monkeypatch.delenv("MINGA_MATRIX_ACCESS_TOKEN", raising=False)


def raw(**changes: dict[str, Any]) -> dict[str, Any]:
    """MINIMAL with per-section updates; a value of ... removes the key."""
    data = copy.deepcopy(MINIMAL)
    for section, values in changes.items():
        table = data.setdefault(section, {})
        for key, value in values.items():
            if value is ...:
                table.pop(key, None)
            else:
                table[key] = value
    return data


def parse(data: dict[str, Any], env: dict[str, str] | None = None) -> Config:
    return parse_config(data, base_dir=BASE, env=env or {})


# ---- valid configurations ------------------------------------------------------------------


def test_minimal_config_and_defaults() -> None:
    config = parse(raw())
    assert config.matrix.homeserver == "https://matrix.example.org"  # trailing slash dropped
    assert config.matrix.user_id == "@minga:example.org"
    assert config.matrix.password == "hunter2"
    assert config.matrix.access_token is None
    assert config.matrix.device_name == "Minga"
    assert config.storage.database == BASE / "data/minga.db"
    assert config.storage.store_dir == BASE / "data/store"
    assert config.bot == BotConfig()
    assert config.bot.command_prefix == "!"
    assert config.bot.default_timezone == "UTC"
    assert config.bot.allowed_inviters == ()
    assert config.bot.admins == ()
    assert config.bot.require_encryption is True
    assert config.bot.undecryptable_grace_seconds == 60.0
    assert config.log_level_number == logging.INFO


def test_full_bot_section() -> None:
    config = parse(raw(bot={
        "command_prefix": "?",
        "default_timezone": "Africa/Nairobi",
        "allowed_inviters": ["@*:example.org"],
        "admins": ["@root:example.org"],
        "log_level": "DEBUG",
        "require_encryption": False,
        "undecryptable_grace_seconds": 5,
        "member_burst": 20,
        "member_per_minute": 120,
    }, matrix={"device_name": "Minga bot"}))
    assert config.bot.command_prefix == "?"
    assert config.bot.default_timezone == "Africa/Nairobi"
    assert config.bot.allowed_inviters == ("@*:example.org",)
    assert config.bot.admins == ("@root:example.org",)
    assert config.bot.log_level == "debug"
    assert config.log_level_number == logging.DEBUG
    assert config.bot.require_encryption is False
    assert config.bot.undecryptable_grace_seconds == 5.0
    assert isinstance(config.bot.undecryptable_grace_seconds, float)
    assert (config.bot.member_burst, config.bot.member_per_minute) == (20, 120)
    assert config.matrix.device_name == "Minga bot"


def test_absolute_paths_are_kept() -> None:
    config = parse(raw(storage={"database": "/var/lib/minga.db", "store_dir": "/var/lib/s"}))
    assert config.storage.database == Path("/var/lib/minga.db")
    assert config.storage.store_dir == Path("/var/lib/s")


def test_access_token_instead_of_password() -> None:
    config = parse(raw(matrix={"password": ..., "access_token": "syt_abc"}))
    assert config.matrix.password is None
    assert config.matrix.access_token == "syt_abc"


def test_env_password_overrides_file() -> None:
    config = parse(raw(), env={"MINGA_MATRIX_PASSWORD": "from-env"})
    assert config.matrix.password == "from-env"


def test_env_password_replaces_missing_password() -> None:
    config = parse(raw(matrix={"password": ""}), env={"MINGA_MATRIX_PASSWORD": "from-env"})
    assert config.matrix.password == "from-env"


def test_env_access_token() -> None:
    config = parse(raw(matrix={"password": ...}), env={"MINGA_MATRIX_ACCESS_TOKEN": "syt_env"})
    assert config.matrix.access_token == "syt_env"
    assert config.matrix.password is None


def test_env_access_token_overrides_file() -> None:
    data = raw(matrix={"access_token": "syt_file"})
    config = parse(data, env={"MINGA_MATRIX_ACCESS_TOKEN": "syt_env"})
    assert config.matrix.access_token == "syt_env"
    assert config.matrix.password == "hunter2"


def test_empty_env_values_are_ignored() -> None:
    config = parse(raw(), env={"MINGA_MATRIX_PASSWORD": "", "MINGA_MATRIX_ACCESS_TOKEN": ""})
    assert config.matrix.password == "hunter2"
    assert config.matrix.access_token is None


# ---- errors name the key -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"matrix": {"homeserver": ...}}, "matrix.homeserver"),
        ({"matrix": {"homeserver": ""}}, "matrix.homeserver"),
        ({"matrix": {"homeserver": "matrix.example.org"}}, "matrix.homeserver"),
        ({"matrix": {"homeserver": 443}}, "matrix.homeserver"),
        ({"matrix": {"user_id": ...}}, "matrix.user_id"),
        ({"matrix": {"user_id": "minga"}}, "matrix.user_id"),
        ({"matrix": {"user_id": "@minga"}}, "matrix.user_id"),
        ({"matrix": {"user_id": ["@minga:example.org"]}}, "matrix.user_id"),
        ({"matrix": {"password": ...}}, "matrix.password"),
        ({"matrix": {"password": ""}}, "matrix.password"),
        ({"matrix": {"password": 1234}}, "matrix.password"),
        ({"matrix": {"access_token": 1234}}, "matrix.access_token"),
        ({"matrix": {"device_name": 7}}, "matrix.device_name"),
        ({"storage": {"database": ...}}, "storage.database"),
        ({"storage": {"database": ""}}, "storage.database"),
        ({"storage": {"database": 3}}, "storage.database"),
        ({"storage": {"store_dir": ...}}, "storage.store_dir"),
        ({"storage": {"store_dir": ""}}, "storage.store_dir"),
        ({"bot": {"default_timezone": "Mars/Olympus"}}, "bot.default_timezone"),
        ({"bot": {"default_timezone": "../etc/passwd"}}, "bot.default_timezone"),
        ({"bot": {"default_timezone": "/etc/localtime"}}, "bot.default_timezone"),
        ({"bot": {"default_timezone": 3}}, "bot.default_timezone"),
        ({"bot": {"log_level": "verbose"}}, "bot.log_level"),
        ({"bot": {"log_level": 10}}, "bot.log_level"),
        ({"bot": {"command_prefix": "toolong"}}, "bot.command_prefix"),
        ({"bot": {"command_prefix": "! "}}, "bot.command_prefix"),
        ({"bot": {"command_prefix": "a b"}}, "bot.command_prefix"),
        ({"bot": {"command_prefix": 1}}, "bot.command_prefix"),
        ({"bot": {"admins": "@root:example.org"}}, "bot.admins"),
        ({"bot": {"admins": ["root"]}}, "bot.admins"),
        ({"bot": {"admins": [""]}}, "bot.admins"),
        ({"bot": {"admins": [1]}}, "bot.admins"),
        ({"bot": {"allowed_inviters": "@*:example.org"}}, "bot.allowed_inviters"),
        ({"bot": {"allowed_inviters": [""]}}, "bot.allowed_inviters"),
        ({"bot": {"allowed_inviters": [None]}}, "bot.allowed_inviters"),
        ({"bot": {"require_encryption": "yes"}}, "bot.require_encryption"),
        ({"bot": {"require_encryption": 1}}, "bot.require_encryption"),
        ({"bot": {"undecryptable_grace_seconds": 0}}, "bot.undecryptable_grace_seconds"),
        ({"bot": {"undecryptable_grace_seconds": 3601}}, "bot.undecryptable_grace_seconds"),
        ({"bot": {"undecryptable_grace_seconds": True}}, "bot.undecryptable_grace_seconds"),
        ({"bot": {"undecryptable_grace_seconds": "60"}}, "bot.undecryptable_grace_seconds"),
        ({"bot": {"member_burst": 0}}, "bot.member_burst"),
        ({"bot": {"member_burst": 2.5}}, "bot.member_burst"),
        ({"bot": {"member_per_minute": 0}}, "bot.member_per_minute"),
        ({"bot": {"member_per_minute": True}}, "bot.member_per_minute"),
        ({"bot": {"prefix": "!"}}, "bot.prefix"),
        ({"bot": {"timezone": "UTC"}}, "bot.timezone"),
    ],
)
def test_bad_value_names_the_key(changes: dict[str, dict[str, Any]], key: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse(raw(**changes))
    message = str(info.value)
    assert key in message
    assert "\n" not in message


def test_unknown_bot_key_message() -> None:
    with pytest.raises(ConfigError, match=r"bot\.colour is not a known setting"):
        parse(raw(bot={"colour": "blue"}))


def test_unknown_section() -> None:
    data = raw()
    data["matirx"] = {"homeserver": "x"}
    with pytest.raises(ConfigError, match=r"unknown section \[matirx\]"):
        parse(data)


@pytest.mark.parametrize("section", ["matrix", "storage", "bot"])
def test_section_must_be_a_table(section: str) -> None:
    data = raw()
    data[section] = "oops"
    with pytest.raises(ConfigError, match=rf"\[{section}\] must be a table"):
        parse(data)


def test_missing_sections_name_their_first_key() -> None:
    with pytest.raises(ConfigError, match=r"matrix\.homeserver"):
        parse({})
    with pytest.raises(ConfigError, match=r"storage\.database"):
        parse({"matrix": MINIMAL["matrix"]})


def test_password_error_mentions_env_alternatives() -> None:
    with pytest.raises(ConfigError) as info:
        parse(raw(matrix={"password": ...}))
    assert "MINGA_MATRIX_PASSWORD" in str(info.value)
    assert "matrix.access_token" in str(info.value)


@pytest.mark.parametrize("prefix", ["!", "?", "mg.", "!!!!!"])
def test_good_prefixes(prefix: str) -> None:
    assert parse(raw(bot={"command_prefix": prefix})).bot.command_prefix == prefix


def test_empty_prefix_is_refused_not_silently_replaced() -> None:
    with pytest.raises(ConfigError, match=r'bot\.command_prefix is empty: .*like "!"'):
        parse(raw(bot={"command_prefix": ""}))
    assert parse(raw(bot={"command_prefix": ...})).bot.command_prefix == "!"


@pytest.mark.parametrize(
    ("section", "key", "message"),
    [
        ("matrix", "homesever",
         r"^matrix\.homesever \(did you mean matrix\.homeserver\?\) is not a known setting$"),
        ("matrix", "acces_token",
         r"^matrix\.acces_token \(did you mean matrix\.access_token\?\) is not a known"),
        ("storage", "databse", r"^storage\.databse \(did you mean storage\.database\?\)"),
        ("bot", "colour", r"^bot\.colour is not a known setting$"),
    ],
)
def test_unknown_keys_named_in_every_section(section: str, key: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse(raw(**{section: {key: "x"}}))


def test_unknown_keys_all_named_before_anything_else() -> None:
    """A typo of a required key names the typo, not only "homeserver is missing"."""
    data = raw(matrix={"homeserver": ..., "homesever": "https://x.org", "acces_token": "t"},
               bot={"colour": "blue"})
    with pytest.raises(ConfigError) as info:
        parse(data)
    assert str(info.value) == (
        "matrix.acces_token (did you mean matrix.access_token?), matrix.homesever (did you "
        "mean matrix.homeserver?), bot.colour are not known settings")


@pytest.mark.parametrize("grace", [1, 1.5, 3600])
def test_grace_bounds_inclusive(grace: float) -> None:
    assert parse(raw(bot={"undecryptable_grace_seconds": grace})).bot.undecryptable_grace_seconds \
        == float(grace)


@pytest.mark.parametrize("zone", ["America", "Etc"])
def test_zone_directory_is_a_config_error(zone: str) -> None:
    with pytest.raises(ConfigError, match=r"bot\.default_timezone"):
        parse(raw(bot={"default_timezone": zone}))


# ---- load_config -------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_config_resolves_relative_paths_against_file_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    etc = tmp_path / "etc" / "minga"
    etc.mkdir(parents=True)
    path = write(etc, MINIMAL_TOML)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config = load_config(Path("../etc/minga/config.toml"), env={})
    assert config.storage.database == etc.resolve() / "data" / "minga.db"
    assert config.storage.store_dir == etc.resolve() / "data" / "store"
    assert config.storage.database.is_absolute()
    assert load_config(path, env={}).storage.database == etc.resolve() / "data" / "minga.db"


def test_load_config_reads_os_environ_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, MINIMAL_TOML.replace('password = "hunter2"\n', ""))
    with pytest.raises(ConfigError, match=r"matrix\.password"):
        load_config(path)
    monkeypatch.setenv("MINGA_MATRIX_PASSWORD", "from-environ")
    assert load_config(path).matrix.password == "from-environ"
    # An explicit env replaces os.environ entirely.
    with pytest.raises(ConfigError, match=r"matrix\.password"):
        load_config(path, env={})


def test_load_config_invalid_toml(tmp_path: Path) -> None:
    path = write(tmp_path, "[matrix\nhomeserver = ")
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    assert "is not valid TOML" in str(info.value)
    assert str(path) in str(info.value)


def test_load_config_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml", env={})


def test_config_example_parses(monkeypatch: pytest.MonkeyPatch) -> None:
    example = REPO_ROOT / "config.example.toml"
    assert example.exists()
    config = load_config(example, env={"MINGA_MATRIX_PASSWORD": "secret"})
    assert config.matrix.password == "secret"
    assert config.matrix.homeserver.startswith("https://")
    assert config.storage.database == REPO_ROOT / "data" / "minga.db"
    assert config.storage.store_dir == REPO_ROOT / "data" / "store"
    assert config.bot.command_prefix == "!"
    assert config.bot.require_encryption is True


def test_config_example_alone_asks_for_a_password() -> None:
    with pytest.raises(ConfigError, match=r"matrix\.password"):
        load_config(REPO_ROOT / "config.example.toml", env={})


# ---- minga check-config --------------------------------------------------------------------


def test_cli_check_config_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, MINIMAL_TOML)
    assert cli.main(["check-config", "--config", str(path)]) == 0
    out, err = capsys.readouterr()
    assert f"{path}: OK" in out
    assert "@minga:example.org" in out
    assert "hunter2" not in out
    assert err == ""


def test_cli_check_config_example(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.toml"
    shutil.copy(REPO_ROOT / "config.example.toml", path)
    monkeypatch.setenv("MINGA_MATRIX_PASSWORD", "secret")
    assert cli.main(["check-config", "--config", str(path)]) == 0
    assert "OK" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (MINIMAL_TOML.replace('"@minga:example.org"', '"minga"'), "matrix.user_id"),
        (MINIMAL_TOML + '\n[bot]\nlog_level = "loud"\n', "bot.log_level"),
        (MINIMAL_TOML + '\n[bot]\nfoo = 1\n', "bot.foo"),
        (MINIMAL_TOML.replace('store_dir = "data/store"\n', ""), "storage.store_dir"),
        ("[matrix\n", "not valid TOML"),
    ],
)
def test_cli_check_config_bad(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, key: str
) -> None:
    path = write(tmp_path, text)
    assert cli.main(["check-config", "--config", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("minga: config error: ")
    assert key in lines[0]


def test_cli_check_config_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check-config", "--config", str(tmp_path / "none.toml")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_cli_requires_config_argument(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["check-config"])
    assert info.value.code == 2
    assert "--config" in capsys.readouterr().err
