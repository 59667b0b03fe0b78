"""The most violated coalitions of the pooled-service game, by dynamic programming.

In the pooled-service game c(S) = F(W(S)) + Σ_{i∈S} v_i for |S| ≥ 2: the cost depends on
a coalition only through its summed integer workload W(S) and per-member terms. So for
gains g (an allocation x in the core test),

    max_{|S|≥2} g(S) − c(S) = max_W [ K(W) − F(W) ],   K(W) = max_{|S|≥2, W(S)=W} Σ_{i∈S} a_i,

with a_i = g_i − v_i: a knapsack with exact capacity, solved for every W at once by a
dynamic programme over the members (O(n · ΣW), vectorised). The states also record
whether the coalition has fewer than two members, and whether it is the whole set N (to
exclude N when asked). Each workload W gives its own best coalition, so one pass yields
several violated coalitions of distinct workloads: the `limit` best are returned, which
is what constraint generation wants. Exact in floating point, with no solver; used when
n · ΣW is at most MAX_CELLS, the MILP (`best_pooled_coalition`) otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from mutualis.engine.games.model import FloatArray, IntArray, PooledServiceGame

MAX_CELLS = 60_000_000
"""n · (ΣW + 1) above which the programme's choice table (int8) is too big: use the MILP."""

_NOT_TAKEN, _FROM_SMALLER, _FROM_SAME, _FROM_ALL = 0, 1, 2, 3


def dynamic_programme_fits(game: PooledServiceGame) -> bool:
    """True when the dynamic programme's tables stay within MAX_CELLS."""
    return game.n * (int(game.workloads.sum()) + 1) <= MAX_CELLS


def _shift(values: FloatArray, by: int) -> FloatArray:
    if by == 0:
        return values
    shifted = np.full_like(values, -np.inf)
    shifted[by:] = values[:-by]
    return shifted


def violated_coalitions(
    game: PooledServiceGame,
    gains: FloatArray,
    *,
    above: float = -np.inf,
    allow_grand: bool = True,
    limit: int = 1,
    per_level: bool = False,
) -> list[tuple[float, tuple[int, ...]]]:
    """Up to `limit` coalitions S (|S| ≥ 2, distinct workloads) with g(S) − c(S) > above.

    Sorted by decreasing g(S) − c(S); the first is max_{|S|≥2} g(S) − c(S) (over S ≠ N
    when `allow_grand` is False). Empty when no coalition exceeds `above`. With
    `per_level`, at most one coalition per staffing level (the level's best workload).
    """
    n = game.n
    workloads = [int(w) for w in game.workloads]
    total = sum(workloads)
    size = total + 1
    weights = np.asarray(gains, dtype=np.float64) - game.own_costs
    # best[c][W]: best Σ a over coalitions of the members seen so far, with min(|S|, 2) = c,
    # workload W, and at least one member left out; the "all in" prefix is tracked apart.
    best = [np.full(size, -np.inf) for _ in range(3)]
    choice = np.zeros((n, 3, size), dtype=np.int8)
    prefix_value = 0.0
    prefix_load = 0
    for i in range(n):
        w, a = workloads[i], float(weights[i])
        count = min(i, 2)
        new = []
        for c in range(3):
            candidate = best[c].copy()
            source = np.zeros(size, dtype=np.int8)
            if c >= 1:
                taken = _shift(best[c - 1], w) + a
                better = taken > candidate
                candidate[better] = taken[better]
                source[better] = _FROM_SMALLER
            if c == 2:
                taken = _shift(best[2], w) + a
                better = taken > candidate
                candidate[better] = taken[better]
                source[better] = _FROM_SAME
            if c == count and prefix_value > candidate[prefix_load]:
                candidate[prefix_load] = prefix_value
                source[prefix_load] = _FROM_ALL
            choice[i, c] = source
            new.append(candidate)
        best = new
        prefix_value += a
        prefix_load += w
    levels = game.service.costs(np.arange(size, dtype=np.int64))
    excess = best[2] - levels
    grand_excess = -np.inf
    if allow_grand and n >= 2:
        grand_excess = prefix_value - float(levels[total])
        if grand_excess > excess[total]:
            excess[total] = grand_excess
    if per_level:  # the best workload of each staffing level: diverse coalitions
        steps = game.service.levels(np.arange(size, dtype=np.int64))
        starts = np.flatnonzero(np.diff(steps, prepend=-1))
        ends = np.append(starts[1:], size)
        loads = np.array(
            [
                start + int(np.argmax(excess[start:end]))
                for start, end in zip(starts, ends, strict=True)
            ],
            dtype=np.int64,
        )
        order = loads[np.argsort(-excess[loads], kind="stable")][:limit]
    else:
        order = np.argsort(-excess, kind="stable")[:limit]
    found: list[tuple[float, tuple[int, ...]]] = []
    for load in order:
        value = float(excess[load])
        if not value > above or not np.isfinite(value):
            break
        if int(load) == total and value == grand_excess:
            found.append((value, tuple(range(n))))
            continue
        found.append((value, _trace(choice, workloads, int(load))))
    return found


