"""`!meeting suggest`, `!poll` and the poll's closing, for the eight-member network of
issue 18, through the real router and a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.events import mentioned_users
from commands.context import Context, RoomView, Settings
from commands.jobs import JobEnv, Post
from commands.reply import Msg
from commands.router import Router
from devtools.sample_network import ASKED_AT, NETWORK8
from storage import Database
from storage.polls import get_poll, record_vote, room_poll
from tests.fakes import FakeRoom, Seed, dispatch, seed

ROOM = "!network:example.org"
AMINA, TUNDE, RANIA, OMAR, SITA, MARIA, CAMILA, BEA = (user for user, _z, _h in NETWORK8)
MOD = "@coordinator:example.org"  # a moderator with no zone or hours of her own
BOT = "@minga:example.org"


@pytest.fixture
def db_seed() -> Seed:
    return seed(ROOM)


class Network:
    """The eight members (and a moderator) in one room, at a moment the test chooses."""

    def __init__(self, router: Router, db: Database) -> None:
        self.router, self.db = router, db
        self.room = FakeRoom(ROOM, {MOD: 50}, members=[u for u, _z, _h in NETWORK8])
        self.now = ASKED_AT

    async def ctx(self, line: str, sender: str = AMINA) -> Context:
        ctx = Context(self.room, sender, "$event", self.now, self.db, Settings(),
                      mentioned=mentioned_users({}, line, BOT))
        return await dispatch(self.router, ctx, line)

    async def __call__(self, line: str, sender: str = AMINA) -> str:
        ctx = await self.ctx(line, sender)
        assert len(ctx.replies) == 1, [m.plain() for m in ctx.replies]
        return ctx.replies[0].plain()

    async def close(self, poll_number: int = 1) -> list[Post]:
        poll = await room_poll(self.db, ROOM, poll_number)
        assert poll is not None

        async def room(room_id: str) -> RoomView | None:
            return self.room if room_id == ROOM else None

        env = JobEnv(self.db, self.now, Settings(), room, self.router.schedules.hooks)
        async with self.db.transaction():
            return await self.router.schedules.jobs["poll-close"](env, poll.id)

    async def vote(self, user: str, option: int, poll_number: int = 1) -> None:
        poll = await room_poll(self.db, ROOM, poll_number)
        assert poll is not None
        async with self.db.transaction() as conn:
            await record_vote(conn, poll.id, user, option, int(self.now.timestamp() * 1000))


@pytest.fixture
async def net(router: Router, db: Database) -> Network:
    network = Network(router, db)
    for user, zone, hours in NETWORK8:
        await network(f"tz set {zone}", user)
        await network(f"hours set {hours}", user)
    return network


def lines(msg: Msg) -> list[str]:
    return msg.plain().splitlines()


# --- the list a member reads -------------------------------------------------------------------


async def test_distinct_humane_times_each_with_its_cost(net: Network) -> None:
    ctx = await net.ctx("meeting suggest 60m within 7 days")
    poll, listing = ctx.replies
    assert poll.poll is not None
    assert poll.poll.question == "When should we meet for “Meeting” (1h)?"
    assert poll.poll.answers == (
        "Mon 7 Dec 2026, 15:00 (Nairobi) — 3 outside hours",
        "Mon 7 Dec 2026, 16:00 (Nairobi) — 3 outside hours",
        "Mon 7 Dec 2026, 14:00 (Nairobi) — 4 outside hours",
    )
    text = lines(listing)
    assert text[0] == "Poll p1: When should we meet for “Meeting” (1h)?"
    assert text[1] == ("No time in this window is inside everyone's working hours; these are "
                       "the least bad.")
    assert text[2] == ("1. Mon 7 Dec 2026, 15:00 (Nairobi): 15:00 Nairobi/Amman · 07:00 Bogota "
                       "· 09:00 Sao Paulo · 13:00 Lagos · 14:00 Beirut · 17:45 Kathmandu · "
                       "20:00 Manila — 5 of 8 inside working hours")
    assert text[3] == "   late for Maria (20:00), early for Camila (07:00), late for Sita (17:45)"
    assert text[5] == ("   late for Maria (21:00), late for Sita (18:45), early for Camila "
                       "(08:00)")
    assert text[7].startswith("   late for Maria (19:00), early for Camila (06:00)")
    assert "night" not in listing.plain()
    assert text[-1] == ("Vote in the poll; it closes Mon 7 Dec 2026, 06:47 (Nairobi), and the "
                        "winner becomes a meeting. See the votes with `!poll p1`, or decide "
                        "now: `!meeting pick 1`")
    assert listing.mentions == [], "naming who pays does not ping them"


async def test_the_whole_poll_is_in_the_rooms_language(net: Network) -> None:
    await net("lang room es", MOD)
    await net("lang en", AMINA)  # the asker reads English; the poll is the room's
    ctx = await net.ctx("meeting suggest 60m within 7 days")
    poll, listing = ctx.replies
    assert poll.poll is not None
    assert poll.poll.question == "¿Cuándo nos reunimos para “Reunión” (1 h)?"
    assert poll.poll.answers[0] == "lun, 7 dic 2026, 15:00 (Nairobi) — 3 fuera de horario"
    text = lines(listing)
    assert text[0] == "Encuesta p1: ¿Cuándo nos reunimos para “Reunión” (1 h)?"
    assert text[3] == ("   tarde para Maria (20:00), temprano para Camila (07:00), tarde para "
                       "Sita (17:45)")
    assert "Vote" not in listing.plain() and "inside" not in listing.plain()


async def test_a_night_is_named_and_the_poll_says_when_nothing_fits(
        router: Router, db: Database) -> None:
    network = Network(router, db)
    network.room.joined = [MARIA, CAMILA]
    for user, zone in ((MARIA, "Asia/Manila"), (CAMILA, "America/Bogota")):
        await network(f"tz set {zone}", user)
    ctx = await network.ctx("meeting suggest 8h within 3 days", MARIA)
    listing = lines(ctx.replies[1])
    # Manila and Bogotá are 13 hours apart: eight hours always reach someone's night.
    assert listing[1] == ("Every time in this window puts someone in their night "
                          "(22:00–06:00); these are the least bad.")
    assert "night for" in listing[3]


# --- the voting window -------------------------------------------------------------------------


async def test_polls_stay_open_twelve_hours_and_offer_only_later_times(net: Network) -> None:
    await net.ctx("meeting suggest 60m within 7 days")
    poll = await room_poll(net.db, ROOM, 1)
    assert poll is not None
    assert poll.closes_at == ASKED_AT + timedelta(hours=12)
    assert min(poll.options) >= poll.closes_at + timedelta(hours=1)


async def test_the_room_chooses_its_window(net: Network) -> None:
    assert await net("poll window") == ("Polls in this room stay open at least 12h. Change "
                                        "with `!poll window 12h`")
    assert await net("poll window 1d", CAMILA) == (
        "Only room moderators can change how long polls stay open.")
    assert await net("poll window 10m", MOD) == ("A poll window is from 1h to 7 days.\n"
                                                 "Example: `!poll window 12h`")
    assert await net("poll window 1d 12h", MOD) == (
        "Polls in this room now stay open at least 1 day 12h, and offer only times after that.")
    assert await net("meeting suggest 60m within 1 day") == (
        "Polls here stay open 36h so that everyone can vote; look further ahead.\n"
        "Example: `!meeting suggest 60m within 2 days`")
    await net.ctx("meeting suggest 60m within 7 days")
    poll = await room_poll(net.db, ROOM, 1)
    assert poll is not None and poll.closes_at == ASKED_AT + timedelta(hours=36)
    assert min(poll.options) > poll.closes_at
    assert await net("poll window default", MOD) == (
        "Polls in this room now stay open at least 12h, and offer only times after that.")


# --- a with list, votes, the tally, extend, closing --------------------------------------------


async def test_with_list_votes_decide_and_the_tally_names_who_has_not_voted(
        net: Network) -> None:
    ctx = await net.ctx(f'meeting suggest 60m with {AMINA} {CAMILA} {MARIA} "Budget"')
    listing = ctx.replies[1].plain()
    assert ("Votes that decide: Amina, Camila, Maria. Others may vote too; their votes are "
            "shown as advisory.") in listing
    await net.vote(CAMILA, 2)
    await net.vote(TUNDE, 1)
    await net.vote(RANIA, 1)
    net.now += timedelta(hours=3)
    tally = (await net("poll")).splitlines()
    assert tally[0] == "Poll p1: When should we meet for “Budget” (1h)?"
    assert tally[1] == "Open until Mon 7 Dec 2026, 06:47 (Nairobi) (in 9 hours)."
    assert tally[2].endswith("— 0 votes (+2 advisory)")
    assert tally[3].endswith("— 1 vote")
    assert tally[-3] == "Not voted yet: Amina, Maria."
    assert tally[-2] == "Advisory votes from 5 other members: 2."
    assert tally[-1] == "More time: `!poll p1 extend 6h`"
    assert await net("poll p1") == "\n".join(tally)

    # Only the asker or a moderator extends; the poll's job moves with it.
    assert await net("poll p1 extend 6h", CAMILA) == (
        "Only whoever asked for p1 or a room moderator can give it more time.")
    ctx = await net.ctx("poll p1 extend 6h")
    assert ctx.replies[0].plain() == "p1 now closes Mon 7 Dec 2026, 12:47 (Nairobi), 6h later."
    poll = await room_poll(net.db, ROOM, 1)
    assert poll is not None and ctx.changed == {("poll", poll.id)}
    assert poll.closes_at == ASKED_AT + timedelta(hours=18)

    # The old closing time passes: nothing happens (the job was planned again).
    net.now = ASKED_AT + timedelta(hours=12, minutes=1)
    assert await net.close() == []
    # The new one: Camila's vote (on the with list) decides over two advisory ones.
    net.now = ASKED_AT + timedelta(hours=18)
    posts = await net.close()
    notice = posts[-1].msg.plain().splitlines()
    assert notice[0].startswith("Poll p1 closed (1 of 1 vote): option 2 wins. Scheduled m1: "
                                "Budget")
    assert notice[1].startswith("Note: ")
    assert "Amina" in notice[1] or "Maria" in notice[1] or "Camila" in notice[1]
    assert notice[2] == "2 advisory votes from outside the with list were not counted."
    closed = await get_poll(net.db, poll.id)
    assert closed is not None and closed.closed and closed.meeting_number == 1
    assert (await net("poll p1")).splitlines()[1] == "Closed; it became m1."


async def test_only_advisory_votes_schedule_nothing(net: Network) -> None:
    await net.ctx(f"meeting suggest 60m with {AMINA} {CAMILA}")
    await net.vote(TUNDE, 1)
    net.now += timedelta(hours=12)
    [post] = await net.close()
    assert post.msg.plain() == ("Poll p1 closed: nobody on its with list voted (1 advisory "
                                "vote), so no meeting was scheduled. Ask again with !meeting "
                                "suggest.")


async def test_without_a_with_list_everyone_decides_and_is_counted(net: Network) -> None:
    await net.ctx("meeting suggest 60m")
    await net.vote(CAMILA, 3)
    await net.vote(MARIA, 3)
    await net.vote(BEA, 1)
    tally = (await net("poll")).splitlines()
    assert tally[2].endswith("— 1 vote") and tally[4].endswith("— 2 votes")
    assert tally[-2] == "5 of 8 members have not voted yet."
    net.now += timedelta(hours=12)
    notice = (await net.close())[-1].msg.plain()
    assert notice.startswith("Poll p1 closed (2 of 3 votes): option 3 wins.")


async def test_extend_is_bounded_by_the_last_option(net: Network) -> None:
    await net.ctx("meeting suggest 60m within 2 days")
    poll = await room_poll(net.db, ROOM, 1)
    assert poll is not None
    room = max(poll.options) - timedelta(hours=1) - poll.closes_at
    hours = int(room.total_seconds() // 3600)
    refused = await net("poll p1 extend 3d")
    assert refused.startswith("p1 can be extended by at most ")
    assert refused.endswith(f"so that it closes an hour before its last option.\n"
                            f"Example: `!poll p1 extend {hours}h`")
    assert await net("poll p1 extend soon") == ("Say how much longer, like 6h or 1d.\n"
                                                "Example: `!poll p1 extend 6h`")
    said = await net(f"poll p1 extend {hours}h")
    assert said.startswith("p1 now closes ")
    early = [i for i, start in enumerate(poll.options, 1)
             if start <= poll.closes_at + timedelta(hours=hours)]
    assert early, "the earliest options now start before the poll closes"
    assert said.splitlines()[1].endswith("can no longer win.")
    assert ", ".join(map(str, early)) in said.splitlines()[1]


async def test_no_poll_to_show(net: Network) -> None:
    assert await net("poll") == ("There is no open poll in this room.\n"
                                 "Example: `!meeting suggest 60m within 7 days`")
    assert await net("poll p4") == "There is no p4 in this room.\nExample: `!poll`"
    assert await net("poll x9") == ("'x9' is not a poll id; they look like p2.\n"
                                    "Example: `!poll p1`")


async def test_pick_names_whoever_the_time_puts_outside_hours(net: Network) -> None:
    await net.ctx("meeting suggest 60m within 7 days")
    ctx = await net.ctx("meeting pick 1")
    notice = ctx.replies[-1].plain().splitlines()
    assert notice[0].startswith("Poll p1 closed (picked by Amina): option 1 wins.")
    assert notice[1] == ("Note: late for Maria (20:00), early for Camila (07:00), late for Sita "
                         "(17:45).")


# --- the room's night --------------------------------------------------------------------------


async def test_the_room_sets_its_night(net: Network) -> None:
    assert await net("meeting night") == (
        "Night here is 22:00–06:00 in each member's own time: suggestions avoid it first and "
        "notes name who it hits. Change with `!meeting night 22:00-07:00`")
    assert await net("meeting night 06:00-22:00", MOD) == (
        "Give the night as two times, 4 to 12 hours apart, like 22:00-07:00.\n"
        "Example: `!meeting night 22:00-07:00`")
    assert await net("meeting night 20-7", CAMILA) == (
        "Only room moderators can change the room's night.")
    assert await net("meeting night 20-7", MOD) == (
        "Night in this room is now 20:00–07:00, in each member's own time.")
    # With nights from 20:00 to 07:00, Manila, Bogotá and São Paulo leave no hour free.
    ctx = await net.ctx("meeting suggest 60m within 7 days")
    listing = ctx.replies[1].plain()
    assert listing.splitlines()[1] == ("Every time in this window puts someone in their "
                                       "night (20:00–07:00); these are the least bad.")
    assert await net("meeting night default", MOD) == (
        "Night in this room is now 22:00–06:00, in each member's own time.")


def test_no_sql_outside_storage() -> None:
    """The poll and fairness handlers ask `storage` (one function per question)."""
    import inspect

    import commands.meetings.people as people
    import commands.meetings.polls as polls
    import commands.meetings.suggest as suggest

    for module in (polls, suggest, people):
        source = inspect.getsource(module)
        assert "SELECT " not in source and "UPDATE " not in source, module.__name__



# --- look-ahead notes and turns ------------------------------------------------------------------


async def test_a_meeting_at_night_says_so(net: Network) -> None:
    # The "Point MENA": 11:00 in Amman is 03:00 in Bogotá and 05:00 in São Paulo.
    said = (await net('meeting add "Point MENA" mon 11:00 in Amman', OMAR)).splitlines()
    assert said[1] == "Note: night for Camila (03:00), night for Bea (05:00)."


async def test_moving_a_series_says_who_it_now_hurts(net: Network) -> None:
    await net('meeting add "Asia call" tue 10:00 every week in Manila', MARIA)
    # Tue 8 Dec 2026 is a public holiday in Manila and Bogotá: a day off for Maria and
    # Camila. This test is about early and late, so their calendars say none.
    said = (await net("meeting move m1 tue 21:00 --series", MARIA)).splitlines()
    assert said[1] == ("Note: day off for Maria (Tue 21:00), day off for Camila (Tue 08:00), "
                       "late for Sita (18:45).")
    for member in (MARIA, CAMILA):
        await net("calendar set none", member)
    await net("meeting move m1 tue 10:00 --series", MARIA)
    said = (await net("meeting move m1 tue 21:00 --series", MARIA)).splitlines()
    assert said[0].startswith("Moved the series m1: every Tuesday at 21:00 (Manila time")
    assert said[1] == ("Note: late for Maria (21:00), late for Sita (18:45), early for Camila "
                       "(08:00).")


async def test_rotate_picks_times_that_share_the_pain(net: Network) -> None:
    said = (await net('meeting add "Network call" thu every 2 weeks for 60m rotate')
            ).splitlines()
    assert said[0] == ("Scheduled m1: Network call — every 2 weeks on Thursday at 15:00, "
                       "alternating with 16:00 (Nairobi time, Africa/Nairobi), 1h.")
    assert said[1] == ("No single time is fair to everyone; 2 times take turns, chosen to "
                       "spread the early, late and night hours:")
    assert said[2] == ("1. 15:00 (Nairobi): late for Maria (20:00), early for Camila (07:00), "
                       "late for Sita (17:45)")
    assert said[3] == ("2. 16:00 (Nairobi): late for Maria (21:00), late for Sita (18:45), "
                       "early for Camila (08:00)")
    row = await net.db.fetchone("SELECT start_local, alternate_time FROM meetings")
    assert row is not None
    assert (row["start_local"], row["alternate_time"]) == ("2026-12-10T15:00", "16:00")
    listed = await net("meetings 28d")
    assert "Thu 10 Dec 2026, 15:00 (Nairobi)" in listed
    assert "Thu 24 Dec 2026, 16:00 (Nairobi)" in listed


async def test_rotate_three_and_a_kept_time(net: Network) -> None:
    said = (await net('meeting add "Call" thu 11:00 every week rotate 3')).splitlines()
    assert said[0].startswith("Scheduled m1: Call — every Thursday at 11:00, taking turns with ")
    row = await net.db.fetchone("SELECT start_local, alternate_time FROM meetings")
    assert row is not None and row["start_local"] == "2026-12-10T11:00"
    assert len(row["alternate_time"].split(",")) == 2
    assert said[2].startswith("1. 11:00 (Nairobi): night for Camila (03:00)")


async def test_rotate_needs_a_series_and_one_way_of_turning(net: Network) -> None:
    assert await net('meeting add "Call" thu 11:00 rotate') == (
        "Only a repeating meeting can take turns; add how often it repeats.\n"
        'Example: `!meeting add "Network call" thu every 2 weeks for 60m rotate`')
    assert await net('meeting add "Call" thu 11:00 every week alternate 15:00 rotate') == (
        "Use either alternate <time> or rotate, not both.\n"
        'Example: `!meeting add "Network call" thu every 2 weeks for 60m rotate`')
    assert await net('meeting add "Call" thu every week rotate 5') == (
        "A series can take turns between 2 or 3 times.\n"
        'Example: `!meeting add "Network call" thu every 2 weeks for 60m rotate`')
    assert (await net('meeting add "Call" thu every month on the first thu rotate')
            ).startswith("Alternating times need a meeting that repeats daily or on one "
                         "weekday.")
    row = await net.db.fetchone("SELECT COUNT(*) AS n FROM meetings")
    assert row is not None and row["n"] == 0


async def test_rotate_keeps_one_time_when_it_suits_everyone(router: Router, db: Database
                                                           ) -> None:
    network = Network(router, db)
    network.room.joined = [AMINA, OMAR]
    for user, zone in ((AMINA, "Africa/Nairobi"), (OMAR, "Asia/Amman")):
        await network(f"tz set {zone}", user)
    said = (await network('meeting add "Pair" wed every week rotate')).splitlines()
    assert said[0] == ("Scheduled m1: Pair — every Wednesday at 09:00 (Nairobi time, "
                       "Africa/Nairobi), 1h.")
    assert said[1] == "One time suits everyone, 09:00 (Nairobi): no need to take turns."


async def test_help_says_the_ranking_and_the_poll_rules(net: Network) -> None:
    text = await net("help meeting suggest")
    assert ("Times are ranked: nobody in their night (22:00–06:00 unless the room set another "
            "with !meeting night) comes first; then the most people inside their working "
            "hours; then the least time outside them;") in text
    assert "The poll stays open 12 hours" in text
    assert "With rotate, Minga picks 2 or 3 times of day" in await net("help meeting add")


async def test_replanning_one_poll_leaves_the_others_alone(net: Network) -> None:
    from commands.meetings.suggest import close_job

    # The scheduler drops a poll's jobs by prefix before planning it again: p1's prefix
    # must not match p10's job.
    assert not close_job(10).startswith(close_job(1))
    [(prefix, jobs)] = await net.router.schedules.plan_changed(net.db, "poll", 1, net.now)
    assert prefix == close_job(1) and jobs == []  # no such poll yet: nothing planned


async def test_a_poll_closed_late_without_a_winner_still_ends_and_says_it_is_late(
        net: Network) -> None:
    """The bot was down past the poll's closing and past every option: the votes it had
    pick nothing, yet clients are told the poll ended (else they keep taking votes)."""
    await net.ctx("meeting suggest 60m within 2 days")
    poll = await room_poll(net.db, ROOM, 1)
    assert poll is not None
    async with net.db.transaction() as conn:  # what the outbox keeps once the poll was sent
        await conn.execute(
            "INSERT INTO outbox (txn_id, room_id, event_type, content, created_at, sent_at, "
            "event_id) VALUES (?, ?, 'org.matrix.msc3381.poll.start', '{}', '', '', '$poll')",
            (poll.txn_id, ROOM))
    await net.vote(CAMILA, 1)
    await net.vote(MARIA, 2)
    net.now = max(poll.options) + timedelta(days=1)
    end, notice = await net.close()
    assert end.msg.poll_end is not None and end.msg.poll_end.poll_event_id == "$poll"
    assert end.msg.plain() == "The poll has ended without a winner."
    assert lines(notice.msg) == [
        "Late — I was offline when this was due.",
        "Poll p1 closed without a future time; no meeting was scheduled. Ask again with "
        "!meeting suggest."]
    assert await net.close() == []  # once


async def test_a_poll_closed_on_time_does_not_say_late(net: Network) -> None:
    await net.ctx("meeting suggest 60m within 2 days")
    net.now += timedelta(hours=12, minutes=1)
    [notice] = await net.close()
    assert lines(notice.msg)[0].startswith("Poll p1 closed without votes")
