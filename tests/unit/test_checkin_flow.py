"""Check-ins end to end without a homeserver: commands, prompt jobs, answers, the summary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from commands.checkins.format import root_key, summary_key
from commands.checkins.jobs import plan_all
from commands.context import Context, RoomView, Settings
from commands.jobs import JobEnv, Post
from commands.reply import Msg
from commands.router import Interaction, Router
from storage import Database
from storage.away import add_away
from storage.checkins import get_cycle, open_cycles, prompts_of
from storage.members import set_hours, set_zone
from storage.outbox import enqueue, txn_id_for
from tests.fakes import FakeRoom, Seed, seed

ROOM = "!net:example.org"
DM_ROOM = "!dm-mod:example.org"
ALICE = "@alice:example.org"  # Africa/Nairobi, UTC+3
BOB = "@bob:example.org"  # America/Bogota, UTC-5
CAROL = "@carol:example.org"  # Asia/Kolkata, UTC+5:30
MOD = "@mod:example.org"  # Asia/Kolkata, power 50
ZONES = {ALICE: "Africa/Nairobi", BOB: "America/Bogota", CAROL: "Asia/Kolkata",
         MOD: "Asia/Kolkata"}
FRIDAY = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
MONDAY = "2026-11-30"
KOLKATA_10 = datetime(2026, 11, 30, 4, 30, tzinfo=UTC)
NAIROBI_10 = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
BOGOTA_10 = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


def fake_room(room_id: str = ROOM, members: list[str] | None = None) -> FakeRoom:
    """Members at power 0 and MOD at 50; a test adds members with `room.levels |= {...}`."""
    return FakeRoom(room_id, {u: 0 for u in (members or [ALICE, BOB, CAROL])} | {MOD: 50})


class World:
    """A database, the router, and helpers acting like the sync handler and scheduler."""

    def __init__(self, db: Database, router: Router) -> None:
        self.db = db
        self.router = router
        self.room = fake_room()
        self.changed: set[tuple[str, int]] = set()
        self.counter = 0

    def ctx(self, sender: str, now: datetime, room: RoomView | None = None) -> Context:
        self.counter += 1
        return Context(room or self.room, sender, f"$e{self.counter}:example.org", now, self.db,
                       Settings(prefix="!", default_zone="UTC"))

    async def command(self, line: str, *, sender: str = MOD, now: datetime = FRIDAY
                      ) -> list[Msg]:
        name, _, args = line.removeprefix("!").partition(" ")
        ctx = self.ctx(sender, now)
        async with self.db.transaction():
            await self.router.dispatch(ctx, name, args)
            await self.deliver([(m.key or f"reply:{ctx.event_id}:{i}", m)
                                for i, m in enumerate(ctx.replies)])
        self.changed |= ctx.changed
        return ctx.replies

    async def say(self, line: str, **kwargs: Any) -> str:
        replies = await self.command(line, **kwargs)
        assert len(replies) == 1, [m.plain() for m in replies]
        return replies[0].plain()

    async def interact(self, sender: str, now: datetime, interaction: Interaction,
                       room: RoomView | None = None) -> tuple[bool, Context]:
        ctx = self.ctx(sender, now, room)
        ctx = Context(ctx.room, sender, interaction.event_id, now, self.db, ctx.settings)
        async with self.db.transaction():
            taken = await self.router.interact(ctx, interaction)
        self.changed |= ctx.changed
        return taken, ctx

    async def job(self, kind: str, *args: Any, now: datetime) -> list[Post]:
        async def room(room_id: str) -> RoomView | None:
            return self.room if room_id == ROOM else None

        env = JobEnv(self.db, now, Settings(), room, self.router.schedules.hooks)
        async with self.db.transaction():
            posts = await self.router.schedules.jobs[kind](env, *args)
            await self.deliver([(p.logical_key, p.msg) for p in posts])
        return posts

    async def deliver(self, sent: list[tuple[str, Msg]]) -> None:
        """Queue and 'send' at once: the outbox knows each message's event id."""
        for key, _ in sent:
            await enqueue(self.db.conn, logical_key=key, room_id=ROOM, content={},
                          now_iso=FRIDAY.isoformat())
            self.counter += 1
            await self.db.conn.execute(
                "UPDATE outbox SET event_id = ?, logical_key = ?, sent_at = ? WHERE txn_id = ?",
                (f"$bot{self.counter}:example.org", key, FRIDAY.isoformat(), txn_id_for(key)))

    async def event_of(self, key: str) -> str:
        row = await self.db.fetchone("SELECT event_id FROM outbox WHERE logical_key = ?", (key,))
        assert row is not None
        return str(row["event_id"])


