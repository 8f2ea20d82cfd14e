"""Retention (what is purged when), private files, and logs free of what members wrote."""

from __future__ import annotations

import logging
import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import backup_database
from bot.config import ConfigError
from bot.session import prepare_store_dir
from commands import build_router
from commands.context import Context, Settings
from commands.jobs import JobEnv
from commands.members.privacy import next_run, plan_retention
from storage import Database, open_database
from storage.meetings import iso
from tests.fakes import dispatch
from tests.unit.test_actions_fixtures import ALICE, BOB, NOW, ROOM, env_at, room_view, utc
from tests.unit.test_config import parse, raw

ROUTER = build_router()
MARKER = "Zqx7Secret"


async def seed_ages(db: Database) -> None:
    """Rows 400, 40 and 10 days old, and 2 days and 1 hour old sent messages."""
    async with db.transaction() as conn:
        for n, days in enumerate((400, 40, 10), 1):
            at = iso(NOW - timedelta(days=days))
            await conn.execute("INSERT INTO actions (room_id, number, text, created_by, "
                               "created_at, updated_at, closed_at, closed_by) VALUES "
                               "(?, ?, 't', ?, ?, ?, ?, ?)", (ROOM, n, ALICE, at, at, at, BOB))
            await conn.execute("INSERT INTO minutes (room_id, started_by, started_at) "
                               "VALUES (?, ?, ?)", (ROOM, ALICE, at))
            await conn.execute("INSERT INTO handled_events VALUES (?, ?, ?)",
                               (f"$h{days}", ROOM, at))
            await conn.execute("INSERT INTO away (user_id, start_utc, end_utc, created_at) "
                               "VALUES (?, ?, ?, ?)", (ALICE, at, at, at))
            await conn.execute("INSERT INTO polls (room_id, number, txn_id, title, created_by, "
                               "zone, duration_min, options, created_at, closes_at, closed_at)"
                               " VALUES (?, ?, 'x', 'p', ?, 'UTC', 60, '[]', ?, ?, ?)",
                               (ROOM, n, ALICE, at, at, at))
            await conn.execute("INSERT INTO poll_votes VALUES (?, ?, 1, 0)", (n, ALICE))
        await conn.execute("INSERT INTO actions (room_id, number, text, created_by, "
                           "created_at, updated_at) VALUES (?, 9, 'open', ?, ?, ?)",
                           (ROOM, ALICE, iso(utc(2020, 1, 1)), iso(utc(2020, 1, 1))))
        for txn, key, age in (("a", "reply:$1:0", timedelta(days=40)),
                              ("b", "action:!a:1", timedelta(days=40)),
                              ("c", "reply:$2:0", timedelta(days=2)),
                              ("d", "reply:$3:0", timedelta(hours=1))):
            at = iso(NOW - age)
            await conn.execute("INSERT INTO outbox (txn_id, logical_key, room_id, event_type, "
                               "content, created_at, sent_at) VALUES (?, ?, ?, 'm', ?, ?, ?)",
                               (txn, key, ROOM, f'{{"body": "{MARKER}"}}', at, at))


async def ids(db: Database, sql: str) -> list[object]:
    return [r[0] for r in await db.fetchall(sql)]


@pytest.mark.parametrize("days, kept", [(365, [2, 3]), (30, [3]), (7, [])])
async def test_retention_purges_by_age(db: Database, days: int, kept: list[int]) -> None:
    await seed_ages(db)
    async with db.transaction():
        posts = await ROUTER.schedules.jobs["retention"](
            env_at(db, NOW, ROUTER) if days == 365 else _env(db, days), "2026-11-25")
    assert posts == []
    assert await ids(db, "SELECT number FROM actions WHERE closed_at IS NOT NULL") == kept
    assert await ids(db, "SELECT number FROM actions WHERE closed_at IS NULL") == [9]
    assert await ids(db, "SELECT number FROM polls ORDER BY number") == kept
    assert await ids(db, "SELECT poll_id FROM poll_votes ORDER BY poll_id") == kept
    assert len(await ids(db, "SELECT id FROM minutes")) == len(kept)
    assert len(await ids(db, "SELECT id FROM away")) == len(kept)
    # Replay protection: never less than 30 days, whatever the retention says.
    assert await ids(db, "SELECT event_id FROM handled_events ORDER BY event_id") == (
        ["$h10", "$h40"] if days == 365 else ["$h10"])
    outbox = {r[0]: r[1] for r in await db.fetchall("SELECT txn_id, content FROM outbox")}
    assert ("a" in outbox) == (days == 365) and outbox["b"] == "{}"  # routing ids stay
    assert outbox["c"] == "{}" and MARKER in outbox["d"]  # sent copies: a day at most


