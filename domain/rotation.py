"""Who holds which role in each occurrence of a series: deterministic, fair, explainable.

No Matrix, no SQL: a `Rota` is the order, the roles and, per role and member, a turn
counter and when they last held the role; `assign` fills one occurrence and returns the
rota after it.

The rules, and why:

- Within a role, the member with the fewest turns goes next. Ties go to whoever held the
  role longest ago, which is the rota order: everyone starts in it, `set` (reorder)
  resets it, and a newcomer counts as having just held the role, so they queue at the
  end. In the steady state each role goes round in rota order (facilitator A B C D,
  notes B C D A). Why not the bare position: someone back from an absence takes one
  priority turn and would then, if first in the order, win the next tie too and hold
  the role twice running; with "longest ago" they go to the back like everyone else.
- Nobody holds two roles in one occurrence while someone free is available; only when
  too few people are available does someone double up, and with nobody available a role
  stays empty.
- The roles of one occurrence are chosen together, not one after the other. Filling the
  facilitator first and the notes from whoever is left can leave one person "due" in both
  roles at once, and then whoever covers falls two turns ahead (a 100-occurrence
  simulation with people coming and going showed it). Together means, in this order:
  nobody gets a role ahead of someone available with fewer turns in it if that can be
  avoided, the first role (facilitator) above all; nobody more than one turn ahead of
  the least loaded member (all roles counted) gets a role if that can be avoided; the
  first role goes by the tie rule above; then the least loaded overall. With two roles
  this keeps every role within one turn between people who are always there, except
  rarely for a moment when an absence nobody could foresee leaves one person due in both
  roles (then two, never more; see the stress test); with three roles and few people,
  the later roles can drift to two.
- Agreed swaps arrive as pins (role → member), applied first if that member is free. A
  pin that trades a turn (`instead_of`) counts for the person the turn was traded from,
  whether or not it could be applied: a trade is two such pins (C takes A's turn, A
  takes C's later one), so counters move exactly as without the trade, and nobody else's
  turn shifts. If one leg cannot happen (someone is away that day), the credit still
  moves, so whoever missed their side owes the turn and is first in line for it.
  A pin without `instead_of` (two people exchanging roles on one day) counts for whoever
  holds the role.
- Someone unavailable (away, or skipped on request) keeps their turn count, so they stay
  first in line for the following turn: nobody loses or gains turns by being unavailable.
  But the debt is capped at one turn: while unavailable, their counter is raised to one
  below the lowest counter among those available. Coming back after two months therefore
  means one priority turn, not a run of eight.
- Someone joining starts at the current minimum among members who keep up (the lowest
  counter, but at most one below the highest), at the end of the queue: no backlog of
  "missed" turns, and they take their first turn after those already due.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

__all__ = ["DEFAULT_ROLES", "Pin", "Rota", "Turn", "assign", "joined", "left", "reordered",
           "with_roles"]

DEFAULT_ROLES = ("facilitator", "notes")


@dataclass(frozen=True)
class Pin:
    """An agreed holder for one role in one occurrence (see module doc for `instead_of`)."""

    member: str
    instead_of: str | None = None


@dataclass(frozen=True)
class Turn:
    """What is special about one occurrence: who cannot take a role, and agreed swaps."""

    unavailable: frozenset[str] = frozenset()
    pins: Mapping[str, Pin] = field(default_factory=dict)  # role → pin


Table = Mapping[str, Mapping[str, int]]  # role → member → value


@dataclass(frozen=True)
class Rota:
    """The order and roles; per role and member the turn counter (`turns`) and the number
    of the occurrence in which they last held it (`last`); `seq` numbers the next one."""

    order: tuple[str, ...]
    roles: tuple[str, ...] = DEFAULT_ROLES
    turns: Table = field(default_factory=dict)
    last: Table = field(default_factory=dict)
    seq: int = 0

    def __post_init__(self) -> None:
        if len(set(self.order)) != len(self.order):
            raise ValueError("a member appears twice in the rota order")
        if not self.roles or len(set(self.roles)) != len(self.roles):
            raise ValueError("a rota needs distinct roles")
        # Fill in anyone missing, so every lookup below is total: no turns, and for the
        # last turn a place in rota order before any real turn.
        n = len(self.order)
        turns, last = self.turns, self.last
        object.__setattr__(self, "turns", {
            r: {m: int(turns.get(r, {}).get(m, 0)) for m in self.order} for r in self.roles})
        object.__setattr__(self, "last", {
            r: {m: int(last.get(r, {}).get(m, self.seq - n - 1 + i))
                for i, m in enumerate(self.order)} for r in self.roles})

    def count(self, role: str, member: str) -> int:
        return self.turns[role][member]


def _baseline(rota: Rota, role: str) -> int:
    """Where a newcomer starts: the minimum among members who keep up (see module doc)."""
    counts = list(rota.turns[role].values())
    if not counts:
        return 0
    return max(min(counts), max(counts) - 1)


def joined(rota: Rota, member: str) -> Rota:
    """`member` joins at the end of the order and of the queue, at the baseline."""
    if member in rota.order:
        return rota
    turns = {r: {**rota.turns[r], member: _baseline(rota, r)} for r in rota.roles}
    last = {r: {**rota.last[r], member: rota.seq} for r in rota.roles}
    return Rota((*rota.order, member), rota.roles, turns, last, rota.seq)


def left(rota: Rota, member: str) -> Rota:
    """`member` drops out; their counters go with them (history is kept elsewhere)."""
    order = tuple(m for m in rota.order if m != member)
    return Rota(order, rota.roles, rota.turns, rota.last, rota.seq)


def reordered(rota: Rota, order: Sequence[str]) -> Rota:
    """A new order: counters kept, newcomers join, missing people leave, and ties now
    follow the new order (who held a role longest ago is forgotten)."""
    grown = Rota(tuple(m for m in rota.order if m in order), rota.roles, rota.turns,
                 rota.last, rota.seq)
    for member in order:
        grown = joined(grown, member)
    return Rota(tuple(dict.fromkeys(order)), rota.roles, grown.turns, {}, rota.seq)


def with_roles(rota: Rota, roles: Iterable[str]) -> Rota:
    """New roles start everyone at zero in rota order; kept roles keep their counters."""
    return Rota(rota.order, tuple(roles), rota.turns, rota.last, rota.seq)


def assign(rota: Rota, turn: Turn = Turn()) -> tuple[dict[str, str | None], Rota]:
    """Fill every role for one occurrence; returns (role → member or None, rota after)."""
    available = [m for m in rota.order if m not in turn.unavailable]
    turns = {role: dict(rota.turns[role]) for role in rota.roles}
    holders: dict[str, str | None] = {}
    for role in rota.roles:
        pin = turn.pins.get(role)
        if pin is None or pin.member not in rota.order:
            continue
        if pin.instead_of in rota.order:  # the traded credit moves, applied or not
            turns[role][pin.member] -= 1
            turns[role][pin.instead_of] += 1
        if pin.member in available and pin.member not in holders.values():
            holders[role] = pin.member
    open_roles = [role for role in rota.roles if role not in holders]
    if available and open_roles:
        moved = Rota(rota.order, rota.roles, turns, rota.last, rota.seq)
        holders |= _best(moved, open_roles, available, set(holders.values()))
    holders = {role: holders.get(role) for role in rota.roles}
    last = {role: dict(rota.last[role]) for role in rota.roles}
    for role, member in holders.items():
        if member is not None:
            turns[role][member] += 1
            last[role][member] = rota.seq
    for role in rota.roles:
        if not available:
            break
        floor = min(turns[role][m] for m in available) - 1
        for member in rota.order:
            if member in turn.unavailable:
                turns[role][member] = max(turns[role][member], floor)
    return holders, Rota(rota.order, rota.roles, turns, last, rota.seq + 1)


def _best(rota: Rota, roles: list[str], available: list[str], busy: set[str | None]
          ) -> dict[str, str]:
    """The open roles filled together (see module doc), trying each role's top candidates.

    Only a role's len(roles) best candidates can appear in the best assignment (any other
    choice could be swapped for one of them left unused), so at most k^k combinations.
    """
    position = {member: index for index, member in enumerate(rota.order)}
    total = {m: sum(rota.turns[r][m] for r in rota.roles) for m in available}
    lowest = {r: min(rota.turns[r][m] for m in available) for r in roles}
    least = min(total.values())
    free = [m for m in available if m not in busy] or available

    def queue(role: str, member: str) -> tuple[int, int]:
        return rota.last[role][member], position[member]

    def rank(role: str, member: str) -> tuple[int | tuple[int, int], ...]:
        # Ordered as the key below ranks one role's choice, so the pruning is exact.
        ahead = max(0, total[member] - least - 1)
        if role == roles[0]:
            return rota.turns[role][member], ahead, queue(role, member)
        return rota.turns[role][member], ahead, total[member], queue(role, member)

    top = [sorted(free, key=partial(rank, role))[: len(roles)] for role in roles]
    best: tuple[tuple[object, ...], tuple[str, ...]] | None = None
    for combo in itertools.product(*top):
        pairs = list(zip(roles, combo, strict=True))
        lags = [rota.turns[r][m] - lowest[r] for r, m in pairs]
        key = (
            len(combo) - len(set(combo)),  # doubling up only when too few are free
            max(lags),  # nobody given a turn far ahead of someone available who is due
            lags[0],  # then the first role goes to someone due
            sum(lags),
            sum(max(0, total[m] - least - 1) for m in combo),
            queue(roles[0], combo[0]),  # the first role (facilitator) goes round in order
            sum(total[m] for m in combo),
            [queue(r, m) for r, m in pairs],
        )
        if best is None or key < best[0]:
            best = (key, combo)
    assert best is not None
    return dict(zip(roles, best[1], strict=True))
