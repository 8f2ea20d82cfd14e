"""What Minga does with one sync batch: invites, leaves, commands, undecryptable events."""

from __future__ import annotations

import fnmatch
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite
from nio import (
    AsyncClient,
    Event,
    InviteMemberEvent,
    JoinedMembersResponse,
    JoinResponse,
    MegolmEvent,
    ReactionEvent,
    RoomCreateEvent,
    RoomMemberEvent,
    RoomMessageText,
    RoomMessageUnknown,
    SyncResponse,
    UnknownEvent,
)
from nio.exceptions import EncryptionError, LocalProtocolError

from bot.clock import Clock
from bot.config import Config
from bot.events import (
    bot_names,
    mentioned_users,
    parse_command,
    pills,
    strip_reply_fallback,
    thread_root,
)
from bot.flood import MemberRate, Verdict
from bot.outbox import ANSWER, OutboxWorker, queue, render_held
from bot.render import POLL_RESPONSES, poll_answer
from bot.rooms import NioRoomView
from bot.transport import TRANSPORT_ERRORS, Kind, classify_response, unreachable
from bot.verification import Verifications, is_verification
from bot.withheld import WITHHELD, WithheldKeys
from commands.common import member_lang
from commands.context import ChangeKind, Context, Settings
from commands.middleware import disk_full_reply
from commands.reply import Msg
from commands.router import Interaction, Router
from domain.i18n import N_, _, colon, use_language
from domain.people import shown_name
from storage.db import Database, is_disk_full
from storage.decryption import (
    add_pending,
    all_pending,
    drop_pending,
    drop_pending_before,
    drop_pending_in_room,
    mark_notified,
    unnotified_before,
)
from storage.direct import is_direct_room
from storage.outbox import fail_unsent_in_room, logical_key_of
from storage.polls import poll_for_event, record_vote
from storage.state import (
    SYNC_TOKEN,
    forget_room,
    is_handled,
    mark_handled,
    mark_handled_many,
    record_room,
    room_joined_ts,
    set_value,
)

log = logging.getLogger(__name__)

ENCRYPTION_ONLY = N_(
    "I work only in end-to-end encrypted rooms, to keep this network's plans private. "
    "Enable encryption in the room settings (it cannot be turned off again), then ask again."
)
UNDECRYPTABLE = N_(
    "I couldn't decrypt your message — the key to read it never reached me. Please send it "
    "again; if this keeps happening, sign out of old sessions or verify yours, then try once "
    "more."
)
SLOW_DOWN = N_(
    "You're sending commands faster than I can answer them well, so I skipped some. "
    "Give me a minute, then send again the ones you still need."
)
PENDING_KEEP_SECONDS = 24 * 3600


class _Discard(Exception):
    """Raised inside a transaction to undo it whatever it did."""


@dataclass(frozen=True)
class _Event:
    """An event that asks something of the bot: where it came from and how to answer."""

    room_id: str
    sender: str
    event_id: str
    content: dict[str, Any]
    body: str
    reply_to: str | None
    quiet_in_clear: bool


async def _unless_disk_full(work: Awaitable[None], what: str) -> None:
    """Bookkeeping the disk refused must not stop the sync loop: logged, and skipped."""
    try:
        await work
    except Exception as exc:
        if not is_disk_full(exc):
            raise
        log.warning("%s could not be recorded: the database's disk is full", what)


