"""A flood from one member: the per-member token bucket, and the outbox taking rooms in turn."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from nio import AsyncClient, MatrixRoom, MegolmEvent, RoomMessageText, SyncResponse

from bot.clock import FixedClock
from bot.config import Config, MatrixConfig, StorageConfig
from bot.flood import MemberRate, Verdict
from bot.nio_client import MingaClient
from bot.outbox import ANSWER, SCHEDULED, OutboxWorker, queue
from bot.sync_handler import SyncHandler
from commands import build_router
from commands.reply import Msg
from storage import Database
from storage.outbox import Outgoing
from storage.state import SYNC_TOKEN, get_value, is_handled, mark_handled_many, record_room

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ROOM, OTHER = "!busy:example.org", "!quiet:example.org"
ALICE, BOB = "@alice:example.org", "@bob:example.org"


class Ticks:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


class Limiter(MemberRate):
    """The rate, with events stamped by a clock the test moves."""

    def __init__(self, ticks: Ticks) -> None:
        super().__init__(burst=10, per_second=1.0, notice_every=60.0)
        self.ticks = ticks

    def at(self, room: str, sender: str, event_id: str) -> Verdict:
        return self.judge(room, sender, event_id, int(self.ticks.t * 1000))


def rate(ticks: Ticks) -> Limiter:
    return Limiter(ticks)


def judge_many(limiter: Limiter, n: int, *, room: str = ROOM, sender: str = ALICE,
               start: int = 0) -> list[Verdict]:
    return [limiter.at(room, sender, f"$e{start + i}") for i in range(n)]


def test_a_burst_then_one_a_second() -> None:
    ticks = Ticks()
    limiter = rate(ticks)
    verdicts = judge_many(limiter, 12)
    assert verdicts[:10] == [Verdict.ANSWER] * 10
    assert verdicts[10:] == [Verdict.NOTICE, Verdict.SKIP]
    ticks.t += 0.5
    assert limiter.at(ROOM, ALICE, "$half") is Verdict.SKIP
    ticks.t += 0.5
    assert limiter.at(ROOM, ALICE, "$one") is Verdict.ANSWER
    assert limiter.at(ROOM, ALICE, "$two") is Verdict.SKIP
    ticks.t += 3600  # refilled, but never beyond the burst
    assert judge_many(limiter, 11, start=100).count(Verdict.ANSWER) == 10


def test_300_in_30_seconds_get_about_40_answers_and_one_notice() -> None:
    ticks = Ticks()
    limiter = rate(ticks)
    verdicts = []
    for i in range(300):
        verdicts.append(limiter.at(ROOM, ALICE, f"$f{i}"))
        ticks.t += 0.1
    assert verdicts.count(Verdict.ANSWER) in range(38, 41)
    assert verdicts.count(Verdict.NOTICE) == 1


def test_one_notice_a_minute() -> None:
    ticks = Ticks()
    limiter = rate(ticks)
    notices = 0
    for i in range(3000):  # 5 minutes at 10 a second
        notices += limiter.at(ROOM, ALICE, f"$f{i}") is Verdict.NOTICE
        ticks.t += 0.1
    assert notices == 5


def test_a_notice_offered_to_a_message_that_is_no_command_goes_to_the_next_one() -> None:
    ticks = Ticks()
    limiter = rate(ticks)
    judge_many(limiter, 10)
    assert limiter.at(ROOM, ALICE, "$chat") is Verdict.NOTICE
    limiter.notice_unused(ROOM, ALICE, "$chat")
    assert limiter.verdict("$chat") is Verdict.SKIP
    assert limiter.at(ROOM, ALICE, "$command") is Verdict.NOTICE
    assert limiter.at(ROOM, ALICE, "$again") is Verdict.SKIP


def test_each_event_is_charged_once() -> None:
    ticks = Ticks()
    limiter = rate(ticks)
    for _ in range(50):  # the decryption hook, the handler, a later retry: one charge
        assert limiter.at(ROOM, ALICE, "$same") is Verdict.ANSWER
    assert judge_many(limiter, 10).count(Verdict.ANSWER) == 9


def test_members_and_rooms_have_their_own_buckets() -> None:
    ticks = Ticks()
    limiter = rate(ticks)
    judge_many(limiter, 20)
    assert limiter.at(ROOM, BOB, "$bob") is Verdict.ANSWER
    assert limiter.at(OTHER, ALICE, "$alice-elsewhere") is Verdict.ANSWER


def test_time_is_the_events_own() -> None:
    """Commands sent a minute apart while the bot was down arrive together: all answered."""
    limiter = MemberRate(burst=10, per_second=1.0)
    sent = [limiter.judge(ROOM, ALICE, f"$late{i}", 1_000_000 + i * 60_000) for i in range(30)]
    assert sent == [Verdict.ANSWER] * 30
    # An event stamped earlier than the last one refills nothing.
    flood = [limiter.judge(ROOM, BOB, f"$b{i}", 5_000_000 - i) for i in range(12)]
    assert flood.count(Verdict.ANSWER) == 10


def test_full_buckets_are_forgotten() -> None:
    ticks = Ticks()
    limiter = rate(ticks)
    for i in range(1100):
        limiter.at(f"!r{i}:example.org", ALICE, f"$p{i}")
    ticks.t += 60
    limiter.at(ROOM, BOB, "$new")
    assert len(limiter._buckets) < 100


# ---- the outbox takes rooms in turn ----------------------------------------------------


async def run_outbox(db: Database) -> list[str]:
    order: list[str] = []

    async def send(item: Outgoing) -> str:
        order.append(f"{item.room_id[1]}{item.content['body']}")
        return f"$sent{len(order)}"

    worker = OutboxWorker(db, send, FixedClock(NOW))
    task = asyncio.create_task(worker.run())
    try:
        await asyncio.wait_for(worker.wait_idle(), 5)
    finally:
        task.cancel()
    return order


async def enqueue(db: Database, room: str, key: str, *, priority: int = ANSWER) -> None:
    async with db.transaction() as conn:
        await queue(conn, Msg().text(key), room_id=room, logical_key=f"{room}:{key}", now=NOW,
                    priority=priority)


async def test_one_busy_room_does_not_starve_the_others(db: Database) -> None:
    for i in range(1, 6):
        await enqueue(db, ROOM, str(i))
    await enqueue(db, OTHER, "1")
    await enqueue(db, "!third:example.org", "1")
    order = await run_outbox(db)
    # Before: b1 b2 b3 b4 b5 q1 t1 (first in, first out). Now the rooms take turns, and
    # each room's own messages keep their order.
    assert order == ["b1", "q1", "t1", "b2", "b3", "b4", "b5"]


async def test_answers_still_go_before_scheduled_posts(db: Database) -> None:
    await enqueue(db, ROOM, "post", priority=SCHEDULED)
    await enqueue(db, OTHER, "post", priority=SCHEDULED)
    await enqueue(db, ROOM, "answer")
    await enqueue(db, OTHER, "answer")
    order = await run_outbox(db)
    assert order == ["banswer", "qanswer", "bpost", "qpost"]


async def test_skipped_events_are_recorded_in_one_write(db: Database) -> None:
    async with db.transaction() as conn:
        await mark_handled_many(conn, [("$a", ROOM), ("$b", OTHER)], NOW.isoformat())
        await mark_handled_many(conn, [("$a", ROOM)], NOW.isoformat())  # again: harmless
    assert await is_handled(db, "$a") and await is_handled(db, "$b")
    assert not await is_handled(db, "$c")


# ---- the sync handler: rooms take turns, a member over the rate is skipped -------------------

BOT = "@minga:example.org"


def text_event(event_id: str, sender: str, body: str) -> RoomMessageText:
    event = RoomMessageText.from_dict({
        "event_id": event_id, "sender": sender, "origin_server_ts": 2_000_000_000_000,
        "type": "m.room.message", "content": {"msgtype": "m.text", "body": body}})
    assert isinstance(event, RoomMessageText)
    return event


def batch(rooms: dict[str, list[Any]], token: str) -> SyncResponse:
    join = {room: SimpleNamespace(state=[], timeline=SimpleNamespace(events=list(events)))
            for room, events in rooms.items()}
    return cast(SyncResponse, SimpleNamespace(
        rooms=SimpleNamespace(join=join, invite={}, leave={}), to_device_events=[],
        next_batch=token))


async def handler(db: Database, tmp_path: Path) -> SyncHandler:
    client = AsyncClient("http://127.0.0.1:9", BOT)
    for room_id in (ROOM, OTHER):
        room = MatrixRoom(room_id, BOT, encrypted=True)
        room.members_synced = True
        room.add_member(ALICE, "Alice", None)
        room.add_member(BOB, "Bob", None)
        client.rooms[room_id] = room
    config = Config(MatrixConfig("http://127.0.0.1:9", BOT, None, "Minga"),
                    StorageConfig(tmp_path / "x.db", tmp_path / "store"))

    async def send(item: Outgoing) -> str:
        raise AssertionError("nothing is sent here")

    clock = FixedClock(NOW)
    sync = SyncHandler(config, client, db, build_router(), OutboxWorker(db, send, clock), clock)
    async with db.transaction() as conn:
        for room_id in (ROOM, OTHER):
            await record_room(conn, room_id, 0)
    return sync


async def outbox_rows(db: Database) -> list[tuple[str, str]]:
    rows = await db.fetchall("SELECT room_id, logical_key FROM outbox ORDER BY id")
    return [(r["room_id"], r["logical_key"]) for r in rows]


async def test_a_flooded_batch_answers_the_other_room_first_and_the_flooder_to_the_rate(
        db: Database, tmp_path: Path) -> None:
    sync = await handler(db, tmp_path)
    flood = [text_event(f"$a{i}", ALICE, "!help") for i in range(30)]
    await sync.handle(batch({ROOM: flood, OTHER: [text_event("$b", BOB, "!help")]}, "t1"),
                      history=False)
    rows = await outbox_rows(db)
    assert rows[0] == (OTHER, "reply:$b:0")  # the quiet room's one command goes first
    answered = [key for room, key in rows if room == ROOM and key.startswith("reply:")]
    assert answered == [f"reply:$a{i}:0" for i in range(10)]
    assert [key for _room, key in rows if key.startswith("slow-down:")] == ["slow-down:$a10"]
    # The rest were skipped, and recorded with the sync token in one write.
    assert all([await is_handled(db, f"$a{i}") for i in range(30)])
    assert await get_value(db, SYNC_TOKEN) == "t1"

    # The same batch again (a retry, or a replay after a restart): nothing more is sent.
    sync.rate = MemberRate()
    await sync.handle(batch({ROOM: flood}, "t1"), history=False)
    assert await outbox_rows(db) == rows


async def test_an_encrypted_event_over_the_rate_is_never_decrypted() -> None:
    client = MingaClient("http://127.0.0.1:9", BOT)
    client.rate = MemberRate(burst=1, per_second=0.001)
    client.rate.judge(ROOM, ALICE, "$first", 2_000_000_000_000)
    client.rate.judge(ROOM, ALICE, "$second", 2_000_000_000_000)  # the notice's: decrypted
    event = MegolmEvent.from_dict({
        "event_id": "$third", "sender": ALICE, "origin_server_ts": 2_000_000_000_000,
        "type": "m.room.encrypted",
        "content": {"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "x", "sender_key": "k",
                    "device_id": "D", "session_id": "s"}})
    assert isinstance(event, MegolmEvent)

    class NoDecrypting:
        def _decrypt_megolm_no_error(self, event: object) -> None:
            raise AssertionError("decrypted an event over the rate")

    client.olm = cast(Any, NoDecrypting())
    room = MatrixRoom(ROOM, BOT, encrypted=True)
    assert client._handle_timeline_event(event, ROOM, room, set()) is None
    assert client.rate.verdict("$third") is Verdict.SKIP
    await client.close()


async def test_a_send_in_flight_in_a_busy_room_does_not_hold_up_another_room(
        db: Database) -> None:
    release = asyncio.Event()
    order: list[str] = []
    in_flight: dict[str, int] = {}

    async def send(item: Outgoing) -> str:
        in_flight[item.room_id] = in_flight.get(item.room_id, 0) + 1
        assert in_flight[item.room_id] == 1, "two sends in flight for one room"
        label = f"{item.room_id[1]}{item.content['body']}"
        if label == "b1":
            await release.wait()  # the busy room's send hangs on the homeserver
        order.append(label)
        in_flight[item.room_id] -= 1
        return f"$sent{len(order)}"

    for i in (1, 2):
        await enqueue(db, ROOM, str(i))
    worker = OutboxWorker(db, send, FixedClock(NOW))
    task = asyncio.create_task(worker.run())
    try:
        await asyncio.sleep(0.05)
        await enqueue(db, OTHER, "1")
        worker.kick()
        for _ in range(100):
            if order:
                break
            await asyncio.sleep(0.01)
        assert order == ["q1"]  # answered while b1 is still in flight; b2 waits behind b1
        release.set()
        await asyncio.wait_for(worker.wait_idle(), 5)
    finally:
        task.cancel()
    assert order == ["q1", "b1", "b2"]
