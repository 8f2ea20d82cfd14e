"""Issue 20 on a real Synapse, in encrypted rooms: what members type is read right.

- A pill sent without m.mentions (older clients, bridges) names the action's owner.
- `!meeting move … --series` keeps a skipped date and an agreed swap, and the .ics keeps its
  EXDATE with a higher SEQUENCE.
- A check-in answered the four ways of the issue lists exactly the three real blockers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar
from nio import Event, RoomMessageFile, RoomMessageNotice
from nio.crypto.attachments import decrypt_attachment

from devtools.harness import Network
from devtools.member import Member, content, relates_to
from tests.integration.helpers import alice_and_bob, ask

pytestmark = pytest.mark.integration


def notice(starts: str) -> Callable[[Event], bool]:
    return lambda e: isinstance(e, RoomMessageNotice) and e.body.startswith(starts)


async def test_a_pill_without_m_mentions_names_the_owner(network: Network) -> None:
    pair = await alice_and_bob(network)
    alice, bob, room = pair.alice, pair.bob, pair.room
    await bob.client.set_displayname("Chidi (Lagos)")
    body = "!action Chidi (Lagos) Send the report due fri"
    pill = f'<a href="https://matrix.to/#/{bob.user_id}">Chidi (Lagos)</a>'
    sent = await alice.send(room, body, extra={
        "format": "org.matrix.custom.html",
        "formatted_body": f"!action {pill} Send the report due fri"})  # no m.mentions
    reply = await alice.reply_to(room, sent)
    assert reply.decrypted
    # "fri" is restated as "today, Fri" or "tomorrow, Fri" when it is that close.
    due_fri = r"Action #1 for .+: Send the report — due (today, |tomorrow, )?Fri "
    assert re.match(due_fri, reply.body), reply.body
    assert content(reply)["m.mentions"] == {"user_ids": [bob.user_id]}, "the owner is told"
    mine = await ask(bob, room, "!actions mine")
    assert "#1 Send the report" in mine.body and "(end of day, Kolkata)" in mine.body
    assert "Nothing open" in (await ask(alice, room, "!actions mine")).body


async def ics_of(member: Member, room: str, number: int) -> Calendar:
    asked = await member.send(room, f"!meeting ics m{number}")

    def the_file(event: Event) -> bool:
        data = getattr(event, "source", {}).get("content", {})
        return (isinstance(event, RoomMessageFile) or data.get("msgtype") == "m.file") and \
            data.get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id") == asked

    event = await member.wait_for(room, the_file, timeout=20)
    file = event.source["content"]["file"]
    blob = await member.client.download(file["url"])
    return Calendar.from_ical(decrypt_attachment(blob.body, file["key"]["k"],
                                                 file["hashes"]["sha256"], file["iv"]))


def dates(text: str) -> list[str]:
    """The dates of the occurrences listed in a `!rota` reply, as YYYY-MM-DD."""
    return [datetime.strptime(d, "%d %b %Y").date().isoformat()
            for d in re.findall(r"• \w{3} (\d{1,2} \w{3} \d{4}),", text)]


async def test_a_series_move_keeps_a_skip_and_a_swap(network: Network) -> None:
    config = network.bot_config()
    await network.start_bot(config)
    alice = await network.member("alice")  # created the room: a moderator
    bob = await network.member("bob")
    carol = await network.member("carol")
    room = await network.room(alice, [bob, carol], config.matrix.user_id)
    await ask(alice, room, '!meeting add "Network call" next thu 14:00 UTC every week')
    listed = (await ask(alice, room,
                        f"!rota m1 set {alice.user_id} {bob.user_id} {carol.user_id}")).body
    first, _second, third, _fourth = dates(listed)
    skipped = await ask(alice, room, f"!meeting skip m1 {third}")
    assert skipped.body.startswith("Skipped m1 on")
    asked = await ask(bob, room, f"!rota m1 swap {first} {carol.user_id}")
    assert "asks to trade turns" in asked.body
    agreed = await ask(carol, room, "!rota confirm")
    assert agreed.body.startswith("Swapped in m1 Network call")
    before = await ics_of(alice, room, 1)

    moved = (await ask(alice, room, "!meeting move m1 16:00 --series")).body
    assert moved.startswith("Moved the series m1: every Thursday at 16:00 (UTC time, UTC)")
    kept = next(line for line in moved.splitlines() if line.startswith("Kept: "))
    assert "the swap on" in kept and "the skip of" in kept and "Dropped" not in moved
    shown = (await ask(alice, room, "!meeting show m1")).body
    third_day = datetime.fromisoformat(third)
    assert f"{third_day.day} {third_day:%b %Y}, 16:00" not in shown, "still skipped"
    rota = (await ask(carol, room, "!rota m1")).body
    assert "(swapped)" in rota and "16:00 (UTC)" in rota and "11:00" not in rota

    after = await ics_of(alice, room, 1)
    master = next(iter(after.walk("VEVENT")))
    exdate = master["EXDATE"]
    assert [d.dt for d in exdate.dts] == [datetime.combine(third_day.date(), datetime.min.time(),
                                                          UTC).replace(hour=16)]
    assert int(master["SEQUENCE"]) > int(next(iter(before.walk("VEVENT")))["SEQUENCE"])


# The four answers (one per member), and the three blockers the summary must list.
ANSWERS = (
    "Closed the Q4 report draft and shared it with the board. Next: chase the sign-off. "
    "Blocked: still waiting for the auditor's figures.",
    "1) trainers booked 2) venue contract signed 3) BLOCKER: visa for Samir not issued yet",
    "Finished the flyer layout\nNext: print run on Monday\nBlockers: the printer quote is "
    "over budget",
    "1. Terminei o relatório financeiro\n2. Revisar o orçamento\n3. Nenhum bloqueio",
)
BLOCKERS = ("still waiting for the auditor's figures.", "visa for Samir not issued yet",
            "the printer quote is over budget")


async def test_a_check_in_lists_exactly_the_real_blockers(network: Network) -> None:
    config = network.bot_config()
    bot = await network.start_bot(config)
    members = [await network.member(name) for name in ("amina", "chidi", "rania", "joao")]
    room = await network.room(members[0], members[1:], config.matrix.user_id)
    await members[0].send(room, "!checkin now")
    root = await members[0].wait_for(room, notice("Check-in —"))
    for member, text in zip(members, ANSWERS, strict=True):
        answer = await member.send(room, text, thread_root=root.event_id)

        def reacted(event: Event, answer: str = answer) -> bool:
            rel: dict[str, Any] = relates_to(event)
            return rel.get("rel_type") == "m.annotation" and rel.get("event_id") == answer

        await member.wait_for(room, reacted)

    assert bot.db is not None and bot.scheduler is not None
    row = await bot.db.fetchone("SELECT id FROM checkin_cycles WHERE room_id = ?", (room,))
    assert row is not None
    async with bot.db.transaction() as conn:  # the window closes now
        await conn.execute("UPDATE checkin_cycles SET closes_at = ? WHERE id = ?",
                           ((datetime.now(UTC) - timedelta(seconds=1)).isoformat(
                               timespec="seconds"), row["id"]))
    await bot.scheduler.run_job("checkin-close", (row["id"],))
    summary = await members[0].wait_for(room, notice("Check-in summary"))
    assert summary.decrypted
    listed = [line for line in summary.body.splitlines() if line.startswith("• ")]
    names = [m.user_id[1:].split(":", 1)[0] for m in members]
    assert listed == [f"• {name}: {text}" for name, text in zip(names, BLOCKERS, strict=False)]
    assert "Nenhum bloqueio" in summary.body, "João's answer is shown, not as a blocker"
    pointer = await members[0].wait_for(room, notice("The check-in summary"))
    assert pointer.body.endswith("4 answered, 3 blockers.")
