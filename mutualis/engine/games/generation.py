"""Least core and nucleolus of the pooled-service game at any n, by constraint generation.

Both need x(S) − c(S) ≤ ε for every coalition: 2^n rows, out of reach at n = 158.
Constraint generation keeps a small set of coalitions, solves the linear programme on
them (HiGHS), then asks a separation oracle for the coalitions most violated at the
current x: the dynamic programme of `separation` (several coalitions of distinct
workloads per round), or the core-test MILP `best_pooled_coalition` when the programme's
tables would be too big. When no coalition exceeds ε (within `tolerance`), the linear
programme's optimum is that of the whole game, exactly up to solver tolerance.

- Least core: one such programme, min ε s.t. x(S) − c(S) ≤ ε (∅ ≠ S ≠ N), x(N) = c(N).
- Nucleolus (over the imputations, x_i ≤ c({i})): the sequence of programmes of
  `cores.nucleolus` (Maschler, Peleg & Shapley 1979), each solved by constraint
  generation. After a level's optimum ε_k, the generated coalitions with a positive dual
  price are tight at every optimum and are fixed, x(S) − c(S) = ε_k; coalitions whose
  indicator lies in the span of the fixed ones have a determined excess and leave the
  programme. The oracle must not return those: the dynamic programme's answers are
  filtered, and the MILP excludes them by no-good cuts. The sequence stops when the fixed
  coalitions determine x (rank n), after at most n levels.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import numpy as np

from mutualis.engine.errors import EngineError
from mutualis.engine.games.cores import LeastCore, check_imputations
from mutualis.engine.games.model import Allocation, FloatArray, IntArray, PooledServiceGame
from mutualis.engine.games.programme import Coalition, Generation
from mutualis.engine.games.programme import GenerationFailed as GenerationFailed
from mutualis.engine.games.separation import (
    WorkloadKnapsack,
    dynamic_programme_fits,
    violated_coalitions,
)
from mutualis.engine.games.stability import SolverFailed, best_pooled_coalition, tolerance
from mutualis.engine.money import D

PER_ROUND = 60
"""Violated coalitions (of distinct workloads) added per round by the dynamic programme."""
TRUST_RADIUS = 0.001
"""Half-width of the first trust region, as a share of the mean member's cost."""
NEXT_BUDGET = 200
COMBINATIONS = 4096
"""Count vectors on the still-free classes enumerated by `_free_directions`."""
NEAR = 0.02
MAX_ADDED = 300
PER_LEVEL = 1
"""Count vectors looked at, per workload, past a forbidden best one (`next_best`)."""


class _PooledSeparator:
    """The dynamic programme of `separation`, or the MILP when its tables are too big."""

    def __init__(self, game: PooledServiceGame, time_limit: float) -> None:
        self.game = game
        self.time_limit = time_limit
        self.dynamic = dynamic_programme_fits(game)

    def __call__(
        self, x: FloatArray, above: float, generation: Generation, *, certify: bool = True
    ) -> tuple[list[Coalition], float]:
        game = self.game
        if self.dynamic:
            found = violated_coalitions(
                game, x, above=above, allow_grand=False, limit=PER_ROUND, per_level=True
            )
            spanned = (
                generation.in_span(generation.indicator([m for _, m in found]))
                if found
                else np.zeros(0, dtype=np.bool_)
            )
            fresh = [
                (v, m)
                for (v, m), s in zip(found, spanned, strict=True)
                if not s and m not in generation.seen
            ]
            for (_, members), is_spanned in zip(found, spanned, strict=True):
                if is_spanned and members not in generation.determined:
                    generation.determined.append(members)
            if fresh or not found or not spanned.any():
                return [m for _, m in fresh], max((v for v, _ in fresh), default=-np.inf)
        return self._milp(x, above, generation)

    def _milp(
        self, x: FloatArray, above: float, generation: Generation
    ) -> tuple[list[Coalition], float]:
        """The MILP, with the determined coalitions cut off."""
        game = self.game
        while True:
            try:
                value, members = best_pooled_coalition(
                    game,
                    x,
                    max_size=game.n - 1,
                    forbidden=generation.determined,
                    time_limit=self.time_limit,
                )
            except SolverFailed as error:
                if "status" not in error.fields:  # infeasible: nothing left
                    return [], -np.inf
                raise
            if value <= above or members in generation.seen:
                return [], -np.inf
            if generation.in_span(generation.indicator([members]))[0]:
                generation.determined.append(members)
                continue
            return [members], value


