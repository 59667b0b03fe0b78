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

from dataclasses import dataclass, field

import numpy as np

from mutualis.engine.errors import EngineError
from mutualis.engine.games.cores import LeastCore, check_imputations, excess_lp
from mutualis.engine.games.model import Allocation, FloatArray, PooledServiceGame
from mutualis.engine.games.separation import dynamic_programme_fits, violated_coalitions
from mutualis.engine.games.stability import SolverFailed, best_pooled_coalition, tolerance

MAX_ROUNDS = 2000
"""Linear programmes in all, over every level, before giving up."""
PER_ROUND = 25
"""Violated coalitions (of distinct workloads) added per round by the dynamic programme."""

_DUAL_TOL = 1e-9
_SPAN_TOL = 1e-9


class GenerationFailed(EngineError):
    """Constraint generation did not converge within MAX_ROUNDS."""


@dataclass
class _Programme:
    """The coalitions generated so far, the fixed ones and the span they determine."""

    game: PooledServiceGame
    time_limit: float
    rows: list[FloatArray] = field(default_factory=list)
    costs: list[float] = field(default_factory=list)
    free: list[bool] = field(default_factory=list)
    seen: set[tuple[int, ...]] = field(default_factory=set)
    eq_rows: list[FloatArray] = field(default_factory=list)
    eq_values: list[float] = field(default_factory=list)
    basis: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))
    determined: list[tuple[int, ...]] = field(default_factory=list)
    rounds: int = 0

    def add(self, members: tuple[int, ...]) -> None:
        n = self.game.n
        row = np.zeros(n)
        row[list(members)] = 1.0
        self.rows.append(row)
        self.costs.append(float(self.game.costs(row.astype(np.bool_)[None, :])[0]))
        self.free.append(not self.in_span(row))
        self.seen.add(members)

    def fix(self, row: FloatArray, value: float) -> None:
        self.eq_rows.append(row)
        self.eq_values.append(value)
        _, singular, right = np.linalg.svd(np.array(self.eq_rows), full_matrices=False)
        rank = int((singular > _SPAN_TOL * singular[0]).sum())
        self.basis = right[:rank].T
        for index, candidate in enumerate(self.rows):
            if self.free[index] and self.in_span(candidate):
                self.free[index] = False

    @property
    def rank(self) -> int:
        return int(self.basis.shape[1]) if self.basis.size else 0

    def in_span(self, row: FloatArray) -> bool:
        if not self.basis.size:
            return False
        residual = row - self.basis @ (self.basis.T @ row)
        return bool(np.linalg.norm(residual) < _SPAN_TOL * max(1.0, float(np.linalg.norm(row))))

    def solve(self, upper: FloatArray | None) -> tuple[FloatArray, float, FloatArray, list[int]]:
        self.rounds += 1
        if self.rounds > MAX_ROUNDS:
            raise GenerationFailed(
                f"La génération de contraintes n'a pas convergé en {MAX_ROUNDS} programmes "
                "linéaires.",
                rounds=MAX_ROUNDS,
            )
        index = [i for i, free in enumerate(self.free) if free]
        x, epsilon, duals = excess_lp(
            np.array([self.rows[i] for i in index]),
            np.array([self.costs[i] for i in index]),
            self.eq_rows,
            self.eq_values,
            upper,
            scale=max(1.0, abs(self.eq_values[0])),
        )
        return x, epsilon, duals, index

    def separate(self, x: FloatArray, above: float) -> tuple[list[tuple[int, ...]], float]:
        """New coalitions with x(S) − c(S) > above whose excess is not determined, and the
        largest such excess found (−∞ when none)."""
        game = self.game
        if dynamic_programme_fits(game):
            found = violated_coalitions(game, x, above=above, allow_grand=False, limit=PER_ROUND)
            fresh = [(v, m) for v, m in found if not self._determined(m) and m not in self.seen]
            if fresh or not any(m in self.determined for _, m in found):
                return [m for _, m in fresh], max((v for v, _ in fresh), default=-np.inf)
        while True:  # the MILP, with the determined coalitions cut off
            try:
                value, members = best_pooled_coalition(
                    game,
                    x,
                    max_size=game.n - 1,
                    forbidden=self.determined,
                    time_limit=self.time_limit,
                )
            except SolverFailed as error:
                if "status" not in error.fields:  # infeasible: nothing left
                    return [], -np.inf
                raise
            if value <= above:
                return [], -np.inf
            if self._determined(members):
                continue
            return ([], -np.inf) if members in self.seen else ([members], value)

    def _determined(self, members: tuple[int, ...]) -> bool:
        row = np.zeros(self.game.n)
        row[list(members)] = 1.0
        if self.in_span(row):
            if members not in self.determined:
                self.determined.append(members)
            return True
        return False

    def level(self, upper: FloatArray | None) -> tuple[FloatArray, float, FloatArray, list[int]]:
        """One programme of the sequence, solved by constraint generation.

        Stabilised (in-out separation, Ben-Ameur & Neto 2007): each round also separates
        at the midpoint of the programme's solution and the best point met so far (the one
        with the smallest largest excess), which damps the oscillation of the extreme
        points; the programme stops, as without stabilisation, when nothing is violated
        at its own solution.
        """
        tol = tolerance(self.game)
        center: FloatArray | None = None
        best = np.inf
        while True:
            x, epsilon, duals, index = self.solve(upper)
            fresh, top = self.separate(x, epsilon + tol)
            if not fresh:
                return x, epsilon, duals, index
            points = [(top, x)]
            if center is not None:
                middle = 0.5 * (center + x)
                extra, middle_top = self.separate(middle, epsilon + tol)
                fresh += [m for m in extra if m not in fresh]
                points.append((max(middle_top, epsilon), middle))
            for value, point in points:
                if value < best:
                    best, center = value, point
            if center is None:
                center = x
            for members in fresh:
                if members not in self.seen:
                    self.add(members)


