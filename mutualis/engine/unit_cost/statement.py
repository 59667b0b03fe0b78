"""The statement of uses: notified unit cost × actual units, per period (CGCT D.5211-16)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from mutualis.engine.errors import (
    EmptyPerimeter,
    EngineError,
    InvalidParameter,
    NegativeValue,
    UnknownMember,
)
from mutualis.engine.explain import Explanation, Step, singular
from mutualis.engine.money import ZERO, D, Number, format_euros, format_number, to_cents
from mutualis.engine.reimbursement import ReimbursementLine
from mutualis.engine.unit_cost.determination import (
    MAX_PERIODICITY_MONTHS,
    ROUNDING_RULE,
    UnitCostDetermination,
    format_unit_cost,
)


@dataclass(frozen=True)
class Usage:
    """Units actually used by a beneficiary; `own_use` is the provider's own use."""

    code: str
    name: str
    units: Number
    own_use: bool = False


StatementLine = ReimbursementLine
"""One line of a statement: code, name, units, amount, own use, formula (the same record
as a reimbursement line)."""


@dataclass(frozen=True)
class Statement:
    """The statement of uses for one period: notified unit cost × actual units."""

    determination: UnitCostDetermination
    period: str
    periodicity_months: int
    lines: tuple[StatementLine, ...]

    @property
    def amounts(self) -> dict[str, Decimal]:
        return {line.code: line.amount for line in self.lines}

    @property
    def billed_amounts(self) -> dict[str, Decimal]:
        return {line.code: line.amount for line in self.lines if not line.own_use}

    @property
    def billed_total(self) -> Decimal:
        return sum(self.billed_amounts.values(), ZERO)

    @property
    def total_units(self) -> Decimal:
        return sum((line.units for line in self.lines), Decimal(0))

    @property
    def warnings(self) -> tuple[str, ...]:
        return self.determination.warnings

    def line(self, code: str) -> StatementLine:
        for line in self.lines:
            if line.code == code:
                return line
        raise UnknownMember(f"« {code} » ne figure pas sur l'état.", code=code)

    def _steps(self, lines: Sequence[StatementLine]) -> list[Step]:
        ref = self.determination.reference
        steps = [
            Step(
                "Coût unitaire notifié",
                f"établi pour {self.determination.year} sur le compte administratif "
                f"{self.determination.accounts_year} et le budget primitif",
                self.determination.rate_text(),
                ref,
            ),
            Step(
                "Périodicité du remboursement (convention, au plus un an)",
                f"{self.periodicity_months} mois",
                self.period,
                ref,
            ),
        ]
        for line in lines:
            suffix = " — usage propre, non facturé" if line.own_use else ""
            steps.append(
                Step(f"{line.name} ({line.code}){suffix}", line.formula, format_euros(line.amount))
            )
        steps.append(Step("Arrondi", ROUNDING_RULE))
        steps.extend(Step("Avertissement", warning) for warning in self.warnings)
        return steps

    def explain(self) -> Explanation:
        steps = self._steps(self.lines)
        steps.append(
            Step("Total facturé aux bénéficiaires", result=format_euros(self.billed_total))
        )
        return Explanation(f"État des utilisations — {self.period}", tuple(steps))

    def explain_member(self, code: str) -> Explanation:
        line = self.line(code)
        return Explanation(
            f"Remboursement dû par {line.name} ({line.code}) — {self.period}",
            (*self.determination.steps(), *self._steps([line])),
        )


def bill(
    determination: UnitCostDetermination,
    usage: Sequence[Usage],
    *,
    period: str,
    periodicity_months: int = 12,
) -> Statement:
    """amount_i = notified unit cost × actual units_i, to the cent (see ROUNDING_RULE).

    Raises InvalidParameter for a periodicity outside 1..12 months, EmptyPerimeter for no
    line, NegativeValue for negative units, EngineError for a repeated code or several
    own-use lines.
    """
    if not 1 <= periodicity_months <= MAX_PERIODICITY_MONTHS:
        raise InvalidParameter(
            f"Périodicité : {periodicity_months} mois ; la convention doit fixer une "
            f"périodicité d'au plus {MAX_PERIODICITY_MONTHS} mois (un an).",
            field="periodicity_months",
        )
    if not usage:
        raise EmptyPerimeter("Aucune ligne d'utilisation : l'état est vide.")
    seen: set[str] = set()
    lines = []
    unit = singular(determination.unit_label)
    for item in sorted(usage, key=lambda u: u.code):
        if item.code in seen:
            raise EngineError(
                f"Le code « {item.code} » apparaît sur plusieurs lignes.", code=item.code
            )
        seen.add(item.code)
        units = D(item.units)
        if units < 0:
            raise NegativeValue(
                f"Unités de {item.name} ({item.code}) : valeur négative ({format_number(units)}).",
                field="units",
                code=item.code,
            )
        amount = to_cents(determination.unit_cost * units)
        formula = (
            f"{format_unit_cost(determination.unit_cost)} €/{unit} × {format_number(units)} "
            f"{determination.unit_label}"
        )
        lines.append(StatementLine(item.code, item.name, units, amount, item.own_use, formula))
    if sum(1 for line in lines if line.own_use) > 1:
        raise EngineError("Une seule ligne peut porter l'usage propre de la structure.")
    return Statement(determination, period, periodicity_months, tuple(lines))
