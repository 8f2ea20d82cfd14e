"""What the database keeps about people, in one place: forgetting a member, purging by age.

Why one module: a table that names people must be listed here, so `!forget me` and the
daily retention run cannot silently miss it (tests/unit/test_privacy.py checks that every
column holding a user id is covered).

Rules for `forget_member`:
- personal settings and the member's own words are deleted (ERASE);
- where the member is part of a shared record (minutes, actions, rota history, meetings),
  their user id becomes a pseudonym, "former member N", numbered per room (ANONYMISE): the
  record stays readable and consistent (the same N within one room), but the same person
  cannot be linked across rooms;
- open action items they own lose them as an owner; an item nobody else owns becomes
  unassigned rather than handed to someone who never agreed to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import aiosqlite

from domain.i18n import N_
from domain.people import pseudonym
from storage.db import Database, fetchall, fetchone
from storage.meetings import iso, next_number

CONFIRM_WINDOW = timedelta(minutes=10)

# (label shown to the member, or None for bookkeeping; FROM … WHERE … with :u the user id).
ERASE: tuple[tuple[str | None, str], ...] = (
    (N_("time zone, working hours, calendar country and language"),
     "FROM members WHERE user_id = :u"),
    (N_("away periods"), "FROM away WHERE user_id = :u"),
    (N_("your own days off and worked holidays"), "FROM days_off WHERE user_id = :u"),
    (N_("check-in answers"), "FROM checkin_answers WHERE user_id = :u"),
    (N_("check-in choices (muted, asked by DM)"), "FROM checkin_members WHERE user_id = :u"),
    (N_("check-in prompts sent to you"), "FROM checkin_prompts WHERE user_id = :u AND cycle_id IN "
     "(SELECT id FROM checkin_cycles WHERE summary_at IS NOT NULL OR void = 1)"),
    (N_("meeting reminder sign-ups"), "FROM meeting_notify WHERE user_id = :u"),
    (N_("poll votes"), "FROM poll_votes WHERE user_id = :u"),
    (N_("the link to your direct chat with me"), "FROM direct_rooms WHERE user_id = :u"),
    (N_("places on rotas"), "FROM rota_members WHERE user_id = :u"),
    (None, "FROM rota_turns WHERE user_id = :u"),
    (N_("rota skips, swaps and agreed turns"), "FROM rota_skips WHERE user_id = :u"),
    (N_("rota skips, swaps and agreed turns"), "FROM rota_pins WHERE user_id = :u"),
    (N_("rota skips, swaps and agreed turns"),
     "FROM rota_swaps WHERE asked_by = :u OR confirmer = :u"),
    (N_("messages of yours waiting for a key"), "FROM pending_decryption WHERE sender = :u"),
    (None, "FROM forget_requests WHERE target = :u OR requester = :u"),
)


def _via(table: str, parent: str, column: str) -> str:
    return f"(SELECT p.room_id FROM {parent} p WHERE p.id = {table}.{column})"


MINUTES, ACTIONS = N_("minutes"), N_("action items")
MEETINGS, ROTAS = N_("meetings, agenda items and polls"), N_("rota history")
# (label, table, column holding a user id, SQL for the row's room).
ANONYMISE: tuple[tuple[str, str, str, str], ...] = (
    (MINUTES, "minutes", "started_by", "room_id"),
    (MINUTES, "minutes_lines", "user_id", _via("minutes_lines", "minutes", "minutes_id")),
    (MINUTES, "minutes_attendees", "user_id",
     _via("minutes_attendees", "minutes", "minutes_id")),
    (ACTIONS, "actions", "created_by", "room_id"),
    (ACTIONS, "actions", "closed_by", "room_id"),
    (ACTIONS, "actions", "dropped_by", "room_id"),
    (ACTIONS, "action_owners", "user_id", _via("action_owners", "actions", "action_id")),
    (ACTIONS, "action_notes", "added_by", _via("action_notes", "actions", "action_id")),
    (MEETINGS, "meetings", "created_by", "room_id"),
    (MEETINGS, "agenda_items", "added_by", _via("agenda_items", "meetings", "meeting_id")),
    (MEETINGS, "polls", "created_by", "room_id"),
    (ROTAS, "rotas", "created_by", "room_id"),
    (ROTAS, "rota_history", "user_id", _via("rota_history", "rotas", "rota_id")),
    (ROTAS, "rota_skips", "added_by", _via("rota_skips", "rotas", "rota_id")),
    (ROTAS, "rota_pins", "instead_of", _via("rota_pins", "rotas", "rota_id")),
    (N_("check-in settings"), "checkin_settings", "updated_by", "room_id"),
)

OUTBOX = N_("copies of my sent messages that named you or went to your direct chat")
_OPEN = "a.closed_at IS NULL AND a.dropped_at IS NULL"


@dataclass
class Report:
    """What forgetting did (or, for a preview, would do)."""

    erased: dict[str, int] = field(default_factory=dict)
    anonymised: dict[str, int] = field(default_factory=dict)
    rooms: int = 0  # rooms in which the member got a pseudonym
    open_actions: list[int] = field(default_factory=list)  # ids of open items they owned
    unassigned: int = 0  # of those, items nobody owns now
    rota_meetings: list[int] = field(default_factory=list)  # meetings whose rota lost them

    @property
    def total(self) -> int:
        return (sum(self.erased.values()) + sum(self.anonymised.values())
                + len(self.open_actions))


class _DryRun(Exception):
    """Raised inside a savepoint so a preview leaves no trace."""


async def preview(db: Database, user_id: str, now: datetime) -> Report:
    """Exactly what `forget_member` would do: it is run, then rolled back."""
    report = Report()
    try:
        async with db.transaction("forget_preview") as conn:
            report = await forget_member(conn, user_id, now)
            raise _DryRun
    except _DryRun:
        pass
    return report


async def forget_member(conn: aiosqlite.Connection, user_id: str, now: datetime) -> Report:
    """Erase and anonymise everything that names `user_id`, in the caller's transaction."""
    report, u = Report(), {"u": user_id}
    for row in await fetchall(
            conn, "SELECT o.action_id, (SELECT COUNT(*) FROM action_owners x "
            "WHERE x.action_id = o.action_id) AS n FROM action_owners o "
            f"JOIN actions a ON a.id = o.action_id WHERE o.user_id = ? AND {_OPEN}", (user_id,)):
        report.open_actions.append(row["action_id"])
        report.unassigned += row["n"] == 1
        await conn.execute("DELETE FROM action_owners WHERE action_id = ? AND user_id = ?",
                           (row["action_id"], user_id))
    report.rota_meetings = [r["meeting_id"] for r in await fetchall(
        conn, "SELECT r.meeting_id FROM rota_members m JOIN rotas r ON r.id = m.rota_id "
        "WHERE m.user_id = ?", (user_id,))]
    direct = await fetchone(conn, "SELECT room_id FROM direct_rooms WHERE user_id = ?",
                            (user_id,))
    for label, where in ERASE:
        cur = await conn.execute(f"DELETE {where}", u)
        if label:
            report.erased[label] = report.erased.get(label, 0) + cur.rowcount
    # Prompts of check-ins still open stay, without a name, so the member is not asked
    # again in the same check-in; the retention run deletes them once it is summarised.
    await conn.execute(
        "UPDATE checkin_prompts SET status = 'skipped', reason = 'forgotten', name = NULL, "
        "via = NULL, prompt_key = NULL, sent_at = NULL WHERE user_id = :u", u)
    await _anonymise(conn, user_id, report)
    report.erased[OUTBOX] = await _blank_outbox(conn, user_id,
                                                direct["room_id"] if direct else None)
    return report


