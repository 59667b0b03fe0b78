"""Least core of the pooled-service game at any n, by constraint generation.

The least core needs x(S) − c(S) ≤ ε for every coalition: 2^n rows, out of reach at
n = 158. Constraint generation keeps a small set of coalitions, solves the linear
programme on them (HiGHS), then asks the separation oracle — the core-test MILP
`best_pooled_coalition`, max_{|S|≥2} x(S) − c(S), plus the singletons — for the most
violated coalition at the current x. When none exceeds ε* (within tolerance), the
solution is the least core of the whole game, exactly up to solver tolerance.
"""

from __future__ import annotations

import numpy as np

from mutualis.engine.errors import EngineError
from mutualis.engine.games.cores import LeastCore
from mutualis.engine.games.model import Allocation, FloatArray, PooledServiceGame
from mutualis.engine.games.stability import best_pooled_coalition, tolerance

MAX_ROUNDS = 500


class GenerationFailed(EngineError):
    """Constraint generation did not converge within MAX_ROUNDS."""


def _lp(
    rows: list[FloatArray], costs: list[float], grand: float, n: int
) -> tuple[FloatArray, float]:
    from scipy.optimize import linprog  # lazy: slow to import

    objective = np.zeros(n + 1)
    objective[n] = 1.0
    a_ub = np.hstack([np.array(rows), -np.ones((len(rows), 1))])
    a_eq = np.concatenate([np.ones(n), [0.0]])[None, :]
    result = linprog(
        objective,
        A_ub=a_ub,
        b_ub=np.array(costs),
        A_eq=a_eq,
        b_eq=[grand],
        bounds=[(None, None)] * (n + 1),
        method="highs",
    )
    if result.status != 0:
        raise GenerationFailed(f"Le programme linéaire n'a pas abouti ({result.message}).")
    x = np.asarray(result.x, dtype=np.float64)
    return x[:n], float(x[n])


def pooled_least_core(game: PooledServiceGame, *, time_limit: float = 60.0) -> LeastCore:
    """ε* = min_x max_{∅≠S⊊N} x(S) − c(S), x(N) = c(N), at any n (see module)."""
    n = game.n
    grand = game.grand_cost()
    alone = game.standalone()
    if n == 1:
        return LeastCore(0.0, Allocation("least-core", game.players, alone.copy()))
    tol = tolerance(game)
    rows: list[FloatArray] = [np.eye(n)[i] for i in range(n)]
    costs: list[float] = [float(c) for c in alone]
    # Start with the coalitions N∖{i}: they bound everyone's share from below.
    without = ~np.eye(n, dtype=np.bool_)
    if n > 2:
        for i, cost in enumerate(game.costs(without)):
            rows.append(without[i].astype(np.float64))
            costs.append(float(cost))
    seen = {tuple(np.flatnonzero(row).tolist()) for row in rows}
    for rounds in range(1, MAX_ROUNDS + 1):
        x, epsilon = _lp(rows, costs, grand, n)
        value, members = best_pooled_coalition(
            game, x, max_size=n - 1 if n > 2 else None, time_limit=time_limit
        )
        if value <= epsilon + tol or tuple(members) in seen:
            note = (
                f"moindre cœur exact (génération de contraintes, {rounds} programme(s) "
                f"linéaire(s), séparation par MILP HiGHS), ε* = {epsilon:.2f}"
            )
            return LeastCore(epsilon, Allocation("least-core", game.players, x, note=note))
        row = np.zeros(n)
        row[list(members)] = 1.0
        rows.append(row)
        membership = row.astype(np.bool_)[None, :]
        costs.append(float(game.costs(membership)[0]))
        seen.add(tuple(members))
    raise GenerationFailed(
        f"Le moindre cœur n'a pas convergé en {MAX_ROUNDS} itérations.", rounds=MAX_ROUNDS
    )
