"""Scenario 13: the database's disk fills up while members write and read, then space returns.

A full disk is made honestly: `PRAGMA max_page_count` on the running bot's own connection
(the one every write goes through) caps the database at the pages it has, so SQLite answers
SQLITE_FULL ("database or disk is full") exactly as on a full file system. Raising it again
is space returning; the bot is never restarted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections import Counter

import pytest

from commands.middleware import DISK_FULL
from devtools.harness import Network
from devtools.member import Member, is_reply_to
from domain.i18n import _, use_language
from tests.faults.conftest import Report

pytestmark = pytest.mark.faults

NO_LIMIT = 1_073_741_823  # SQLite's default max_page_count
APOLOGY = "error id"


def disk_full_text(lang: str) -> str:
    with use_language(lang):
        return _(DISK_FULL)


async def answer(member: Member, room: str, text: str, timeout: float = 30
                 ) -> tuple[str, str]:
    """Send a command, wait for its reply: (command event id, reply body; "" if none)."""
    event_id = await member.send(room, text)
    try:
        reply = await member.reply_to(room, event_id, timeout=timeout)
    except TimeoutError:
        return event_id, ""
    return event_id, str(getattr(reply, "body", ""))


async def test_disk_full(network: Network, report: Report,
                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    started = time.monotonic()
    config = network.bot_config()
    bot = await network.start_bot(config)
    assert bot.db is not None and bot.outbox is not None and bot.handler is not None
    alice = await network.member("alice")
    beto = await network.member("beto")
    room = await network.room(alice, [beto], config.matrix.user_id)
    await answer(beto, room, "!lang es")

    # Acknowledged before the disk fills: each of these must survive.
    before: dict[str, str] = {}  # marker -> the reply that acknowledged it
    for i in range(3):
        _e, body = await answer(alice, room, f'!meeting add "Before {i}" next mon 1{i}:00')
        before[f"Before {i}"] = body
        _e, body = await answer(alice, room, f"!action Before item {i}")
        before[f"Before item {i}"] = body
    assert not any(disk_full_text("en") in b or APOLOGY in b for b in before.values())

    # The disk is full: no page beyond the ones the file has now.
    async with bot.db.conn.execute("PRAGMA max_page_count = 1") as cur:
        row = await cur.fetchone()
    pages = int(row[0]) if row else 0
    writes: dict[str, tuple[str, str, str]] = {}  # event id -> (marker, reply, language)
    reads: dict[str, tuple[str, str]] = {}  # event id -> (command, reply)
    # (member, language, command, marker: what a saved write leaves in the database)
    plan = [
        (alice, "en", '!meeting add "Full {i}" next tue 09:00', "Full {i}"),
        (alice, "en", "!meetings", None),
        (beto, "es", "!action Full item {i}", "Full item {i}"),
        (alice, "en", "!meeting agenda m1 add Full agenda {i}", "Full agenda {i}"),
        (beto, "es", "!help", None),
        (alice, "en", "!actions", None),
    ]
    unanswered = 0
    for i in range(4):
        for member, lang, template, marker in plan:
            if unanswered >= 3:  # the bot has gone quiet: say so rather than wait on
                break
            event_id, body = await answer(member, room, template.format(i=i), timeout=10)
            unanswered += not body
            if marker is not None:
                writes[event_id] = (marker.format(i=i), body, lang)
            else:
                reads[event_id] = (template, body)
    full_refusals = sum(1 for _m, body, lang in writes.values()
                        if body == disk_full_text(lang))
    saved_while_full = [m for m, body, lang in writes.values()
                        if body and body != disk_full_text(lang) and APOLOGY not in body]
    reads_ok = sum(1 for text, body in reads.values()
                   if body and APOLOGY not in body and disk_full_text("en") not in body
                   and disk_full_text("es") not in body)
    held = bot.outbox.held_total
    deferred_while_full = bot.outbox.deferred.deferred_total

    # Space returns; the bot is not restarted.
    await bot.db.conn.execute(f"PRAGMA max_page_count = {NO_LIMIT}")
    returned = time.monotonic()
    after_id, after_body = await answer(alice, room, '!meeting add "After" next wed 08:00',
                                        timeout=10)
    first_write_s = time.monotonic() - returned
    _e, after_action = await answer(beto, room, "!action After item", timeout=10)
    recovered = all(body and disk_full_text(lang) not in body and APOLOGY not in body
                    for body, lang in ((after_body, "en"), (after_action, "es")))
    # One more exchange so the sync loop comes round and writes what waited in memory.
    await answer(alice, room, "!meetings", timeout=10)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(bot.outbox.wait_idle(), 10)
    waiting = len(bot.outbox.deferred)
    sent_ids = list(writes) + list(reads) + [after_id]
    replies = Counter(e for n in alice.notices(room) for e in sent_ids if is_reply_to(n, e))
    answered_once = sum(1 for e in sent_ids if replies[e] == 1)
    deaths = bot.supervisor.death_count
    failed = bot.failed.is_set()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR
              and r.name.split(".")[0] in ("bot", "commands", "storage")]
    await network.stop_bot(bot)

    with contextlib.closing(sqlite3.connect(config.storage.database)) as db:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        stored = {r[0] for r in db.execute("SELECT title FROM meetings")}
        stored |= {r[0] for r in db.execute("SELECT text FROM actions")}
        stored |= {r[0] for r in db.execute("SELECT text FROM agenda_items")}
        handled = {r[0] for r in db.execute("SELECT event_id FROM handled_events")}
    lost_before = [m for m in before if m not in stored]
    lost_while_full = [m for m in saved_while_full if m not in stored]
    refused_but_stored = [m for m, body, lang in writes.values()
                          if body == disk_full_text(lang) and m in stored]
    unmarked = [e for e in sent_ids if e not in handled]
    crashes = deaths + len(errors) + int(failed)

    passed = (not lost_before and not lost_while_full and not refused_but_stored
              and full_refusals >= len(writes) // 2 and reads_ok == len(reads)
              and answered_once == len(sent_ids) and crashes == 0 and recovered
              and waiting == 0 and not unmarked and integrity == "ok")
    report.add(
        "13. Disk full",
        "SQLITE_FULL (max_page_count): each write answered once, refused with the disk-full "
        "reply in the member's language or saved; reads answered; 0 acknowledged writes "
        "lost; 0 crashes; writes work again without a restart",
        f"{full_refusals} of {len(writes)} writes refused with the disk-full reply (en, es), "
        f"{len(refused_but_stored)} of those stored; {len(saved_while_full)} saved while it "
        f"filled ({pages} pages); {reads_ok}/{len(reads)} reads answered; "
        f"{len(lost_before) + len(lost_while_full)} lost of "
        f"{len(before) + len(saved_while_full)} acknowledged; "
        f"{answered_once}/{len(sent_ids)} commands answered exactly once; {held} replies "
        f"sent from memory; {deferred_while_full} bookkeeping writes kept in memory, "
        f"{waiting} still waiting and {len(unmarked)} events unmarked after space returned; "
        f"{crashes} crashes (task deaths, errors); first write after space returned "
        f"answered in {first_write_s:.2f} s, no restart; integrity_check={integrity}; "
        f"{time.monotonic() - started:.0f} s",
        passed, "test_disk_full")
    assert passed, (lost_before, lost_while_full, refused_but_stored, full_refusals, reads,
                    replies, errors, deaths, after_body, after_action, waiting, unmarked)
