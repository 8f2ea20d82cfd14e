"""Scenario 12 (issue 21): every long-lived task is supervised.

An exception injected into each task in turn: logged and restarted within a second, and the
bot still answers. A sync loop that hangs (no exception, no progress) is restarted by the
watchdog. A task that keeps dying ends a real `minga run` with a non-zero exit code.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest

from bot.cli import EXIT_TASK_FAILED
from bot.client import MingaBot
from bot.supervisor import MAX_DEATHS
from devtools.harness import Network
from tests.faults.conftest import ROOT, Report
from tests.faults.recovery import SUPERVISED, answered_after, tasks_alive

pytestmark = pytest.mark.faults

BAR = 1.0  # s from the exception to its log line, and to the restarted task
HUNG_LIMIT = 6.0  # the watchdog's stall limit for this test (production: 65 s)


class Injected(RuntimeError):
    pass


def once(owner: Any, name: str, raised: list[float]) -> None:
    """Make `owner.name` raise Injected on its next call, then behave again."""
    original = getattr(owner, name)

    async def failing(*args: Any, **kwargs: Any) -> Any:
        setattr(owner, name, original)
        raised.append(time.time())
        raise Injected("injected by the fault suite")

    setattr(owner, name, failing)


def triggers(bot: MingaBot, poke: Callable[[], Any]) -> dict[str, tuple[Any, str, Any]]:
    """For each task: (object, method to break, what makes the task call it soon)."""
    assert bot.client and bot.outbox and bot.scheduler
    outbox, scheduler = bot.outbox, bot.scheduler
    return {
        "minga-sync": (bot.client, "sync", poke),  # a message ends the open long-poll
        "minga-outbox": (outbox, "next_item", outbox.kick),  # what its loop asks first
        "minga-plan": (scheduler, "replan_all", scheduler.request_replan),
        "minga-watchdog": (bot, "_check_liveness", lambda: None),  # it checks every 5 s
    }


async def restarted_since(bot: MingaBot, name: str, starts: int, timeout: float) -> None:
    for _ in range(int(timeout / 0.02)):
        if len(bot.supervisor.started[name]) > starts:
            return
        await asyncio.sleep(0.02)


async def test_supervision(network: Network, report: Report, caplog: pytest.LogCaptureFixture
                           ) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    config = network.bot_config()
    bot = await network.start_bot(config)
    bot_id = config.matrix.user_id
    alice = await network.member("alice")
    room = await network.room(alice, [], bot_id)
    await alice.reply_to(room, await alice.send(room, "!tz"), timeout=30)
    results: list[str] = []
    ok = True

    async def poke() -> None:
        await alice.send(room, "hello, long-poll")

    for name in SUPERVISED:
        owner, method, trigger = triggers(bot, lambda: asyncio.ensure_future(poke()))[name]
        raised: list[float] = []
        starts = len(bot.supervisor.started[name])
        once(owner, method, raised)
        trigger()
        await restarted_since(bot, name, starts, 20)
        logged = [r.created for r in caplog.records
                  if r.getMessage().startswith(f"task {name} died: Injected")]
        restarted = bot.supervisor.started[name][starts:]
        log_after = logged[0] - raised[0] if raised and logged else float("inf")
        restart_after = restarted[0] - raised[0] if raised and restarted else float("inf")
        _, answered = await answered_after(alice, room, bot_id, time.time())
        ok = ok and log_after <= BAR and restart_after <= BAR and bot.supervisor.running(name)
        results.append(f"{name} logged +{log_after:.2f} s, restarted +{restart_after:.2f} s")
        print(f"[supervision] {results[-1]}, then answered in {answered:.1f}s")

    # A sync loop that hangs without failing: only the watchdog can see it.
    assert bot.client is not None
    client = bot.client
    original_sync = client.sync
    hung_at: list[float] = []

    async def hangs(*args: Any, **kwargs: Any) -> Any:
        client.sync = original_sync  # type: ignore[method-assign]
        hung_at.append(time.time())
        await asyncio.Event().wait()

    bot.stall_limit, bot.watch_every = HUNG_LIMIT, 1.0
    starts = len(bot.supervisor.started["minga-sync"])
    client.sync = hangs  # type: ignore[method-assign]
    await poke()
    await restarted_since(bot, "minga-sync", starts, 60)
    restarted = bot.supervisor.started["minga-sync"][starts:]
    hang_restart = restarted[0] - hung_at[0] if restarted and hung_at else float("inf")
    _, answered = await answered_after(alice, room, bot_id, time.time())
    watchdog_logged = any("restarting the sync loop" in r.getMessage() for r in caplog.records)
    hung_ok = watchdog_logged and hang_restart <= HUNG_LIMIT + 2 * bot.watch_every + 5
    print(f"[supervision] hung sync loop restarted by the watchdog after {hang_restart:.1f}s")
    alive = tasks_alive(bot)

    # A task that keeps dying: a real `minga run` must give up with a non-zero exit code.
    exit_code, exit_after, deaths = await dying_process(network)
    exits_ok = exit_code == EXIT_TASK_FAILED and deaths == MAX_DEATHS

    passed = ok and hung_ok and alive and exits_ok
    report.add(
        "12. Task supervision",
        f"an exception in each long-lived task: logged and restarted within {BAR:.0f} s; "
        "a hung sync loop restarted by the watchdog; a task that keeps dying: `minga run` "
        "exits non-zero",
        f"{'; '.join(results)}; hung sync loop restarted after {hang_restart:.1f} s (watchdog "
        f"limit {HUNG_LIMIT:.0f} s in this test, 65 s in production); outbox dying at every "
        f"start: {deaths} deaths, exit code {exit_code} after {exit_after:.0f} s",
        passed, "test_supervision")
    assert passed, (results, hang_restart, exit_code, deaths)


async def dying_process(network: Network) -> tuple[int | None, float, int]:
    config = network.bot_config("dying")
    path = network.write_config(config, network.workdir / "dying.toml")
    log_path = network.workdir / "dying.log"
    with open(log_path, "wb") as log:  # noqa: ASYNC230 - handed to the child
        started = time.monotonic()
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.faults.dying", str(path), cwd=ROOT,
            stdout=log, stderr=log, stdin=asyncio.subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        code = await asyncio.wait_for(proc.wait(), 120)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        code = None
    took = time.monotonic() - started
    text = log_path.read_text(encoding="utf-8", errors="replace")
    deaths = text.count("task minga-outbox died: RuntimeError")
    print(f"[supervision] dying process: exit {code} after {took:.0f}s, {deaths} deaths; "
          f"last lines:\n" + "\n".join(text.splitlines()[-3:]))
    return code, took, deaths