def pooled_least_core(game: PooledServiceGame, *, time_limit: float = 60.0) -> LeastCore:
    """ε* = min_x max_{∅≠S⊊N} x(S) − c(S), x(N) = c(N), at any n (see module)."""
    if game.n == 1:
        return LeastCore(0.0, Allocation("least-core", game.players, game.standalone().copy()))
    if dynamic_programme_fits(game):
        found = _workload_least_core(game)
        if found is not None:
            return found
    generation = Generation(game, None, _PooledSeparator(game, time_limit))
    x, epsilon = generation.least_core()
    note = (
        f"moindre cœur exact (génération de contraintes, {generation.rounds} programme(s) "
        f"linéaire(s), séparation par programmation dynamique ou MILP HiGHS), "
        f"ε* = {epsilon:.2f}"
    )
    return LeastCore(epsilon, Allocation("least-core", game.players, x, note=note))


def pooled_nucleolus(game: PooledServiceGame, *, time_limit: float = 60.0) -> Allocation:
    """The nucleolus over the imputations (x_i ≤ c({i})), at any n (see module).

    Raises EmptyImputationSet when Σ c({i}) < c(N).
    """
    alone = game.standalone()
    if game.n == 1:
        return Allocation("nucleolus", game.players, alone.copy())
    check_imputations(game)
    symmetric = _workload_prenucleolus(game) if dynamic_programme_fits(game) else None
    by_workload = symmetric is not None and bool(np.all(symmetric[0] <= alone + tolerance(game)))
    if symmetric is not None and by_workload:
        x, levels, rounds = symmetric
    else:
        x, levels, rounds = _sequence(game, alone, time_limit)
    note = (
        f"nucléole exact sur les imputations (nul ne paie plus que seul), {levels} niveau(x), "
        f"{rounds} programme(s) linéaire(s) par génération de contraintes "
        + (
            "sur les classes de charge de travail (séparation par programmation dynamique)"
            if by_workload
            else "(séparation par programmation dynamique ou MILP HiGHS)"
        )
    )
    return Allocation("nucleolus", game.players, np.minimum(x, alone), note=note)


def pooled_prenucleolus(game: PooledServiceGame, *, time_limit: float = 60.0) -> Allocation:
    """The prenucleolus (no x_i ≤ c({i})), at any n: it may charge more than alone."""
    if game.n == 1:
        return Allocation("prenucleolus", game.players, game.standalone().copy())
    symmetric = _workload_prenucleolus(game) if dynamic_programme_fits(game) else None
    x, levels, rounds = symmetric or _sequence(game, None, time_limit)
    note = (
        f"prénucléole exact (sans la contrainte du coût seul), {levels} niveau(x), {rounds} "
        "programme(s) linéaire(s) par génération de contraintes"
    )
    return Allocation("prenucleolus", game.players, x, note=note)


def _sequence(
    game: PooledServiceGame, alone: FloatArray | None, time_limit: float
) -> tuple[FloatArray, int, int]:
    """The sequence of programmes (see module): x, levels, linear programmes solved."""
    generation = Generation(game, alone, _PooledSeparator(game, time_limit))
    x = generation.sequence()
    return x, generation.levels, generation.rounds


class Uncertified(EngineError):
    """The workload separator could not rule out a violated coalition: use the members'."""