async def _anonymise(conn: aiosqlite.Connection, user_id: str, report: Report) -> None:
    rooms: set[str] = set()
    for _, table, column, room in ANONYMISE:
        rows = await fetchall(conn, f"SELECT DISTINCT {room} AS r FROM {table} "
                              f"WHERE {column} = ?", (user_id,))
        rooms.update(r["r"] for r in rows if r["r"] is not None)
    for room_id in sorted(rooms):
        name = pseudonym(await next_number(conn, room_id, "former-member"))
        for label, table, column, room in ANONYMISE:
            cur = await conn.execute(
                f"UPDATE {table} SET {column} = ? WHERE {column} = ? AND {room} = ?",
                (name, user_id, room_id))
            report.anonymised[label] = report.anonymised.get(label, 0) + cur.rowcount
    report.rooms = len(rooms)


async def _blank_outbox(conn: aiosqlite.Connection, user_id: str, direct_room: str | None
                        ) -> int:
    """Sent copies are never read again: blank those naming the member; unsent messages to
    their direct chat (addressed "direct:<user id>" until it exists) are dropped."""
    targets = (f"direct:{user_id}", direct_room or f"direct:{user_id}")
    dropped = await conn.execute(
        "DELETE FROM outbox WHERE sent_at IS NULL AND room_id IN (?, ?)", targets)
    cur = await conn.execute(
        "UPDATE outbox SET content = '{}' WHERE content <> '{}' "
        "AND (sent_at IS NOT NULL OR failed IS NOT NULL) "
        "AND (room_id = ? OR instr(content, ?) > 0)", (targets[1], user_id))
    return cur.rowcount + dropped.rowcount


# ---- confirmations ----------------------------------------------------------------------
async def ask(conn: aiosqlite.Connection, requester: str, target: str, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO forget_requests (requester, target, asked_at) VALUES (?, ?, ?) "
        "ON CONFLICT (requester, target) DO UPDATE SET asked_at = excluded.asked_at",
        (requester, target, iso(now)))


async def take_confirmation(conn: aiosqlite.Connection, requester: str, target: str,
                            now: datetime) -> bool:
    """True (and the request is used up) if `requester` asked within the window."""
    cur = await conn.execute(
        "DELETE FROM forget_requests WHERE requester = ? AND target = ? AND asked_at >= ?",
        (requester, target, iso(now - CONFIRM_WINDOW)))
    return cur.rowcount == 1