def _env(db: Database, days: int) -> JobEnv:
    env = env_at(db, NOW, ROUTER)
    env.settings = Settings(retention_days=days)
    return env


async def test_retention_runs_once_a_day_at_0330_utc(db: Database) -> None:
    assert next_run(utc(2026, 11, 25, 2)) == utc(2026, 11, 25, 3, 30)
    assert next_run(utc(2026, 11, 25, 3, 30)) == utc(2026, 11, 26, 3, 30)
    async with db.transaction():
        jobs = await plan_retention(db, utc(2026, 11, 25, 20))
    assert [(j.job_id, j.fire_at, j.kind) for j in jobs] == [
        ("retention:2026-11-26", utc(2026, 11, 26, 3, 30), "retention")]
    assert plan_retention in ROUTER.schedules.planners
    await seed_ages(db)
    job = ROUTER.schedules.jobs["retention"]
    async with db.transaction():
        await job(env_at(db, NOW, ROUTER), "2026-11-25")
    await seed_ages_again(db)
    async with db.transaction():
        await job(env_at(db, NOW, ROUTER), "2026-11-25")  # the same day: nothing happens
    assert await ids(db, "SELECT number FROM actions WHERE number = 101") == [101]
    assert len(await ids(db, "SELECT key FROM retention_runs")) == 1


async def seed_ages_again(db: Database) -> None:
    async with db.transaction() as conn:
        old = iso(NOW - timedelta(days=999))
        await conn.execute("INSERT INTO actions (room_id, number, text, created_by, created_at,"
                           " updated_at, closed_at) VALUES (?, 101, 't', ?, ?, ?, ?)",
                           (ROOM, ALICE, old, old, old))


# ---- logs ------------------------------------------------------------------------------------
async def test_info_logs_never_carry_what_members_wrote(
        db: Database, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    router = build_router()

    @router.command("boom", summary="fails", usage="!boom")
    async def boom(ctx: Context) -> None:
        raise RuntimeError(f"could not store {MARKER}")

    lines = [f'meeting add "{MARKER} call" thu 11:00', f"action {MARKER} task due fri",
             f"action 1 note {MARKER}", f"away tomorrow {MARKER}", f"tz set {MARKER}",
             "meeting start", f"decision {MARKER}", "meeting end", f"{MARKER}cmd x",
             "actions", "boom", "forget me", "forget me confirm"]
    named = room_view(names=lambda _: f"{MARKER}Name")
    for n, line in enumerate(lines):
        await dispatch(router, Context(named, ALICE, f"$e{n}", NOW, db, Settings()), line)
    async with db.transaction():
        await router.schedules.jobs["retention"](env_at(db, NOW, router), "2026-11-25")
    assert any("boom failed with RuntimeError" in r.getMessage() for r in caplog.records)
    assert any("forgot a member" in r.getMessage() for r in caplog.records)
    for record in caplog.records:
        assert MARKER not in record.getMessage() and ALICE not in record.getMessage()
        assert not record.exc_info and not record.exc_text


# ---- files and settings ----------------------------------------------------------------------
def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_database_and_store_are_private_even_if_they_were_not(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        fresh = tmp_path / "new" / "minga.db"
        await (await open_database(fresh)).close()
        assert mode(fresh) == 0o600 and mode(fresh.parent) == 0o700
        loose = tmp_path / "loose.db"
        loose.touch(mode=0o644)
        db = await open_database(loose)
        await db.close()
        assert mode(loose) == 0o600
        store = tmp_path / "store"
        store.mkdir(mode=0o755)
        prepare_store_dir(store)
        assert mode(store) == 0o700
        target = tmp_path / "copy.db"
        target.touch(mode=0o644)
        assert backup_database(loose, target) == 0
        assert mode(target) == 0o600
    finally:
        os.umask(old)


def test_retention_days_setting() -> None:
    assert parse(raw()).bot.retention_days == 365
    assert parse(raw(bot={"retention_days": 30})).bot.retention_days == 30
    for bad in (6, 3651, "30", 30.5, True):
        with pytest.raises(ConfigError, match=r"^bot\.retention_days must be"):
            parse(raw(bot={"retention_days": bad}))
    assert Settings().retention_days == 365


def test_forget_and_retention_are_registered() -> None:
    assert ROUTER.find("forget") is not None and "retention" in ROUTER.schedules.jobs