class WorkloadSpace:
    """The pooled game seen through its workloads, on classes of members.

    Shares are written x_i = y_i + d_i with d_i = per_unit · w_i + v_i (additive, so
    the excesses do not change): a coalition S of two or more then has the excess
    y(S) − H(W(S)), with H(W) = fixed + cost_per_etp × (staff + managers) for W. In the
    *workload game* every non-empty coalition costs H(W(S)) (a member alone too): members
    of equal workload are interchangeable, and its nucleolus and least core give them
    equal y. So the programmes need one variable per class of equal workload, and a
    coalition is a count vector t (t_k members of class k, weight t_k in its row).
    """

    def __init__(self, game: PooledServiceGame) -> None:
        self.game = game
        service = game.service
        loads, index, counts = np.unique(game.workloads, return_inverse=True, return_counts=True)
        self.loads = loads.astype(np.int64)
        self.index = index.astype(np.int64)
        self.counts = counts.astype(np.int64)
        self.dim = int(self.loads.size)
        self.shift = float(D(service.per_unit)) * game.workloads.astype(np.float64) + game.own_costs
        total = int(game.workloads.sum())
        levels = service.levels(np.arange(total + 1, dtype=np.int64))
        self.level_of = levels
        self.level_cost = float(D(service.fixed)) + service.level_costs(int(levels.max()))[levels]
        self.grand: Coalition = tuple(int(m) for m in self.counts)
        self.grand_row: FloatArray = self.counts.astype(np.float64)
        self.grand_cost = float(self.level_cost[total])
        self.knapsack = WorkloadKnapsack(self.loads, self.counts)

    def rows(self, coalitions: Sequence[Coalition]) -> FloatArray:
        return np.array(coalitions, dtype=np.float64).reshape(len(coalitions), self.dim)

    def costs(self, rows: FloatArray) -> FloatArray:
        loads = np.rint(rows @ self.loads).astype(np.int64)
        return np.asarray(self.level_cost[loads], dtype=np.float64)

    def starting(self) -> list[Coalition]:
        """One member of each class, and everyone but one member of each class."""
        eye = np.eye(self.dim, dtype=np.int64)
        alone = [tuple(int(t) for t in row) for row in eye]
        others = [tuple(int(t) for t in row) for row in self.counts[None, :] - eye]
        return alone + [c for c in others if any(c)]

    def members(self, y: FloatArray) -> FloatArray:
        """x_i = y_class(i) + d_i."""
        return np.asarray(y, dtype=np.float64)[self.index] + self.shift


