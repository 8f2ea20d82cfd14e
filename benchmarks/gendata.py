"""Fill a Minga database with a network's worth of data, for scale benchmarks.

200 rooms, 5,000 meeting series, 50,000 actions (10 % open), 20,000 check-in answers
at scale 1; `history` multiplies only what is history (closed actions, answers), so
start-up can be shown to grow with active schedules, not with the past.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage import open_database

ZONES = ("Africa/Nairobi", "Asia/Kolkata", "America/Bogota", "Asia/Kathmandu",
         "Asia/Tehran", "America/Mexico_City", "Asia/Manila", "Africa/Lagos")
RULES = (None, "FREQ=WEEKLY;BYDAY=TH", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
         "FREQ=MONTHLY;BYDAY=1TU", "FREQ=DAILY")


def iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat(timespec="seconds")


async def migrate(path: Path) -> None:
    db = await open_database(path)
    await db.close()


def generate(path: Path, *, big_room: str, members: list[str], scale: int = 1,
             history: int = 1, seed: int = 9) -> dict[str, int]:
    """Write the data into a migrated DB (see `migrate`); `big_room` (a real one) holds
    the most."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    rooms = [big_room] + [f"!bench{i:03d}:localhost" for i in range(1, 200 * scale)]
    users = members + [f"@member{i:03d}:localhost" for i in range(60)]
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    db.executemany("INSERT OR IGNORE INTO rooms (room_id, joined_ts, default_zone) "
                   "VALUES (?, 0, ?)", [(r, rng.choice(ZONES)) for r in rooms])
    db.executemany("INSERT OR IGNORE INTO members (user_id, zone, hours, updated_at) "
                   "VALUES (?, ?, '09:00-17:00 0,1,2,3,4', ?)",
                   [(u, rng.choice(ZONES), iso(now)) for u in users])

    def room_for(index: int) -> str:
        return big_room if index % 10 == 0 else rooms[index % len(rooms)]

    counters: dict[tuple[str, str], int] = {}

    def number(room: str, kind: str) -> int:
        counters[(room, kind)] = counters.get((room, kind), 0) + 1
        return counters[(room, kind)]

    meetings = []
    for i in range(5000 * scale):
        room = room_for(i)
        start = now + timedelta(days=rng.randint(-300, 60), hours=rng.randint(0, 23))
        meetings.append((room, number(room, "meeting"), f"Series {i}",
                         start.replace(tzinfo=None).isoformat(timespec="minutes"),
                         rng.choice(ZONES), rng.choice(RULES), 60, rng.choice(users),
                         iso(now - timedelta(days=400)), iso(now - timedelta(days=400))))
    db.executemany(
        "INSERT INTO meetings (room_id, number, title, start_local, zone, rule, duration_min, "
        "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", meetings)

    total_actions = 50_000 * scale
    open_actions = total_actions // 10
    closed = total_actions - open_actions
    actions = []
    for i in range(open_actions + closed * history):
        room = room_for(i)
        is_open = i < open_actions
        created = now - timedelta(days=rng.randint(1, 700))
        due = now + timedelta(days=rng.randint(-20, 40))
        actions.append((room, number(room, "action"), f"Action {i} for the network",
                        iso(due), rng.choice(users), iso(created), iso(created),
                        None if is_open else iso(created + timedelta(days=3)),
                        None if is_open else rng.choice(users)))
    db.executemany(
        "INSERT INTO actions (room_id, number, text, due_utc, created_by, created_at, "
        "updated_at, closed_at, closed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", actions)
    db.execute("INSERT INTO action_owners (action_id, user_id, position) "
               "SELECT id, created_by, 0 FROM actions")

    settings = [(r, "0", "10:00", None, "UTC", iso(now), iso(now)) for r in rooms[:50]]
    db.executemany(
        "INSERT INTO checkin_settings (room_id, days, at_local, zone, fallback_zone, "
        "schedule_updated_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", settings)
    cycles = []
    for sid, room in enumerate(rooms[:50], 1):
        for week in range(40 * history):
            day = now - timedelta(weeks=week + 1)
            cycles.append((sid, room, f"{day:%Y-%m-%d}", f"{day:%a %d %b}", "[]", 1440,
                           iso(day), iso(day + timedelta(days=1)), iso(day + timedelta(days=1))))
    db.executemany(
        "INSERT INTO checkin_cycles (settings_id, room_id, cycle_key, label, questions, "
        "window_minutes, created_at, closes_at, summary_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        cycles)
    cycle_ids = [r[0] for r in db.execute("SELECT id FROM checkin_cycles")]
    answers = [(rng.choice(cycle_ids), rng.choice(users), f"$answer{i}", "Worked on things",
                iso(now), iso(now)) for i in range(20_000 * scale * history)]
    db.executemany(
        "INSERT INTO checkin_answers (cycle_id, user_id, event_id, text, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?)", answers)
    db.executemany("INSERT OR REPLACE INTO counters (room_id, kind, value) VALUES (?, ?, ?)",
                   [(r, k, v) for (r, k), v in counters.items()])
    db.commit()
    db.close()
    return {"rooms": len(rooms), "meetings": len(meetings), "actions": len(actions),
            "open_actions": open_actions, "answers": len(answers)}
