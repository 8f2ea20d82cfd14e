"""Scenario 8: two rooms with overlapping members never see each other's data.

Rooms A (alice, bob, carol) and B (alice, bob, dave) on the real Synapse, encrypted. Each
gets meetings, an agenda, a rota, actions (open and closed), minutes, a check-in with
answers and blockers, and a poll, all carrying the room's own marker. Then every listing is
asked in both rooms, and each room tries the ids that exist only in the other. No marker of
one room, and no name of a member only in the other, may appear in anything the bot sends
to a room.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime, timedelta

import pytest

from devtools.harness import Network
from devtools.member import Member, relates_to
from tests.faults.conftest import Report
from tests.faults.roomtools import ask, bot_events, content, text_of

pytestmark = pytest.mark.faults

LISTINGS = ("!meetings 30d", "!actions", "!actions done 30d", "!actions mine", "!rota m2",
            "!meeting show m1", "!meeting show m2", "!meeting agenda m1", "!minutes",
            "!minutes m1", "!digest now", "!fairness all", "!checkin show", "!action 1",
            "!checkin questions")
ONLY_IN_A = ("!meeting show m3", "!meeting cancel m3", "!meeting agenda m3 add x",
             "!rota m3", "!minutes m3", "!meeting ics m3", "!meeting pick 1 p2",
             "!meeting skip m3", "!meeting link m3 https://x.example/y", "!rota confirm")
ONLY_IN_B = ("!action 4", "!done 5", "!reopen 4", "!action 4 edit stolen",
             "!action 5 drop", "!action 4 owner @alice", "!action 5 note x")


def localpart(member: Member) -> str:
    return member.user_id[1:].split(":", 1)[0]


async def test_isolation(drained: Network, report: Report) -> None:
    network = drained
    config = network.bot_config()
    bot = await network.start_bot(config)
    me = config.matrix.user_id
    alice, bob, carol, dave = [await network.member(n) for n in ("alice", "bob", "carol",
                                                                   "dave")]
    room_a = await network.room(alice, [bob, carol], me)
    room_b = await network.room(alice, [bob, dave], me)
    marker = {room_a: f"alpha{secrets.token_hex(3)}", room_b: f"bravo{secrets.token_hex(3)}"}
    only = {room_a: carol, room_b: dave}
    other = {room_a: room_b, room_b: room_a}
    failed_setup: list[str] = []
    setting_up = True

    async def say(member: Member, room: str, body: str) -> str:
        _, answer = await ask(member, room, body, me)
        text = str(content(answer).get("body", ""))
        if setting_up and "Example:" in text:
            failed_setup.append(f"{body[:60]}: {text[:100]!r}")
        return text

    for room in (room_a, room_b):
        mk, third = marker[room], only[room]
        await say(alice, room, f'!meeting add "{mk} first" in 2 hours')
        await say(alice, room, f'!meeting add "{mk} weekly" tomorrow 09:00 every week')
        if room == room_a:
            await say(bob, room, f'!meeting add "{mk} third" in 3 days 15:00')
            await say(alice, room, f'!meeting suggest 60m within 5 days "{mk} poll one"')
        await say(bob, room, f"!meeting agenda m1 add {mk} agenda item")
        await say(alice, room, f"!rota m2 set {alice.user_id} {bob.user_id} {third.user_id}")
        if room == room_a:  # a swap waiting for bob's confirmation, in A only
            await say(carol, room, f"!rota m2 swap tomorrow {bob.user_id}")
        await say(alice, room, f"!action {third.user_id} {mk} action one due fri")
        await say(bob, room, f"!action {mk} action two")
        if room == room_b:
            await say(dave, room, f"!action {mk} action three")
            await say(dave, room, f"!action {mk} action four")
            await say(dave, room, "!done 3")
        await say(bob, room, "!done 2")
        await say(alice, room, f'!meeting suggest 60m within 5 days "{mk} poll"')
        await say(alice, room, "!meeting start m1")
        await say(third, room, f"!decision {mk} decision")
        await say(bob, room, f"!info {mk} info")
        await say(alice, room, f"!action {mk} minutes action")
        await say(alice, room, "!meeting end")
        await say(alice, room, f'!checkin questions "{mk} question?" "Blocked?"')
        await alice.send(room, "!checkin now")
        root = await alice.wait_for(room, lambda e: e.sender == me and str(
            content(e).get("body", "")).startswith("Check-in —"))
        for member in (alice, bob, third):
            answer = await member.send(room, f"1. {mk} answer of {localpart(member)}\n"
                                             f"2. blocked by {mk} blocker",
                                       thread_root=root.event_id)
            await member.wait_for(room, lambda e, a=answer: relates_to(e).get("event_id") == a)

    # The check-ins close (moved forward in the DB), and their summaries go out.
    assert bot.db is not None and bot.scheduler is not None
    async with bot.db.transaction() as conn:
        await conn.execute("UPDATE checkin_cycles SET closes_at = ?", (
            (datetime.now(UTC) - timedelta(seconds=1)).isoformat(timespec="seconds"),))
    for row in await bot.db.fetchall("SELECT id FROM checkin_cycles"):
        await bot.scheduler.run_job("checkin-close", (row["id"],))
    for room in (room_a, room_b):
        await alice.wait_for(room, lambda e: e.sender == me and str(
            content(e).get("body", "")).startswith("Check-in summary"))

    # Every listing, in both rooms, by members in both and by the room's own member.
    setting_up = False
    refusals: list[str] = []
    for room in (room_a, room_b):
        for body in LISTINGS:
            await say(bob, room, body)
        await say(only[room], room, "!actions")
        await say(only[room], room, "!fairness all")
        for body in ONLY_IN_A if room == room_b else ONLY_IN_B:
            text = await say(bob if body == "!rota confirm" else alice, room, body)
            if not text.startswith(("There is no", "Nobody is waiting for you")):
                refusals.append(f"{body} in {'B' if room == room_b else 'A'}: {text[:100]!r}")
    await asyncio.sleep(1)  # anything still on its way

    leaks: list[str] = []
    own_seen = {room_a: 0, room_b: 0}
    checked = 0
    for room in (room_a, room_b):
        foreign = (marker[other[room]], localpart(only[other[room]]))
        for event in bot_events(alice, room, me):
            checked += 1
            text = text_of(event)
            own_seen[room] += marker[room] in text
            leaks += [f"{'AB'[room == room_b]} got {word!r}: {text[:160]}" for word in foreign
                      if word in text]
    for line in failed_setup + leaks + refusals:
        print("  ", line)
    print(f"   {checked} bot events checked; own markers in {own_seen[room_a]} (A) and "
          f"{own_seen[room_b]} (B)")
    tried = len(ONLY_IN_A) + len(ONLY_IN_B)
    passed = (not failed_setup and not leaks and not refusals
              and min(own_seen.values()) >= 15)
    report.add(
        "8. Isolation",
        "no id, item, title, name or answer of one room in anything sent to the other",
        f"{checked} bot events in 2 rooms: {len(leaks)} leaks; {tried - len(refusals)}/{tried} "
        "uses of the other room's ids refused as unknown here",
        passed, "test_isolation")
    assert passed
