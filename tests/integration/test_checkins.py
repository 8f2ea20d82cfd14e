"""Check-ins on a real Synapse, in encrypted rooms, with members in two zones."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from nio import Event, RoomMessageNotice

from bot.client import MingaBot
from bot.clock import OffsetClock
from devtools.harness import Network
from devtools.member import Member, content, relates_to
from domain.calendars import calendar_for, local_date
from domain.checkin import Schedule, prompt_instant
from tests.hostclock import HostClock, seen_by_apscheduler
from tests.integration.helpers import ask_body as ask

pytestmark = pytest.mark.integration




def notice(starts: str) -> Callable[[Event], bool]:
    return lambda e: isinstance(e, RoomMessageNotice) and e.body.startswith(starts)


def reaction_on(event_id: str) -> Callable[[Event], bool]:
    def check(event: Event) -> bool:
        rel = relates_to(event)
        return rel.get("rel_type") == "m.annotation" and rel.get("event_id") == event_id
    return check


def name(member: Member) -> str:
    """Test accounts have no display name: clients show the localpart."""
    return member.user_id[1:].split(":", 1)[0]


def count(member: Member, room: str, predicate: Callable[[Event], bool]) -> int:
    return sum(1 for rid, e in member.events if rid == room and predicate(e))


async def until(check: Callable[[], Any], timeout: float = 15) -> None:
    for _ in range(int(timeout * 10)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise TimeoutError("condition not met in time")


def workday_offset(zones: tuple[str, ...]) -> timedelta:
    """Whole days from now to the first moment that is a working day in every zone."""
    calendars = [(zone, calendar_for(None, zone, None, None)) for zone in zones]
    now = datetime.now(UTC)
    for days in range(14):
        moment = now + timedelta(days=days)
        if not any(c.off_reason(local_date(moment, zone)) for zone, c in calendars):
            return timedelta(days=days)
    raise AssertionError(f"no common working day in two weeks for {zones}")


async def answer_text(bot: MingaBot, event_id: str) -> str | None:
    assert bot.db is not None
    row = await bot.db.fetchone("SELECT text FROM checkin_answers WHERE event_id = ?",
                                (event_id,))
    return row["text"] if row else None


async def test_checkin_by_thread_and_dm_edits_summary_late_answer_and_restart(
        network: Network) -> None:
    # "Now" on a day both zones work: a check-in skips a member's weekend and public
    # holidays, so on a Saturday the real clock would leave Alice and Bob out. The bot's
    # scheduler reads the same clock, so its follow-ups (the summary's edit) still come.
    clock = HostClock()
    clock.step(workday_offset(("Africa/Nairobi", "America/Bogota")))
    with seen_by_apscheduler(clock):
        await thread_and_dm(network, clock)


async def thread_and_dm(network: Network, clock: HostClock) -> None:
    config = network.bot_config()
    bot = await network.start_bot(config, clock=clock)
    alice = await network.member("alice")
    bob = await network.member("bob")
    carol = await network.member("carol")
    room = await network.room(alice, [bob, carol], config.matrix.user_id)
    await ask(alice, room, "!tz set Africa/Nairobi")
    await ask(bob, room, "!tz set America/Bogota")
    assert "direct message" in await ask(bob, room, "!checkin dm on")
    assert "Only room moderators" in await ask(carol, room, "!checkin now")

    await alice.send(room, "!checkin now")
    root = await alice.wait_for(room, notice("Check-in —"))
    mentioned = content(root)["m.mentions"]["user_ids"]
    assert set(mentioned) == {alice.user_id, carol.user_id}, "bob is asked by DM instead"
    assert root.decrypted
    dm_room, dm_prompt = await bob.wait_for_any(
        lambda rid, e: rid != room and notice("Check-in —")(e), timeout=30)
    assert dm_prompt.decrypted and "1. What did you work on?" in dm_prompt.body

    # Alice answers in the thread, all at once; Bob in his DM, without replying to anything.
    answer = await alice.send(room, "1. budget\n2. board\n3. no", thread_root=root.event_id)
    await alice.wait_for(room, reaction_on(answer))
    bob_answer = await bob.send(dm_room, "1. grant report\n2. site visit\n"
                                         "3. waiting for the VPN account")
    await bob.wait_for(dm_room, reaction_on(bob_answer))
    await alice.send(room, "* 1. budget v2", extra={
        "m.new_content": {"msgtype": "m.text", "body": "1. budget v2\n2. board\n3. no"},
        "m.relates_to": {"rel_type": "m.replace", "event_id": answer}})

    async def edited() -> bool:
        return (await answer_text(bot, answer) or "").startswith("1. budget v2")

    await until(edited)

    # A restart in the middle of the cycle sends nothing twice.
    await network.stop_bot(bot)
    bot = await network.start_bot(config, clock=clock)
    assert bot.db is not None and bot.scheduler is not None
    await asyncio.sleep(2)
    assert count(alice, room, notice("Check-in —")) == 1
    assert count(bob, dm_room, notice("Check-in —")) == 1
    assert count(bob, dm_room, reaction_on(bob_answer)) == 1
    assert count(alice, room, reaction_on(answer)) == 1

    # The window closes (windows are at least an hour: the test moves the close forward).
    row = await bot.db.fetchone("SELECT id FROM checkin_cycles WHERE room_id = ?", (room,))
    assert row is not None
    cycle_id = row["id"]
    async with bot.db.transaction() as conn:
        await conn.execute("UPDATE checkin_cycles SET closes_at = ? WHERE id = ?",
                           ((clock.now() - timedelta(seconds=1)).isoformat(
                               timespec="seconds"), cycle_id))
    await bot.scheduler.run_job("checkin-close", (cycle_id,))
    summary = await alice.wait_for(room, notice("Check-in summary"))
    rel = relates_to(summary)
    assert rel.get("rel_type") == "m.thread" and rel.get("event_id") == root.event_id
    assert f"• {name(bob)}: waiting for the VPN account" in summary.body
    assert "1. budget v2" in summary.body and "1. budget\n" not in summary.body
    assert summary.body.rstrip().endswith(f"still added): {name(carol)}")
    pointer = await alice.wait_for(room, notice("The check-in summary"))
    assert "1 blocker" in pointer.body and not relates_to(pointer)
    await bot.scheduler.run_job("checkin-close", (cycle_id,))
    await asyncio.sleep(1.5)
    assert count(alice, room, notice("Check-in summary")) == 1, "posted once"

    # Carol answers after the summary: it is edited to include her, marked late.
    late = await carol.send(room, "all fine, nothing blocking", thread_root=root.event_id)
    await carol.wait_for(room, reaction_on(late))
    thanks = await carol.reply_to(room, late)
    assert "marked late" in thanks.body

    def summary_edit(event: Event) -> bool:
        rel = relates_to(event)
        new = content(event).get("m.new_content") or {}
        return (rel.get("rel_type") == "m.replace" and rel.get("event_id") == summary.event_id
                and f"{name(carol)} (added late)" in new.get("body", ""))

    edit = await alice.wait_for(room, summary_edit, timeout=20)
    assert "Not heard from" not in content(edit)["m.new_content"]["body"]


async def test_local_schedule_prompts_each_zone_in_one_thread(network: Network) -> None:
    clock = OffsetClock()
    config = network.bot_config()
    bot = await network.start_bot(config, clock=clock)
    assert bot.scheduler is not None
    alice = await network.member("alice")
    bob = await network.member("bob")
    room = await network.room(alice, [bob], config.matrix.user_id)
    await ask(alice, room, "!tz set Africa/Nairobi")
    await ask(bob, room, "!tz set America/Bogota")
    # A day both work: check-ins skip a member's weekend and public holidays (Kenya,
    # Colombia), so "two days from now" alone would fail on some days of the week.
    calendars = [calendar_for(None, zone, None, None)
                 for zone in ("Africa/Nairobi", "America/Bogota")]
    day = (datetime.now(UTC) + timedelta(days=2)).date()
    while any(c.off_reason(day) for c in calendars):
        day += timedelta(days=1)
    weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[day.weekday()]
    said = await ask(alice, room, f"!checkin schedule {weekday} 10:00 local")
    assert "in each member's own time zone" in said and "(Nairobi)" in said

    schedule = Schedule(frozenset({day.weekday()}), time(10))
    nairobi = prompt_instant(schedule, day, "Africa/Nairobi")
    bogota = prompt_instant(schedule, day, "America/Bogota")
    assert bogota - nairobi == timedelta(hours=8)

    clock.offset = nairobi - datetime.now(UTC) + timedelta(seconds=5)
    await bot.scheduler.run_job("checkin-prompt", (room, day.isoformat()))
    root = await alice.wait_for(room, notice("Check-in —"))
    assert content(root)["m.mentions"] == {"user_ids": [alice.user_id]}
    assert "Others are asked at their own 10:00" in root.body

    clock.offset = bogota - datetime.now(UTC) + timedelta(seconds=5)
    await bot.scheduler.run_job("checkin-prompt", (room, day.isoformat()))
    await bot.scheduler.run_job("checkin-prompt", (room, day.isoformat()))
    nudge = await bob.wait_for(room, notice("Your turn"))
    assert content(nudge)["m.mentions"] == {"user_ids": [bob.user_id]}
    assert relates_to(nudge)["event_id"] == root.event_id, "inside the cycle's thread"

    first = await bob.send(room, "grant report", thread_root=root.event_id)
    await bob.wait_for(room, reaction_on(first))
    await asyncio.sleep(1)
    assert count(bob, room, notice("Your turn")) == 1
    assert count(bob, room, notice("Check-in —")) == 1
