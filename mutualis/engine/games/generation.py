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

import numpy as np

from mutualis.engine.games.cores import LeastCore, check_imputations
from mutualis.engine.games.model import Allocation, FloatArray, PooledServiceGame
from mutualis.engine.games.programme import Coalition, Generation
from mutualis.engine.games.programme import GenerationFailed as GenerationFailed
from mutualis.engine.games.separation import dynamic_programme_fits, violated_coalitions
from mutualis.engine.games.stability import SolverFailed, best_pooled_coalition

PER_ROUND = 60
"""Violated coalitions (of distinct workloads) added per round by the dynamic programme."""


class _PooledSeparator:
    """The dynamic programme of `separation`, or the MILP when its tables are too big."""

    def __init__(self, game: PooledServiceGame, time_limit: float) -> None:
        self.game = game
        self.time_limit = time_limit
        self.dynamic = dynamic_programme_fits(game)

    def __call__(
        self, x: FloatArray, above: float, generation: Generation
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
    generation = Generation(game, alone, _PooledSeparator(game, time_limit))
    x = generation.sequence()
    return x, generation.levels, generation.rounds