@pytest.fixture
def db_seed() -> Seed:
    return seed(ROOM, zones=ZONES, at=FRIDAY)


@pytest.fixture
def world(db: Database, router: Router) -> World:
    return World(db, router)


async def scheduled(world: World, line: str = "!checkin schedule mon 10:00 local") -> None:
    assert "Check-ins:" in await world.say(line)


def mentions(post: Post) -> list[str]:
    return post.msg.mentions


# ---- commands, bad input and permissions ----------------------------------------------------
async def test_only_moderators_change_check_ins(world: World) -> None:
    for line in ("!checkin schedule mon 10:00", "!checkin window 48h", "!checkin now",
                 '!checkin questions "Wins?"', "!checkin off"):
        text = await world.say(line, sender=ALICE)
        assert "Only room moderators" in text and "Example: `!checkin show`" in text, line
    assert "Muted" in await world.say("!checkin mute", sender=ALICE)
    assert "direct message" in await world.say("!checkin dm on", sender=ALICE)
    shown = await world.say("!checkin show", sender=ALICE)
    assert "You are muted" in shown and "No check-in schedule" in shown


@pytest.mark.parametrize(("line", "says", "example"), [
    ("!checkin schedule mon 10:00 Atlantis", "Unknown time zone", "!checkin schedule mon"),
    ("!checkin schedule someday 10:00", "not a day", "!checkin schedule mon"),
    ("!checkin window 30m", "at least an hour", "!checkin window 48h"),
    ("!checkin window 8d", "at most 7 days", "!checkin window 48h"),
    ('!checkin questions "A?" "B?" "C?" "D?" "E?" "F?"', "at most 5", "!checkin questions"),
    ('!checkin questions "A?" ""', "empty", "!checkin questions"),
    ("!checkin dm maybe", "on or off", "!checkin dm on"),
])
async def test_bad_input_is_explained_with_an_example(world: World, line: str, says: str,
                                                       example: str) -> None:
    text = await world.say(line)
    assert says in text and f"Example: `{example}" in text


async def test_schedule_questions_window_and_show(world: World) -> None:
    text = await world.say("!checkin schedule mon,thu 10:00 local")
    assert "Mondays and Thursdays at 10:00, in each member's own time zone" in text
    assert "Your next prompt: Mon 30 Nov 2026, 10:00 (Kolkata)" in text
    assert "Wins?" in await world.say('!checkin questions "Wins?" "Where are you stuck?"')
    assert "collected for 2 days" in await world.say("!checkin window 48h")
    shown = await world.say("!checkin show", sender=ALICE)
    assert "Your next prompt: Mon 30 Nov 2026, 10:00 (Nairobi)" in shown
    assert "1. Wins? · 2. Where are you stuck?" in shown and "2 days" in shown
    assert "default" not in await world.say("!checkin questions default")


async def test_settings_are_refused_in_the_direct_chat(world: World) -> None:
    async with world.db.transaction() as conn:
        await conn.execute("INSERT INTO direct_rooms (user_id, room_id, created_at) "
                           "VALUES (?, ?, ?)", (ALICE, ROOM, FRIDAY.isoformat()))
    assert "not in our direct chat" in await world.say("!checkin mute", sender=ALICE)


# ---- planning and prompts ------------------------------------------------------------------
async def test_plan_has_a_job_at_each_zones_morning(world: World) -> None:
    await scheduled(world)
    async with world.db.transaction():
        jobs = await plan_all(world.db, datetime(2026, 11, 30, 3, 0, tzinfo=UTC))
    assert [(j.kind, j.fire_at, j.args) for j in jobs] == [
        ("checkin-prompt", KOLKATA_10, (ROOM, MONDAY))]
    six = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)  # Kolkata's prompt never ran: due now
    async with world.db.transaction():
        jobs = await plan_all(world.db, six)
    assert {j.fire_at for j in jobs} == {six, NAIROBI_10}
    await world.job("checkin-prompt", ROOM, MONDAY, now=six)
    async with world.db.transaction():
        jobs = await plan_all(world.db, six)
    assert {j.fire_at for j in jobs} == {NAIROBI_10}


