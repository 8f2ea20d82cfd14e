"""Minga as its own process, so fault tests can kill -9 it and benchmarks can time it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path


class BotProcess:
    def __init__(self, config_path: Path, log_path: Path, *,
                 python_args: Sequence[str] | None = None, code: Path | None = None) -> None:
        """`python_args`: what follows the interpreter instead of `-m bot.cli run --config
        <path>` (a test that sets something up before calling `bot.cli.main`). `code`: run
        the Minga in that source tree instead (an older release, for the upgrade drill),
        with the same Python and libraries."""
        self.config_path = config_path
        self.log_path = log_path
        self.code = code
        self.python_args = list(python_args) if python_args is not None else [
            "-m", "bot.cli", "run", "--config", str(config_path)]
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, timeout: float = 60) -> float:
        """Start and wait until it logs "ready"; returns seconds taken."""
        started = time.monotonic()
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = open(self.log_path, "ab")  # noqa: SIM115, ASYNC230 - handed to the child
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, *self.python_args,
            stdout=log, stderr=log, stdin=asyncio.subprocess.DEVNULL,
            env=self.environment(), cwd=self.code,
        )
        log.close()
        while time.monotonic() - started < timeout:
            if self.proc.returncode is not None:
                raise RuntimeError(f"bot exited with {self.proc.returncode}: {self.tail()}")
            with open(self.log_path, "rb") as fh:  # noqa: ASYNC230 - a local log file
                fh.seek(offset)
                if b": ready" in fh.read():
                    return time.monotonic() - started
            await asyncio.sleep(0.05)
        raise TimeoutError(f"bot not ready: {self.tail()}")

    def environment(self) -> dict[str, str]:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if self.code is not None:
            env["PYTHONPATH"] = str(self.code)
        return env

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def rss_mib(self) -> float:
        """Resident memory of the bot process, from /proc."""
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def kill9(self) -> None:
        if self.proc and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)

    async def wait(self) -> None:
        if self.proc:
            await self.proc.wait()

    async def stop(self) -> None:
        if self.proc and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 15)
            except TimeoutError:
                self.kill9()
                await self.proc.wait()

    def tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])
