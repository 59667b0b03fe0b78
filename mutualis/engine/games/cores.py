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

from mutualis.engine.games import exact
from mutualis.engine.games.exact import EmptyImputationSet as EmptyImputationSet
from mutualis.engine.games.methods import least_core_note
from mutualis.engine.games.model import (
    Allocation,
    CostGame,
    ExplicitGame,
    FloatArray,
    masks_to_membership,
    to_explicit,
)
from mutualis.engine.games.programme import Coalition, Generation
from mutualis.engine.games.programme import LinearProgramFailed as LinearProgramFailed
from mutualis.engine.games.stability import subset_sums, tolerance

MAX_NUCLEOLUS_PLAYERS = 16
"""Above this, 2^n rows per linear programme is too many for an interactive answer."""

ENUMERATED_PER_ROUND = 64
"""Most violated coalitions added per round of constraint generation."""


@dataclass(frozen=True, eq=False)
class LeastCore:
    """The least-core value ε* (≤ 0 iff the core is non-empty) and one allocation in it."""

    value: float
    allocation: Allocation


def _explicit(game: CostGame) -> ExplicitGame:
    return to_explicit(game, MAX_NUCLEOLUS_PLAYERS)


class _Enumeration:
    """Separation by enumeration: the excess of every coalition at x, from subset sums.

    Returns the ENUMERATED_PER_ROUND most violated coalitions not yet in the programme and
    not determined by the fixed ones; exact, since every coalition is looked at.
    """

    def __init__(self, explicit: ExplicitGame) -> None:
        n = explicit.n
        self.n = n
        self.masks = np.arange(1, (1 << n) - 1, dtype=np.int64)
        self.membership = masks_to_membership(self.masks, n)
        self.costs = explicit.table[self.masks]
        self.undetermined = np.ones(self.masks.size, dtype=np.bool_)
        self.rank = 1

    def __call__(
        self, x: FloatArray, above: float, generation: Generation, *, certify: bool = True
    ) -> tuple[list[Coalition], float]:
        if generation.rank != self.rank:  # new fixed coalitions: drop the determined ones
            self.rank = generation.rank
            index = np.flatnonzero(self.undetermined)
            spanned = generation.in_span(self.membership[index].astype(np.float64))
            self.undetermined[index[spanned]] = False
        excess = subset_sums(x)[self.masks] - self.costs
        candidates = np.flatnonzero((excess > above) & self.undetermined)
        order = candidates[np.argsort(-excess[candidates], kind="stable")]
        found: list[Coalition] = []
        top = -np.inf
        for index in order:
            members = tuple(int(i) for i in np.flatnonzero(self.membership[index]))
            if members in generation.seen:
                continue
            if not found:
                top = float(excess[index])
            found.append(members)
            if len(found) >= ENUMERATED_PER_ROUND:
                break
        return found, top


def least_core(game: CostGame) -> LeastCore:
    """ε* = min_x max_{∅≠S⊊N} x(S) − c(S) with x(N) = c(N), and an x reaching it."""
    explicit = _explicit(game)
    n = explicit.n
    if n == 1:
        allocation = Allocation("least-core", explicit.players, explicit.table[1:].copy())
        return LeastCore(0.0, allocation)
    x, value = Generation(explicit, None, _Enumeration(explicit)).least_core()
    allocation = Allocation(
        "least-core",
        explicit.players,
        x,
        note=least_core_note(value),
    )
    return LeastCore(value, allocation)


def _sequential_excesses(
    explicit: ExplicitGame, upper: FloatArray | None
) -> tuple[FloatArray, int]:
    """Lexicographic minimisation of the sorted excesses (see module); x_i ≤ upper_i."""
    generation = Generation(explicit, upper, _Enumeration(explicit))
    x = generation.sequence()
    return x, generation.levels


def imputation_gap(game: CostGame) -> float:
    """Σ c({i}) − c(N): the imputation set is non-empty iff it is ≥ 0."""
    return float(game.standalone().sum()) - game.grand_cost()


def check_imputations(game: CostGame) -> None:
    """Raise EmptyImputationSet (French) when Σ c({i}) < c(N)."""
    exact.check_imputations(game.grand_cost(), game.standalone().tolist(), tolerance(game))


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
