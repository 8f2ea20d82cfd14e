"""The storage functions that took over SQL from the bot and command layers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.recurrence import Series
from storage import Database
from storage.decryption import (
    add_pending,
    all_pending,
    drop_pending,
    drop_pending_before,
    drop_pending_in_room,
    mark_notified,
    unnotified_before,
)
from storage.direct import direct_room_of, is_direct_room, set_direct_room
from storage.meetings import (
    DEFAULT_LEADS,
    Reminded,
    active_meeting_ids,
    get_meeting,
    insert_meeting,
    notify_list,
    recent_reminder_keys,
    record_reminder,
    room_leads,
    set_notify,
    set_room_leads,
    touch,
)
from storage.outbox import (
    count_attempt,
    enqueue,
    fail_unsent_in_room,
    mark_failed,
    mark_sent,
    readdress,
    unsent,
)
from storage.rooms import joined_rooms, room_default_zone, set_room_default_zone
from storage.state import record_room

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ROOM, OTHER = "!room:example.org", "!other:example.org"
ALICE, BOB = "@alice:example.org", "@bob:example.org"


async def test_room_default_zone(db: Database) -> None:
    assert await room_default_zone(db, ROOM) is None
    async with db.transaction() as conn:
        await record_room(conn, ROOM, 1)
    assert await room_default_zone(db, ROOM) is None
    async with db.transaction() as conn:
        await set_room_default_zone(conn, ROOM, "Asia/Kathmandu")
        await set_room_default_zone(conn, OTHER, "America/Bogota")  # a room not joined yet
    assert await room_default_zone(db, ROOM) == "Asia/Kathmandu"
    assert await room_default_zone(db, OTHER) == "America/Bogota"
    assert await joined_rooms(db) == [OTHER, ROOM]


async def test_pending_decryption_lifecycle(db: Database) -> None:
    source = {"type": "m.room.encrypted", "content": {"ciphertext": "x"}}
    async with db.transaction() as conn:
        await add_pending(conn, "$a", ROOM, ALICE, source, 100.0)
        await add_pending(conn, "$a", ROOM, ALICE, {"other": 1}, 999.0)  # kept once, first
        await add_pending(conn, "$b", OTHER, BOB, source, 200.0)
        await add_pending(conn, "$c", ROOM, BOB, source, 300.0)
    found = {p.event_id: p for p in await all_pending(db)}
    assert set(found) == {"$a", "$b", "$c"}
    assert found["$a"].source == source and found["$a"].received_at == 100.0
    assert (found["$a"].room_id, found["$a"].sender) == (ROOM, ALICE)
    assert [p.event_id for p in await unnotified_before(db, 250.0)] == ["$a", "$b"]
    async with db.transaction() as conn:
        await mark_notified(conn, "$a")
    assert [p.event_id for p in await unnotified_before(db, 250.0)] == ["$b"]
    async with db.transaction() as conn:
        await drop_pending(conn, "$b")
        await drop_pending_in_room(conn, OTHER)
    assert {p.event_id for p in await all_pending(db)} == {"$a", "$c"}
    async with db.transaction() as conn:
        await drop_pending_before(conn, 300.0)
    assert [p.event_id for p in await all_pending(db)] == ["$c"]


async def test_direct_rooms(db: Database) -> None:
    assert await direct_room_of(db, ALICE) is None
    async with db.transaction() as conn:
        await set_direct_room(conn, ALICE, "!dm1:example.org", NOW.isoformat())
    assert await direct_room_of(db, ALICE) == "!dm1:example.org"
    assert await is_direct_room(db, "!dm1:example.org")
    async with db.transaction() as conn:  # the chat was lost: a new one replaces it
        await set_direct_room(conn, ALICE, "!dm2:example.org", NOW.isoformat())
    assert await direct_room_of(db, ALICE) == "!dm2:example.org"
    assert not await is_direct_room(db, "!dm1:example.org")
    assert not await is_direct_room(db, ROOM)


async def test_outbox_queue_order_and_outcomes(db: Database) -> None:
    async with db.transaction() as conn:
        for key, priority in (("post:1", 1), ("post:2", 1), ("reply:1", 0)):
            await enqueue(conn, logical_key=key, room_id=ROOM, content={"body": key},
                          now_iso=NOW.isoformat(), priority=priority)
        await enqueue(conn, logical_key="dm:1", room_id=f"direct:{ALICE}",
                      content={"body": "dm"}, now_iso=NOW.isoformat())
    queued = await unsent(db, 10)
    assert [q.content["body"] for q in queued] == ["reply:1", "post:1", "post:2", "dm"]
    assert [q.content["body"] for q in await unsent(db, 2)] == ["reply:1", "post:1"]
    reply, first, second, dm = queued
    async with db.transaction() as conn:
        await mark_sent(conn, reply.row_id, "$sent", NOW.isoformat())
        await count_attempt(conn, first.row_id)
        await mark_failed(conn, second.row_id, "M_FORBIDDEN")
        await readdress(conn, dm.row_id, "!dm:example.org")
    rows = await db.fetchall("SELECT logical_key, room_id, sent_at, event_id, failed, attempts "
                             "FROM outbox ORDER BY id")
    assert [tuple(r) for r in rows] == [
        ("post:1", ROOM, None, None, None, 1),
        ("post:2", ROOM, None, None, "M_FORBIDDEN", 1),
        ("reply:1", ROOM, NOW.isoformat(), "$sent", None, 1),
        ("dm:1", "!dm:example.org", None, None, None, 0),
    ]
    assert [q.content["body"] for q in await unsent(db, 10)] == ["post:1", "dm"]
    async with db.transaction() as conn:
        await fail_unsent_in_room(conn, ROOM, "left room")
    assert [q.content["body"] for q in await unsent(db, 10)] == ["dm"]
    left = await db.fetchone("SELECT failed FROM outbox WHERE logical_key = 'post:1'")
    assert left is not None and left["failed"] == "left room"


async def test_meeting_room_settings_and_reminders(db: Database) -> None:
    series = Series(datetime(2026, 3, 5, 14, 0), "Africa/Nairobi", "FREQ=WEEKLY",
                    timedelta(hours=1))
    async with db.transaction() as conn:
        await record_room(conn, ROOM, 1)
        for title in ("one", "two", "three"):
            await insert_meeting(conn, room_id=ROOM, title=title, series=series,
                                 created_by=ALICE, now=NOW)
        await insert_meeting(conn, room_id=OTHER, title="elsewhere", series=series,
                             created_by=ALICE, now=NOW)
    two = await get_meeting(db, ROOM, 2)
    assert two is not None
    async with db.transaction() as conn:
        await touch(conn, two.id, NOW, cancelled_at=NOW.isoformat())
    one, three = await get_meeting(db, ROOM, 1), await get_meeting(db, ROOM, 3)
    assert one is not None and three is not None
    assert sorted(await active_meeting_ids(db, ROOM)) == sorted([one.id, three.id])

    assert await room_leads(db, ROOM) == DEFAULT_LEADS
    async with db.transaction() as conn:
        await set_room_leads(conn, ROOM, (60, 5))
        await set_notify(conn, ROOM, ALICE, True)
        await set_notify(conn, ROOM, ALICE, True)
        await set_notify(conn, ROOM, BOB, True)
        await set_notify(conn, ROOM, BOB, False)
        await set_notify(conn, OTHER, BOB, True)
    assert await room_leads(db, ROOM) == (60, 5)
    assert await notify_list(db, ROOM) == [ALICE]

    async with db.transaction() as conn:
        assert await record_reminder(conn, "k1", two.id, NOW, Reminded.ON_TIME)
        assert not await record_reminder(conn, "k1", two.id, NOW, Reminded.LATE)
        assert await record_reminder(conn, "k2", two.id, NOW, Reminded.LATE)
        assert await record_reminder(conn, "k3", two.id, NOW, Reminded.DROPPED)
    rows = await db.fetchall("SELECT key, late FROM reminders_sent ORDER BY key")
    assert [tuple(r) for r in rows] == [("k1", 0), ("k2", 1), ("k3", 2)]
    assert await recent_reminder_keys(db, NOW, two.id) == {"k1", "k2", "k3"}
