"""Least core and nucleolus of an explicit cost game, by linear programmes (HiGHS).

For an allocation x with x(N) = c(N), the excess of a coalition S is e(S) = x(S) − c(S):
what S pays beyond what it would pay alone, i.e. what it would save by leaving.

- Least core: ε* = min_x max_{∅≠S⊊N} e(S). The core is non-empty iff ε* ≤ 0.
- Nucleolus (Schmeidler 1969): over the imputations (x(N) = c(N) and x_i ≤ c({i}): nobody
  pays more than alone), the x that minimises the largest excess, then the next largest,
  and so on (lexicographically). It exists iff Σ c({i}) ≥ c(N); otherwise
  EmptyImputationSet says so in French. The prenucleolus is the same without x_i ≤ c({i})
  (`prenucleolus`), under its own name. Computed as a sequence of at most n linear
  programmes (Maschler, Peleg & Shapley 1979): solve min ε s.t. e(S) ≤ ε on the free
  coalitions; the coalitions with a positive dual price are tight at every optimum, so
  their excess is fixed at ε*; coalitions whose indicator lies in the span of the fixed
  ones are dropped; repeat until the fixed coalitions determine x.

Each programme has 2^n − 2 rows: exact and quick up to about n = 16.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mutualis.engine.errors import EngineError
from mutualis.engine.games.model import (
    Allocation,
    CostGame,
    ExplicitGame,
    FloatArray,
    masks_to_membership,
    to_explicit,
)
from mutualis.engine.games.stability import tolerance
from mutualis.engine.money import format_euros

MAX_NUCLEOLUS_PLAYERS = 16
"""Above this, 2^n rows per linear programme is too many for an interactive answer."""

_DUAL_TOL = 1e-9
_SPAN_TOL = 1e-9


class LinearProgramFailed(EngineError):
    """HiGHS did not find an optimum (should not happen on a well-formed game)."""


@dataclass(frozen=True, eq=False)
class LeastCore:
    """The least-core value ε* (≤ 0 iff the core is non-empty) and one allocation in it."""

    value: float
    allocation: Allocation


def _explicit(game: CostGame) -> ExplicitGame:
    return to_explicit(game, MAX_NUCLEOLUS_PLAYERS)


def excess_lp(
    membership: FloatArray,
    costs: FloatArray,
    eq_rows: list[FloatArray],
    eq_values: list[float],
    upper: FloatArray | None = None,
    scale: float = 1.0,
) -> tuple[FloatArray, float, FloatArray]:
    """min ε s.t. membership·x − ε ≤ costs, eq_rows·x = eq_values, x ≤ upper.

    Returns x, ε*, and the duals of the excess rows. Amounts are divided by `scale`
    before solving (HiGHS's simplex is surer on figures near 1) and multiplied back.
    """
    n = membership.shape[1]
    objective = np.zeros(n + 1)
    objective[n] = 1.0
    a_ub = np.hstack([membership, -np.ones((membership.shape[0], 1))])
    a_eq = np.hstack([np.array(eq_rows), np.zeros((len(eq_rows), 1))])
    bounds: list[tuple[float | None, float | None]] = [(None, None)] * (n + 1)
    if upper is not None:
        bounds = [(None, float(u) / scale) for u in upper] + [(None, None)]
    from scipy.optimize import linprog  # lazy: slow to import

    result = linprog(
        objective,
        A_ub=a_ub,
        b_ub=costs / scale,
        A_eq=a_eq,
        b_eq=np.array(eq_values) / scale,
        bounds=bounds,
        method="highs",
    )
    if result.status != 0:
        raise LinearProgramFailed(
            f"Le programme linéaire n'a pas abouti ({result.message}).", status=result.status
        )
    x = np.asarray(result.x, dtype=np.float64) * scale
    duals = -np.asarray(result.ineqlin.marginals, dtype=np.float64)
    return x[:n], float(x[n]), duals


def least_core(game: CostGame) -> LeastCore:
    """ε* = min_x max_{∅≠S⊊N} x(S) − c(S) with x(N) = c(N), and an x reaching it."""
    explicit = _explicit(game)
    n = explicit.n
    if n == 1:
        allocation = Allocation("least-core", explicit.players, explicit.table[1:].copy())
        return LeastCore(0.0, allocation)
    masks = np.arange(1, (1 << n) - 1, dtype=np.int64)
    membership = masks_to_membership(masks, n).astype(np.float64)
    x, value, _ = excess_lp(
        membership, explicit.table[masks], [np.ones(n)], [explicit.grand_cost()]
    )
    allocation = Allocation(
        "least-core",
        explicit.players,
        x,
        note=f"moindre cœur : plus grand excédent minimisé, ε* = {value:.2f}",
    )
    return LeastCore(value, allocation)


def _sequential_excesses(
    explicit: ExplicitGame, upper: FloatArray | None
) -> tuple[FloatArray, int]:
    """Lexicographic minimisation of the sorted excesses (see module); x_i ≤ upper_i."""
    n = explicit.n
    masks = np.arange(1, (1 << n) - 1, dtype=np.int64)
    membership = masks_to_membership(masks, n).astype(np.float64)
    costs = explicit.table[masks]
    eq_rows: list[FloatArray] = [np.ones(n)]
    eq_values: list[float] = [explicit.grand_cost()]
    free = np.ones(masks.size, dtype=np.bool_)
    x = np.zeros(n)
    rounds = 0
    rank = 1
    while True:
        _, singular, right = np.linalg.svd(np.array(eq_rows), full_matrices=False)
        rank = int((singular > _SPAN_TOL * singular[0]).sum())
        basis = right[:rank].T  # orthonormal basis of the span of the fixed coalitions
        if rank >= n or not free.any():
            break
        # Drop coalitions whose excess is already determined by the fixed ones.
        rows = membership[free]
        residual = rows - (rows @ basis) @ basis.T
        determined = np.linalg.norm(residual, axis=1) < _SPAN_TOL
        free_index = np.flatnonzero(free)
        free[free_index[determined]] = False
        if not free.any():
            break
        free_index = np.flatnonzero(free)
        x, value, duals = excess_lp(membership[free], costs[free], eq_rows, eq_values, upper)
        rounds += 1
        tight = free_index[duals > _DUAL_TOL]
        if tight.size == 0:  # pragma: no cover - a bounded LP always has a positive dual
            raise LinearProgramFailed("Aucune coalition saturée : nucléole introuvable.")
        for index in tight:
            eq_rows.append(membership[index])
            eq_values.append(float(costs[index]) + value)
        free[tight] = False
    if rounds == 0 or rank >= n:
        solution, *_ = np.linalg.lstsq(np.array(eq_rows), np.array(eq_values), rcond=None)
        x = np.asarray(solution, dtype=np.float64)
    return x, rounds


class EmptyImputationSet(EngineError):
    """Pooling costs more than every member alone: no allocation is individually rational."""


def imputation_gap(game: CostGame) -> float:
    """Σ c({i}) − c(N): the imputation set is non-empty iff it is ≥ 0."""
    return float(game.standalone().sum()) - game.grand_cost()


def check_imputations(game: CostGame) -> None:
    """Raise EmptyImputationSet (French) when Σ c({i}) < c(N)."""
    gap = imputation_gap(game)
    if gap < -tolerance(game):
        alone = float(game.standalone().sum())
        raise EmptyImputationSet(
            "L'ensemble des imputations est vide : le service commun coûte "
            f"{format_euros(game.grand_cost())}, plus que tous les membres seuls "
            f"({format_euros(alone)}). Aucune répartition ne garantit que chacun paie au "
            "plus son coût seul ; le nucléole n'existe pas (le prénucléole, méthode "
            "« prenucleolus », reste calculable).",
            field="method",
            gap=gap,
        )


def prenucleolus(game: CostGame) -> Allocation:
    """The prenucleolus: lexicographic minimum of excesses over x(N) = c(N) only.

    Unlike the nucleolus, it may charge a member more than it would pay alone.
    """
    explicit = _explicit(game)
    if explicit.n == 1:
        return Allocation("prenucleolus", explicit.players, explicit.table[1:].copy())
    x, rounds = _sequential_excesses(explicit, None)
    return Allocation(
        "prenucleolus",
        explicit.players,
        x,
        note=f"prénucléole exact (sans la contrainte du coût seul), par {rounds} programme(s) "
        "linéaire(s) successifs (HiGHS)",
    )


def nucleolus(game: CostGame) -> Allocation:
    """Schmeidler's nucleolus over the imputations: x(N) = c(N) and x_i ≤ c({i}).

    Raises EmptyImputationSet when Σ c({i}) < c(N).
    """
    explicit = _explicit(game)
    if explicit.n == 1:
        return Allocation("nucleolus", explicit.players, explicit.table[1:].copy())
    check_imputations(explicit)
    x, rounds = _sequential_excesses(explicit, explicit.standalone())
    return Allocation(
        "nucleolus",
        explicit.players,
        np.minimum(x, explicit.standalone()),
        note=f"nucléole exact sur les imputations (nul ne paie plus que seul), par {rounds} "
        "programme(s) linéaire(s) successifs (HiGHS)",
    )
