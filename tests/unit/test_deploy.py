"""The container recipe and the systemd unit, checked without docker or a running systemd.

What can go wrong without anyone noticing until an operator tries: a COPY of a file that
moved, a package the image forgets, an entrypoint or health check that `minga` no longer
parses, a hardening line systemd does not know (it only warns, then ignores it).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest

from bot.cli import _parser

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "contrib" / "minga.service"


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    found = []
    for line in joined.splitlines():
        if line.strip():
            instruction, _, args = line.strip().partition(" ")
            found.append((instruction.upper(), args.strip()))
    return found


def instructions(name: str) -> list[str]:
    return [args for instruction, args in dockerfile() if instruction == name]


def exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), args
    return value


def test_two_stages_on_a_slim_python() -> None:
    stages = instructions("FROM")
    assert len(stages) == 2
    assert stages[0].endswith(" AS build")
    for stage in stages:
        assert re.match(r"python:3\.1[1-9]-slim", stage), stage
    assert any(a.startswith("--from=build /opt/minga ") for a in instructions("COPY"))


def test_every_copied_file_exists_and_every_package_is_copied() -> None:
    sources = []
    for args in instructions("COPY"):
        if args.startswith("--from="):
            continue
        *parts, _target = args.split()
        sources += parts
    for source in sources:
        assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]
                ["include"]}
    assert packages <= set(sources), f"packages not in the image: {packages - set(sources)}"
    assert {"pyproject.toml", project["project"]["readme"]} <= set(sources)


def test_runs_unprivileged_with_one_data_volume() -> None:
    users = instructions("USER")
    assert users and users[-1] not in {"root", "0"}
    assert any("useradd --system --uid 10001 --gid minga" in r for r in instructions("RUN"))
    assert [exec_form(v) for v in instructions("VOLUME")] == [["/data"]]
    assert instructions("STOPSIGNAL") == ["SIGTERM"]


def test_entrypoint_and_healthcheck_parse_as_minga_commands() -> None:
    (entry,), (cmd,) = instructions("ENTRYPOINT"), instructions("CMD")
    command = exec_form(entry) + exec_form(cmd)
    assert command[0] == "minga"
    run = _parser().parse_args(command[1:])
    assert (run.command, str(run.config)) == ("run", "/etc/minga/config.toml")
    (health,) = instructions("HEALTHCHECK")
    options, _, probe = health.partition(" CMD ")
    assert "--start-period=" in options
    check = exec_form(probe)
    assert check[0] == "minga"
    status = _parser().parse_args(check[1:])
    assert status.command == "status" and status.config == run.config


def test_compose_mounts_the_config_and_the_volume() -> None:
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    (health,) = instructions("HEALTHCHECK")
    config = exec_form(health.partition(" CMD ")[2])[-1]
    assert f"- ./config.toml:{config}:ro" in text
    assert re.search(r"^\s+- minga-data:/data$", text, re.M)
    assert re.search(r"^volumes:\n  minga-data:", text, re.M)
    assert re.search(r"^\s+build: \.$", text, re.M)
    assert "MINGA_MATRIX_PASSWORD=" not in text.replace("#   minga.env    (chmod 600) "
                                                         "MINGA_MATRIX_PASSWORD=...", "")


def unit() -> dict[str, dict[str, list[str]]]:
    sections: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    current = ""
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        sections[current][key].append(value)
    return sections


def test_unit_runs_hardened_as_its_own_user() -> None:
    service = unit()["Service"]
    expected = {
        "Type": "simple", "Restart": "on-failure", "User": "minga", "StateDirectory": "minga",
        "StateDirectoryMode": "0700", "NoNewPrivileges": "yes", "ProtectSystem": "strict",
        "ProtectHome": "yes", "PrivateTmp": "yes", "CapabilityBoundingSet": "",
        "ReadWritePaths": "/var/lib/minga", "UMask": "0077", "KillSignal": "SIGTERM",
        "EnvironmentFile": "-/etc/minga/minga.env",
    }
    for key, value in expected.items():
        assert service[key] == [value], key
    exec_start = service["ExecStart"][0].split()
    assert exec_start[0].endswith("/minga")
    args = _parser().parse_args(exec_start[1:])
    assert args.command == "run" and str(args.config).startswith("/etc/minga/")


def test_systemd_analyze_verify(tmp_path: Path) -> None:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed (apt-get install systemd to run this)")
    minga = Path(sys.executable).with_name("minga")
    if not minga.exists():
        pytest.skip(f"no installed minga script beside {sys.executable}")
    # verify checks that ExecStart exists: point it at this checkout's minga.
    text = UNIT.read_text(encoding="utf-8").replace("/opt/minga/bin/minga", str(minga))
    copy = tmp_path / "minga.service"
    copy.write_text(text, encoding="utf-8")
    result = subprocess.run([tool, "verify", str(copy)], capture_output=True, text=True,
                            check=False, timeout=60)
    # Unknown or misspelt keys are only warnings (exit 0): any output is a failure.
    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stderr