async def test_each_member_is_asked_once_in_their_own_morning(world: World) -> None:
    await scheduled(world)
    first = await world.job("checkin-prompt", ROOM, MONDAY, now=KOLKATA_10)
    assert len(first) == 1 and set(mentions(first[0])) == {CAROL, MOD}
    assert first[0].logical_key.endswith(":room:1") and first[0].msg.thread_root is None
    assert "1. What did you work on?" in first[0].msg.plain()
    assert "Others are asked at their own 10:00" in first[0].msg.plain()
    assert await world.job("checkin-prompt", ROOM, MONDAY, now=KOLKATA_10) == [], "once"
    root = await world.event_of(first[0].logical_key)

    nairobi = await world.job("checkin-prompt", ROOM, MONDAY, now=NAIROBI_10)
    assert mentions(nairobi[0]) == [ALICE] and nairobi[0].msg.thread_root == root
    assert "Your turn" in nairobi[0].msg.plain()
    bogota = await world.job("checkin-prompt", ROOM, MONDAY, now=BOGOTA_10)
    assert mentions(bogota[0]) == [BOB] and bogota[0].msg.thread_root == root
    cycle = (await open_cycles(world.db, ROOM))[0]
    assert cycle.closes_at == BOGOTA_10 + timedelta(hours=24), "waits for the last zone"


async def test_members_who_join_mid_cycle_are_asked_if_their_time_is_ahead(
        world: World) -> None:
    await scheduled(world)
    await world.job("checkin-prompt", ROOM, MONDAY, now=KOLKATA_10)
    dan, eve = "@dan:example.org", "@eve:example.org"
    async with world.db.transaction():
        await set_zone(world.db.conn, dan, "America/Bogota", FRIDAY.isoformat())
        await set_zone(world.db.conn, eve, "Asia/Kolkata", FRIDAY.isoformat())
    world.room.levels |= {dan: 0, eve: 0}
    await world.job("checkin-prompt", ROOM, MONDAY, now=NAIROBI_10)
    bogota = await world.job("checkin-prompt", ROOM, MONDAY, now=BOGOTA_10)
    assert set(mentions(bogota[0])) == {BOB, dan}, "eve's 10:00 had passed when she joined"


async def test_away_day_off_muted_and_dm_members(world: World) -> None:
    await scheduled(world)
    async with world.db.transaction() as conn:
        await add_away(conn, ALICE, FRIDAY, FRIDAY + timedelta(days=5), None, FRIDAY)
        await set_hours(world.db.conn, BOB, "09:00-17:00 1,2,3,4,5", FRIDAY.isoformat())  # Tue-Sat
    await world.command("!checkin mute", sender=CAROL)
    await world.command("!checkin dm on", sender=MOD)
    posts = await world.job("checkin-prompt", ROOM, MONDAY, now=KOLKATA_10)
    root, dm = posts
    assert root.logical_key.endswith(":room:1") and mentions(root) == []
    assert "1 asked by direct message" in root.msg.plain()
    assert dm.msg.direct_to == MOD and dm.logical_key.endswith(f":dm:{MOD}")
    assert f"https://matrix.to/#/{ROOM}" in dm.msg.plain()
    assert await world.job("checkin-prompt", ROOM, MONDAY, now=NAIROBI_10) == []
    assert await world.job("checkin-prompt", ROOM, MONDAY, now=BOGOTA_10) == []
    cycle = (await open_cycles(world.db, ROOM))[0]
    reasons = {p.user_id: p.reason or p.via for p in await prompts_of(world.db, cycle.id)}
    assert reasons == {ALICE: "away", BOB: "day off", CAROL: "muted", MOD: "dm"}
    assert cycle.closes_at == KOLKATA_10 + timedelta(hours=24), "only the asked count"


async def test_a_schedule_set_mid_day_starts_next_time(world: World) -> None:
    await scheduled(world, "!checkin schedule mon 10:00")
    await world.say("!checkin schedule mon 10:00", now=datetime(2026, 11, 30, 6, tzinfo=UTC))
    assert await world.job("checkin-prompt", ROOM, MONDAY, now=NAIROBI_10) == []
    assert await world.job("checkin-prompt", ROOM, MONDAY, now=BOGOTA_10) == []
    nxt = datetime(2026, 12, 7, 4, 30, tzinfo=UTC)
    assert len(await world.job("checkin-prompt", ROOM, "2026-12-07", now=nxt)) == 1


