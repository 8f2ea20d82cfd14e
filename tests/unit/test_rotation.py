"""The pure rota algorithm: who holds which role, fairly and deterministically."""

from __future__ import annotations

import random

import pytest

from domain.rotation import (
    DEFAULT_ROLES,
    Pin,
    Rota,
    Turn,
    assign,
    joined,
    left,
    reordered,
    with_roles,
)

F, N = DEFAULT_ROLES


def run(rota: Rota, turns: list[Turn]) -> tuple[list[dict[str, str | None]], Rota]:
    holders = []
    for turn in turns:
        held, rota = assign(rota, turn)
        holders.append(held)
    return holders, rota


def column(holders: list[dict[str, str | None]], role: str) -> list[str | None]:
    return [h[role] for h in holders]


def away(*who: str) -> Turn:
    return Turn(frozenset(who))


def test_round_robin_in_rota_order_with_notes_one_behind() -> None:
    holders, rota = run(Rota(("A", "B", "C", "D")), [Turn()] * 8)
    assert column(holders, F) == list("ABCDABCD")
    assert column(holders, N) == list("BCDABCDA")
    assert rota.turns == {F: dict.fromkeys("ABCD", 2), N: dict.fromkeys("ABCD", 2)}


def test_deterministic() -> None:
    turns = [away("B"), Turn(), away("A", "C"), Turn()] * 5
    assert run(Rota(tuple("ABCDE")), turns) == run(Rota(tuple("ABCDE")), turns)


def test_nobody_holds_two_roles_while_someone_is_free() -> None:
    holders, _ = run(Rota(("A", "B", "C")), [Turn()] * 30)
    assert all(h[F] != h[N] for h in holders)


def test_doubling_up_only_when_too_few_people() -> None:
    held, _ = assign(Rota(("A", "B", "C")), away("B", "C"))
    assert held == {F: "A", N: "A"}
    held, _ = assign(Rota(("A", "B", "C"), ("facilitator", "notes", "timekeeper")), away("C"))
    assert set(held.values()) == {"A", "B"}  # one of them doubles up, nobody is left out


def test_nobody_available_leaves_roles_empty_and_counts_alone() -> None:
    rota = Rota(("A", "B"))
    held, after = assign(rota, away("A", "B"))
    assert held == {F: None, N: None}
    assert after.turns == rota.turns


def test_empty_rota() -> None:
    held, _ = assign(Rota(()))
    assert held == {F: None, N: None}


@pytest.mark.parametrize("skipped", ["A", "B", "C", "D"])
def test_skipped_person_takes_the_following_turn(skipped: str) -> None:
    """Whoever was due and could not come is first in line next time."""
    rota = Rota(tuple("ABCD"), (F,))
    before, rota = run(rota, [Turn()] * "ABCD".index(skipped))
    held, rota = assign(rota, away(skipped))
    assert held[F] != skipped
    after, rota = run(rota, [Turn()] * (7 - len(before)))
    assert after[0][F] == skipped
    # Nobody lost or gained a turn: after two rounds everyone has held it twice.
    assert rota.turns[F] == dict.fromkeys("ABCD", 2)


def test_long_absence_means_one_priority_turn_not_a_backlog() -> None:
    rota = Rota(tuple("ABCD"), (F,))
    holders, rota = run(rota, [away("A")] * 12)  # three rounds without A
    assert "A" not in column(holders, F)
    back, rota = run(rota, [Turn()] * 9)
    # Priority for the following turn, then the normal rhythm: no run of turns to catch
    # up, and not twice running even though A is first in the order.
    assert column(back, F) == list("ABCDABCDA")
    assert rota.turns[F] == dict.fromkeys("ABCD", 6)


