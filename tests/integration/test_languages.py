"""Languages on a real Synapse, in an encrypted room: one round trip per language, dates typed
in that language, and a room-wide Arabic digest laid out right to left."""

from __future__ import annotations

import pytest
from nio import RoomMessageNotice

from bot.render import RLM
from devtools.harness import Network
from devtools.member import content, relates_to
from domain.i18n import gettext_in, use_language
from domain.timefmt import weekday_name
from tests.integration.helpers import alice_and_bob, digest_this_minute
from tests.integration.helpers import ask_encrypted as ask

pytestmark = pytest.mark.integration

# (language, what a member of that language types for "Thursday at 14:00").
THURSDAY_AT_TWO = [
    ("es", "jueves 14:00"),
    ("fr", "jeudi 14h"),
    ("pt", "quinta-feira 14h"),
    ("ar", "الخميس ١٤:٠٠"),
]


async def test_each_language_round_trip_with_dates_typed_in_it(network: Network) -> None:
    pair = await alice_and_bob(network)
    alice, bob, room = pair.alice, pair.bob, pair.room
    english_help = (await ask(alice, room, "!help")).body

    for number, (lang, when) in enumerate(THURSDAY_AT_TWO, 1):
        chosen = await ask(alice, room, f"!lang {lang}")
        assert chosen.body != "", lang
        helped = await ask(alice, room, "!help")
        assert helped.body != english_help
        assert gettext_in(lang, "Minga commands") in helped.body

        added = await ask(alice, room, f'!meeting add "Call {lang}" {when}')
        # Alice lives in Nairobi: the meeting is next Thursday at 14:00 there, and the reply
        # spells the day in her language.
        shown = await ask(alice, room, f"!meeting show m{number}")
        assert "14:00" in shown.body, (lang, shown.body)
        with use_language(lang):
            thursday = weekday_name(3).strip(".,،")
        assert thursday.lower() in (added.body + shown.body).lower(), (lang, added.body)
        formatted = content(added)["formatted_body"]
        if lang == "ar":
            assert formatted.startswith('<div dir="rtl">') and added.body.startswith(RLM)
        else:
            assert "dir=" not in formatted

    # Bob chose nothing: he still reads English, in the same room, at the same time.
    assert (await ask(bob, room, "!help")).body == english_help


async def test_room_wide_digest_in_arabic_right_to_left(network: Network) -> None:
    pair = await alice_and_bob(network)
    alice, bob, room = pair.alice, pair.bob, pair.room
    await ask(alice, room, "!lang room ar")  # alice created the room: she is a moderator
    await ask(bob, room, "!lang es")  # Bob's own replies stay Spanish
    await ask(alice, room, "!action Prepare the budget due next week")

    bobs = await ask(bob, room, "!digest now")
    assert not bobs.body.startswith(RLM) and "dir=" not in content(bobs)["formatted_body"]
    assert "#1 Prepare the budget" in bobs.body

    await digest_this_minute(alice, room)

    def scheduled() -> list[RoomMessageNotice]:
        return [n for n in alice.notices(room) if "#1 Prepare the budget" in n.body
                and "m.in_reply_to" not in relates_to(n)]

    await alice.wait_until(lambda: bool(scheduled()), 30)
    digest = scheduled()[0]
    assert digest.decrypted
    assert digest.body.startswith(RLM)
    formatted = content(digest)["formatted_body"]
    assert formatted.startswith('<div dir="rtl">') and formatted.endswith("</div>")
    # Arabic words, not English ones, around the item.
    assert any("\u0600" <= ch <= "\u06ff" for ch in digest.body)
    assert "Weekly digest" not in digest.body