# ---- retention ---------------------------------------------------------------------------
# Replay protection and "sent once" keys outlive any shorter retention: a sync token only
# ever replays the last batch or two, but a restored backup or a stuck token could bring
# back events from days ago, and 30 days of ids cost almost nothing.
BOOKKEEPING_FLOOR = timedelta(days=30)
# Sent messages are never read again (only their ids route reactions and answers): their
# content, a duplicate of what the room already holds, is blanked after a day.
SENT_CONTENT_KEPT = timedelta(days=1)
_DONE = "(sent_at IS NOT NULL OR failed IS NOT NULL)"
_SUMMARISED = "(SELECT id FROM checkin_cycles WHERE summary_at IS NOT NULL OR void = 1)"

# (label, statement): :cut = now − retention (UTC text), :local = the same as local wall
# time a day earlier (agenda, rota dates have no zone), :keep = bookkeeping cut-off,
# :sent = sent-content cut-off, :asked = expired `!forget` confirmations.
PURGE: tuple[tuple[str, str], ...] = (
    ("closed or dropped action items", "DELETE FROM actions WHERE closed_at < :cut "
     "OR dropped_at < :cut"),
    ("minutes", "DELETE FROM minutes WHERE started_at < :cut"),
    ("check-ins (with their prompts and answers)", "DELETE FROM checkin_cycles "
     f"WHERE created_at < :cut AND id IN {_SUMMARISED}"),
    ("check-in answers", "DELETE FROM checkin_answers WHERE created_at < :cut"),
    ("closed polls (with their votes)", "DELETE FROM polls WHERE closed_at < :cut"),
    ("past away periods", "DELETE FROM away WHERE end_utc < :cut"),
    ("past days off", "DELETE FROM days_off WHERE last_day < :local"),
    ("past agenda items", "DELETE FROM agenda_items WHERE occurrence_local < :local"),
    ("rota history", "DELETE FROM rota_history WHERE start_utc < :cut"),
    ("rota history", "DELETE FROM rota_skips WHERE occurrence_local < :local"),
    ("rota history", "DELETE FROM rota_pins WHERE occurrence_local < :local"),
    ("rota history", "DELETE FROM rota_swaps WHERE start_utc < :cut"),
    ("handled events", "DELETE FROM handled_events WHERE handled_at < :keep"),
    ("sent keys", "DELETE FROM reminders_sent WHERE sent_at < :keep"),
    ("sent keys", "DELETE FROM rota_nudges_sent WHERE sent_at < :keep"),
    ("sent keys", "DELETE FROM digests_sent WHERE sent_at < :keep"),
    ("sent keys", "DELETE FROM action_nudges WHERE sent_at < :keep "
     "OR action_id NOT IN (SELECT id FROM actions)"),
    ("sent keys", "DELETE FROM retention_runs WHERE ran_at < :keep"),
    ("expired forget requests", "DELETE FROM forget_requests WHERE asked_at < :asked"),
    ("prompts of forgotten members", "DELETE FROM checkin_prompts "
     f"WHERE reason = 'forgotten' AND cycle_id IN {_SUMMARISED}"),
    ("sent messages", f"DELETE FROM outbox WHERE created_at < :keep AND {_DONE} AND "
     "(logical_key IS NULL OR logical_key LIKE 'reply:%' OR logical_key LIKE 'undecryptable:%')"),
    ("sent message copies blanked", "UPDATE outbox SET content = '{}' "
     f"WHERE created_at < :sent AND content <> '{{}}' AND {_DONE}"),
)


async def purge(conn: aiosqlite.Connection, now: datetime, days: int) -> dict[str, int]:
    """Delete what is older than `days` (bookkeeping: older than max(days, 30))."""
    retention = timedelta(days=days)
    params = {
        "cut": iso(now - retention),
        "local": (now - retention - timedelta(days=1)).replace(tzinfo=None)
        .isoformat(timespec="minutes"),
        "keep": iso(now - max(retention, BOOKKEEPING_FLOOR)),
        "sent": iso(now - SENT_CONTENT_KEPT),
        "asked": iso(now - CONFIRM_WINDOW),
    }
    counts: dict[str, int] = {}
    for label, statement in PURGE:
        cur = await conn.execute(statement, params)
        counts[label] = counts.get(label, 0) + max(cur.rowcount, 0)
    return counts


async def claim_run(conn: aiosqlite.Connection, key: str, now: datetime) -> bool:
    """False if the run `key` (one per day) already happened."""
    cur = await conn.execute(
        "INSERT OR IGNORE INTO retention_runs (key, ran_at, removed) VALUES (?, ?, 0)",
        (key, iso(now)))
    return cur.rowcount == 1


async def finish_run(conn: aiosqlite.Connection, key: str, removed: int) -> None:
    await conn.execute("UPDATE retention_runs SET removed = ? WHERE key = ?", (removed, key))
