"""`minga demo`: how to log in comes before the script, and nothing is left behind."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import pytest

from devtools import demo, devserver

pytestmark = pytest.mark.integration


@pytest.fixture
def own_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo's temp folders go here, so the test sees what is left behind."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


async def test_demo_without_synapse_says_how_to_get_it_and_cleans_up(
    own_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As after a plain `pip install`: no Synapse here, no dev checkout around."""
    monkeypatch.delenv("MINGA_SYNAPSE_PYTHON", raising=False)
    monkeypatch.setattr(devserver, "_REPO_ROOT", own_tmp / "not-a-checkout")
    monkeypatch.setattr(devserver.importlib.util, "find_spec", lambda name: None)
    assert await demo.run_demo() == 1
    assert capsys.readouterr().out == (
        "minga demo: Synapse is not installed: pip install 'minga[demo]', or in a checkout run "
        "`make demo` (`make test-deps` for the tests); or set MINGA_SYNAPSE_PYTHON\n")
    assert list(own_tmp.iterdir()) == []


async def test_demo_keep_prints_login_first_and_keeps_its_folder(
    own_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(demo, "SCRIPT", [demo.Step("alice", "!tz set Nairobi")])
    stop = asyncio.Event()
    run = asyncio.create_task(demo.run_demo(keep=True, stop=stop))
    seen = ""
    while "Press Ctrl-C to stop." not in seen:
        await asyncio.sleep(0.2)
        assert not run.done(), capsys.readouterr().out
        seen += capsys.readouterr().out
    stop.set()
    assert await asyncio.wait_for(run, 60) == 0
    out = seen + capsys.readouterr().out
    print(out)
    lines = out.splitlines()
    home = next(i for i, line in enumerate(lines) if line.startswith("Homeserver: http://"))
    first_step = next(i for i, line in enumerate(lines) if "!tz set Nairobi" in line)
    assert home < first_step
    assert lines[home + 1].lstrip().startswith("@alice-") and "password: " in lines[home + 1]
    assert lines[home + 2].lstrip().startswith("@bob-") and "password: " in lines[home + 2]
    (folder,) = own_tmp.iterdir()
    assert lines[home + 3] == f"Data folder: {folder}"
    assert lines[-1] == (f"The demo's homeserver, bot and members' data stay in {folder}; "
                         "delete the folder when done.")
    assert (folder / "synapse" / "homeserver.db").exists()


async def test_demo_without_keep_removes_its_folder(
    own_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(demo, "SCRIPT", [demo.Step("alice", "!tz set Nairobi")])
    assert await demo.run_demo() == 0
    out = capsys.readouterr().out
    assert "Africa/Nairobi" in out and "Homeserver:" not in out
    assert list(own_tmp.iterdir()) == []
