"""`best_split`: every member in one of exactly 2 or 3 pooled services, at the least
total cost, by dynamic programming over workload sums (see its docstring).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from math import gcd

import numpy as np

from mutualis.engine.errors import InvalidParameter
from mutualis.engine.explain import Step
from mutualis.engine.games.model import (
    FloatArray,
    IntArray,
    PooledCost,
    PooledServiceGame,
)
from mutualis.engine.games.stability import SolverFailed
from mutualis.engine.money import format_euros
from mutualis.engine.optimise.perimeter import (
    METHOD_TEXTS,
    UNPROVEN,
    Partition,
    best_partition,
    partition_of,
    perimeter_of,
)

SPLIT_GROUPS = (2, 3)
"""Numbers of services `best_split` solves by dynamic programming (others: the MILP)."""
MAX_SUBSET_SUM = 400_000
"""Largest total workload (after division by the workloads' gcd) the dynamic programme
handles; beyond it `best_split` solves the MILP within its time limit."""
MAX_SPLIT_LEVELS = 1000
"""Most staffing levels a 3-way split enumerates (pairs of levels grow as the square)."""
MAX_SPLIT_TRIALS = 5000
"""Level triples a 3-way split examines before falling back on the MILP."""
MAX_SPLIT_FILLS = 40
"""Level triples a 3-way split tries to fill by dynamic programming."""
MAX_SPLIT_ENUMERATION = 11
"""Up to this many members a 3-way split enumerates its 3^(n−1) labellings (59 049)."""
MAX_SPLIT_CHECKS = 4
"""Feasibility MILPs a 3-way split may solve (each within time_limit / MAX_SPLIT_CHECKS)."""


def best_split(game: PooledServiceGame, groups: int, *, time_limit: float = 10.0) -> Partition:
    """Every member in one of exactly `groups` pooled services, at the least total cost.

    Each service has two members or more. With c(S) = fixed + per_unit × W(S) + G(L(W(S)))
    + Σ_{i∈S} v_i, where L(W) = max(min_level, ⌈W / q⌉) staffing steps of q = productivity
    × step units and G(L) their staff and managers, the total over the services is
    groups × fixed + per_unit × W(N) + Σ v_i + Σ_j G(L(W(S_j))): only the staffing term
    varies, and it depends on the services' workloads alone.

    - 2 services: every workload sum W₁ reachable by a group of two members or more whose
      complement also has two or more is found by subset-sum dynamic programming (bitsets
      over the workloads divided by their gcd); the split minimises G(L(W₁)) + G(L(W − W₁)),
      then the gap between the two workloads. Exact.
    - 3 services, up to MAX_SPLIT_ENUMERATION members: every labelling is enumerated.
    - 3 services, more members: only the levels (L₁ ≤ L₂ ≤ L₃) matter, and the group at
      level L holds at most cap(L) = ⌊q L⌋ units. The level triples with Σ cap ≥ W are
      tried by increasing cost; the first one whose capacities the members can fill gives
      the optimum. Filling is tried by the same dynamic programme (a first group, then the
      2-way split of the rest); a triple it cannot fill is settled by a small feasibility
      MILP (HiGHS). If a MILP reaches the time limit, the split is returned with
      proven=False.
    - Beyond MAX_SUBSET_SUM workload units, MAX_SPLIT_LEVELS levels or MAX_SPLIT_TRIALS
      triples, and for 4 services or more: the MILP of `best_partition(..., cover=True)`.

    Legal reference: a service commun per group, CGCT art. L.5211-4-2.
    Raises InvalidParameter when there are fewer than two members per service.
    """
    if groups < 2 or game.n < 2 * groups:
        raise InvalidParameter(
            f"Un découpage en {groups} services demande au moins 2 services et 2 membres par "
            f"service (reçu : {game.n} membres).",
            field="groups",
            groups=groups,
        )
    weights = [int(w) for w in game.workloads]
    unit = 0
    for w in weights:
        unit = gcd(unit, w)
    unit = unit or 1
    reduced = [w // unit for w in weights]
    if groups not in SPLIT_GROUPS or sum(reduced) > MAX_SUBSET_SUM:
        return _split_by_milp(game, groups, time_limit)
    table = _SplitTable(game.service, unit, sum(reduced))
    if groups == 2:
        found = _two_way(reduced, table, range(game.n), None)
        if found is None:  # unreachable: n ≥ 4 always allows some 2-way split
            raise SolverFailed("Aucun découpage en 2 services n'est possible.", groups=groups)
        chosen: list[list[int]] = [found, [i for i in range(game.n) if i not in set(found)]]
        return _split(game, chosen, "dynamic_programming", True)
    if game.n <= MAX_SPLIT_ENUMERATION:
        return _split(game, _enumerate_three(game), "split_enumeration", True)
    if table.levels[-1] - table.levels[0] + 1 > MAX_SPLIT_LEVELS:
        return _split_by_milp(game, groups, time_limit)
    return _three_way(game, reduced, table, time_limit)


def _enumerate_three(game: PooledServiceGame) -> list[list[int]]:
    """The cheapest 3-way split among all 3^(n−1) labellings (member 0 in group 0)."""
    n = game.n
    codes = np.arange(3 ** (n - 1), dtype=np.int64)
    labels = np.zeros((codes.size, n), dtype=np.int64)
    for i in range(1, n):
        labels[:, i] = codes // 3 ** (i - 1) % 3
    inside = [labels == g for g in range(3)]
    sums = np.stack([member @ game.workloads for member in inside], axis=1)
    valid = np.all(np.stack([member.sum(axis=1) for member in inside], axis=1) >= 2, axis=1)
    levels = game.service.levels(sums)
    cost = np.round(game.service.level_costs(int(levels.max()))[levels].sum(axis=1), 2)
    cost[~valid] = np.inf
    best = int(np.lexsort((sums.max(axis=1) - sums.min(axis=1), cost))[0])
    return [[i for i in range(n) if labels[best, i] == g] for g in range(3)]


@dataclass(frozen=True)
class _SplitTable:
    """Staffing cost by level and capacity by level, in workload units divided by `unit`."""

    service: PooledCost
    unit: int
    total: int  # W(N) / unit

    @property
    def levels(self) -> IntArray:
        top = int(self.service.levels(np.array([self.total * self.unit]))[0])
        return np.arange(self.service.min_level, top + 1, dtype=np.int64)

    def staffing(self, sums: IntArray) -> FloatArray:
        """G(L(W)) for reduced workload sums."""
        levels = self.service.levels(np.asarray(sums, dtype=np.int64) * self.unit)
        return self.service.level_costs(int(levels.max(initial=0)))[levels]

    def capacities(self, levels: IntArray) -> IntArray:
        """cap(L) = ⌊q L⌋ in reduced units: the largest reduced sum at level L or below."""
        q = self.service.step_workload
        return (levels * q.numerator // q.denominator) // self.unit


def _subset_sums(weights: Sequence[int], least_in: int, least_out: int) -> list[list[int]]:
    """Reachable sums after each item, by (min(taken, least_in), min(left, least_out)).

    history[k][a * (least_out + 1) + b] is a bitset (a Python int): bit s is set when some
    subset of the first k items sums to s with min(taken, least_in) = a and
    min(left out, least_out) = b.
    """
    width = least_out + 1
    layer = [0] * ((least_in + 1) * width)
    layer[0] = 1
    history = [layer]
    for w in weights:
        new = [0] * len(layer)
        for state, bits in enumerate(layer):
            if bits:
                a, b = divmod(state, width)
                new[min(a + 1, least_in) * width + b] |= bits << w
                new[a * width + min(b + 1, least_out)] |= bits
        layer = new
        history.append(layer)
    return history


def _bits(bits: int) -> IntArray:
    """Positions of the set bits of a non-negative int, ascending."""
    if not bits:
        return np.zeros(0, dtype=np.int64)
    raw = np.frombuffer(bits.to_bytes((bits.bit_length() + 7) // 8, "little"), dtype=np.uint8)
    return np.flatnonzero(np.unpackbits(raw, bitorder="little")).astype(np.int64)


def _take(
    history: list[list[int]], weights: Sequence[int], target: int, least_in: int, least_out: int
) -> list[int]:
    """Positions of a subset reaching `target` in the final (least_in, least_out) state.

    Walks the items backwards, taking an item whenever the rest can still reach the target:
    items sorted by workload put the largest ones in the subset first.
    """
    width = least_out + 1
    a, b, s = least_in, least_out, target
    taken = []
    for k in range(len(weights), 0, -1):
        before, w = history[k - 1], weights[k - 1]
        moved = False
        if s >= w and a > 0:
            for prev in (a - 1, a) if a == least_in else (a - 1,):
                if before[prev * width + b] >> (s - w) & 1:
                    taken.append(k - 1)
                    a, s, moved = prev, s - w, True
                    break
        if not moved:
            for prev in (b - 1, b) if b == least_out else (b - 1,):
                if prev >= 0 and before[a * width + prev] >> s & 1:
                    b, moved = prev, True
                    break
        if not moved:  # pragma: no cover - the bitsets guarantee a predecessor
            raise SolverFailed("Programmation dynamique incohérente.", target=target)
    return taken


def _two_way(
    reduced: Sequence[int],
    table: _SplitTable,
    members: Sequence[int],
    window: tuple[int, int] | None,
) -> list[int] | None:
    """The first group of the cheapest 2-way split of `members` (two or more each side).

    Without `window`: least G(L(W₁)) + G(L(W − W₁)), then the most balanced. With
    `window` = (lo, hi): any split whose first group's sum lies in [lo, hi], or None.
    """
    order = sorted(members, key=lambda i: (reduced[i], i))
    weights = [reduced[i] for i in order]
    history = _subset_sums(weights, 2, 2)
    sums = _bits(history[-1][-1])
    total = sum(weights)
    if window is not None:
        sums = sums[(sums >= window[0]) & (sums <= window[1])]
        if not sums.size:
            return None
        best = int(sums[-1])
    else:
        if not sums.size:
            return None
        cost = np.round(table.staffing(sums) + table.staffing(total - sums), 2)
        best = int(sums[np.lexsort((sums, np.abs(2 * sums - total), cost))[0]])
    return sorted(order[k] for k in _take(history, weights, best, 2, 2))


def _three_way(
    game: PooledServiceGame, reduced: Sequence[int], table: _SplitTable, time_limit: float
) -> Partition:
    """See `best_split`: level triples by increasing cost, each filled or proven empty.

    For each pair L₁ ≤ L₂ whose cap(L₁) holds the two smallest workloads, the cheapest
    third level is the least L₃ ≥ L₂ with cap(L₁) + cap(L₂) + cap(L₃) ≥ W and
    cap(L₃) ≥ the largest workload; a triple that
    fails is followed by (L₁, L₂, L₃ + 1). A heap yields them by cost, then balance.
    """
    levels = table.levels
    first_level, top = int(levels[0]), int(levels[-1])
    costs = game.service.level_costs(top)
    caps = table.capacities(levels)  # caps[L - first_level], non-decreasing
    low, high = np.triu_indices(levels.size)
    fits_two = caps[low] >= sum(sorted(reduced)[:2])  # every group has two members or more
    low, high = low[fits_two], high[fits_two]
    need = np.maximum(table.total - caps[low] - caps[high], max(reduced))
    third = np.maximum(np.searchsorted(caps, need), high)  # first level index with cap ≥ need
    ok = third < levels.size
    low, high, third = low[ok], high[ok], third[ok]
    base = first_level
    cost = np.round(costs[low + base] + costs[high + base] + costs[third + base], 2)
    keep = np.argsort(cost, kind="stable")[:MAX_SPLIT_TRIALS]
    heap = [
        (float(cost[t]), int(third[t] - low[t]), int(low[t]), int(high[t]), int(third[t]))
        for t in keep
    ]
    heapq.heapify(heap)
    first = sorted(range(game.n), key=lambda m: (reduced[m], m))
    weights = [reduced[m] for m in first]
    history = _subset_sums(weights, 2, 4)
    firsts = _bits(history[-1][-1])
    unsettled = np.inf  # the cheapest triple neither filled nor proven empty
    budget, fills = MAX_SPLIT_CHECKS, MAX_SPLIT_FILLS
    for _trial in range(MAX_SPLIT_TRIALS):
        if not heap or fills == 0:
            break
        triple_cost, _balance, i, j, k = heapq.heappop(heap)
        if triple_cost > unsettled:
            break
        if k + 1 < levels.size:
            successor = float(np.round(costs[i + base] + costs[j + base] + costs[k + 1 + base], 2))
            heapq.heappush(heap, (successor, k + 1 - i, i, j, k + 1))
        if not _may_fill(firsts, table.total, (int(caps[i]), int(caps[j]), int(caps[k]))):
            continue
        fills -= 1
        c1, c2, c3 = int(caps[i]), int(caps[j]), int(caps[k])
        for w1 in firsts[(firsts >= table.total - c2 - c3) & (firsts <= c1)][::-1][:4]:
            group = sorted(first[t] for t in _take(history, weights, int(w1), 2, 4))
            rest = [m for m in range(game.n) if m not in set(group)]
            rest_sum = sum(reduced[m] for m in rest)
            second = _two_way(reduced, table, rest, (rest_sum - c3, c2))
            if second is not None:
                found = [group, second, [m for m in rest if m not in set(second)]]
                return _split(game, found, "dynamic_programming", triple_cost <= unsettled)
        if budget == 0:
            break
        budget -= 1
        capacities = [c * table.unit for c in (c1, c2, c3)]
        packed, settled = _fill(game, capacities, time_limit / MAX_SPLIT_CHECKS)
        if packed is not None:
            return _split(game, packed, "dynamic_programming", triple_cost <= unsettled)
        if not settled:
            unsettled = min(unsettled, triple_cost)
    return _split_by_milp(game, 3, time_limit)


def _may_fill(firsts: IntArray, total: int, capacities: tuple[int, int, int]) -> bool:
    """Necessary: each group j can reach a sum in [W − (the other two capacities), cap_j].

    `firsts` holds the sums reachable by two members or more leaving four or more.
    """
    spare = sum(capacities)
    for capacity in capacities:
        low = total - (spare - capacity)
        at = int(np.searchsorted(firsts, low))
        if at == firsts.size or firsts[at] > capacity:
            return False
    return True


def _fill(
    game: PooledServiceGame, capacities: Sequence[int], time_limit: float
) -> tuple[list[list[int]] | None, bool]:
    """Members into groups of two or more with W(S_j) ≤ capacities[j] (feasibility MILP).

    Returns the groups or None, and whether the answer is settled (False: time limit).
    """
    from scipy.optimize import Bounds, LinearConstraint, milp  # lazy: slow to import

    n, k = game.n, len(capacities)
    rows = np.zeros((n + 2 * k, n * k))
    lower = np.zeros(n + 2 * k)
    upper = np.zeros(n + 2 * k)
    for i in range(n):
        rows[i, i::n] = 1  # each member in exactly one group
        lower[i] = upper[i] = 1
    for j, capacity in enumerate(capacities):
        rows[n + 2 * j, j * n : (j + 1) * n] = game.workloads
        upper[n + 2 * j] = capacity
        rows[n + 2 * j + 1, j * n : (j + 1) * n] = 1
        lower[n + 2 * j + 1], upper[n + 2 * j + 1] = 2, n
    result = milp(
        np.zeros(n * k),
        constraints=[LinearConstraint(rows, lower, upper)],
        bounds=Bounds(np.zeros(n * k), np.ones(n * k)),
        integrality=np.ones(n * k),
        options={"time_limit": time_limit},
    )
    if result.status == 0 and result.x is not None:
        x = np.asarray(result.x).reshape(k, n)
        return [[i for i in range(n) if x[j, i] > 0.5] for j in range(k)], True
    return None, result.status == 2


def _split_by_milp(game: PooledServiceGame, groups: int, time_limit: float) -> Partition:
    partition = best_partition(game, groups, time_limit=time_limit, cover=True)
    chosen = [[game.players.index(p) for p in g.members] for g in partition.groups]
    return _split(game, chosen, "milp", partition.proven)


def _split(
    game: PooledServiceGame, chosen: Sequence[Sequence[int]], method: str, proven: bool
) -> Partition:
    """The split as a Partition, its explanation comparing it with one service for all."""
    groups = sorted(
        (perimeter_of(game, sorted(g), method, proven) for g in chosen),
        key=lambda p: (-len(p.members), p.members),
    )
    together = game.grand_cost()
    apart = sum(p.cost for p in groups)
    extra = (
        Step(
            "Surcoût par rapport à un service unique pour tous",
            "Σ c(S_j) − c(N)",
            format_euros(apart - together),
        ),
        Step("Méthode", METHOD_TEXTS[method] if proven else UNPROVEN),
    )
    return partition_of(
        game,
        groups,
        method,
        proven=proven,
        extra=extra,
        title=f"Meilleur découpage en {len(groups)} services",
    )
