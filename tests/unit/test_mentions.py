"""Mentions however they come (m.mentions, pills in formatted_body, ids in the text), from
tests/corpus/mentions.tsv, and a pill sent without m.mentions naming an action's owner."""

from __future__ import annotations

from typing import Any

import pytest

from bot.events import mentioned_users, pills
from commands.router import Router
from storage import Database
from storage.actions import get_action
from tests.fakes import Seed
from tests.unit.test_actions_fixtures import ALICE, BOB, ROOM, SEED, run
from tests.unit.test_checkin_answers import load

BOT = "@minga:localhost"
MENTIONS = load("mentions")


def event_content(case: dict[str, str]) -> dict[str, Any]:
    content: dict[str, Any] = {"msgtype": "m.text", "body": case["input"]}
    if case["formatted"]:
        content |= {"format": "org.matrix.custom.html", "formatted_body": case["formatted"]}
    if case["declared"] != "-":
        content["m.mentions"] = {"user_ids": [u for u in case["declared"].split(",") if u]}
    return content


@pytest.mark.parametrize("case", MENTIONS, ids=[c["case"] for c in MENTIONS])
def test_who_a_message_names(case: dict[str, str]) -> None:
    content = event_content(case)
    expected = [u for u in case["expect"].split(",") if u]
    assert list(mentioned_users(content, content["body"], BOT)) == expected


def test_odd_contents_are_read_safely() -> None:
    not_a_list = {"body": "!actions", "m.mentions": {"user_ids": "@amina:localhost"}}
    assert mentioned_users(not_a_list, "!actions", BOT) == ()
    html_without_format = {"body": "!action x", "formatted_body":
                           '<a href="https://matrix.to/#/@amina:localhost">Amina</a>'}
    assert mentioned_users(html_without_format, "!action x", BOT) == ()


def test_pill_text_is_kept_for_reading_the_body() -> None:
    content = {"body": "!action Chidi (Lagos) Send", "format": "org.matrix.custom.html",
               "formatted_body": '!action <a href="https://matrix.to/#/@chidi:localhost">'
                                 "Chidi  (Lagos)</a> Send"}
    assert pills(content) == {"@chidi:localhost": "Chidi (Lagos)"}


@pytest.fixture
def db_seed() -> Seed:
    return SEED


async def test_a_pill_without_m_mentions_gives_the_action_to_the_named_member(
        router: Router, db: Database) -> None:
    # The pill's text is an older display name: the body still reads "Bobby (Lagos)".
    content = {"body": "!action Bobby (Lagos) Send the report due fri",
               "format": "org.matrix.custom.html",
               "formatted_body": f'!action <a href="https://matrix.to/#/{BOB}">Bobby (Lagos)'
                                 "</a> Send the report due fri"}
    ctx = await run(router, db, "action Bobby (Lagos) Send the report due fri",
                    mentioned=mentioned_users(content, content["body"], BOT),
                    pills=pills(content))
    assert ctx.replies[0].plain().startswith("Action #1 for Bob: Send the report — due")
    action = await get_action(db, ROOM, 1)
    assert action is not None and action.owners == (BOB,) and action.created_by == ALICE
    assert action.text == "Send the report"


async def test_replies_name_members_never_by_raw_id(router: Router, db: Database) -> None:
    """"picked by @amina:localhost" became "picked by Alice"; "Neither @x nor …" is covered
    by the rota tests, the ambiguous @name by the due-date tests."""
    await run(router, db, 'meeting suggest 60m within 5 days "Budget"')
    ctx = await run(router, db, "meeting pick 1")
    text = "\n".join(m.plain() for m in ctx.replies)
    assert "(picked by Alice): option 1 wins" in text and "@alice" not in text
