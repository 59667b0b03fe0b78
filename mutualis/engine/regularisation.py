"""Regularisation of a forecast reimbursement on the actual accounts (CGCT D.5211-16).

What each member was billed on the budget is compared with what it owes on the actual
accounts: the difference is paid or refunded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from mutualis.engine.errors import (
    UnknownMember,
)
from mutualis.engine.explain import Explanation, Step, singular
from mutualis.engine.money import (
    ZERO,
    Number,
    format_euros,
    format_number,
    to_cents,
)
from mutualis.engine.reimbursement import Reimbursement, rate_text

CLAUSE_REFERENCE = "clause contractuelle de régularisation (hors CGCT art. D.5211-16)"


@dataclass(frozen=True)
class RegularisationLine:
    """regularisation = due − billed: positive, the member pays more; negative, a refund."""

    code: str
    name: str
    due: Decimal
    billed: Decimal
    regularisation: Decimal


class _Line(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def regularisation(self) -> Decimal: ...


class RegularisationTotals:
    """What every regularisation gives: the amount per member code and their total."""

    lines: tuple[_Line, ...]

    @property
    def amounts(self) -> dict[str, Decimal]:
        return {line.code: line.regularisation for line in self.lines}

    @property
    def total(self) -> Decimal:
        return sum((line.regularisation for line in self.lines), ZERO)


@dataclass(frozen=True)
class Regularisation(RegularisationTotals):
    actual: Reimbursement
    lines: tuple[RegularisationLine, ...]

    def explain(self) -> Explanation:
        steps = [
            Step(
                "Coût unitaire constaté au compte administratif",
                f"{format_euros(self.actual.eligible_total)} / "
                f"{format_number(self.actual.total_units)} {self.actual.unit_label}",
                f"{rate_text(self.actual.unit_cost)} €/{singular(self.actual.unit_label)}",
                CLAUSE_REFERENCE,
            )
        ]
        for line in self.lines:
            word = "complément à payer" if line.regularisation >= 0 else "trop-perçu à rembourser"
            steps.append(
                Step(
                    f"{line.name} ({line.code}) : {word}",
                    f"dû {format_euros(line.due)} − déjà facturé {format_euros(line.billed)}",
                    format_euros(line.regularisation),
                )
            )
        steps.append(Step("Solde des régularisations", result=format_euros(self.total)))
        return Explanation(
            "Régularisation sur les charges réelles — clause contractuelle de la convention",
            tuple(steps),
        )


def regularise(actual: Reimbursement, billed: Mapping[str, Number]) -> Regularisation:
    """Regularisation per member = amount due on the actual accounts − amount already billed.

    `billed` maps member code to what was billed on the forecast (a member absent from it
    was billed 0). The pooling body's own use is not billed and not regularised. A code
    that is not a billed member of `actual` raises UnknownMember.
    """
    due = actual.billed_amounts
    unknown = sorted(code for code in billed if code not in due)
    if unknown:
        raise UnknownMember(
            "Montants déjà facturés à des codes absents des membres facturés : "
            + ", ".join(unknown)
            + ".",
            codes=tuple(unknown),
        )
    lines = []
    for line in actual.lines:
        if line.own_use:
            continue
        already = to_cents(billed.get(line.code, 0))
        lines.append(
            RegularisationLine(line.code, line.name, line.amount, already, line.amount - already)
        )
    return Regularisation(actual, tuple(lines))


def regularise_forecast(forecast: Reimbursement, actual: Reimbursement) -> Regularisation:
    """Regularisation of what the forecast (budget) billed against the actual accounts."""
    return regularise(actual, forecast.billed_amounts)
