"""The decree's unit-cost determination and billing (CGCT D.5211-16; R.5111-1).

What the texts say, and what this module computes:

1. The body that provides the service establishes the unit operating cost from the
   eligible charges of its latest comptes administratifs (personnel, supplies, renewal of
   goods, attached service contracts), updated for the foreseeable changes of the year's
   budget primitif, over the forecast units of operation: `determine_unit_cost`.
2. It notifies that cost to the beneficiaries before the budget date of L.1612-2 for the
   year (`budget_deadline`: 15 April, 30 April in the year the councils are renewed), or
   within three months of the signature in the first year (`first_year_deadline`). A late
   or missing notification is a French warning carried by every statement.
3. Each beneficiary reimburses that notified unit cost × the units it actually used, on a
   statement of uses at the periodicity set by the convention, at most one year: `bill`.
4. Recomputing the unit cost afterwards on actual charges and actual units is not the
   decree: it exists only as a contractual clause of the convention, named as such in the
   explanation (`regularise_on_actual_cost`).

Eligibility: the four categories above are eligible unless excluded; a charge of category
« autre » or with no category is excluded unless a reason for including it is given, and
that reason is shown in the explanation.

Rounding (the engine's own rule, not the decree's): the unit cost is kept at full Decimal
precision (28 significant digits), never rounded; each amount is unit cost × units,
rounded once to the cent, half up. Charges and adjustments are amounts, to the cent.
"""

from __future__ import annotations

from mutualis.engine.unit_cost.clause import (
    ClauseRegularisation,
    ClauseRegularisationLine,
    regularise_on_actual_cost,
)
from mutualis.engine.unit_cost.determination import (
    DECREE_COMMUNES,
    DECREE_EPCI,
    ELIGIBLE_CATEGORIES,
    MAX_PERIODICITY_MONTHS,
    ROUNDING_RULE,
    AccountCharge,
    BudgetAdjustment,
    UnitCostDetermination,
    determine_unit_cost,
    format_unit_cost,
)
from mutualis.engine.unit_cost.notification import (
    BUDGET_DATE,
    Notification,
    budget_deadline,
    first_year_deadline,
    first_year_notification,
    yearly_notification,
)
from mutualis.engine.unit_cost.statement import Statement, StatementLine, Usage, bill

__all__ = [
    "BUDGET_DATE",
    "DECREE_COMMUNES",
    "DECREE_EPCI",
    "ELIGIBLE_CATEGORIES",
    "MAX_PERIODICITY_MONTHS",
    "ROUNDING_RULE",
    "AccountCharge",
    "BudgetAdjustment",
    "ClauseRegularisation",
    "ClauseRegularisationLine",
    "Notification",
    "Statement",
    "StatementLine",
    "UnitCostDetermination",
    "Usage",
    "bill",
    "budget_deadline",
    "determine_unit_cost",
    "first_year_deadline",
    "first_year_notification",
    "format_unit_cost",
    "regularise_on_actual_cost",
    "yearly_notification",
]