async def test_prompts_missed_while_down_go_out_late_within_the_window(world: World) -> None:
    await scheduled(world)
    tuesday = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # Kolkata's window closed at 04:30
    async with world.db.transaction():
        jobs = await plan_all(world.db, tuesday)
    assert [(j.fire_at, j.args) for j in jobs] == [(tuesday, (ROOM, MONDAY))]
    posts = await world.job("checkin-prompt", ROOM, MONDAY, now=tuesday)
    assert len(posts) == 1 and set(mentions(posts[0])) == {ALICE, BOB}
    assert posts[0].msg.plain().startswith("Late — I was offline")
    cycle = (await open_cycles(world.db, ROOM))[0]
    assert {p.user_id for p in await prompts_of(world.db, cycle.id)
            if p.reason == "missed"} == {CAROL, MOD}


async def test_off_cancels_what_was_not_sent(world: World) -> None:
    await scheduled(world)
    await world.job("checkin-prompt", ROOM, MONDAY, now=KOLKATA_10)
    text = await world.say("!checkin off", now=KOLKATA_10 + timedelta(minutes=5))
    assert "2 prompts not yet sent will not be" in text
    assert await world.job("checkin-prompt", ROOM, MONDAY, now=NAIROBI_10) == []
    async with world.db.transaction():
        jobs = await world.router.schedules.plan_changed(world.db, "checkin", 1, NAIROBI_10)
    assert [j.kind for _, js in jobs for j in js] == [], "close job is later than 2h"


# ---- answers, the summary, late answers ----------------------------------------------------
async def start_now(world: World, now: datetime = FRIDAY) -> tuple[int, str]:
    replies = await world.command("!checkin now", now=now)
    assert replies and replies[0].key and replies[0].key.endswith(":room:1")
    cycle_id = int(replies[0].key.split(":")[1])
    return cycle_id, await world.event_of(root_key(cycle_id))


def answer(key: str, event_id: str, text: str, kind: str = "reply") -> Interaction:
    return Interaction(kind, key, event_id, None, text)


async def test_answers_edits_summary_and_late_answers(world: World) -> None:
    await world.command("!checkin dm on", sender=BOB)
    cycle_id, root = await start_now(world)
    assert "still open" in await world.say("!checkin now", now=FRIDAY + timedelta(minutes=1))
    key = root_key(cycle_id)
    t = FRIDAY + timedelta(minutes=10)
    taken, ctx = await world.interact(ALICE, t, answer(key, "$a1", "1. budget\n2. board\n3. no"))
    assert taken and ctx.replies[0].reaction is not None
    assert ctx.replies[0].reaction.event_id == "$a1" and ctx.replies[0].reaction.key == "✅"
    taken, _ = await world.interact(ALICE, t, Interaction("edit", None, "$a1e", "$a1",
                                                          "1. budget v2\n2. board\n3. no"))
    assert taken
    # Bob answers in his direct chat, without replying to anything.
    async with world.db.transaction() as conn:
        await conn.execute("INSERT INTO direct_rooms (user_id, room_id, created_at) "
                           "VALUES (?, ?, ?)", (BOB, DM_ROOM, FRIDAY.isoformat()))
    dm_room = fake_room(DM_ROOM, [BOB])
    taken, ctx = await world.interact(BOB, t, answer("", "$b1", "grant report", "direct"),
                                      dm_room)
    assert taken and ctx.replies[0].reaction is not None
    await world.interact(BOB, t, answer(f"checkin:{cycle_id}:dm:{BOB}", "$b2", "site visit"),
                         dm_room)
    await world.interact(BOB, t, answer("", "$b3", "waiting for the VPN account", "direct"),
                         dm_room)
    taken, _ = await world.interact(CAROL, t, answer(f"checkin:{cycle_id}:dm:{BOB}", "$c0",
                                                     "not my prompt"), dm_room)
    assert not taken, "a DM prompt is answered by its member only"

    assert await world.job("checkin-close", cycle_id, now=t) == [], "not yet"
    closes = FRIDAY + timedelta(hours=24)
    posts = await world.job("checkin-close", cycle_id, now=closes)
    summary, pointer = posts
    assert summary.msg.thread_root == root and summary.logical_key == summary_key(cycle_id)
    text = summary.msg.plain()
    assert text.index("Blockers") < text.index("Alice"), "blockers first"
    assert "• Bob: waiting for the VPN account" in text
    assert "1. budget v2" in text and "Not heard from" in text
    assert text.rstrip().endswith("Carol, Mod")
    assert "1 blocker" in pointer.msg.plain() and pointer.msg.thread_root is None
    assert summary.msg.mentions == [], "no pings in the summary"
    assert await world.job("checkin-close", cycle_id, now=closes) == [], "once"

    # Carol answers late: she is thanked, the summary is edited (by a job, in the room).
    late = closes + timedelta(hours=1)
    taken, ctx = await world.interact(CAROL, late, answer(key, "$c1", "all fine here"))
    assert taken and "added your answer to it, marked late" in ctx.replies[1].plain()
    assert ("checkin-summary", cycle_id) in ctx.changed
    async with world.db.transaction():
        planned = await plan_all(world.db, late)
    assert [(j.kind, j.args) for j in planned] == [("checkin-summary-edit", (cycle_id,))], (
        "an edit not yet sent is re-planned from the DB after a restart")
    edit = await world.job("checkin-summary-edit", cycle_id, now=late)
    assert edit[0].msg.replaces == await world.event_of(summary_key(cycle_id))
    assert "Carol (added late)" in edit[0].msg.plain()
    assert "Not heard from (no pressure — answers in this thread are still added): Mod" in (
        edit[0].msg.plain())
    assert await world.job("checkin-summary-edit", cycle_id, now=late) == [], "once"

    # After one more window the cycle is closed.
    closed = closes + timedelta(hours=25)
    taken, ctx = await world.interact(MOD, closed, answer(key, "$m1", "hello"))
    assert taken and "is closed, so I didn't add your answer" in ctx.replies[0].plain()
    assert "Example: `!checkin show`" in ctx.replies[0].plain()
    taken, ctx = await world.interact(ALICE, closed, Interaction("edit", None, "$a1f", "$a1",
                                                                 "changed"))
    assert "your edit was not applied" in ctx.replies[0].plain()


