"""Helpers for fault scenarios on the real Synapse: asking, reading what the bot sent."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

from nio import Event

from bot.client import MingaBot
from bot.clock import OffsetClock
from devtools.member import Member, content, relates_to

PILL = "https://matrix.to/#/"
SAFE_TAGS = {"strong", "em", "code", "br"}




def answers(event: Event, command_id: str) -> bool:
    """A bot event about our command: a reply to it, or a reaction on it."""
    rel = relates_to(event)
    reply = rel.get("m.in_reply_to") or {}
    return reply.get("event_id") == command_id or (
        rel.get("rel_type") == "m.annotation" and rel.get("event_id") == command_id)


async def ask(member: Member, room: str, body: str, bot_id: str, *, timeout: float = 20
              ) -> tuple[str, Event]:
    """Send a command; (its event id, the bot's first answer: a notice or a reaction)."""
    sent = await member.send(room, body)
    answer = await member.wait_for(
        room, lambda e: e.sender == bot_id and answers(e, sent), timeout=timeout)
    return sent, answer


def bot_events(member: Member, room: str, bot_id: str) -> list[Event]:
    return [e for rid, e in member.events if rid == room and e.sender == bot_id]


def text_of(event: Event) -> str:
    """Everything a client could show of an event, as one string (bodies, HTML, polls)."""
    return json.dumps(content(event), ensure_ascii=False)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SAFE_TAGS and not attrs:
            return
        href = dict(attrs).get("href") or ""
        if tag == "a" and len(attrs) == 1 and href.startswith(PILL):
            return
        self.bad.append(self.get_starttag_text() or tag)


def html_problems(event: Event) -> list[str]:
    """Raw markup in an event's formatted bodies (its own and an edit's new content)."""
    found = []
    c = content(event)
    for html in (c.get("formatted_body"), (c.get("m.new_content") or {}).get("formatted_body")):
        if not isinstance(html, str):
            continue
        lowered = html.lower()
        for raw in ("<img", "<script"):
            if raw in lowered:
                found.append(f"raw {raw!r}")
        parser = _Tags()
        parser.feed(html)
        parser.close()
        found += [f"tag {tag[:80]!r}" for tag in parser.bad]
    return found


def mentions(event: Event) -> tuple[set[str], bool]:
    m = content(event).get("m.mentions")
    if not isinstance(m, dict):
        return set(), False
    return set(m.get("user_ids") or []), bool(m.get("room"))


async def fire_jobs(bot: MingaBot, clock: OffsetClock, prefix: str) -> int:
    """Run the scheduler's jobs whose id starts with `prefix` now, moving the bot's clock
    to just after each one's time (so a reminder 15 minutes ahead is sent at once)."""
    assert bot.scheduler is not None
    ran = 0
    jobs = sorted((j for j in bot.scheduler.aps.get_jobs() if j.id.startswith(prefix)),
                  key=lambda j: j.trigger.run_date)
    for job in jobs:
        kind, args = job.args
        ahead = job.trigger.run_date - datetime.now(UTC) + timedelta(seconds=1)
        clock.offset = max(clock.offset, ahead)
        await bot.scheduler.run_job(kind, args)
        ran += 1
    return ran