def test_joiner_starts_at_the_minimum_at_the_end_of_the_order() -> None:
    rota = Rota(tuple("ABC"))
    _, rota = run(rota, [Turn()] * 7)  # facilitator counts A3 B2 C2
    rota = joined(rota, "D")
    assert rota.order == tuple("ABCD")
    assert rota.turns[F]["D"] == 2
    holders, rota = run(rota, [Turn()] * 8)
    # B and C were already due; D follows them and then everyone takes turns in order.
    assert column(holders, F) == list("BCDABCDA")
    counts = rota.turns[F]
    assert max(counts.values()) - min(counts.values()) <= 1


def test_joiner_ignores_a_member_far_behind() -> None:
    rota = Rota(tuple("ABC"), (F,), {F: {"A": 0, "B": 5, "C": 6}})
    assert joined(rota, "D").turns[F]["D"] == 5


def test_joining_twice_changes_nothing() -> None:
    rota = Rota(tuple("AB"))
    assert joined(rota, "A") is rota


def test_leaver_drops_out() -> None:
    rota = left(Rota(tuple("ABC"), (F,), {F: {"A": 1, "B": 1, "C": 0}}), "C")
    assert rota.order == ("A", "B")
    assert rota.turns == {F: {"A": 1, "B": 1}}
    holders, _ = run(rota, [Turn()] * 4)
    assert "C" not in column(holders, F)


def test_reorder_keeps_counts_and_changes_who_goes_first_among_equals() -> None:
    _, rota = run(Rota(tuple("ABCD")), [Turn()] * 4)
    rota = reordered(rota, ("D", "C", "B", "A", "E"))
    assert rota.turns[F] == {"D": 1, "C": 1, "B": 1, "A": 1, "E": 1}
    holders, _ = run(rota, [Turn()] * 5)
    assert column(holders, F) == list("DCBAE")


def test_reorder_drops_people_not_named() -> None:
    rota = reordered(Rota(tuple("ABC")), ("C", "A"))
    assert rota.order == ("C", "A")
    assert set(rota.turns[F]) == {"C", "A"}


def test_pins_trade_turns_and_keep_totals() -> None:
    plain, plain_after = run(Rota(tuple("ABCD"), (F,)), [Turn()] * 4)
    assert column(plain, F) == list("ABCD")
    # A and C trade: C takes the first turn, A takes C's (the third).
    trade = [Turn(pins={F: Pin("C", "A")}), Turn(), Turn(pins={F: Pin("A", "C")}), Turn()]
    traded, traded_after = run(Rota(tuple("ABCD"), (F,)), trade)
    assert column(traded, F) == list("CBAD")  # B's turn did not move
    assert traded_after.turns == plain_after.turns


def test_a_trade_whose_second_leg_cannot_happen_leaves_the_debt_with_the_absentee() -> None:
    # C took A's turn; A is away on the day A was to take C's, so C's own turn is free.
    turns = [Turn(pins={F: Pin("C", "A")}), Turn(), Turn(frozenset("A"), {F: Pin("A", "C")}),
             Turn(), Turn()]
    traded, _ = run(Rota(tuple("ABCD"), (F,)), turns)
    # A owed the turn and took the first one after coming back: once each, then round again.
    assert column(traded, F) == list("CBDAC")


def test_exchanging_roles_on_one_day_counts_for_the_actual_holders() -> None:
    held, rota = assign(Rota(tuple("ABC")), Turn(pins={F: Pin("B"), N: Pin("A")}))
    assert held == {F: "B", N: "A"}
    assert rota.turns == {F: {"A": 0, "B": 1, "C": 0}, N: {"A": 1, "B": 0, "C": 0}}


def test_pin_for_someone_unavailable_lapses() -> None:
    held, _ = assign(Rota(tuple("ABC"), (F,)), Turn(frozenset({"C"}), {F: Pin("C")}))
    assert held[F] == "A"


def test_pin_for_a_stranger_is_ignored() -> None:
    held, _ = assign(Rota(tuple("AB"), (F,)), Turn(pins={F: Pin("Z")}))
    assert held[F] == "A"


