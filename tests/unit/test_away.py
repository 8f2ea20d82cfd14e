"""`!away` / `!back` and the away storage that rotas and check-ins read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from commands import build_router
from commands.context import Context, Settings
from commands.errors import UserError
from commands.members.away import parse_away
from storage import Database
from storage.away import away_at, is_away
from storage.members import set_zone
from tests.fakes import FakeRoom

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday
ALICE = "@alice:example.org"


async def run(db: Database, text: str, now: datetime = NOW) -> str:
    name, _, args = text.partition(" ")
    room = FakeRoom("!r:example.org", {ALICE: 0}, names=lambda user_id: user_id)
    ctx = Context(room, ALICE, "$e", now, db, Settings())
    await build_router().dispatch(ctx, name, args)
    return "\n".join(m.plain() for m in ctx.replies)


def test_parse_whole_days_in_the_members_zone() -> None:
    start, end, reason = parse_away("2026-12-20 to 2027-01-05 holidays", NOW, "Africa/Nairobi")
    assert start == datetime(2026, 12, 19, 21, 0, tzinfo=UTC)  # 00:00 in Nairobi
    assert end == datetime(2027, 1, 5, 21, 0, tzinfo=UTC)  # the 5th included
    assert reason == "holidays"


def test_parse_one_day_with_reason() -> None:
    start, end, reason = parse_away("tomorrow sick", NOW, "America/Bogota")
    assert (start, end - start, reason) == (
        datetime(2026, 11, 26, 5, 0, tzinfo=UTC), timedelta(days=1), "sick")


@pytest.mark.parametrize("text", ["banana", "2026-12-20 to 2026-12-10", "2026-01-01",
                                  "2026-12-20 to 2028-01-01"])
def test_parse_rejects(text: str) -> None:
    with pytest.raises(UserError):
        parse_away(text, NOW, "UTC")


async def test_away_then_back(db: Database) -> None:
    await set_zone(db.conn, ALICE, "Africa/Nairobi", NOW.isoformat())
    reply = await run(db, "away today to fri travelling")
    assert "travelling" in reply and "Nairobi" in reply
    assert await is_away(db, ALICE, NOW)
    assert await away_at(db, [ALICE, "@bob:example.org"], NOW + timedelta(days=2)) == {ALICE}
    assert not await is_away(db, ALICE, NOW + timedelta(days=3))
    assert "Your absences" in await run(db, "away")
    assert "Welcome back" in await run(db, "back")
    assert not await is_away(db, ALICE, NOW + timedelta(minutes=1))
    assert "were not marked away" in await run(db, "back")


async def test_bad_away_gets_example(db: Database) -> None:
    reply = await run(db, "away whenever")
    assert "Example:" in reply and "!away" in reply
