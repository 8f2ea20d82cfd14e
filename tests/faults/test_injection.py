"""Scenario 6: HTML, @room, other members' ids and markdown in everything members type.

On the real Synapse, in an encrypted room: titles, agenda items, actions, notes, minutes
lines, check-in questions and answers, away reasons, poll titles, unknown command names
and a member's display name all carry the same payload. Every event the bot sends is then
read back: its formatted bodies may hold only the renderer's own tags (strong, em, code,
br, and matrix.to pills); its `m.mentions` may name only the people the command targets;
`m.mentions.room` appears only where a member allowed to notify the room asked for it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from nio import Event

from bot.clock import OffsetClock
from bot.render import LATE_NOTE
from devtools.harness import Network
from devtools.member import relates_to
from tests.faults.conftest import Report
from tests.faults.roomtools import (
    ask,
    bot_events,
    content,
    fire_jobs,
    html_problems,
    mentions,
)

pytestmark = pytest.mark.faults

HTML = ('<img src=x onerror=alert(1)> </a><a href="javascript:alert(1)">x</a> '
        "<script>alert(1)</script>")
MARKDOWN = "**md** [y](javascript:alert(2)) `x`"


def starts(event: Event, text: str) -> bool:
    return str(content(event).get("body", "")).startswith(text)


def is_reminder(body: str) -> bool:
    """A reminder; one delivered after the time moved on says so first."""
    return body.removeprefix(LATE_NOTE + " ").startswith("Reminder: ")


async def test_injection(drained: Network, report: Report) -> None:
    network = drained
    clock = OffsetClock()
    config = network.bot_config()
    bot = await network.start_bot(config, clock=clock)
    me = config.matrix.user_id
    alice = await network.member("alice")
    bob = await network.member("bob")
    await bob.client.set_displayname(f"Bob {HTML} @room")
    room = await network.room(alice, [bob], me)
    payload = f"{HTML} @room {bob.user_id} {MARKDOWN}"
    # Both meetings start at the same minute, so their reminders fall due together.
    soon = (datetime.now(UTC) + timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M")
    allowed: dict[str, set[str]] = {}  # command event → who its answers may mention
    refusals: dict[str, str] = {}

    async def say(member_name: str, body: str, may_mention: frozenset[str] = frozenset()
                  ) -> str:
        member = {"alice": alice, "bob": bob}[member_name]
        sent, answer = await ask(member, room, body, me)
        allowed[sent] = set(may_mention)
        return str(content(answer).get("body", ""))

    await say("alice", f"!meeting add «{payload}» {soon} in UTC")
    await say("alice", "!meeting ping m1 room")
    await say("alice", "!meeting notify on")
    await say("bob", "!meeting notify on")
    await say("alice", f"!meeting agenda m1 add {payload}")
    await say("bob", f"!meeting agenda m1 add {payload}")
    await say("alice", "!meeting link m1 javascript:alert(1)")
    await say("alice", '!meeting link m1 https://x.example/"><img src=x onerror=alert(1)>')
    await say("bob", f"!meeting add “{payload}” {soon} in UTC")
    refusals["PL 0 owner: !meeting ping m2 room"] = await say("bob", "!meeting ping m2 room")
    refusals["PL 0 non-owner: !meeting ping m1 room"] = await say("bob", "!meeting ping m1 room")
    await say("alice", f"!action {payload} due tomorrow")
    await say("alice", f"!action {bob.user_id} {payload}", frozenset({bob.user_id}))
    await say("alice", f"!action @room {payload}")
    await say("bob", f"!action 1 edit {payload}")
    await say("alice", f"!action 1 note {payload}")
    await say("alice", f"!rota m1 set {alice.user_id} {bob.user_id}")
    await say("alice", "!rota m1")
    await say("alice", "!meeting start m1")
    await say("alice", f"!decision {payload}")
    await say("bob", f"!info {payload}")
    await say("bob", f"!action {payload} in the minutes")
    await say("alice", "!meeting end")
    await say("alice", f"!checkin questions {payload}")
    sent = await alice.send(room, "!checkin now")
    allowed[sent] = {alice.user_id, bob.user_id}  # the prompt asks both
    root = await alice.wait_for(room, lambda e: e.sender == me and starts(e, "Check-in —"))
    for member in (alice, bob):
        answer = await member.send(room, f"1. {payload}\n2. x\n3. blocked by {payload}",
                                   thread_root=root.event_id)
        await member.wait_for(room, lambda e, a=answer: relates_to(e).get("event_id") == a)
    await say("bob", f"!away tomorrow {payload}")
    await say("bob", "!away")
    await say("alice", f"!tz find {HTML}")
    await say("alice", f"!help {payload}")
    await say("alice", f"!x{HTML}")
    await say("alice", f"!meeting add «{HTML}» 25:61")
    await say("alice", f"!meeting suggest 60m within 3 days “{payload}”")
    for listing in ("!meeting show m1", "!meeting show m2", "!meetings", "!meeting agenda m1",
                    "!actions", "!action 1", "!minutes", "!digest now", "!fairness all",
                    "!checkin show", "!checkin questions", "!meeting ics m1"):
        await say("alice", listing)

    # The check-in closes (moved forward in the DB) and the reminders fall due.
    assert bot.db is not None and bot.scheduler is not None
    async with bot.db.transaction() as conn:
        await conn.execute("UPDATE checkin_cycles SET closes_at = ? WHERE room_id = ?",
                           ((datetime.now(UTC) + clock.offset - timedelta(seconds=1)).isoformat(
                               timespec="seconds"), room))
    row = await bot.db.fetchone("SELECT id FROM checkin_cycles WHERE room_id = ?", (room,))
    assert row is not None
    await bot.scheduler.run_job("checkin-close", (row["id"],))
    fired = await fire_jobs(bot, clock, "reminder:")
    await alice.wait_for(room, lambda e: e.sender == me and starts(e, "Check-in summary"))
    await alice.wait_until(lambda: sum(is_reminder(content(e).get("body", "")) for e in
                                       bot_events(alice, room, me)) >= 2, 20)
    await asyncio.sleep(1)  # anything still on its way

    events = bot_events(alice, room, me)
    html_bad: list[str] = []
    mention_bad: list[str] = []
    room_pings: list[str] = []
    for event in events:
        body = str(content(event).get("body", ""))
        html_bad += [f"{body[:80]!r}: {p}" for p in html_problems(event)]
        users, room_flag = mentions(event)
        rel = relates_to(event)
        command = (rel.get("m.in_reply_to") or {}).get("event_id") or (
            rel.get("event_id") if rel.get("rel_type") == "m.annotation" else None)
        is_prompt = body.startswith("Check-in —")
        if command in allowed and not is_prompt:
            may = allowed[command]
        elif is_prompt or is_reminder(body):
            may = {alice.user_id, bob.user_id}
        else:
            may = set()
        if not users <= may:
            mention_bad.append(f"{body[:80]!r} mentions {sorted(users - may)}")
        if room_flag:
            room_pings.append(body[:80])
            if not (is_reminder(body) and "(m1)" in body):
                mention_bad.append(f"{body[:80]!r} mentions @room")
    escaped = sum("&lt;img src=x" in str(content(e).get("formatted_body", "")) for e in events)
    reminders = [e for e in events if is_reminder(content(e).get("body", ""))]
    m2_room = [e for e in reminders if "(m2)" in content(e)["body"] and mentions(e)[1]]
    m1_room = [e for e in reminders if "(m1)" in content(e)["body"] and mentions(e)[1]]
    refused = {k: v for k, v in refusals.items() if "power level" not in v and "Only" not in v}
    for line in html_bad + mention_bad + [f"not refused: {k}: {v}" for k, v in refused.items()]:
        print("  ", line)
    print(f"   {len(events)} bot events, {escaped} with the payload escaped; {fired} reminder "
          f"jobs fired; @room in: {room_pings}")
    passed = (not html_bad and not mention_bad and not refused and not m2_room
              and len(m1_room) == 1 and len(events) >= len(allowed) and escaped >= 20)
    report.add(
        "6. Injection",
        "0 raw HTML or non-pill links, m.mentions only the targeted members, "
        "@room only when the sender's power level allows",
        f"{len(events)} bot events ({escaped} quoting the payload) from {len(allowed)} "
        "hostile commands: "
        f"{len(html_bad)} markup leaks, {len(mention_bad)} unexpected mentions; "
        f"@room by PL 0 refused {len(refusals) - len(refused)}/{len(refusals)}, "
        f"PL 100's @room reminder {len(m1_room)}/1",
        passed, "test_injection")
    assert passed