def _programme(game: PooledServiceGame, time_limit: float) -> _Programme:
    n = game.n
    programme = _Programme(game, time_limit)
    programme.fix(np.ones(n), game.grand_cost())
    for i in range(n):
        programme.add((i,))
    if n > 2:  # the coalitions N∖{i} bound everyone's share from below
        for i in range(n):
            programme.add(tuple(j for j in range(n) if j != i))
    return programme


def pooled_least_core(game: PooledServiceGame, *, time_limit: float = 60.0) -> LeastCore:
    """ε* = min_x max_{∅≠S⊊N} x(S) − c(S), x(N) = c(N), at any n (see module)."""
    if game.n == 1:
        return LeastCore(0.0, Allocation("least-core", game.players, game.standalone().copy()))
    programme = _programme(game, time_limit)
    x, epsilon, _, _ = programme.level(None)
    note = (
        f"moindre cœur exact (génération de contraintes, {programme.rounds} programme(s) "
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
    x, levels, rounds = _sequence(game, alone, time_limit)
    note = (
        f"nucléole exact sur les imputations (nul ne paie plus que seul), {levels} niveau(x), "
        f"{rounds} programme(s) linéaire(s) par génération de contraintes "
        "(séparation par programmation dynamique ou MILP HiGHS)"
    )
    return Allocation("nucleolus", game.players, np.minimum(x, alone), note=note)


def pooled_prenucleolus(game: PooledServiceGame, *, time_limit: float = 60.0) -> Allocation:
    """The prenucleolus (no x_i ≤ c({i})), at any n: it may charge more than alone."""
    if game.n == 1:
        return Allocation("prenucleolus", game.players, game.standalone().copy())
    x, levels, rounds = _sequence(game, None, time_limit)
    note = (
        f"prénucléole exact (sans la contrainte du coût seul), {levels} niveau(x), {rounds} "
        "programme(s) linéaire(s) par génération de contraintes"
    )
    return Allocation("prenucleolus", game.players, x, note=note)


def _sequence(
    game: PooledServiceGame, alone: FloatArray | None, time_limit: float
) -> tuple[FloatArray, int, int]:
    """The sequence of programmes (see module): x, levels, linear programmes solved."""
    programme = _programme(game, time_limit)
    levels = 0
    x = np.zeros(game.n)
    while programme.rank < game.n:
        if not any(programme.free):
            fresh, _ = programme.separate(x, -np.inf)
            if not fresh:
                break  # every coalition's excess is determined
            programme.add(fresh[0])
        x, epsilon, duals, index = programme.level(alone)
        levels += 1
        tight = [index[k] for k in np.flatnonzero(duals > _DUAL_TOL)]
        if not tight:  # pragma: no cover - a bounded programme always has a positive dual
            raise GenerationFailed("Aucune coalition saturée : nucléole introuvable.")
        for k in tight:
            if programme.free[k]:
                programme.free[k] = False
                programme.fix(programme.rows[k], programme.costs[k] + epsilon)
    if programme.rank >= game.n:
        solution, *_ = np.linalg.lstsq(
            np.array(programme.eq_rows), np.array(programme.eq_values), rcond=None
        )
        x = np.asarray(solution, dtype=np.float64)
    return x, levels, programme.rounds
