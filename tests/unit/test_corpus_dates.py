"""The reading corpus for dates, spans, hours, lengths and zones (tests/corpus/*.tsv).

Every case runs the real command through the router, against a fresh database, as a member
who reads `lang`, at Thu 3 Dec 2026 15:00 UTC (10:00 in Bogotá, the member's zone). Each
asserts the reading (what is stored), the exact restated text of the reply, and, for a
refusal, that nothing was stored and that every reading offered is a command that works.

Columns, per file:
- due.tsv   lang, input (after `!action Test due`), expect, restated
- away.tsv  lang, input (after `!away`), expect, reason, restated
- hours.tsv lang, input (after `!hours set`), expect (stored form), restated
- when.tsv  lang, input (after `!meeting add "M"`), expect (wall time and zone), restated
- durations.tsv  lang, input, minutes
- zones.tsv lang, input (after `!tz set`), expect (zone key), note

`expect` is the reading, or `refuse` followed by the readings offered (` | `-separated,
each a text that replaces the input), or `error` for a refusal with nothing to offer;
`restated` is then a part of the reply's first line.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio

from commands.context import Context, Settings
from commands.router import Router
from domain.i18n import use_language
from domain.when import WhenError, parse_duration
from domain.zones import zone_info
from storage import Database, open_database
from storage.actions import get_action
from storage.away import current_and_future
from storage.languages import set_member_language
from storage.meetings import get_meeting
from storage.members import get_member, set_zone
from tests.corpus import Case, params
from tests.fakes import FakeRoom, dispatch

NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)  # Thursday; 10:00 in Bogotá
ZONE = "America/Bogota"
# One database for the module (opening one per case costs most of the time); each case
# has a member and a room of its own, so cases never see each other's data.
shared = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Database]:
    database = await open_database(tmp_path_factory.mktemp("corpus") / "corpus.db")
    try:
        yield database
    finally:
        await database.close()


def member(case: Case) -> str:
    return f"@{case.file}{case.line}:example.org"


def room_of(case: Case) -> str:
    return f"!{case.file}{case.line}:example.org"


async def ask(router: Router, db: Database, case: Case, line: str) -> tuple[str, Context]:
    """`line` (without the prefix) as the case's member, who reads its language."""
    user = member(case)
    await set_zone(db, user, ZONE, NOW.isoformat())
    await set_member_language(db, user, case.lang, NOW.isoformat())
    room = FakeRoom(room_of(case), {user: 100})
    ctx = await dispatch(router, Context(room, user, "$e", NOW, db, Settings()), line)
    assert len(ctx.replies) == 1, [m.plain() for m in ctx.replies]
    # French puts a narrow or no-break space before ":" and "?"; the corpus writes a space.
    return ctx.replies[0].plain().replace("\xa0", " ").replace("\u202f", " "), ctx


def readings_of(case: Case) -> list[str]:
    return [r.strip() for r in case["expect"].removeprefix("refuse").split("|") if r.strip()]


async def check_refusal(router: Router, db: Database, case: Case, text: str, head: str,
                        stored: object) -> None:
    """Nothing stored; the message; each reading offered as the same command, and working."""
    assert stored in (None, [], ""), stored
    first = text.split("\n", 1)[0]
    assert case["restated"] in first, text
    if case["expect"].startswith("refuse"):
        offered = [line.strip("`") for line in text.split("\n")[2:]]
        assert offered == [f"!{head} {r}" for r in readings_of(case)], text
        for command in offered:
            again, _ctx = await ask(router, db, case, command.removeprefix("!"))
            assert "Did you mean" not in again and "could be" not in again, (command, again)
    else:
        assert case["expect"] == "error", case["expect"]


# ---- due dates ------------------------------------------------------------------------------


@shared
@pytest.mark.parametrize("case", params("due"))
async def test_due(router: Router, corpus_db: Database, case: Case) -> None:
    db = corpus_db
    text, _ctx = await ask(router, db, case, f"action Test due {case.input}")
    action = await get_action(db, room_of(case), 1)
    row = action.due if action else None
    expect = case["expect"]
    if expect.startswith("past "):
        # Refused with the nearest sensible date, as a working command.
        assert row is None
        assert case["restated"] in text.split("\n", 1)[0], text
        suggestion = expect.removeprefix("past ")
        assert text.endswith(f"`!action Test due {suggestion}`"), text
        return
    if expect.startswith(("refuse", "error")):
        await check_refusal(router, db, case, text, "action Test due", row)
        return
    assert row is not None, text
    day, clock, *zone = expect.split()
    wall = datetime.fromisoformat(f"{day} {clock}")
    assert row.astimezone(zone_info(zone[0] if zone else ZONE)).replace(tzinfo=None) == wall
    assert f"— {_due_word(case.lang)} {case['restated']}." in text, text


