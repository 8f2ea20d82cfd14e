"""The digest's pure rules: size bounds, packing whole blocks, weekly slots."""

from __future__ import annotations

import json
from datetime import time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render import message_content
from commands.reply import Msg
from domain.digest import (
    fitting,
    pack,
    parts_size,
    slots_to_plan,
    week_range,
    weekly_slot,
)
from tests.unit.test_actions_fixtures import utc

HOUR = timedelta(hours=2)



def rendered(msg: Msg) -> int:
    return len(json.dumps(message_content(msg), separators=(",", ":")))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["text", "bold", "italic", "code", "mention",
                                           "newline"]),
                          st.text(max_size=40), st.sampled_from(["@a:x.org", "@é\"<>:x"])),
                max_size=30))
def test_parts_size_is_an_upper_bound_of_the_rendered_content(
        parts: list[tuple[str, str, str]]) -> None:
    msg = Msg()
    for kind, value, target in parts:
        if kind == "mention":
            msg.mention(target, value or "x")
        elif kind == "newline":
            msg.line()
        else:
            msg.parts.append((kind, value, ""))  # type: ignore[arg-type]
    assert rendered(msg) - rendered(Msg()) <= parts_size(msg.parts)


def test_pack_keeps_order_and_whole_blocks_under_the_budget() -> None:
    sizes = [30, 30, 30, 50, 10, 90, 5]
    groups = pack(sizes, lambda s: s, budget=100, overhead=10)
    assert groups == [[30, 30, 30], [50, 10], [90], [5]]
    assert [s for group in groups for s in group] == sizes
    assert pack([], lambda s: s) == []
    # A block bigger than the budget gets a message of its own rather than being cut.
    assert pack([5, 500, 5], lambda s: s, budget=100, overhead=0) == [[5], [500], [5]]


def test_fitting_keeps_whole_parts_with_room_for_an_ellipsis() -> None:
    parts = [("text", "a" * 100, "")] * 10
    count = fitting(parts, 450)
    assert count == 2  # 200 bytes each (plain + HTML), plus room for "…"
    assert parts_size([*parts[:count], ("text", "…", ""), ("newline", "", "")]) <= 450
    assert fitting(parts, 10_000) == 10


def test_weekly_slot_is_in_the_rooms_zone_and_iso_week() -> None:
    # Sunday 29 Nov 22:00 UTC is already Monday in Nairobi: its week is W49.
    slot, week = weekly_slot(utc(2026, 11, 29, 22), "Africa/Nairobi", 0, time(9))
    assert (slot, week) == (utc(2026, 11, 30, 6), "2026-W49")
    slot, week = weekly_slot(utc(2026, 11, 29, 22), "America/Bogota", 0, time(9))
    assert (slot, week) == (utc(2026, 11, 23, 14), "2026-W48")
    # The ISO year differs from the calendar year around New Year.
    assert weekly_slot(utc(2026, 12, 31, 12), "UTC", 0, time(9))[1] == "2026-W53"
    assert weekly_slot(utc(2027, 1, 1, 12), "UTC", 0, time(9), 1)[1] == "2027-W01"


def test_slots_to_plan() -> None:
    monday_9 = utc(2026, 11, 30, 9)
    assert slots_to_plan(monday_9 - HOUR, "UTC", 0, time(9), None, HOUR) == [
        (monday_9, "2026-W49")]
    assert slots_to_plan(monday_9 - 2 * HOUR, "UTC", 0, time(9), None, HOUR) == []
    # Late the same day, never the next.
    assert slots_to_plan(monday_9 + 7 * HOUR, "UTC", 0, time(9), None, HOUR) == [
        (monday_9, "2026-W49")]
    assert slots_to_plan(monday_9 + 16 * HOUR, "UTC", 0, time(9), None, HOUR) == []
    # Never for a slot from before the schedule was chosen (the same minute counts).
    assert slots_to_plan(monday_9 + HOUR, "UTC", 0, time(9), monday_9 + HOUR, HOUR) == []
    assert slots_to_plan(monday_9, "UTC", 0, time(9), monday_9 + timedelta(seconds=50),
                         HOUR) == [(monday_9, "2026-W49")]
    # Sunday night: next week's Monday 00:30 is within the horizon.
    sunday = utc(2026, 11, 29, 23, 30)
    assert slots_to_plan(sunday, "UTC", 0, time(0, 30), None, HOUR) == [
        (utc(2026, 11, 30, 0, 30), "2026-W49")]


def test_week_range() -> None:
    assert week_range(utc(2026, 11, 30, 9), "UTC") == "30 Nov – 6 Dec 2026"
    assert week_range(utc(2026, 12, 29, 9), "UTC") == "28 Dec 2026 – 3 Jan 2027"


def test_slots_missed_while_away() -> None:
    monday_9 = utc(2026, 11, 30, 9)
    thursday = monday_9 + timedelta(days=3)
    # Without knowing when the bot last looked, Monday's slot is gone by Thursday.
    assert slots_to_plan(thursday, "UTC", 0, time(9), None, HOUR) == []
    # Down since Sunday: Monday's digest is the one missed, and it goes out once.
    sunday = monday_9 - timedelta(hours=20)
    assert slots_to_plan(thursday, "UTC", 0, time(9), None, HOUR, sunday) == [
        (monday_9, "2026-W49")]
    # Looked last after it (it was sent then): nothing.
    assert slots_to_plan(thursday, "UTC", 0, time(9), None, HOUR, monday_9 + HOUR) == []
    # Away over two slots: only the latest, never a backlog.
    away = monday_9 - timedelta(days=8)
    assert slots_to_plan(thursday, "UTC", 0, time(9), None, HOUR, away) == [
        (monday_9, "2026-W49")]
    # Last week's slot when this week's is still ahead (Sunday digest, back on Wednesday).
    sunday_9 = utc(2026, 11, 29, 9)
    wednesday = utc(2026, 12, 2, 12)
    assert slots_to_plan(wednesday, "UTC", 6, time(9), None, HOUR, sunday_9 - HOUR) == [
        (sunday_9, "2026-W48")]
    # A schedule chosen after the slot still never counts it.
    assert slots_to_plan(thursday, "UTC", 0, time(9), monday_9 + HOUR, HOUR, sunday) == []