class SyncHandler:
    def __init__(self, config: Config, client: AsyncClient, db: Database, router: Router,
                 outbox: OutboxWorker, clock: Clock) -> None:
        self.config = config
        self.client = client
        self.db = db
        self.router = router
        self.outbox = outbox
        self.clock = clock
        self.user_id = config.matrix.user_id
        self.names = bot_names(self.user_id, config.matrix.device_name)
        self.settings = Settings(config.bot.command_prefix, config.bot.default_timezone,
                                 config.bot.admins, config.bot.retention_days,
                                 config.bot.language, config.bot.charts)
        self.creators: dict[str, set[str]] = {}
        self.joined: dict[str, int] = {}  # room id -> when we joined (ms), as in `rooms`
        self.pending: dict[str, tuple[MegolmEvent, float]] = {}
        self._pending_loaded = False
        self.commands_handled = 0
        # Per-member rate; the client consults it before decrypting (bot/flood.py).
        self.rate = MemberRate(burst=config.bot.member_burst,
                               per_second=config.bot.member_per_minute / 60)
        # Events of the current batch skipped over the rate: (event id, room id).
        self.skipped: list[tuple[str, str]] = []
        # The disk is full: the bot's bookkeeping waits in memory (shared with the outbox).
        self.deferred = outbox.deferred
        self.unsaved_since: str | None = None  # the sync token, when it could not be saved
        self._joined_unsaved: dict[str, int] = {}
        self.refused_disk_full = 0  # events answered with "the disk is full"
        self.answered_disk_full = 0  # events answered as usual (reads) while it was full
        self.withheld = WithheldKeys(client, db, outbox, clock, self.settings)
        # Set by the bot once its cross-signing identity is up (verification needs it).
        self.verification: Verifications | None = None
        self.joins_to_retry: set[str] = set()
        # Set by the bot: re-plans schedules after a command changed something.
        self.after_commit: Callable[[set[tuple[ChangeKind, int]]], Awaitable[None]] | None = None

    async def room_view(self, room_id: str) -> NioRoomView | None:
        """The room as nio knows it, with the full member list loaded once."""
        room = self.client.rooms.get(room_id)
        if room is None:
            return None
        if not room.members_synced:
            resp = await self.client.joined_members(room_id)
            if not isinstance(resp, JoinedMembersResponse):
                log.warning("could not load members of %s: %s", room_id,
                            getattr(resp, "status_code", type(resp).__name__))
        return NioRoomView(room, self.user_id, self.creators.get(room_id, set()))

    # ---- one batch ----------------------------------------------------------
    async def handle(self, resp: SyncResponse, *, history: bool) -> None:
        """Act on a batch, then save its token. `history` = very first start: act on nothing.

        Rooms take turns, one event each, quietest room first: a room flooded with
        commands does not keep another room's one command waiting behind its backlog."""
        if len(self.deferred):
            await self.deferred.flush()
        if not self._pending_loaded:
            await self._load_pending()
        self.skipped = []
        await self._retry_joins()
        await self._invites(resp)
        await _unless_disk_full(self._leaves(resp), "a room's departure")
        turns: list[tuple[str, int, deque[Event]]] = []
        for room_id, info in resp.rooms.join.items():
            self._note_creators(room_id, [*info.state, *info.timeline.events])
            joined_ts = await self._joined_ts(room_id, info.timeline.events, history)
            if not history and info.timeline.events:
                turns.append((room_id, joined_ts, deque(info.timeline.events)))
        turns.sort(key=lambda turn: len(turn[2]))
        while turns:
            for turn in list(turns):
                room_id, joined_ts, events = turn
                await _unless_disk_full(self._event(room_id, events.popleft(), joined_ts),
                                        "an event")
                if not events:
                    turns.remove(turn)
        await _unless_disk_full(self._to_device(resp), "a to-device event")
        await _unless_disk_full(self._retry_pending(), "a decrypted event")
        token = resp.next_batch
        skipped, now_iso = self.skipped, self.clock.now().isoformat()

        async def save_token(conn: aiosqlite.Connection) -> None:
            # Events skipped over the rate are recorded with the token, in one write: a batch
            # fetched again (after a failed attempt) skips them again, never answers them late.
            if skipped:
                await mark_handled_many(conn, skipped, now_iso)
            await set_value(conn, SYNC_TOKEN, token)

        # On a full disk the token waits in memory, and the next sync starts from it.
        saved = await self.deferred.write(SYNC_TOKEN, save_token)
        self.unsaved_since = None if saved else token
        if skipped:
            log.debug("skipped %d messages over the per-member rate", len(skipped))

    async def _event(self, room_id: str, event: Event, joined_ts: int) -> None:
        if isinstance(event, RoomMessageText):
            await self.on_message(room_id, event, joined_ts)
        elif isinstance(event, MegolmEvent):
            if self.rate.verdict(event.event_id) is Verdict.SKIP:
                self._skip(room_id, event.event_id, joined_ts, event.server_timestamp)
            else:
                await self._undecryptable(room_id, event, joined_ts)
        elif isinstance(event, ReactionEvent):
            await self.on_reaction(room_id, event, joined_ts)
        elif isinstance(event, UnknownEvent) and event.type in POLL_RESPONSES:
            await self.on_poll_response(room_id, event, joined_ts)
        elif isinstance(event, UnknownEvent | RoomMessageUnknown):
            await self._verification_event(room_id, event, joined_ts)

    def _skip(self, room_id: str, event_id: str, joined_ts: int, server_ts: int) -> None:
        if server_ts >= joined_ts:
            self.skipped.append((event_id, room_id))

    async def _joined_ts(self, room_id: str, timeline: list[Event], history: bool) -> int:
        """When we joined the room (events before it are never acted on). Asked of the
        database once per room and run: a busy room's every batch needs it."""
        known = self.joined.get(room_id)
        if known is None:
            known = self._joined_unsaved.get(room_id)
        if known is None:
            known = await room_joined_ts(self.db, room_id)
        if known is not None:
            self.joined[room_id] = known
            return known
        now_ms = int(self.clock.now().timestamp() * 1000)
        joined = now_ms
        if not history:
            for event in timeline:
                if (isinstance(event, RoomMemberEvent) and event.state_key == self.user_id
                        and event.membership == "join"):
                    joined = event.server_timestamp
                    break

        async def write(conn: aiosqlite.Connection) -> None:
            await record_room(conn, room_id, joined)

        self.joined[room_id] = joined
        if not await self.deferred.write(f"room:{room_id}", write):
            self._joined_unsaved[room_id] = joined  # events are judged by it meanwhile
        return joined

    def _note_creators(self, room_id: str, events: list[Any]) -> None:
        for event in events:
            if isinstance(event, RoomCreateEvent):
                content = event.source.get("content", {})
                extra = content.get("additional_creators", [])
                self.creators[room_id] = {event.sender, *[c for c in extra if isinstance(c, str)]}

    # ---- membership -----------------------------------------------------------
    async def _invites(self, resp: SyncResponse) -> None:
        for room_id, info in resp.rooms.invite.items():
            inviter = next(
                (ev.sender for ev in info.invite_state
                 if isinstance(ev, InviteMemberEvent) and ev.state_key == self.user_id
                 and ev.membership == "invite"),
                None,
            )
            if inviter and self._may_invite(inviter):
                log.debug("inviter of %s: %s", room_id, inviter)
                await self._join(room_id)
            else:
                try:
                    await self.client.room_leave(room_id)
                except TRANSPORT_ERRORS as err:  # the invite stays pending; nothing is lost
                    log.warning("could not reject the invite to %s (%s)", room_id,
                                type(err).__name__)
                    continue
                log.info("rejected an invite to %s (inviter not in allowed_inviters)", room_id)
                log.debug("rejected inviter of %s: %s", room_id, inviter)

    async def _join(self, room_id: str) -> None:
        """Join an allowed invite; if the homeserver can't take it now, try after the next sync
        (the invite is not sent again, so forgetting it would leave the room without Minga)."""
        try:
            joined = await self.client.join(room_id)
        except TRANSPORT_ERRORS as err:
            verdict = unreachable(err)
        else:
            if isinstance(joined, JoinResponse):
                self.joins_to_retry.discard(room_id)
                log.info("joined %s on an allowed invite", room_id)
                return
            verdict = classify_response(joined)
        if verdict.kind is Kind.REFUSED:  # withdrawn, or forbidden: the server's last word
            self.joins_to_retry.discard(room_id)
            log.warning("could not join %s: %s", room_id, verdict.reason)
            return
        self.joins_to_retry.add(room_id)
        log.warning("could not join %s yet (%s); trying again after the next sync", room_id,
                    verdict.reason)

    async def _retry_joins(self) -> None:
        for room_id in sorted(self.joins_to_retry):
            await self._join(room_id)

    def _may_invite(self, user_id: str) -> bool:
        patterns = (*self.config.bot.allowed_inviters, *self.config.bot.admins)
        return any(fnmatch.fnmatchcase(user_id, pattern) for pattern in patterns)

    async def _leaves(self, resp: SyncResponse) -> None:
        for room_id in resp.rooms.leave:
            async with self.db.transaction() as conn:
                await forget_room(conn, room_id)
                await drop_pending_in_room(conn, room_id)
                await fail_unsent_in_room(conn, room_id, "left room")
            self.joined.pop(room_id, None)
            for event_id in [e for e, (ev, _at) in self.pending.items() if ev.room_id == room_id]:
                del self.pending[event_id]
            self.client.rooms.pop(room_id, None)
            log.info("left %s; its schedules are stopped", room_id)

    # ---- commands -------------------------------------------------------------
    async def on_message(self, room_id: str, event: RoomMessageText, joined_ts: int) -> None:
        if event.sender == self.user_id or event.server_timestamp < joined_ts:
            return
        content = event.source.get("content", {})
        if content.get("msgtype") != "m.text":
            return  # m.notice (bots, including us) and everything else is never acted on
        verdict = self.rate.judge(room_id, event.sender, event.event_id,
                                  event.server_timestamp)
        if verdict is not Verdict.ANSWER:
            await self._over_rate(room_id, event, verdict)
            return
        relates = content.get("m.relates_to") or {}
        if relates.get("rel_type") == "m.replace":
            new = content.get("m.new_content") or {}
            body = new.get("body")
            text = body if isinstance(body, str) else ""
            await self._interaction(room_id, event.sender, event.event_id, content, Interaction(
                "edit", None, event.event_id, relates.get("event_id"), text))
            return
        command = parse_command(event.body, self.settings.prefix, self.names)
        if command is None:
            await self._answer(room_id, event, content, relates)
            return
        if not command.prefixed and self.router.find(command.name) is None:
            return

        async def run(ctx: Context) -> None:
            await self.router.dispatch(ctx, command.name, command.args)

        if await self._in_context(room_id, event.sender, event.event_id, content, event.body,
                                  run, reply_to=event.event_id):
            known = command.name if self.router.find(command.name) else "unknown"
            log.info("answered !%s in %s", known, room_id)

    async def _over_rate(self, room_id: str, event: RoomMessageText, verdict: Verdict) -> None:
        """Over the rate: skipped, except once a minute a command gets the "slow down" notice
        (a message that is no command leaves the notice to the next one)."""
        command = parse_command(event.body, self.settings.prefix, self.names)
        is_command = command is not None and (
            command.prefixed or self.router.find(command.name) is not None)
        if verdict is not Verdict.NOTICE or not is_command:
            if verdict is Verdict.NOTICE:
                self.rate.notice_unused(room_id, event.sender, event.event_id)
            self.skipped.append((event.event_id, room_id))
            return
        now = self.clock.now()
        room = self.client.rooms.get(room_id)
        name = room.user_name(event.sender) if room else None
        async with self.db.transaction() as conn:
            if not await mark_handled(conn, event.event_id, room_id, now.isoformat()):
                return
            with use_language(await member_lang(self.db, event.sender, room_id,
                                                self.settings)):
                msg = (Msg().mention(event.sender, shown_name(event.sender, name))
                       .text(colon() + _(SLOW_DOWN)))
            await queue(conn, msg, room_id=room_id, logical_key=f"slow-down:{event.event_id}",
                        now=now, in_reply_to=event.event_id, priority=ANSWER)
        self.outbox.kick()
        log.info("a member is over the command rate in %s; told them once", room_id)

    async def _answer(self, room_id: str, event: RoomMessageText, content: dict[str, Any],
                      relates: dict[str, Any]) -> None:
        """A plain message: an answer in one of our threads, a reply to us, or a DM."""
        reply = relates.get("m.in_reply_to") or {}
        target = thread_root(content) or reply.get("event_id")
        key = await logical_key_of(self.db, room_id, target) if isinstance(target, str) else None
        if key is not None:
            interaction = Interaction("reply", key, event.event_id, target,
                                      strip_reply_fallback(event.body))
        elif await self._is_direct(room_id):
            interaction = Interaction("direct", None, event.event_id, None, event.body)
        else:
            return
        await self._interaction(room_id, event.sender, event.event_id, content, interaction)

    async def on_reaction(self, room_id: str, event: ReactionEvent, joined_ts: int) -> None:
        if event.sender == self.user_id or event.server_timestamp < joined_ts:
            return
        key = await logical_key_of(self.db, room_id, event.reacts_to)
        if key is None:
            return
        await self._interaction(room_id, event.sender, event.event_id, event.source.get(
            "content", {}), Interaction("reaction", key, event.event_id, event.reacts_to,
                                        event.key))

    async def _interaction(self, room_id: str, sender: str, event_id: str,
                           content: dict[str, Any], interaction: Interaction) -> None:
        if not any(kind == interaction.kind for kind, _, _ in self.router.interactions):
            return

        async def run(ctx: Context) -> None:
            await self.router.interact(ctx, interaction)

        reply_to = interaction.target_event_id if interaction.kind == "reaction" else event_id
        await self._in_context(room_id, sender, event_id, content, interaction.text, run,
                               reply_to=reply_to, quiet_in_clear=True)

    async def _is_direct(self, room_id: str) -> bool:
        """A direct chat is one the bot opened for a member (not any two-person room)."""
        return await is_direct_room(self.db, room_id)

    async def _in_context(self, room_id: str, sender: str, event_id: str,
                          content: dict[str, Any], body: str,
                          work: Callable[[Context], Awaitable[None]], *, reply_to: str | None,
                          quiet_in_clear: bool = False) -> bool:
        """One event, one transaction: mark it handled, do the work, queue the replies."""
        if f"handled:{event_id}" in self.deferred or await is_handled(self.db, event_id):
            return False
        view = await self.room_view(room_id)
        if view is None:
            return False
        event = _Event(room_id, sender, event_id, content, body, reply_to, quiet_in_clear)
        now = self.clock.now()
        try:
            async with self.db.transaction() as conn:
                if not await mark_handled(conn, event_id, room_id, now.isoformat()):
                    return False
                replies, changed = await self._work(view, event, work, now)
                for index, msg in enumerate(replies):
                    await queue(conn, msg, room_id=room_id,
                                logical_key=msg.key or f"reply:{event_id}:{index}", now=now,
                                in_reply_to=reply_to, thread_root=thread_root(content),
                                priority=ANSWER)
        except Exception as exc:
            if not is_disk_full(exc):
                raise
            await self._disk_full(view, event, work, now)
            return True
        self.outbox.kick()
        if changed and self.after_commit:
            await self.after_commit(changed)
        self.commands_handled += 1
        return True

    async def _work(self, view: NioRoomView, event: _Event,
                    work: Callable[[Context], Awaitable[None]], now: datetime
                    ) -> tuple[list[Msg], set[tuple[ChangeKind, int]]]:
        """The replies (and what changed) of one event, inside the caller's transaction."""
        if self.config.bot.require_encryption and not view.encrypted:
            with use_language(await member_lang(self.db, event.sender, event.room_id,
                                                self.settings)):
                return ([] if event.quiet_in_clear else [Msg().text(_(ENCRYPTION_ONLY))]), set()
        ctx = Context(view, event.sender, event.event_id, now, self.db, self.settings,
                      mentioned=mentioned_users(event.content, event.body, self.user_id),
                      pills=pills(event.content))
        await work(ctx)
        return ctx.replies, ctx.changed

    async def _disk_full(self, view: NioRoomView, event: _Event,
                         work: Callable[[Context], Awaitable[None]], now: datetime) -> None:
        """The disk is full (SQLITE_FULL) and the event's transaction was undone.

        The work runs again in a transaction that is always rolled back: if it wrote
        nothing (a read), its replies stand; if it wrote anything, or the disk refused a
        write, nothing is kept and the member is told, once, that the disk is full. The
        answer is queued with the handled mark if the disk takes that much, else both wait
        in memory (deferred bookkeeping, a held answer) and the answer is sent anyway."""
        wrote = True
        replies: list[Msg] = []
        try:
            async with self.db.transaction():
                before = self.db.conn.total_changes
                replies, _changed = await self._work(view, event, work, now)
                wrote = self.db.conn.total_changes != before
                raise _Discard
        except _Discard:
            pass
        except Exception as exc:
            if not is_disk_full(exc):
                raise
        if wrote:
            self.refused_disk_full += 1
            log.warning("refused a write in %s: the database's disk is full",
                        event.room_id)
            with use_language(await member_lang(self.db, event.sender, event.room_id,
                                                self.settings)):
                replies = [disk_full_reply()]
        else:
            self.answered_disk_full += 1
        await self._deliver(event, replies, now)
        self.commands_handled += 1

    async def _deliver(self, event: _Event, replies: list[Msg], now: datetime) -> None:
        """Mark the event handled and queue its replies; on a full disk, in memory."""
        keys = [msg.key or f"reply:{event.event_id}:{index}"
                for index, msg in enumerate(replies)]
        root = thread_root(event.content)
        handled_at = now.isoformat()

        async def mark(conn: aiosqlite.Connection) -> None:
            await mark_handled(conn, event.event_id, event.room_id, handled_at)

        try:
            async with self.db.transaction() as conn:
                await mark(conn)
                for msg, key in zip(replies, keys, strict=True):
                    await queue(conn, msg, room_id=event.room_id, logical_key=key, now=now,
                                in_reply_to=event.reply_to, thread_root=root,
                                priority=ANSWER)
        except Exception as exc:
            if not is_disk_full(exc):
                raise
            self.deferred.defer(f"handled:{event.event_id}", mark)
            for msg, key in zip(replies, keys, strict=True):
                self.outbox.hold(render_held(msg, room_id=event.room_id, logical_key=key,
                                             in_reply_to=event.reply_to, thread_root=root))
        self.outbox.kick()

    async def on_poll_response(self, room_id: str, event: UnknownEvent, joined_ts: int) -> None:
        answer = poll_answer(event.source.get("content", {}))
        if answer is None or event.server_timestamp < joined_ts:
            return
        poll = await poll_for_event(self.db, room_id, answer[0])
        if poll is None or poll.closed or not answer[1].isdigit():
            return
        option = int(answer[1])
        if 1 <= option <= len(poll.options):
            async with self.db.transaction() as conn:
                await record_vote(conn, poll.id, event.sender, option, event.server_timestamp)

    # ---- trust: verification and withheld keys ------------------------------------------
    async def _verification_event(self, room_id: str, event: UnknownEvent | RoomMessageUnknown,
                                  joined_ts: int) -> None:
        event_type = event.source.get("type", "")
        content = event.source.get("content", {})
        if (self.verification is None or event.server_timestamp < joined_ts
                or not isinstance(content, dict)
                or not is_verification(event_type, content.get("msgtype"))):
            return
        await self.verification.on_room_event(room_id, event.sender, event.event_id, event_type,
                                              content, event.server_timestamp)

    async def _to_device(self, resp: SyncResponse) -> None:
        """What nio leaves to us: withheld room keys and verification (both arrive in clear)."""
        for event in resp.to_device_events:
            event_type = event.source.get("type", "")
            content = event.source.get("content", {})
            if not isinstance(content, dict):
                continue
            if event_type == WITHHELD:
                await self.withheld.on_withheld(event.sender, content,
                                                [e for e, _at in self.pending.values()])
            elif self.verification is not None and is_verification(event_type):
                await self.verification.on_to_device(event.sender, event_type, content)

    # ---- events we cannot read yet -----------------------------------------------
    async def _undecryptable(self, room_id: str, event: MegolmEvent, joined_ts: int) -> None:
        if (event.sender == self.user_id or event.server_timestamp < joined_ts
                or event.event_id in self.pending or await is_handled(self.db, event.event_id)):
            return
        received = self.clock.now().timestamp()
        event.room_id = room_id
        self.pending[event.event_id] = (event, received)
        async with self.db.transaction() as conn:
            await add_pending(conn, event.event_id, room_id, event.sender, event.source, received)
        await self.withheld.on_undecryptable(room_id, event)
        log.info("waiting for the room key of %s in %s", event.event_id, room_id)
        try:
            await self.client.request_room_key(event)
        except LocalProtocolError:  # already requested for this session
            pass
        except TRANSPORT_ERRORS as err:  # the sender's devices usually share it unasked
            log.warning("could not request the room key of %s (%s)", event.event_id,
                        type(err).__name__)

    async def _load_pending(self) -> None:
        self._pending_loaded = True
        for waiting in await all_pending(self.db):
            parsed = MegolmEvent.from_dict(waiting.source)
            if isinstance(parsed, MegolmEvent):
                parsed.room_id = waiting.room_id
                self.pending[waiting.event_id] = (parsed, waiting.received_at)

    async def _retry_pending(self) -> None:
        for event_id, (event, _received) in list(self.pending.items()):
            try:
                decrypted = self.client.decrypt_event(event)
            except (EncryptionError, LocalProtocolError):
                continue
            del self.pending[event_id]
            async with self.db.transaction() as conn:
                await drop_pending(conn, event_id)
            if isinstance(decrypted, RoomMessageText):
                joined_ts = await room_joined_ts(self.db, event.room_id) or 0
                await self.on_message(event.room_id, decrypted, joined_ts)

    async def check_pending(self) -> None:
        """Tell a sender once if a key never came; forget very old ones. On a full disk,
        next time (it runs every few seconds)."""
        await _unless_disk_full(self._check_pending(), "an undecryptable message's notice")

    async def _check_pending(self) -> None:
        now = self.clock.now().timestamp()
        grace = self.config.bot.undecryptable_grace_seconds
        for due in await unnotified_before(self.db, now - grace):
            room = self.client.rooms.get(due.room_id)
            name = room.user_name(due.sender) if room else None
            lang = await member_lang(self.db, due.sender, due.room_id, self.settings)
            with use_language(lang):
                msg = (Msg().mention(due.sender, shown_name(due.sender, name))
                       .text(colon() + _(UNDECRYPTABLE)))
            async with self.db.transaction() as conn:
                await mark_notified(conn, due.event_id)
                await queue(conn, msg, room_id=due.room_id,
                            logical_key=f"undecryptable:{due.event_id}", now=self.clock.now(),
                            in_reply_to=due.event_id)
            self.outbox.kick()
        cutoff = now - PENDING_KEEP_SECONDS
        for event_id, (_source, received) in list(self.pending.items()):
            if received < cutoff:
                del self.pending[event_id]
        async with self.db.transaction() as conn:
            await drop_pending_before(conn, cutoff)