class _WorkloadSeparator:
    """The coalitions of largest excess in the workload game, one per total workload.

    Forbidden: the empty set, N, and the count vectors whose excess the fixed coalitions
    determine; when the best vector of a workload is forbidden, the next ones are looked
    for (`WorkloadKnapsack.next_best`). At the programme's own solution (`certify`), a
    workload that could not be settled within the budget raises Uncertified.
    """

    def __init__(self, space: WorkloadSpace) -> None:
        self.space = space
        self.tolerance = tolerance(space.game)

    def __call__(
        self, x: FloatArray, above: float, generation: Generation, *, certify: bool = True
    ) -> tuple[list[Coalition], float]:
        space = self.space
        excess = space.knapsack.solve(x) - space.level_cost
        if not np.any(excess > above):
            return [], -np.inf
        # The best workloads of each staffing level, and the best ones overall, among
        # the violated ones and those within NEAR of violation (they enter the programme
        # along with the violated ones: the next solution is better informed).
        near = above - NEAR * max(abs(above), self.tolerance) if np.isfinite(above) else above
        loads = np.flatnonzero(excess > near)
        levels = space.level_of[loads]
        order = np.lexsort((-excess[loads], levels))
        starts = np.flatnonzero(np.diff(levels[order], prepend=-1))
        rank_in_level = np.arange(order.size) - np.repeat(
            starts, np.diff(np.append(starts, order.size))
        )
        first = order[rank_in_level < PER_LEVEL]
        top = np.argsort(-excess[loads], kind="stable")[:PER_ROUND]
        picked = loads[np.union1d(first, top)]
        fresh, _ = self._sort(picked, excess, generation)
        if (fresh and fresh[0][0] > above) or not certify:
            return self._answer(fresh, space)
        loads = np.flatnonzero(excess > above)
        # Nothing new among those: every workload above must be settled.
        fresh, blocked = self._sort(loads, excess, generation)
        if fresh:
            return self._answer(fresh, space)
        if blocked:
            settled = self._free_directions(x, above, generation)
            if settled is not None:
                return self._answer(settled, space)
        unsettled = False
        for load, best in blocked:
            floor = above + float(space.level_cost[load])
            answer = space.knapsack.next_best(
                load, best, self._forbidden(generation), floor, NEXT_BUDGET
            )
            if answer is False:
                unsettled = True
            elif isinstance(answer, tuple):
                value, counts = answer
                fresh.append((value - float(space.level_cost[load]), counts))
        if not fresh and unsettled:
            raise Uncertified("Séparation par charges de travail non concluante.")
        return self._answer(fresh, space)

    def _free_directions(
        self, x: FloatArray, above: float, generation: Generation
    ) -> list[tuple[float, Coalition]] | None:
        """The best undetermined vector of each workload, when few classes are still free.

        A count vector t is determined iff t·u = 0 for every u orthogonal to the fixed
        rows; those u vanish outside a set P of classes. When P's count vectors are few
        (at most COMBINATIONS), each undetermined choice c on P is combined with the best
        vector of the other classes: exact, with no enumeration of forbidden vectors.
        None when P is too large.
        """
        space = self.space
        projector = np.eye(space.dim) - generation.basis @ generation.basis.T
        support = np.flatnonzero(np.linalg.norm(projector, axis=1) > 1e-9)
        ranges = [range(int(space.counts[k]) + 1) for k in support]
        if math.prod(len(r) for r in ranges) > COMBINATIONS:
            return None
        choices = np.array(list(itertools.product(*ranges)), dtype=np.int64)
        rows = np.zeros((choices.shape[0], space.dim))
        rows[:, support] = choices
        choices = choices[~generation.in_span(rows)]
        others_counts = space.counts.copy()
        others_counts[support] = 0
        others = WorkloadKnapsack(space.loads, others_counts)
        rest = others.solve(x)
        size = space.knapsack.size
        best = np.full(size, -np.inf)
        which = np.full(size, -1, dtype=np.int64)
        for index, choice in enumerate(choices):
            load = int(choice @ space.loads[support])
            if load >= size:
                continue
            span = min(rest.size, size - load)
            value = float(choice @ x[support]) + rest[:span]
            better = value > best[load : load + span]
            best[load : load + span][better] = value[better]
            which[load : load + span][better] = index
        excess = best - space.level_cost
        loads = np.flatnonzero(excess > above)
        if loads.size == 0:
            return []
        vectors = others.trace(loads - choices[which[loads]] @ space.loads[support])
        vectors[:, support] = choices[which[loads]]
        found: dict[Coalition, float] = {}
        for k in np.argsort(-excess[loads], kind="stable"):
            counts = tuple(vectors[k].tolist())
            if counts not in generation.seen:
                found.setdefault(counts, float(excess[loads[k]]))
        return [(value, counts) for counts, value in found.items()]

    def _forbidden(self, generation: Generation) -> Callable[[Coalition], bool]:
        space = self.space
        seen = generation.seen

        def forbidden(counts: Coalition) -> bool:
            if not any(counts) or counts == space.grand or counts in seen:
                return True
            row = np.array([counts], dtype=np.float64)
            return bool(generation.rank > 1 and generation.in_span(row)[0])

        return forbidden

    def _sort(
        self, loads: IntArray, excess: FloatArray, generation: Generation
    ) -> tuple[list[tuple[float, Coalition]], list[tuple[int, Coalition]]]:
        """The best vectors of these workloads: new ones (with their excess), and the
        forbidden ones (with their workload)."""
        space = self.space
        rows = space.knapsack.trace(loads)
        blocked = ~rows.any(axis=1) | (rows == space.counts[None, :]).all(axis=1)
        if generation.rank > 1:
            blocked |= generation.in_span(rows.astype(np.float64))
        fresh: dict[Coalition, float] = {}
        stopped: list[tuple[int, Coalition]] = []
        seen = generation.seen
        for k in np.argsort(-excess[loads], kind="stable"):
            counts = tuple(rows[k].tolist())
            if blocked[k]:
                stopped.append((int(loads[k]), counts))
            elif counts not in seen and counts not in fresh:
                fresh[counts] = float(excess[loads[k]])
        return [(value, counts) for counts, value in fresh.items()], stopped

    @staticmethod
    def _answer(
        fresh: list[tuple[float, Coalition]], space: WorkloadSpace
    ) -> tuple[list[Coalition], float]:
        if not fresh:
            return [], -np.inf
        fresh.sort(key=lambda item: -item[0])
        return _diverse(fresh, space, MAX_ADDED), fresh[0][0]


def _diverse(
    fresh: list[tuple[float, Coalition]], space: WorkloadSpace, limit: int
) -> list[Coalition]:
    """The best coalition of each staffing level, then the next best, `limit` in all."""
    chosen: list[Coalition] = []
    taken: set[int] = set()
    rest: list[Coalition] = []
    for _, counts in fresh:
        level = int(space.level_of[int(np.dot(counts, space.loads))])
        if level in taken:
            rest.append(counts)
        else:
            taken.add(level)
            chosen.append(counts)
    return (chosen + rest)[:limit]


