"""Allocation rules: who pays what of the joint cost c(N).

- `proportional`: x_i = c(N) · c({i}) / Σ_j c({j}) (in proportion to stand-alone cost);
- `equal_savings`: x_i = c({i}) − (Σ_j c({j}) − c(N)) / n (everyone saves the same);
- `scrb` (separable costs remaining benefits, from water-resources cost allocation):
  separable cost m_i = c(N) − c(N∖i), remaining benefit r_i = c({i}) − m_i,
  x_i = m_i + r_i / Σ_j r_j · (c(N) − Σ_j m_j);
- `shapley`, `nucleolus` (over the imputations), `prenucleolus`, `least_core`: see their
  modules (`cores` for explicit games; `generation` for pooled-service games of more
  than GENERATION_ABOVE members, at any n).

`allocate_costs(game, method)` picks a rule by its key.
"""

from __future__ import annotations

import numpy as np

from mutualis.engine.errors import EngineError, InvalidParameter
from mutualis.engine.games.cores import (
    MAX_NUCLEOLUS_PLAYERS,
    least_core,
    nucleolus,
    prenucleolus,
)
from mutualis.engine.games.methods import METHOD_TITLES, METHODS, NOTES
from mutualis.engine.games.model import Allocation, CostGame, PooledServiceGame
from mutualis.engine.games.shapley_values import shapley

GENERATION_ABOVE = 12
"""Pooled-service games of more members get the least core and the (pre)nucleolus by
constraint generation (`generation`), which has no size limit; explicit LPs up to here."""


def proportional(game: CostGame) -> Allocation:
    """x_i = c(N) · c({i}) / Σ_j c({j})."""
    alone = game.standalone()
    total = float(alone.sum())
    if total <= 0:
        raise EngineError(
            "Les coûts seuls sont tous nuls : pas de répartition au prorata.", field="standalone"
        )
    amounts = game.grand_cost() * alone / total
    return Allocation("proportional", tuple(game.players), amounts, note=NOTES["proportional"])


def equal_savings(game: CostGame) -> Allocation:
    """x_i = c({i}) − (Σ_j c({j}) − c(N)) / n."""
    alone = game.standalone()
    saving = float(alone.sum()) - game.grand_cost()
    amounts = alone - saving / len(alone)
    return Allocation("equal-savings", tuple(game.players), amounts, note=NOTES["equal-savings"])


def separable_costs(game: CostGame) -> np.ndarray:
    """m_i = c(N) − c(N∖i): the cost member i adds to the others' joint cost."""
    n = len(game.players)
    without = ~np.eye(n, dtype=np.bool_)
    return game.grand_cost() - game.costs(without)


def scrb(game: CostGame) -> Allocation:
    """x_i = m_i + r_i / Σ r · (c(N) − Σ m), with m_i = c(N) − c(N∖i), r_i = c({i}) − m_i.

    Convention here: a member whose remaining benefit is negative counts for zero in the
    split of the non-separable cost (r_i is taken as max(0, r_i)); if no remaining
    benefit is positive, the non-separable cost is split equally.
    """
    n = len(game.players)
    if n == 1:
        return Allocation("scrb", tuple(game.players), game.standalone())
    separable = separable_costs(game)
    remaining = np.maximum(game.standalone() - separable, 0.0)
    nonseparable = game.grand_cost() - float(separable.sum())
    if remaining.sum() <= 0:
        amounts = separable + nonseparable / n
    else:
        amounts = separable + remaining / remaining.sum() * nonseparable
    return Allocation(
        "scrb",
        tuple(game.players),
        amounts,
        note=NOTES["scrb"],
    )


def allocate_costs(
    game: CostGame, method: str, *, samples: int = 2000, seed: int = 0
) -> Allocation:
    """The allocation of c(N) by the rule `method` (one of METHODS)."""
    if method == "shapley":
        return shapley(game, samples=samples, seed=seed)
    if method in ("nucleolus", "prenucleolus", "least-core"):
        n = len(game.players)
        if isinstance(game, PooledServiceGame) and n > GENERATION_ABOVE:
            from mutualis.engine.games import generation

            if method == "nucleolus":
                return generation.pooled_nucleolus(game)
            if method == "prenucleolus":
                return generation.pooled_prenucleolus(game)
            return generation.pooled_least_core(game).allocation
        if n > MAX_NUCLEOLUS_PLAYERS:
            raise InvalidParameter(
                f"Le {METHOD_TITLES[method]} n'est calculé exactement que jusqu'à "
                f"{MAX_NUCLEOLUS_PLAYERS} membres (reçu : {n}).",
                field="method",
                n=n,
            )
        if method == "nucleolus":
            return nucleolus(game)
        if method == "prenucleolus":
            return prenucleolus(game)
        return least_core(game).allocation
    if method == "scrb":
        return scrb(game)
    if method == "proportional":
        return proportional(game)
    if method == "equal-savings":
        return equal_savings(game)
    raise InvalidParameter(
        f"Méthode inconnue « {method} » (attendu : {', '.join(METHODS)}).",
        field="method",
        method=method,
    )
