"""A big room's lists stay short: ten names and a count, listings in parts a reader can take."""

from __future__ import annotations

from commands.meetings.people import MAX_NAMED, named
from commands.reply import Msg, assemble
from domain.i18n import use_language
from tests.fakes import FakeRoom

CROWD = [f"@member{n:03d}:example.org" for n in range(25)]


def test_named_shows_ten_and_counts_the_rest_without_notifying() -> None:
    room = FakeRoom("!big:example.org", dict.fromkeys(CROWD, 0))
    msg = named(room, Msg(), CROWD)
    assert sum(kind == "mention" for kind, _value, _target in msg.parts) == MAX_NAMED
    assert msg.plain().endswith(" and 15 others")
    assert msg.mentions == []
    with use_language("es"):
        assert named(room, Msg(), CROWD).plain().endswith(" y 15 personas más")
    assert "others" not in named(room, Msg(), CROWD[:MAX_NAMED]).plain()


def test_a_listing_splits_by_what_a_reader_scrolls_not_only_by_bytes() -> None:
    blocks = [Msg().text(f"m{n} · " + "x" * 290).line() for n in range(50)]
    small = assemble(blocks)  # the size limit alone: one message
    parts = assemble(blocks, chars=8_000)
    assert len(small) == 1 and len(parts) == 2
    assert parts[1].plain().startswith("(continued, part 2 of 2)")
    assert sum(p.plain().count("m") for p in parts) == 50  # whole blocks, none lost
    # Arabic: six bytes a letter once escaped, so the size limit binds before the length.
    arabic = [Msg().text("ت" * 290).line() for _n in range(50)]
    assert len(assemble(arabic, chars=8_000)) > 2
