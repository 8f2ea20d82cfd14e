"""When a member's client withholds a room key from Minga, say why at once, once.

Element with "Never send encrypted messages to unverified sessions" (or a session the
member blocked) sends Minga `m.room_key.withheld` instead of the key: that message can
never be read. nio ignores the event (it arrives as an `UnknownToDeviceEvent`), so
without this the member would wait a minute for the generic "couldn't decrypt" notice
that suggests sending again, which cannot help. Instead Minga says, in the member's
language, which setting did it and what to change. Once per sender per session (one
run of the bot): the setting is the member's, not the message's.
"""

from __future__ import annotations

import logging
from typing import Any

from nio import AsyncClient, MegolmEvent

from bot.clock import Clock
from bot.outbox import OutboxWorker, enqueue
from bot.render import message_content
from commands.common import member_lang
from commands.context import Settings
from commands.reply import Msg
from domain.i18n import N_, _, use_language
from storage.db import Database
from storage.decryption import mark_notified

log = logging.getLogger(__name__)

WITHHELD = "m.room_key.withheld"

NOTICES = {
    "m.unverified": N_(
        "your app sends encrypted messages only to sessions you have verified, so it kept "
        "the key to your message from me and I can't read it. To talk with me, verify me "
        "once: open my profile, choose “Verify” and compare the emoji (I confirm when you "
        "do), then send your message again. Or turn off “Never send encrypted messages to "
        "unverified sessions” (Settings → Security & Privacy, or this room's settings)."
    ),
    "m.blacklisted": N_(
        "your app has blocked my session, so it kept the key to your message from me and I "
        "can't read it. To talk with me, unblock my session in my profile (Sessions), then "
        "send your message again."
    ),
}


class WithheldKeys:
    def __init__(self, client: AsyncClient, db: Database, outbox: OutboxWorker, clock: Clock,
                 settings: Settings) -> None:
        self.client = client
        self.db = db
        self.outbox = outbox
        self.clock = clock
        self.settings = settings
        self.told: set[str] = set()
        # (room, megolm session) -> the code its sender's client gave for withholding it.
        self.sessions: dict[tuple[str, str], str] = {}

    async def on_withheld(self, sender: str, content: dict[str, Any],
                          waiting: list[MegolmEvent]) -> None:
        """`waiting`: the events we hold that we could not decrypt yet."""
        code, room_id, session_id = (content.get("code"), content.get("room_id"),
                                     content.get("session_id"))
        if not (isinstance(code, str) and isinstance(room_id, str)
                and isinstance(session_id, str)) or sender == self.client.user_id:
            return
        log.info("a member's client withheld a room key from us in %s (%s)", room_id, code)
        if code not in NOTICES:
            return  # m.no_olm and key-request answers (m.unavailable…) need no words
        self.sessions[(room_id, session_id)] = code
        mine = [e for e in waiting if e.room_id == room_id and e.session_id == session_id
                and e.sender == sender]
        if mine:  # else the message itself comes next: on_undecryptable answers it
            await self._tell(sender, room_id, code, mine)

    async def on_undecryptable(self, room_id: str, event: MegolmEvent) -> None:
        """An event whose key was already withheld: no generic notice will follow it."""
        code = self.sessions.get((room_id, event.session_id))
        if code is not None:
            await self._tell(event.sender, room_id, code, [event])

    async def _tell(self, sender: str, room_id: str, code: str,
                    events: list[MegolmEvent]) -> None:
        """Mark `events` as explained; the first time for this sender, answer the first."""
        room = self.client.rooms.get(room_id)
        name = room.user_name(sender) if room else None
        with use_language(await member_lang(self.db, sender, room_id, self.settings)):
            msg = Msg().mention(sender, name or sender).text(": " + _(NOTICES[code]))
        first = sender not in self.told
        self.told.add(sender)
        async with self.db.transaction() as conn:
            for event in events:
                await mark_notified(conn, event.event_id)
            if first:
                await enqueue(conn, logical_key=f"withheld:{events[0].event_id}",
                              room_id=room_id,
                              content=message_content(msg, in_reply_to=events[0].event_id),
                              now_iso=self.clock.now().isoformat(), priority=0)
        if first:
            self.outbox.kick()
