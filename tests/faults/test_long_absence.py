"""Scenario 16: the bot is down for 3 days, across everything it schedules.

A real Synapse, an encrypted room whose language is Spanish. Before going down: three
meetings that will be over by the return and one that starts just after it (reminders 1 h
before), a weekly digest due half-way through, a daily check-in whose last prompt falls
40 minutes before the return, two action items that fall overdue meanwhile, and a poll with
two votes that closes 12 h in. The bot stops, the host clock (which APScheduler reads too:
`tests.hostclock`) moves 3 days on, the bot starts again on the same database and
store, and its own scheduler does the rest. Everything the bot posts on return is read
back from the room; what it decided not to send is read from its records.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from nio import Event, RoomMessageNotice

from bot.client import MingaBot
from devtools.harness import Network
from devtools.member import Member, relates_to
from domain.i18n import gettext_in
from storage.meetings import Reminded
from tests.faults.conftest import Report
from tests.faults.roomtools import ask
from tests.hostclock import HostClock, seen_by_apscheduler

pytestmark = pytest.mark.faults

AWAY = timedelta(days=3)
LANG = "es"
SETTLE = 10.0  # s to wait, once everything is in, for anything sent twice
POLL_END = "org.matrix.msc3381.poll.end"
POLL_RESPONSE = "org.matrix.msc3381.poll.response"
QUESTION = "Absence check: what moved?"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LATE = gettext_in(LANG, "Late — I was offline when this was due.")
LATE_REMINDER = gettext_in(LANG, "Late reminder — I was offline when it was due.")
DIGEST_HEAD = gettext_in(LANG, "Weekly digest — {week}").split("{week}")[0].strip()


def stamp(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def fixed_zone(return_at: datetime) -> str:
    """A fixed offset where the return falls at 10:xx, an hour after the owners' 09:00
    nudge time: a missed morning is caught up (up to 3 h late), not left to the next one."""
    hours = (10 - return_at.hour + 12) % 24 - 12
    return f"UTC{'+' if hours >= 0 else '-'}{abs(hours):02d}:00"


def kind_of(event: Event) -> str:
    """What a post the bot made on its own is, in the room's language."""
    if event.source.get("type") == POLL_END:
        return "poll end"
    body = getattr(event, "body", "")
    if DIGEST_HEAD in body:
        return "digest"
    if QUESTION in body:
        return "check-in"
    if "Absence task" in body:
        return "nudge"
    if match := re.search(r"\(m(\d+)\)", body):
        return f"reminder m{match.group(1)}"
    if "p1" in body:
        return "poll result"
    return "other"


def is_late(event: Event) -> bool:
    body = getattr(event, "body", "").lstrip("\u200f")
    return body.startswith((LATE, LATE_REMINDER))


async def vote(member: Member, room: str, poll_event: str, answer: int) -> None:
    """What Element sends when a member picks an answer."""
    await member.client.room_send(
        room, POLL_RESPONSE,
        {"m.relates_to": {"rel_type": "m.reference", "event_id": poll_event},
         POLL_RESPONSE: {"answers": [str(answer)]}},
        ignore_unverified_devices=True)


