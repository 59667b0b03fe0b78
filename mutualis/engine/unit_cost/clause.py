"""Regularisation on actual cost: a clause of the convention, never the decree."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from mutualis.engine.errors import (
    InvalidParameter,
    NegativeValue,
)
from mutualis.engine.explain import Explanation, Step, singular
from mutualis.engine.money import Number, format_euros, format_number, to_cents
from mutualis.engine.regularisation import RegularisationTotals
from mutualis.engine.unit_cost.determination import ROUNDING_RULE, check_text, format_unit_cost
from mutualis.engine.unit_cost.statement import Statement


@dataclass(frozen=True)
class ClauseRegularisationLine:
    code: str
    name: str
    billed: Decimal
    due: Decimal
    regularisation: Decimal
    formula: str


@dataclass(frozen=True)
class ClauseRegularisation(RegularisationTotals):
    """Regularisation on actual cost: a clause of the convention, not the decree."""

    clause: str
    actual_cost: Decimal
    actual_units: Decimal
    actual_unit_cost: Decimal
    unit_label: str
    lines: tuple[ClauseRegularisationLine, ...]

    def explain(self) -> Explanation:
        reference = f"clause contractuelle de régularisation sur le coût réel ({self.clause})"
        steps = [
            Step(
                "Fondement",
                "régularisation prévue par la convention ; elle ne découle pas du décret, "
                "qui facture le coût unitaire notifié × les unités constatées",
                reference=reference,
            ),
            Step(
                "Coût unitaire réel",
                f"{format_euros(self.actual_cost)} / {format_number(self.actual_units)} "
                f"{self.unit_label}",
                f"{format_unit_cost(self.actual_unit_cost)} €/{singular(self.unit_label)}",
                reference,
            ),
        ]
        for line in self.lines:
            word = "complément à payer" if line.regularisation >= 0 else "trop-perçu à rembourser"
            steps.append(
                Step(
                    f"{line.name} ({line.code}) : {word}",
                    f"{line.formula} = {format_euros(line.due)} − déjà facturé "
                    f"{format_euros(line.billed)}",
                    format_euros(line.regularisation),
                    reference,
                )
            )
        steps.append(Step("Arrondi", ROUNDING_RULE))
        steps.append(Step("Solde des régularisations", result=format_euros(self.total)))
        return Explanation(
            "Régularisation sur le coût réel — clause contractuelle de la convention",
            tuple(steps),
        )


def regularise_on_actual_cost(
    statement: Statement, actual_cost: Number, *, clause: str
) -> ClauseRegularisation:
    """Only under a contractual clause: due_i = actual cost / actual units × units_i.

    `clause` names the convention's clause (e.g. « article 7 de la convention ») and is
    required: this recomputation is never attributed to the decree. The provider's own use
    counts in the units and is not regularised.
    """
    clause_text = check_text(clause, "clause", "Régularisation sur le coût réel")
    cost = to_cents(actual_cost)
    if cost < 0:
        raise NegativeValue(
            f"Coût réel : valeur négative ({format_euros(cost)}).", field="actual_cost"
        )
    units = statement.total_units
    if units <= 0:
        raise InvalidParameter(
            "Coût réel : aucune unité constatée, le coût unitaire réel ne peut être calculé.",
            field="units",
        )
    rate = cost / units
    label = statement.determination.unit_label
    lines = []
    for line in statement.lines:
        if line.own_use:
            continue
        due = to_cents(rate * line.units)
        formula = (
            f"{format_unit_cost(rate)} €/{singular(label)} × {format_number(line.units)} {label}"
        )
        lines.append(
            ClauseRegularisationLine(
                line.code, line.name, line.amount, due, due - line.amount, formula
            )
        )
    return ClauseRegularisation(clause_text, cost, units, rate, label, tuple(lines))
