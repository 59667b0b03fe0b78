"""Is an allocation stable? Individual rationality and the core test.

For an allocation x of the cost c(N):

- individual rationality: member i pays no more than alone, x_i ≤ c({i});
- the core test: no group S would pay less on its own, x(S) ≤ c(S) for every S. The
  test names the group whose members would save most by leaving, argmax_S x(S) − c(S),
  and how much.

Explicit and small games (n ≤ 25) are checked by enumerating the 2^n coalitions. The
pooled-service game is checked at any n by a mixed-integer programme (HiGHS):
singletons by individual rationality, coalitions of two or more by

    max Σ_i (x_i − per_unit·w_i − v_i)·z_i − fixed − cost_per_etp·(step·L + M)
    s.t. q·L ≥ Σ_i w_i z_i,  L ≥ min_level,  manager_span·M ≥ step·L,  Σ_i z_i ≥ 2,
         z binary, L and M integers,

whose optimum is max_{|S|≥2} x(S) − c(S): at the optimum, L and M are the fewest
staffing steps and managers the workload needs (rational parameters are scaled to
integer coefficients so that thresholds are exact). When the workloads are small enough
(`separation.dynamic_programme_fits`), the same maximum comes, exactly and in a few
milliseconds, from the dynamic programme over workloads of `separation` ("auto").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import lcm

import numpy as np

from mutualis.engine.errors import EngineError
from mutualis.engine.games.model import (
    MAX_EXPLICIT_PLAYERS,
    Allocation,
    CostGame,
    ExplicitGame,
    FloatArray,
    PooledServiceGame,
    TooManyPlayers,
    to_explicit,
)
from mutualis.engine.games.separation import dynamic_programme_fits, violated_coalitions
from mutualis.engine.money import D, Number


class SolverFailed(EngineError):
    """HiGHS did not prove an optimum within its limits."""


def tolerance(game: CostGame) -> float:
    """Numerical tolerance of the stability tests: 10⁻⁷ of c(N), at least 10⁻⁶ €."""
    return max(1e-6, 1e-7 * abs(game.grand_cost()))


@dataclass(frozen=True)
class CoreTest:
    """Result of the core test on an allocation.

    `violation` = max(0, max_S x(S) − c(S)); `violating_coalition` is the group that would
    save that much by leaving (None when in the core); `budget_gap` = x(N) − c(N).
    """

    in_core: bool
    violating_coalition: tuple[str, ...] | None
    violation: float
    budget_gap: float
    method: str
    conclusive: bool = True


def individually_rational(game: CostGame, allocation: Allocation) -> tuple[bool, ...]:
    """x_i ≤ c({i}) for every player (within `tolerance`)."""
    tol = tolerance(game)
    return tuple(
        bool(x <= s + tol) for x, s in zip(allocation.amounts, game.standalone(), strict=True)
    )


def subset_sums(values: FloatArray) -> FloatArray:
    """Σ_{i∈S} values_i for every bitmask S."""
    sums = np.zeros(1)
    for value in values:
        sums = np.concatenate([sums, sums + value])
    return sums


def _explicit_core(game: ExplicitGame, x: FloatArray) -> tuple[float, int]:
    excess = subset_sums(x) - game.table
    excess[0] = -np.inf
    best = int(np.argmax(excess))
    return float(excess[best]), best


def _solve_milp(
    objective: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    rows: list[tuple[FloatArray, float, float]],
    time_limit: float,
) -> FloatArray | None:
    """min objective·z over integer z within the bounds and rows (HiGHS, silent).

    None when infeasible; SolverFailed when no optimum is proven within `time_limit`.
    """
    from highspy import HighsModelStatus

    from mutualis.engine.games.programme import quiet_highs

    model = quiet_highs()
    model.setOptionValue("mip_rel_gap", 1e-9)
    model.setOptionValue("time_limit", float(time_limit))
    columns = objective.size
    model.addVars(columns, lower, upper)
    every = np.arange(columns, dtype=np.int32)
    model.changeColsCost(columns, every, objective)
    model.changeColsIntegrality(columns, every, np.ones(columns, dtype=np.uint8))
    matrix = np.array([row for row, _, _ in rows])
    row_index, column_index = np.nonzero(matrix)
    starts = np.searchsorted(row_index, np.arange(len(rows))).astype(np.int32)
    model.addRows(
        len(rows),
        np.array([low for _, low, _ in rows]),
        np.array([high for _, _, high in rows]),
        int(row_index.size),
        starts,
        column_index.astype(np.int32),
        matrix[row_index, column_index],
    )
    model.run()
    status = model.getModelStatus()
    if status == HighsModelStatus.kInfeasible:
        return None
    if status != HighsModelStatus.kOptimal:
        raise SolverFailed(
            f"Le solveur HiGHS n'a pas abouti ({model.modelStatusToString(status)}).",
            status=str(status),
        )
    return np.asarray(model.getSolution().col_value, dtype=np.float64)


def _fraction(value: Number) -> Fraction:
    return Fraction(D(value))


def best_pooled_coalition(
    game: PooledServiceGame,
    gains: FloatArray,
    *,
    required: Sequence[int] = (),
    excluded: Sequence[int] = (),
    max_size: int | None = None,
    forbidden: Sequence[Sequence[int]] = (),
    time_limit: float = 60.0,
) -> tuple[float, tuple[int, ...]]:
    """max over S with |S| ≥ 2 of Σ_{i∈S} gains_i − c(S), and the S reaching it (MILP).

    With gains = x this is the core test; with gains = c({i}) it is the coalition that
    saves most. Coalitions in `forbidden` are excluded (one no-good cut each). Raises
    SolverFailed when no coalition of two or more is feasible.
    """
    n = game.n
    service = game.service
    per_unit = float(D(service.per_unit))
    cost_per_etp = float(D(service.cost_per_etp))
    step = _fraction(service.step)
    q = service.step_workload
    span = None if service.manager_span is None else _fraction(service.manager_span)
    weights = gains - per_unit * game.workloads - game.own_costs
    # Variables: z (n), L, M. HiGHS minimises: negate the gains.
    objective = np.concatenate([-weights, [cost_per_etp * float(step), cost_per_etp]])
    lower = np.zeros(n + 2)
    upper = np.ones(n + 2)
    lower[n] = service.min_level
    upper[n] = np.inf
    upper[n + 1] = np.inf if span is not None else 0
    for i in required:
        lower[i] = 1
    for i in excluded:
        upper[i] = 0
    rows: list[tuple[FloatArray, float, float]] = []
    # q·L ≥ W  ⇔  a·L − b·W ≥ 0 with q = a/b.
    staffing = np.concatenate(
        [-q.denominator * game.workloads.astype(np.float64), [q.numerator, 0]]
    )
    rows.append((staffing, 0.0, np.inf))
    if span is not None:
        # span·M ≥ step·L, scaled to integers by the common denominator.
        scale = lcm(span.denominator, step.denominator)
        managers = np.zeros(n + 2)
        managers[n] = -float(step * scale)
        managers[n + 1] = float(span * scale)
        rows.append((managers, 0.0, np.inf))
    size = np.concatenate([np.ones(n), [0, 0]])
    rows.append((size, 2.0, np.inf if max_size is None else float(max_size)))
    for coalition in forbidden:
        # Σ_{i∈S0} z_i − Σ_{i∉S0} z_i ≤ |S0| − 1: any z but S0's own.
        cut = -np.ones(n + 2)
        cut[list(coalition)] = 1.0
        cut[n:] = 0.0
        rows.append((cut, -np.inf, float(len(coalition) - 1)))
    solution = _solve_milp(objective, lower, upper, rows, time_limit)
    if solution is None:
        raise SolverFailed(
            "Aucune coalition d'au moins deux membres ne respecte les contraintes.",
            required=tuple(required),
            excluded=tuple(excluded),
            max_size=max_size,
        )
    chosen = np.flatnonzero(solution[:n] > 0.5)
    membership = np.zeros((1, n), dtype=np.bool_)
    membership[0, chosen] = True
    value = float(gains[chosen].sum() - game.costs(membership)[0])
    return value, tuple(int(i) for i in chosen)


def core_test(
    game: CostGame, allocation: Allocation, method: str = "auto", *, time_limit: float = 60.0
) -> CoreTest:
    """The most-violated coalition, max_S x(S) − c(S), by enumeration, dynamic programme
    or MILP (see module).

    `method` is "enumeration", "dynamic-programme" or "milp" (pooled-service game only)
    or "auto": for a pooled-service game of more than 12 members, the dynamic programme of
    `separation` (exact, a few milliseconds) when its tables fit, else the MILP;
    enumeration otherwise. When the MILP
    reaches `time_limit` seconds without proving its optimum, the test is returned
    inconclusive (`conclusive=False`) unless a coalition found so far already violates.
    """
    if method == "auto" and isinstance(game, PooledServiceGame) and game.n > 12:
        method = "dynamic-programme" if dynamic_programme_fits(game) else "milp"
    x = np.asarray(allocation.amounts, dtype=np.float64)
    players = tuple(game.players)
    tol = tolerance(game)
    gap = float(x.sum() - game.grand_cost())
    if method in ("dynamic-programme", "milp"):
        if not isinstance(game, PooledServiceGame):
            raise EngineError(
                "Le test du cœur par programmation dynamique ou MILP ne vaut que pour le "
                "service mutualisé."
            )
        singles = x - game.standalone()
        best_single = int(np.argmax(singles))
        members: tuple[int, ...] = (best_single,)
        value = float(singles[best_single])
        if method == "dynamic-programme":
            found = violated_coalitions(game, x, limit=1) if game.n >= 2 else []
            if found and found[0][0] > value:
                value, members = found[0]
        elif game.n >= 2:
            try:
                pooled_value, pooled = best_pooled_coalition(game, x, time_limit=time_limit)
            except SolverFailed:
                if value > tol:
                    pooled_value, pooled = value, members
                else:
                    return CoreTest(False, None, 0.0, gap, "milp", conclusive=False)
            if pooled_value > value:
                value, members = pooled_value, pooled
        used = method
    elif len(players) <= MAX_EXPLICIT_PLAYERS:
        explicit = to_explicit(game)
        value, mask = _explicit_core(explicit, x)
        members = tuple(i for i in range(len(players)) if (mask >> i) & 1)
        used = "enumeration"
    else:
        raise TooManyPlayers(
            f"Le test du cœur par énumération est limité à {MAX_EXPLICIT_PLAYERS} membres "
            f"(reçu : {len(players)}).",
            n=len(players),
        )
    in_core = value <= tol and abs(gap) <= tol
    return CoreTest(
        in_core=in_core,
        violating_coalition=None if value <= tol else tuple(players[i] for i in members),
        violation=max(0.0, value),
        budget_gap=gap,
        method=used,
    )
