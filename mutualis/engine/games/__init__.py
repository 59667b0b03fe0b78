"""Cooperative cost games: fair and stable sharing of a pooled service's cost.

Entry points: build a game (`ExplicitGame`, `OracleGame`, `PooledServiceGame` with its
`PooledCost`), compute an allocation (`allocate_costs(game, method)` or `shapley`,
`nucleolus`, `least_core`, `scrb`, `proportional`, `equal_savings`, or
`Allocation.given`), then `assess(game, allocation)` for the cents, the stability tests
and the French explanation. See docs/games.md.

The names below load their module on first use (PEP 562): importing one module of the
package, e.g. `small` for a game of a few members (with `exact`, its least core and
nucleolus in rationals), does not load numpy through the others.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mutualis.engine.games.allocations import (
        allocate_costs,
        equal_savings,
        proportional,
        scrb,
        separable_costs,
    )
    from mutualis.engine.games.cores import (
        EmptyImputationSet,
        LeastCore,
        imputation_gap,
        least_core,
        nucleolus,
        prenucleolus,
    )
    from mutualis.engine.games.methods import METHOD_TITLES, METHODS
    from mutualis.engine.games.model import (
        Allocation,
        CostGame,
        ExplicitGame,
        OracleGame,
        PooledCost,
        PooledMember,
        PooledServiceGame,
        TooManyPlayers,
        to_explicit,
    )
    from mutualis.engine.games.pricing import (
        PricingCheck,
        pricing_check,
        subadditive_cover,
    )
    from mutualis.engine.games.report import MemberLine, SharingReport, assess, cents_allocation
    from mutualis.engine.games.shapley_values import (
        enumerated_shapley,
        pooled_shapley,
        sampled_shapley,
        shapley,
    )
    from mutualis.engine.games.stability import (
        CoreTest,
        SolverFailed,
        best_pooled_coalition,
        core_test,
        individually_rational,
    )

_HOMES = {
    "Allocation": "mutualis.engine.games.model",
    "CoreTest": "mutualis.engine.games.stability",
    "CostGame": "mutualis.engine.games.model",
    "EmptyImputationSet": "mutualis.engine.games.exact",
    "ExplicitGame": "mutualis.engine.games.model",
    "LeastCore": "mutualis.engine.games.cores",
    "METHODS": "mutualis.engine.games.methods",
    "METHOD_TITLES": "mutualis.engine.games.methods",
    "MemberLine": "mutualis.engine.games.report",
    "OracleGame": "mutualis.engine.games.model",
    "PooledCost": "mutualis.engine.games.model",
    "PooledMember": "mutualis.engine.games.model",
    "PooledServiceGame": "mutualis.engine.games.model",
    "PricingCheck": "mutualis.engine.games.pricing",
    "SharingReport": "mutualis.engine.games.report",
    "SolverFailed": "mutualis.engine.games.stability",
    "TooManyPlayers": "mutualis.engine.games.model",
    "allocate_costs": "mutualis.engine.games.allocations",
    "assess": "mutualis.engine.games.report",
    "best_pooled_coalition": "mutualis.engine.games.stability",
    "cents_allocation": "mutualis.engine.games.report",
    "core_test": "mutualis.engine.games.stability",
    "enumerated_shapley": "mutualis.engine.games.shapley_values",
    "equal_savings": "mutualis.engine.games.allocations",
    "imputation_gap": "mutualis.engine.games.cores",
    "individually_rational": "mutualis.engine.games.stability",
    "least_core": "mutualis.engine.games.cores",
    "nucleolus": "mutualis.engine.games.cores",
    "pooled_shapley": "mutualis.engine.games.shapley_values",
    "prenucleolus": "mutualis.engine.games.cores",
    "pricing_check": "mutualis.engine.games.pricing",
    "proportional": "mutualis.engine.games.allocations",
    "sampled_shapley": "mutualis.engine.games.shapley_values",
    "scrb": "mutualis.engine.games.allocations",
    "separable_costs": "mutualis.engine.games.allocations",
    "shapley": "mutualis.engine.games.shapley_values",
    "subadditive_cover": "mutualis.engine.games.pricing",
    "to_explicit": "mutualis.engine.games.model",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "METHODS",
    "METHOD_TITLES",
    "Allocation",
    "CoreTest",
    "CostGame",
    "EmptyImputationSet",
    "ExplicitGame",
    "LeastCore",
    "MemberLine",
    "OracleGame",
    "PooledCost",
    "PooledMember",
    "PooledServiceGame",
    "PricingCheck",
    "SharingReport",
    "SolverFailed",
    "TooManyPlayers",
    "allocate_costs",
    "assess",
    "best_pooled_coalition",
    "cents_allocation",
    "core_test",
    "enumerated_shapley",
    "equal_savings",
    "imputation_gap",
    "individually_rational",
    "least_core",
    "nucleolus",
    "pooled_shapley",
    "prenucleolus",
    "pricing_check",
    "proportional",
    "sampled_shapley",
    "scrb",
    "separable_costs",
    "shapley",
    "subadditive_cover",
    "to_explicit",
]
