"""Verbs of the yearly cycle; each one atomic, inputs validated by forms before the call.

Domain refusals raise `OperationsError` (French message); bulk input collects every
`Problem` and changes nothing when there is one. One module per family of verbs:
`cycle` (unit cost of the year), `units` (actual units), `billing` and `statements`
(generation), `lifecycle` (statuses, corrections), `ac` (attribution de compensation),
`catalogue` (offers, tariffs, subscriptions).
"""

from mutualis.operations.services.ac import (
    ac_table,
    save_ac_base,
)
from mutualis.operations.services.billing import (
    offer_spec,
    yearly_price,
)
from mutualis.operations.services.catalogue import (
    add_participation,
    save_offer,
    set_catalogue_published,
    subscribe,
)
from mutualis.operations.services.cycle import (
    add_charge,
    compute_unit_cost,
    determination_of,
    engine_charges,
    notice_for,
    notify_unit_cost,
    save_service,
    set_forecast,
    set_own_use,
)
from mutualis.operations.services.errors import (
    ENGINE_VERSION,
    ImportRejected,
    OperationsError,
    Problem,
)
from mutualis.operations.services.lifecycle import (
    TRANSITIONS,
    change_status,
    correct_statement,
    delete_draft,
)
from mutualis.operations.services.statements import (
    GenerationResult,
    generate_provisional,
    generate_statements,
    regularise_on_actual_cost,
)
from mutualis.operations.services.units import (
    UnitRow,
    UnitsResult,
    check_unit_rows,
    record_units,
)

__all__ = [
    "ENGINE_VERSION",
    "TRANSITIONS",
    "GenerationResult",
    "ImportRejected",
    "OperationsError",
    "Problem",
    "UnitRow",
    "UnitsResult",
    "ac_table",
    "add_charge",
    "add_participation",
    "change_status",
    "check_unit_rows",
    "compute_unit_cost",
    "correct_statement",
    "delete_draft",
    "determination_of",
    "engine_charges",
    "generate_provisional",
    "generate_statements",
    "notice_for",
    "notify_unit_cost",
    "offer_spec",
    "record_units",
    "regularise_on_actual_cost",
    "save_ac_base",
    "save_offer",
    "save_service",
    "set_catalogue_published",
    "set_forecast",
    "set_own_use",
    "subscribe",
    "yearly_price",
]