async def test_answers_from_outsiders_or_to_other_messages_are_not_taken(world: World) -> None:
    cycle_id, _ = await start_now(world)
    outsider = "@zed:example.org"
    taken, _ = await world.interact(outsider, FRIDAY, answer(root_key(cycle_id), "$z", "hi"))
    assert not taken
    taken, _ = await world.interact(ALICE, FRIDAY, answer("poll:x:1", "$p", "hi"))
    assert not taken
    taken, _ = await world.interact(ALICE, FRIDAY, Interaction("edit", None, "$x", "$nope", "x"))
    assert not taken
    taken, _ = await world.interact(ALICE, FRIDAY, answer("", "$d", "hi", "direct"))
    assert not taken, "not in a direct chat with the bot"


async def test_nobody_to_ask(world: World) -> None:
    for user in (ALICE, BOB, CAROL, MOD):
        await world.command("!checkin mute", sender=user)
    assert "Nobody to ask right now" in await world.say("!checkin now")
    assert await open_cycles(world.db, ROOM) == [], "rolled back"


async def test_digest_section_lists_the_last_blockers(world: World) -> None:
    cycle_id, _ = await start_now(world)
    await world.interact(BOB, FRIDAY, answer(root_key(cycle_id), "$b",
                                             "a\nb\nwaiting for the visa"))
    await world.job("checkin-close", cycle_id, now=FRIDAY + timedelta(hours=24))
    msg = Msg().text("Weekly digest")
    hook = world.router.schedules.hooks.digest[0]
    env = JobEnv(world.db, FRIDAY + timedelta(days=2), Settings(), None)  # type: ignore[arg-type]
    await hook(env, ROOM, msg, world.room)
    assert "Blockers from the last check-in (Fri 27 Nov)\n• Bob: waiting for the visa" in (
        msg.plain())
    empty = Msg()
    await hook(env, "!other:example.org", empty, world.room)
    assert empty.parts == []
    stale = JobEnv(world.db, FRIDAY + timedelta(days=20), Settings(), None)  # type: ignore[arg-type]
    await hook(stale, ROOM, empty, world.room)
    assert empty.parts == [], "old blockers are not news"
    cycle = await get_cycle(world.db, cycle_id)
    assert cycle is not None and cycle.summary_at is not None
