"""The README's command reference covers every command the router knows."""

from __future__ import annotations

from pathlib import Path

from commands import build_router

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme() -> None:
    missing = [cmd.name for cmd in build_router().order if f"`!{cmd.name}" not in README]
    assert not missing, f"README command table lacks: {missing}"


def test_readme_starts_with_the_two_commands() -> None:
    head = README[: README.index("## Production set-up")]
    assert "make demo" in head and "make test" in head
