"""Cooperative cost games: fair and stable sharing of a pooled service's cost.

Entry points: build a game (`ExplicitGame`, `OracleGame`, `PooledServiceGame` with its
`PooledCost`), compute an allocation (`allocate_costs(game, method)` or `shapley`,
`nucleolus`, `least_core`, `scrb`, `proportional`, `equal_savings`, or
`Allocation.given`), then `assess(game, allocation)` for the cents, the stability tests
and the French explanation. See docs/games.md.
"""

from mutualis.engine.games.allocations import (
    METHOD_TITLES,
    METHODS,
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