def test_new_role_starts_everyone_at_zero_in_rota_order() -> None:
    _, rota = run(Rota(tuple("ABC")), [Turn()] * 2)
    rota = with_roles(rota, (F, N, "timekeeper"))
    assert rota.turns["timekeeper"] == dict.fromkeys("ABC", 0)
    assert rota.turns[F] == {"A": 1, "B": 1, "C": 0}
    held, _ = assign(rota)
    assert len(set(held.values())) == 3


def test_invalid_rotas() -> None:
    with pytest.raises(ValueError):
        Rota(("A", "A"))
    with pytest.raises(ValueError):
        Rota(("A",), ())


def simulate(seed: int, roles: tuple[str, ...] = DEFAULT_ROLES, steps: int = 100
             ) -> list[int]:
    """100 occurrences of a realistic network: four always there, others skipping one
    meeting now and then, going away for weeks, joining late and leaving. Returns, after
    each occurrence, the largest spread of turns in any role among the four."""
    rng = random.Random(seed)
    core = ["ana", "ben", "chi", "dev"]
    rota = Rota(("ana", "ben", "eli", "chi", "dev"), roles)
    away_until: dict[str, int] = {}
    spreads = []
    for step in range(steps):
        if step == 30:
            rota = joined(rota, "fay")
        if step == 60:
            rota = left(rota, "eli")
        if step == 70:
            rota = joined(rota, "gus")
        unavailable: set[str] = set()
        for member in rota.order:
            if member in core:
                continue
            if away_until.get(member, -1) >= step:
                unavailable.add(member)
            elif (draw := rng.random()) < 0.1:
                unavailable.add(member)  # skips this one
            elif draw < 0.15:
                away_until[member] = step + rng.randint(2, 8)  # away for weeks
                unavailable.add(member)
        held, rota = assign(rota, Turn(frozenset(unavailable)))
        assert len({h for h in held.values()}) == len(roles)
        spreads.append(max(max(rota.turns[r][m] for m in core)
                           - min(rota.turns[r][m] for m in core) for r in roles))
    return spreads


@pytest.mark.parametrize("seed", range(100))
def test_fair_over_100_occurrences_with_skips_aways_joins_and_leaves(seed: int) -> None:
    """Among people always present, no role's turns ever differ by more than one."""
    assert max(simulate(seed)) <= 1


def test_stress_random_networks_stay_within_two() -> None:
    """Harsher random networks (2–7 always present, up to six others flickering 0–80% of
    the time, random joins, leaves and reorders): within one turn nearly always; an
    absence nobody could foresee can leave one person due in both roles, and the spread
    then reaches two for a moment, never more."""
    over_one = steps = 0
    for seed in range(300):
        rng = random.Random(seed)
        core = [f"c{i}" for i in range(rng.randint(2, 7))]
        pool = [f"x{i}" for i in range(rng.randint(1, 6))]
        p_join, p_leave, p_away = rng.uniform(0, .3), rng.uniform(0, .3), rng.uniform(0, .8)
        order = core + pool[:1]
        rng.shuffle(order)
        rota = Rota(tuple(order))
        for _ in range(100):
            if rng.random() < p_join:
                rota = joined(rota, rng.choice(pool))
            if rng.random() < p_leave and (extra := [m for m in rota.order if m not in core]):
                rota = left(rota, rng.choice(extra))
            if rng.random() < 0.03:
                rota = reordered(rota, rng.sample(rota.order, len(rota.order)))
            out = frozenset(m for m in rota.order if m not in core and rng.random() < p_away)
            held, rota = assign(rota, Turn(out))
            assert held[F] != held[N]
            spread = max(max(rota.turns[r][m] for m in core)
                         - min(rota.turns[r][m] for m in core) for r in rota.roles)
            assert spread <= 2
            over_one += spread > 1
            steps += 1
    assert over_one / steps < 0.0005