async def until(check: object, timeout: float) -> bool:
    """Poll an async predicate; False if it never holds in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():  # type: ignore[operator]
            return True
        await asyncio.sleep(0.2)
    return False


async def test_long_absence(drained: Network, report: Report) -> None:
    network = drained
    clock = HostClock()
    config = network.bot_config()
    with seen_by_apscheduler(clock):
        bot: MingaBot = await network.start_bot(config, clock=clock)
        assert bot.db is not None
        me = config.matrix.user_id
        alice = await network.member("alice")
        bob = await network.member("bob")
        room = await network.room(alice, [bob], me)
        t0 = clock.now().replace(second=0, microsecond=0)
        back = t0 + AWAY + timedelta(minutes=1)  # about when the bot returns
        zone = fixed_zone(back)

        async def say(member: Member, text: str) -> None:
            await ask(member, room, text, me, timeout=30)

        await say(alice, f"!lang room {LANG}")
        await say(alice, "!meeting notify on")
        await say(alice, "!meeting reminders 1h")
        past = [t0 + timedelta(hours=h) for h in (24, 36, 48)]
        upcoming = back + timedelta(minutes=40)
        for index, start in enumerate([*past, upcoming], 1):
            await say(alice, f'!meeting add "Absence meeting {index}" {stamp(start)} in UTC')
        digest_at = t0 + timedelta(hours=36, minutes=7)
        await say(alice, f"!digest schedule {WEEKDAYS[digest_at.weekday()]} "
                         f"{digest_at:%H:%M} UTC")
        checkin_at = back - timedelta(minutes=40)
        await say(alice, f'!checkin questions "{QUESTION}"')
        await say(alice, f"!checkin schedule day {checkin_at:%H:%M} UTC")
        await say(bob, f"!tz set {zone}")
        overdue = [t0 + timedelta(days=1), t0 + timedelta(days=2)]
        for index, due in enumerate(overdue, 1):
            local = due + timedelta(hours=int(zone[3:6]))  # the owner's date
            await say(alice, f"!action {bob.user_id} Absence task {index} due {local:%Y-%m-%d}")
        sent = await alice.send(room, '!meeting suggest 60m within 5 days "Budget"')
        poll = await alice.wait_for(room, lambda e: e.source.get("type") ==
                                    "org.matrix.msc3381.poll.start", timeout=30)
        await alice.reply_to(room, sent, timeout=30)
        row = await bot.db.fetchone("SELECT id, options, closes_at FROM polls")
        assert row is not None
        options = [datetime.fromisoformat(v) for v in json.loads(row["options"])]
        latest = max(range(len(options)), key=lambda i: options[i]) + 1
        for member in (alice, bob):
            await vote(member, room, poll.event_id, latest)

        async def two_votes() -> bool:
            assert bot.db is not None
            found = await bot.db.fetchall("SELECT user_id FROM poll_votes")
            return len(found) == 2

        assert await until(two_votes, 20), "both votes reached the bot"
        before = len(alice.events)

        # Down for three days; the host's clock moves on meanwhile.
        await network.stop_bot(bot)
        clock.step(AWAY)
        restarted = time.monotonic()
        bot = await network.start_bot(config, clock=clock)
        assert bot.db is not None
        returned = clock.now()

        def own_posts() -> list[Event]:
            return [e for rid, e in alice.events[before:] if rid == room and e.sender == me
                    and (isinstance(e, RoomMessageNotice) or e.source.get("type") == POLL_END)
                    and not (relates_to(e).get("m.in_reply_to"))]

        expected = {"reminder m4", "digest", "check-in", "nudge", "poll end", "poll result"}

        def all_in() -> bool:
            kinds = Counter(kind_of(e) for e in own_posts())
            return expected <= set(kinds) and kinds["nudge"] >= len(overdue)

        with contextlib.suppress(TimeoutError):  # counted below: a missing kind fails
            await alice.wait_until(all_in, 90)
        settled_in = time.monotonic() - restarted
        await asyncio.sleep(SETTLE)
        posts = own_posts()

    kinds = Counter(kind_of(e) for e in posts)
    late = Counter(kind_of(e) for e in posts if is_late(e))
    reminders = await bot.db.fetchall(
        "SELECT m.number, r.late FROM reminders_sent r JOIN meetings m ON m.id = r.meeting_id")
    outcome = {f"m{r['number']}": Reminded(r["late"]) for r in reminders}
    digests = await bot.db.fetchall("SELECT key, skipped FROM digests_sent")
    cycles = await bot.db.fetchall("SELECT id FROM checkin_cycles WHERE void = 0")
    nudged = await bot.db.fetchall("SELECT action_id FROM action_nudges")
    polls = await bot.db.fetchall("SELECT closed_at, meeting_number FROM polls")
    ends = [e for e in posts if e.source.get("type") == POLL_END]
    ends_ok = all(relates_to(e).get("event_id") == poll.event_id
                  and relates_to(e).get("rel_type") == "m.reference"
                  and e.source["content"].get("body") for e in ends)
    result = next((e.body for e in posts if kind_of(e) == "poll result"), "")
    votes_shown = "(2 de 2 votos)" in result
    checkin_days = sum(1 for d in range(4) if t0 < checkin_at - timedelta(days=d) < returned)
    passed = (
        all(outcome.get(f"m{n}") == Reminded.DROPPED for n in (1, 2, 3))
        and outcome.get("m4") == Reminded.LATE and len(reminders) == 4
        and not any(kinds[f"reminder m{n}"] for n in (1, 2, 3)) and kinds["reminder m4"] == 1
        and kinds["digest"] == 1 and len(digests) == 1
        and kinds["check-in"] == 1 and len(cycles) == 1
        and kinds["nudge"] == len(overdue) and len(nudged) == len(overdue)
        and kinds["poll end"] == 1 and ends_ok and kinds["poll result"] == 1
        and len(polls) == 1 and polls[0]["closed_at"] is not None
        and (votes_shown or polls[0]["meeting_number"] is None)
        and kinds["other"] == 0
        and all(late[k] == kinds[k] for k in ("reminder m4", "digest", "check-in", "nudge",
                                              "poll result")))
    winner = (f"option {latest} won, meeting m{polls[0]['meeting_number']}"
              if polls and polls[0]["meeting_number"] else "no winner")
    report.add(
        "16. Long absence",
        "down 3 days: one message per due item at most, none for what no longer matters, "
        "late ones say so in the room's language (es)",
        f"reminders: {kinds['reminder m1'] + kinds['reminder m2'] + kinds['reminder m3']} "
        f"sent for 3 past meetings "
        f"({sum(1 for v in outcome.values() if v == Reminded.DROPPED)} recorded dropped), "
        f"{kinds['reminder m4']} for the upcoming one ({late['reminder m4']} marked late); "
        f"digest {kinds['digest']} ({late['digest']} marked late); check-in "
        f"{kinds['check-in']} ({late['check-in']} late) for {checkin_days} scheduled days "
        f"({checkin_days - len(cycles)} whose window closed while away: none); nudges "
        f"{kinds['nudge']} for {len(overdue)} overdue actions ({late['nudge']} late); poll "
        f"closed once: {kinds['poll end']} poll end, {kinds['poll result']} result "
        f"({late['poll result']} late) with {'2 votes' if votes_shown else result[:60]!r}, "
        f"{winner}; {kinds['other']} other posts; all in {settled_in:.1f} s after the restart",
        passed, "test_long_absence")
    assert passed