def _trace(choice: np.ndarray, workloads: list[int], load: int) -> tuple[int, ...]:
    members: list[int] = []
    c = 2
    for i in range(len(workloads) - 1, -1, -1):
        source = int(choice[i, c, load])
        if source == _FROM_ALL:
            members.extend(range(i))
            break
        if source == _NOT_TAKEN:
            continue
        members.append(i)
        load -= workloads[i]
        if source == _FROM_SMALLER:
            c -= 1
            if c == 0:
                break
    return tuple(sorted(members))


def _bundles(count: int) -> list[int]:
    """1, 2, 4, … and the rest: every number 0 … count is a sum of some of them."""
    sizes, size = [], 1
    while count > 0:
        sizes.append(min(size, count))
        count -= sizes[-1]
        size *= 2
    return sizes


class WorkloadKnapsack:
    """The best count vectors of each total workload, for classes of identical members.

    Class k holds m_k members of workload w_k, each worth y_k. For every total workload
    W, `solve` finds max Σ_k t_k y_k over the count vectors t (0 ≤ t_k ≤ m_k) with
    Σ_k t_k w_k = W, by a dynamic programme over the classes taken from the last
    (`back[j][W]`: the best of classes j, j+1, … for workload W). `trace` gives the count
    vectors reaching these values; `next_best` enumerates, at one workload, the next
    count vectors in decreasing value (Lawler's partition of the solutions: agree with
    the best on the classes before j, differ at class j), skipping those the caller
    forbids.

    Inside, the classes are ordered by decreasing workload, so that the programme meets
    the small ones first: the workloads reachable by classes j, j+1, … stay a short
    prefix of the table for most of the pass (with the few large towns last, a fraction
    of the table is touched), and only that prefix is computed. Count vectors go in and
    out in the caller's order of classes.
    """

    def __init__(self, loads: IntArray, counts: IntArray) -> None:
        order = np.argsort(-np.asarray(loads, dtype=np.int64), kind="stable")
        self.order = order
        self.loads = [int(loads[k]) for k in order]
        self.counts = [int(counts[k]) for k in order]
        self.size = sum(w * m for w, m in zip(self.loads, self.counts, strict=True)) + 1
        self.values: list[float] = []
        self.back = np.empty((0, 0))
        self.choice = np.empty((0, 0), dtype=np.int32)
        self.reach: list[int] = []

    def _inside(self, vector: Sequence[int]) -> tuple[int, ...]:
        return tuple(int(vector[k]) for k in self.order)

    def _outside(self, vector: Sequence[int]) -> tuple[int, ...]:
        out = [0] * len(self.order)
        for j, k in enumerate(self.order):
            out[k] = int(vector[j])
        return tuple(out)

    def solve(self, values: FloatArray) -> FloatArray:
        """max Σ t_k y_k for every workload W = 0 … Σ m_k w_k (−∞ when unreachable)."""
        classes, size = len(self.loads), self.size
        self.values = [float(values[k]) for k in self.order]
        if self.back.shape != (classes + 1, size):
            # Kept from one call to the next: only the reachable prefix of each row is
            # written (`reach`), the rest is never read.
            self.back = np.empty((classes + 1, size))
            self.choice = np.empty((classes, size), dtype=np.int32)
            self.reach = [0] * (classes + 1)
        back, choice, reaches = self.back, self.choice, self.reach
        back[classes, 0] = 0.0
        candidate = np.empty(size)
        better = np.empty(size, dtype=np.bool_)
        reach = 0  # the largest workload classes j+1, … reach
        for j in range(classes - 1, -1, -1):
            after, current, w, y = back[j + 1], back[j], self.loads[j], self.values[j]
            grown = min(size - 1, reach + self.counts[j] * w)
            current[: reach + 1] = after[: reach + 1]
            current[reach + 1 : grown + 1] = -np.inf
            pick = choice[j]
            pick[: grown + 1] = 0
            if self.counts[j] <= 2:
                for t in range(1, self.counts[j] + 1):
                    shift = t * w
                    if shift >= size:
                        break
                    part = min(size - shift, reach + 1)
                    np.add(after[:part], t * y, out=candidate[:part])
                    end = shift + part
                    np.greater(candidate[:part], current[shift:end], out=better[:part])
                    np.copyto(current[shift:end], candidate[:part], where=better[:part])
                    np.copyto(pick[shift:end], t, where=better[:part])
            else:
                # Many members of one workload: bundles of 1, 2, 4… members (any count is
                # a sum of distinct bundles), a 0/1 step each.
                for bundle in _bundles(self.counts[j]):
                    shift = bundle * w
                    if shift >= size:
                        continue
                    part = min(size - shift, reach + 1)
                    end = shift + part
                    previous, previous_pick = current[:part].copy(), pick[:part].copy()
                    np.add(previous, bundle * y, out=candidate[:part])
                    np.greater(candidate[:part], current[shift:end], out=better[:part])
                    np.copyto(current[shift:end], candidate[:part], where=better[:part])
                    np.copyto(pick[shift:end], previous_pick + bundle, where=better[:part])
                    reach = min(size - 1, reach + shift)
            reach = grown
            reaches[j] = reach
        best: FloatArray = back[0].copy()
        return best

    def trace(self, loads: IntArray) -> IntArray:
        """The best count vectors (one row each, the caller's classes) of these workloads."""
        rows = self._trace(loads, 0)
        out = np.empty_like(rows)
        out[:, self.order] = rows
        return out

    def _trace(self, loads: IntArray, start: int) -> IntArray:
        """The best count vectors of the inner classes start…, for these workloads."""
        classes = len(self.loads)
        remaining = np.asarray(loads, dtype=np.int64).copy()
        rows = np.zeros((remaining.size, classes), dtype=np.int64)
        for j in range(start, classes):
            taken = self.choice[j, remaining]
            rows[:, j] = taken
            remaining -= taken * self.loads[j]
        return rows

    def _child(
        self, load: int, prefix: tuple[int, ...], excluded: frozenset[int]
    ) -> tuple[float, tuple[int, ...]] | None:
        """The best vector that starts with `prefix`, and whose next count is not excluded."""
        j = len(prefix)
        value = sum(t * self.values[k] for k, t in enumerate(prefix))
        left = load - sum(t * self.loads[k] for k, t in enumerate(prefix))
        best, chosen = -np.inf, -1
        for t in range(self.counts[j] + 1):
            rest = left - t * self.loads[j]
            if t in excluded or rest < 0:
                continue
            if rest > self.reach[j + 1]:
                continue
            candidate = t * self.values[j] + self.back[j + 1, rest]
            if candidate > best:
                best, chosen = candidate, t
        if chosen < 0 or not np.isfinite(best):
            return None
        rest = left - chosen * self.loads[j]
        suffix = self._trace(np.array([rest]), j + 1)[0, j + 1 :]
        return value + best, (*prefix, chosen, *(int(t) for t in suffix))

    def next_best(
        self,
        load: int,
        best: tuple[int, ...],
        forbidden: Callable[[tuple[int, ...]], bool],
        floor: float,
        budget: int,
    ) -> tuple[float, tuple[int, ...]] | bool | None:
        """The best vector of workload `load` that is not forbidden and worth more than
        `floor`, given the best one (forbidden); None when there is none, False when
        `budget` vectors were looked at without an answer."""
        import heapq

        heap: list[tuple[float, int, tuple[int, ...], int, frozenset[int]]] = []
        counter = 0

        def expand(solution: tuple[int, ...], depth: int, excluded: frozenset[int]) -> None:
            nonlocal counter
            for j in range(depth, len(self.loads)):
                ban = excluded | {solution[j]} if j == depth else frozenset({solution[j]})
                child = self._child(load, solution[:j], ban)
                if child is not None and child[0] > floor:
                    counter += 1
                    heapq.heappush(heap, (-child[0], counter, child[1], j, ban))

        expand(self._inside(best), 0, frozenset())
        for _ in range(budget):
            if not heap:
                return None
            value, _, solution, depth, excluded = heapq.heappop(heap)
            outside = self._outside(solution)
            if not forbidden(outside):
                return -value, outside
            expand(solution, depth, excluded)
        return False