def _due_word(lang: str) -> str:
    """How the confirmation introduces the due date (see `Action {ref} … — due {when}.`)."""
    return {"en": "due", "es": "vence", "fr": "échéance :", "pt": "prazo:",
            "ar": "موعدها"}[lang]


# ---- absences ---------------------------------------------------------------------------------


@shared
@pytest.mark.parametrize("case", params("away"))
async def test_away(router: Router, corpus_db: Database, case: Case) -> None:
    db = corpus_db
    text, _ctx = await ask(router, db, case, f"away {case.input}")
    periods = await current_and_future(db, member(case), NOW)
    expect = case["expect"]
    if expect.startswith(("refuse", "error")):
        await check_refusal(router, db, case, text, "away", periods)
        return
    assert len(periods) == 1, text
    # "2026-12-04..2026-12-04 Africa/Lagos": whole days in another zone than the member's.
    span, _space, zone = expect.partition(" ") if ":" not in expect else (expect, "", "")
    first, last = span.split("..")
    tz = zone_info(zone or ZONE)
    start = periods[0].start.astimezone(tz).replace(tzinfo=None)
    end = periods[0].end.astimezone(tz).replace(tzinfo=None)
    if " " in first:  # times given: the exact span
        assert (start, end) == (datetime.fromisoformat(first), datetime.fromisoformat(last))
    else:  # whole days: from the first day's 00:00 (or a day ago) to the end of the last
        assert end == datetime.fromisoformat(last) + timedelta(days=1), (start, end)
        assert start == max(datetime.fromisoformat(first),
                            (NOW - timedelta(days=1)).astimezone(tz).replace(tzinfo=None))
    assert (periods[0].reason or "") == case["reason"]
    assert case["restated"] in text, text


# ---- working hours --------------------------------------------------------------------------


@shared
@pytest.mark.parametrize("case", params("hours"))
async def test_hours(router: Router, corpus_db: Database, case: Case) -> None:
    db = corpus_db
    text, _ctx = await ask(router, db, case, f"hours set {case.input}")
    stored = (await get_member(db, member(case))).hours
    if case["expect"].startswith(("refuse", "error")):
        await check_refusal(router, db, case, text, "hours set", stored)
        return
    assert stored == case["expect"], text
    assert case["restated"] in text, text


# ---- meeting times ----------------------------------------------------------------------------


@shared
@pytest.mark.parametrize("case", params("when"))
async def test_when(router: Router, corpus_db: Database, case: Case) -> None:
    db = corpus_db
    text, _ctx = await ask(router, db, case, f'meeting add "M" {case.input}')
    meeting = await get_meeting(db, room_of(case), 1)
    if case["expect"].startswith(("refuse", "error")):
        await check_refusal(router, db, case, text, 'meeting add "M"', meeting)
        return
    assert meeting is not None, text
    series = meeting.series
    assert f"{series.start_local:%Y-%m-%d %H:%M} {series.zone}" == case["expect"], text
    assert case["restated"] in text, text


# ---- lengths and zones ----------------------------------------------------------------------


@pytest.mark.parametrize("case", params("durations"))
def test_durations(case: Case) -> None:
    with use_language(case.lang):
        if case["minutes"] == "error":
            with pytest.raises(WhenError):
                parse_duration(case.input)
        else:
            assert parse_duration(case.input) == timedelta(minutes=int(case["minutes"]))


@shared
@pytest.mark.parametrize("case", params("zones"))
async def test_zones(router: Router, corpus_db: Database, case: Case) -> None:
    db = corpus_db
    text, _ctx = await ask(router, db, case, f"tz set {case.input}")
    stored = (await get_member(db, member(case))).zone
    if case["expect"].startswith(("refuse", "error")):
        assert stored == ZONE  # unchanged
        first = text.split("\n", 1)[0]
        assert case["note"] in first, text
        if case["expect"].startswith("refuse"):
            offered = [line.strip("`") for line in text.split("\n")[2:]]
            assert offered == [f"!tz set {r}" for r in readings_of(case)], text
        return
    assert stored == case["expect"], text
    assert case["note"] in text, text