def _workload_generation(game: PooledServiceGame) -> tuple[WorkloadSpace, Generation]:
    """The generation on the workload game, started from shares proportional to workload
    (y_k = H(W(N)) · w_k / W(N)) within a trust region of TRUST_RADIUS of the mean share."""
    space = WorkloadSpace(game)
    generation = Generation(game, None, _WorkloadSeparator(space), space)
    total = float(space.loads @ space.counts)
    if total > 0:
        start = np.asarray(space.grand_cost * space.loads / total, dtype=np.float64)
    else:
        start = np.full(space.dim, space.grand_cost / game.n)
    generation.trust = start
    generation.radius = max(tolerance(game), TRUST_RADIUS * abs(space.grand_cost) / game.n)
    return space, generation


def _workload_least_core(game: PooledServiceGame) -> LeastCore | None:
    """The least core through the workload game, or None when that does not settle it.

    The workload game's least core equals the pooled game's when its members alone are
    slack at the solution (their excess below ε*: the programme without them has the
    same optimum) and the pooled game's members alone, x_i − c({i}), stay at most ε*.
    """
    tol = tolerance(game)
    try:
        space, generation = _workload_generation(game)
        y, epsilon = generation.least_core()
    except (Uncertified, GenerationFailed):
        return None
    if not _singles_slack(game, space, y, epsilon, tol):
        return None
    x = space.members(y)
    note = (
        f"moindre cœur exact (génération de contraintes sur {space.dim} classes de charge, "
        f"{generation.rounds} programme(s) linéaire(s), séparation par programmation "
        f"dynamique), ε* = {epsilon:.2f}"
    )
    return LeastCore(epsilon, Allocation("least-core", game.players, x, note=note))


def _singles_slack(
    game: PooledServiceGame, space: WorkloadSpace, y: FloatArray, epsilon: float, tol: float
) -> bool:
    """Members alone: below ε in the workload game, at most ε in the pooled game."""
    fictive = np.asarray(y, dtype=np.float64) - space.level_cost[space.loads]
    real = space.members(y) - game.standalone()
    return bool(fictive.max() < epsilon - tol and real.max() <= epsilon + tol)


def _workload_prenucleolus(game: PooledServiceGame) -> tuple[FloatArray, int, int] | None:
    """The prenucleolus through the workload game, or None when that does not settle it.

    The workload game's prenucleolus z is symmetric in members of equal workload. It is
    the pooled game's when, with ε_K the last level of its sequence, every member alone
    has an excess below ε_K in both games and the coalitions of excess ≥ ε_K span every
    direction among the members (Kohlberg: each collection {S : e(S) ≥ t} stays
    balanced when the members alone are swapped, since a balanced collection that
    spans stays balanced when coalitions are added). Returns x, levels, programmes.
    """
    if game.n < 3:
        return None
    tol = tolerance(game)
    try:
        space, generation = _workload_generation(game)
        y = generation.sequence()
    except (Uncertified, GenerationFailed):
        return None
    last = generation.epsilon
    if generation.rank < space.dim or not _singles_slack(game, space, y, last, tol):
        return None
    # t0: just above every member alone, in both games. Within a class of m ≥ 2 members,
    # a coalition of excess > t0 holding one of them gives, by permutation, every
    # difference e_i − e_j of the class: with the class rank, D(t0) spans every direction.
    t0 = max(
        float((y - space.level_cost[space.loads]).max()),
        float((space.members(y) - game.standalone()).max()),
    )
    rows = np.array(generation.fixed_rows[1:])
    split = ((rows > 0) & (rows < space.counts[None, :])).any(axis=0) | (space.counts < 2)
    for k in np.flatnonzero(~split):
        if _best_with_one(space, y, int(k)) <= t0 + tol:
            return None
    return space.members(y), generation.levels, generation.rounds


def _best_with_one(space: WorkloadSpace, y: FloatArray, k: int) -> float:
    """The largest excess of a coalition holding exactly one member of class k."""
    counts = space.counts.copy()
    counts[k] = 0
    others = WorkloadKnapsack(space.loads, counts).solve(y)
    w = int(space.loads[k])
    best = others[: others.size - w] if w else others
    excess = float(y[k]) + best - space.level_cost[w : w + best.size]
    return float(np.max(excess))
