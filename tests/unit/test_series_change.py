"""A series moved or given a new rule keeps what was decided about its occurrences: skipped
dates, moved occurrences, agenda items, rota skips, agreed and waiting swaps; the reply says
where each went and names what had to go; the .ics keeps its EXDATEs and bumps SEQUENCE."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar

from commands.router import Router
from storage import Database
from tests.fakes import Seed
from tests.unit.test_rota_commands import (
    ALICE,
    BOB,
    CAROL,
    NOW,
    SEED,
    Say,
    fake_room,
    lines_with,
    started,
)


@pytest.fixture
def db_seed() -> Seed:
    return SEED


@pytest.fixture
def say(router: Router, db: Database) -> Say:
    return Say(router, db, fake_room())


async def decided(say: Say) -> None:
    """m1 every Thu 11:00 UTC from 26 Nov; rota Alice, Bob, Carol, Dan (facilitator, notes)."""
    await started(say)
    assert (await say("meeting skip m1 2026-12-17")).startswith("Skipped m1 on Thu 17 Dec 2026")
    assert (await say("rota m1 skip 2026-12-03", sender=BOB)).startswith("Bob skips m1")
    await say(f"rota m1 swap 2026-12-10 {ALICE}", sender=CAROL)
    assert (await say("rota confirm", sender=ALICE)).startswith("Swapped in m1")
    await say("meeting agenda m1 add Budget")  # for the next one, 26 Nov


async def ics(say: Say) -> Calendar:
    ctx = await say.ctx("meeting ics m1")
    attachment = ctx.replies[0].attachment
    assert attachment is not None
    return Calendar.from_ical(attachment.data)


def exdates(cal: Calendar) -> list[str]:
    return [d.dt.isoformat() for event in cal.walk("VEVENT") for ex in
            (event.get("exdate") if isinstance(event.get("exdate"), list)
             else [event.get("exdate")] if event.get("exdate") else []) for d in ex.dts]


def sequence(cal: Calendar) -> int:
    return int(next(iter(cal.walk("VEVENT")))["sequence"])


async def test_a_new_time_keeps_every_decision(say: Say) -> None:
    await decided(say)
    before = lines_with(await say("rota m1"), "•")
    first = await ics(say)
    text = await say("meeting move m1 16:00 --series")
    assert text.splitlines()[:2] == [
        "Moved the series m1: every Thursday at 16:00 (UTC time, UTC), 1h.",
        "Kept: 1 agenda item for Thu 26 Nov 2026; Bob skipping their turn on Thu 3 Dec 2026; "
        "the swap on Thu 10 Dec 2026: Carol as notes instead of Alice; the skip of Thu 17 Dec "
        "2026; the swap on Thu 24 Dec 2026: Alice as notes instead of Carol."]
    assert "Dropped" not in text
    # The same turns, skips and swaps, at the new time; the skipped date stays skipped.
    after = lines_with(await say("rota m1"), "•")
    assert after == [line.replace("11:00", "16:00") for line in before]
    shown = await say("meeting show m1")
    assert "Thu 17 Dec" not in shown and "Thu 10 Dec 2026, 16:00" in shown
    agenda = await say("meeting agenda m1")
    assert "Budget" in agenda
    cal = await ics(say)
    assert exdates(cal) == ["2026-12-17T16:00:00+00:00"]
    assert sequence(cal) > sequence(first)
    say.now = NOW + timedelta(days=20)  # 15 Dec: the next one is 24 Dec, not 17 Dec
    assert "Thu 24 Dec 2026, 16:00" in (await say("meeting show m1")).splitlines()[4]


async def test_a_new_day_carries_each_decision_to_the_nearest_meeting(say: Say) -> None:
    await decided(say)
    text = await say("meeting move m1 fri 11:00 --series")
    assert text.splitlines()[:2] == [
        "Moved the series m1: every Friday at 11:00 (UTC time, UTC), 1h.",
        "Kept: 1 agenda item for Thu 26 Nov 2026 (now Fri 27 Nov 2026); Bob skipping their "
        "turn on Thu 3 Dec 2026 (now Fri 4 Dec 2026); the swap on Thu 10 Dec 2026: Carol as "
        "notes instead of Alice (now Fri 11 Dec 2026); the skip of Thu 17 Dec 2026 (now Fri 18 "
        "Dec 2026); the swap on Thu 24 Dec 2026: Alice as notes instead of Carol (now Fri 25 "
        "Dec 2026)."]
    assert "Fri 18 Dec" not in await say("meeting list 60d")
    assert "Fri 4 Dec 2026, 11:00 (UTC) — Facilitator Carol · Notes Dan · skipping: Bob" in \
        await say("rota m1")


async def test_a_new_rule_drops_what_no_longer_has_a_meeting_and_says_so(say: Say) -> None:
    await decided(say)
    text = await say("meeting move m1 11:00 every 2 weeks --series")
    assert text.splitlines()[:3] == [
        "Moved the series m1: every 2 weeks on Thursday at 11:00 (UTC time, UTC), 1h.",
        "Kept: 1 agenda item for Thu 26 Nov 2026; the swap on Thu 10 Dec 2026: Carol as notes "
        "instead of Alice; the swap on Thu 24 Dec 2026: Alice as notes instead of Carol.",
        "Dropped, as the new schedule has no meeting near that date: Bob skipping their turn "
        "on Thu 3 Dec 2026; the skip of Thu 17 Dec 2026."]
    cal = await ics(say)
    assert exdates(cal) == [] and "INTERVAL=2" in cal.to_ical().decode()


async def test_a_waiting_swap_request_follows_its_meeting(say: Say) -> None:
    await started(say)
    await say(f"rota m1 swap 2026-12-10 {ALICE}", sender=CAROL)  # not confirmed yet
    text = await say("meeting move m1 fri 09:00 --series")
    assert ("Kept: the swap Carol asked Alice for on Thu 10 Dec 2026 (now Fri 11 Dec 2026)."
            in text)
    confirmed = await say("rota confirm", sender=ALICE)
    assert confirmed.startswith("Swapped in m1 Network call:\n• Fri 11 Dec 2026, 09:00 (UTC)")


async def test_a_time_alone_moves_one_occurrence_on_its_own_day(say: Say) -> None:
    await started(say)
    text = await say("meeting move m1 16:00")
    assert text.startswith("Moved m1 of Thu 26 Nov (this occurrence only")
    assert "Thu 26 Nov 2026, 16:00 (UTC) (moved)" in text
    assert (await say("meeting move m1 16:00 --series")).startswith(
        "Moved the series m1: every Thursday at 16:00")
    listed = await say("meetings")
    assert "Thu 26 Nov 2026, 16:00 (UTC) (moved)" in listed, "the moved one stays moved"
