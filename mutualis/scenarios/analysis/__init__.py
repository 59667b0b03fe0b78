"""A scenario's results from plain values: assembles engine calls, no database.

`queries.load_inputs(scenario)` reads the inventory into `ScenarioInputs` (`inputs`);
`evaluate` (`results`) turns them into a `ScenarioResult`: members' current costs, the
pooled service's cost and staff plan, the projection (`costs`), allocations side by side
with their stability, perimeter suggestions, assumptions; `report_document` (`document`)
gives the JSON document of docs/scenarios.md, which is what a snapshot stores, what the
results cache holds and what every page and document renders. Arithmetic is the
engine's: this package only assembles its calls.
"""

from mutualis.scenarios.analysis.costs import MemberCost, StaffPlan, pooled_cost
from mutualis.scenarios.analysis.document import (
    core_verdict,
    game_document,
    report_document,
    saving_text,
)
from mutualis.scenarios.analysis.inputs import (
    CATEGORIES,
    COMPARED_METHODS,
    ENGINE_METHODS,
    FORMAT,
    KEY_PREFIX,
    LEGAL_FORMS,
    OVERRIDE_FIELDS,
    CostModel,
    MemberData,
    Prefill,
    Problem,
    ScenarioInputs,
    check_inputs,
    is_known_method,
    method_title,
    prefill,
    relabel,
    results_key,
)
from mutualis.scenarios.analysis.results import (
    MethodResult,
    PerimeterAdvice,
    ScenarioResult,
    evaluate,
)

__all__ = [
    "CATEGORIES",
    "COMPARED_METHODS",
    "ENGINE_METHODS",
    "FORMAT",
    "KEY_PREFIX",
    "LEGAL_FORMS",
    "OVERRIDE_FIELDS",
    "CostModel",
    "MemberCost",
    "MemberData",
    "MethodResult",
    "PerimeterAdvice",
    "Prefill",
    "Problem",
    "ScenarioInputs",
    "ScenarioResult",
    "StaffPlan",
    "check_inputs",
    "core_verdict",
    "evaluate",
    "game_document",
    "is_known_method",
    "method_title",
    "pooled_cost",
    "prefill",
    "relabel",
    "report_document",
    "results_key",
    "saving_text",
]
