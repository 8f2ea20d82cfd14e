"""Regional calendars on a real Synapse, in an encrypted room (issue 15): `!holidays` in each
reader's language, a holiday note on `!meeting add`, and a suggestion that avoids an Amman
member's Friday. The bot's clock is moved to a chosen December 2026 day so the holidays
are known: Jamhuri Day (Sat 12 Dec, Kenya), Christmas (Fri 25 Dec, Kenya and Jordan)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from nio import Event

from bot.clock import OffsetClock
from devtools.harness import Network
from devtools.member import Member
from tests.integration.helpers import ask_body as ask

pytestmark = pytest.mark.integration
POLL_START = "org.matrix.msc3381.poll.start"


def at(moment: datetime) -> OffsetClock:
    """A clock that reads `moment` now and runs on from there."""
    clock = OffsetClock()
    clock.offset = moment - datetime.now(UTC)
    return clock


def name(member: Member) -> str:
    """How the room shows a member (the harness sets no display names)."""
    return member.user_id[1:].split(":", 1)[0]


@dataclass
class Room:
    alice: Member  # Nairobi: Mon–Fri, Kenya's holidays
    bob: Member  # Amman: Sun–Thu, Jordan's holidays
    room: str


async def nairobi_and_amman(network: Network, now: datetime) -> Room:
    config = network.bot_config()
    await network.start_bot(config, clock=at(now))
    alice = await network.member("alice")
    bob = await network.member("bob")
    room = await network.room(alice, [bob], config.matrix.user_id)
    said = await ask(alice, room, "!tz set Africa/Nairobi")
    assert "public holidays of Kenya" in said
    said = await ask(bob, room, "!tz set Asia/Amman")
    assert "public holidays of Jordan" in said and "!calendar set JO" in said
    # Hours without days: the country's week applies, and the reply says which.
    assert "09:00–17:00 Sun–Thu" in await ask(bob, room, "!hours set 09:00-17:00")
    assert "09:00–17:00 Mon–Fri" in await ask(alice, room, "!hours set 09:00-17:00")
    return Room(alice, bob, room)


async def test_holidays_lists_the_rooms_holidays_in_each_readers_language(
        network: Network) -> None:
    r = await nairobi_and_amman(network, datetime(2026, 12, 7, 8, 0, tzinfo=UTC))
    english = (await ask(r.alice, r.room, "!holidays")).splitlines()
    assert english[0] == "Public holidays in the next 30 days:"
    assert f"• Sat 12 Dec: Jamhuri Day — {name(r.alice)}" in english
    assert f"• Fri 25 Dec: Christmas Day — {name(r.alice)}, {name(r.bob)}" in english
    assert f"• Sat 26 Dec: Boxing Day — {name(r.alice)}" in english
    assert "Jordan" not in "\n".join(english) and "Kenya" not in "\n".join(english)

    await ask(r.bob, r.room, "!lang ar")
    arabic = (await ask(r.bob, r.room, "!holidays 20d")).splitlines()
    assert arabic[0].lstrip("\u200f") == "العطل الرسمية خلال الـ20 يومًا القادمة:"
    # Jordan's own name for Christmas in Arabic; Kenya's has no Arabic name: English.
    assert any("عيد الميلاد المجيد" in line and name(r.bob) in line for line in arabic)
    assert any("Christmas Day" in line and name(r.alice) in line for line in arabic)

    said = await ask(r.alice, r.room, "!holidays 999d")
    assert "Give a number of days, up to 366" in said and "!holidays 60d" in said


async def test_meeting_add_notes_the_occurrences_on_someones_holiday(network: Network) -> None:
    r = await nairobi_and_amman(network, datetime(2026, 12, 7, 8, 0, tzinfo=UTC))
    said = await ask(r.alice, r.room, '!meeting add "Year end" 2026-12-25 10:00')
    lines = said.splitlines()
    assert lines[0].startswith("Scheduled m1: Year end")  # a note, never a refusal
    note = lines.index("On someone's holiday in the next 90 days:")
    assert lines[note + 1] == "• Fri 25 Dec: Christmas Day for 2 members"
    # The costs say it too: a public holiday is a day off, and Friday is Amman's weekend.
    assert any(line.startswith("Note:") and f"day off for {name(r.alice)}" in line
               and f"day off for {name(r.bob)}" in line for line in lines)
    plain = await ask(r.alice, r.room, '!meeting add "Catch-up" 2026-12-22 10:00')
    assert "holiday" not in plain and "day off" not in plain


def of_type(kind: str) -> Callable[[Event], bool]:
    def check(event: Event) -> bool:
        return event.source.get("type") == kind
    return check


async def test_a_suggestion_avoids_an_amman_members_friday(network: Network) -> None:
    """Asked on Thu 10 Dec at 05:00 in both zones (UTC+3): the poll stays open 12 h, so the
    window opens in Thursday's evening. Fri 11 is Amman's weekend, Sat 12 everyone's (and
    Jamhuri Day), Sun 13 Nairobi's: the first day both work is Mon 14. Without calendars
    Friday would have come first."""
    r = await nairobi_and_amman(network, datetime(2026, 12, 10, 2, 0, tzinfo=UTC))
    sent = await r.alice.send(r.room, '!meeting suggest 60m within 6 days "Planning"')
    poll = await r.alice.wait_for(r.room, of_type(POLL_START))
    assert poll.decrypted
    listing = (await r.alice.reply_to(r.room, sent)).body.splitlines()
    options = [line for line in listing if line[:2] in {f"{n}." for n in range(1, 6)}]
    assert len(options) >= 2, listing
    assert options[0].startswith("1. Mon 14 Dec 2026") and "2 of 2 inside working hours" in \
        options[0], options
    for line in options:
        if line.split(". ", 1)[1].startswith("Fri"):
            assert "1 of 2 inside working hours" in line
    index = next(i for i, line in enumerate(listing) if line.startswith("1. "))
    assert listing[index + 1].strip() == "inside everyone's hours"
