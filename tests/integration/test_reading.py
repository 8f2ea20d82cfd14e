"""Reading what members type, on a real Synapse in an encrypted room: Arabic command names
(typed as Element sends them, with and without a direction mark), a span of days and split
working hours typed in Arabic and restated in Arabic, and "Did you mean" in the reader's
language only."""

from __future__ import annotations

import pytest

from bot.render import RLM
from devtools.harness import Network
from domain.i18n import gettext_in
from tests.integration.helpers import alice_and_bob
from tests.integration.helpers import ask_encrypted as ask

pytestmark = pytest.mark.integration


async def test_arabic_command_names_are_answered(network: Network) -> None:
    pair = await alice_and_bob(network)
    alice, bob, room = pair.alice, pair.bob, pair.room

    # "!لغة ar" was ignored before: a command had to start with a Latin letter.
    chosen = await ask(alice, room, "!لغة ar")
    assert chosen.body.startswith(RLM), chosen.body  # answered, and already in Arabic
    helped = await ask(alice, room, "!مساعدة")
    assert gettext_in("ar", "Minga commands") in helped.body
    # A right-to-left mark before the prefix, as some keyboards put it, changes nothing.
    marked = await ask(alice, room, "\u200f!مساعدة")
    assert marked.body == helped.body

    hours = await ask(alice, room, "!ساعات set 09:00-12:00 14:00-18:00 الأحد-الخميس")
    assert "09:00–12:00, 14:00–18:00" in hours.body, hours.body
    assert "الأحد–الخميس" in hours.body, hours.body
    shown = await ask(alice, room, "!ساعات")
    assert "09:00–12:00, 14:00–18:00 الأحد–الخميس" in shown.body, shown.body

    away = await ask(alice, room, "!غائب من ١٤ إلى ١٥ ديسمبر إجازة")
    assert "14 ديسمبر – " in away.body and "15 ديسمبر" in away.body, away.body
    assert away.body.rstrip(".").endswith("إجازة"), away.body

    # Bob reads English: an unknown command is never answered with another language's name.
    # ("!holidays", the example, is a command now; "!olvida" is one letter from
    # the Spanish alias of !forget.)
    unknown = await ask(bob, room, "!olvida")
    assert "I don't know the command !olvida." in unknown.body
    assert "!olvidar" not in unknown.body and "!oublier" not in unknown.body
