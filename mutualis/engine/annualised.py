"""Annualised cost of an equipment transferred or shared (CGI art. 1609 nonies C, CLECT).

The CLECT values an equipment-related charge at its average annualised cost: the
acquisition or renewal cost net of subsidies, spread over the normal useful life, plus
the financial charges and the upkeep and running costs, brought to one year. Two
variants:

- straight line: (cost − subsidies) / n + financial charges + upkeep;
- constant annuity at rate r over n years: (cost − subsidies) × r / (1 − (1 + r)^−n) +
  upkeep; the annuity already repays capital and interest, so no separate financial
  charges may be given (r = 0 gives (cost − subsidies) / n).

Each component is rounded once to the cent, and the annual cost is their sum, so the
figures shown add up to the figure retained.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from mutualis.engine.errors import InvalidParameter, NegativeValue
from mutualis.engine.explain import Explanation, Step
from mutualis.engine.money import ZERO, D, Number, format_euros, format_percent, to_cents

REFERENCE = "CGI art. 1609 nonies C"


class Method(StrEnum):
    STRAIGHT_LINE = "lineaire"
    ANNUITY = "annuite_constante"


@dataclass(frozen=True)
class Equipment:
    """An equipment as the CLECT sees it; amounts in euros, per year where stated."""

    label: str
    cost: Decimal
    useful_life_years: int
    subsidies: Decimal = Decimal(0)
    financial_charges_per_year: Decimal = Decimal(0)
    upkeep_per_year: Decimal = Decimal(0)


@dataclass(frozen=True)
class AnnualisedCost:
    equipment: Equipment
    method: Method
    rate: Decimal
    net_cost: Decimal
    capital_per_year: Decimal
    financial_charges: Decimal
    upkeep: Decimal
    annual_cost: Decimal

    def explain(self) -> Explanation:
        e = self.equipment
        n = e.useful_life_years
        steps = [
            Step(
                "Coût net d'acquisition ou de renouvellement",
                f"{format_euros(e.cost)} − subventions {format_euros(e.subsidies)}",
                format_euros(self.net_cost),
                REFERENCE,
            )
        ]
        if self.method is Method.STRAIGHT_LINE:
            steps.append(
                Step(
                    "Amortissement linéaire sur la durée normale d'utilisation",
                    f"{format_euros(self.net_cost)} / {n} ans",
                    format_euros(self.capital_per_year),
                    REFERENCE,
                )
            )
            steps.append(
                Step("Frais financiers annuels", result=format_euros(self.financial_charges))
            )
        else:
            steps.append(
                Step(
                    "Annuité constante (capital et intérêts)",
                    f"{format_euros(self.net_cost)} × {format_percent(self.rate, 3)} / "
                    f"(1 − (1 + {format_percent(self.rate, 3)})^−{n})",
                    format_euros(self.capital_per_year),
                    REFERENCE,
                )
            )
        steps.append(Step("Entretien et fonctionnement annuels", result=format_euros(self.upkeep)))
        parts = [self.capital_per_year, self.upkeep]
        if self.method is Method.STRAIGHT_LINE:
            parts.insert(1, self.financial_charges)
        steps.append(
            Step(
                "Coût moyen annualisé",
                " + ".join(format_euros(p) for p in parts),
                format_euros(self.annual_cost),
                REFERENCE,
            )
        )
        return Explanation(f"Coût annualisé — {e.label}", tuple(steps))


def annuity_factor(rate: Number, years: int) -> Decimal:
    """r / (1 − (1 + r)^−n); 1 / n when r = 0 (its limit)."""
    r = D(rate)
    if years < 1:
        raise InvalidParameter(
            f"La durée doit être d'au moins un an (reçu : {years}).", years=years
        )
    if r <= -1:
        raise InvalidParameter(
            f"Le taux doit être supérieur à −100 % (reçu : {format_percent(r)}).", rate=r
        )
    if r == 0:
        return Decimal(1) / years
    return r / (1 - (1 + r) ** -years)


def annualised_cost(
    equipment: Equipment, method: Method = Method.STRAIGHT_LINE, rate: Number = 0
) -> AnnualisedCost:
    """Average annualised cost of an equipment (CGI art. 1609 nonies C).

    STRAIGHT_LINE: (cost − subsidies) / n + financial charges + upkeep.
    ANNUITY: (cost − subsidies) × r / (1 − (1 + r)^−n) + upkeep.

    Raises NegativeValue for a negative amount or subsidies above the cost,
    InvalidParameter for a useful life below one year, a rate ≤ −100 %, or financial
    charges given with the annuity (they are inside it).
    """
    e = equipment
    for name, value in (
        ("le coût d'acquisition", e.cost),
        ("les subventions", e.subsidies),
        ("les frais financiers", e.financial_charges_per_year),
        ("les frais d'entretien", e.upkeep_per_year),
    ):
        if D(value) < 0:
            raise NegativeValue(
                f"« {e.label} » : {name} ne peut pas être négatif ({format_euros(value)}).",
                label=e.label,
            )
    net = to_cents(e.cost) - to_cents(e.subsidies)
    if net < 0:
        raise NegativeValue(
            f"« {e.label} » : les subventions ({format_euros(e.subsidies)}) dépassent le "
            f"coût ({format_euros(e.cost)}).",
            label=e.label,
        )
    if e.useful_life_years < 1:
        raise InvalidParameter(
            f"« {e.label} » : la durée normale d'utilisation doit être d'au moins un an "
            f"(reçu : {e.useful_life_years}).",
            label=e.label,
        )
    r = D(rate)
    upkeep = to_cents(e.upkeep_per_year)
    if method is Method.STRAIGHT_LINE:
        capital = to_cents(net / e.useful_life_years)
        financial = to_cents(e.financial_charges_per_year)
    else:
        if D(e.financial_charges_per_year) != 0:
            raise InvalidParameter(
                f"« {e.label} » : avec l'annuité constante, les frais financiers sont déjà "
                "compris dans l'annuité ; ne les saisissez pas à part.",
                label=e.label,
            )
        capital = to_cents(net * annuity_factor(r, e.useful_life_years))
        financial = ZERO
    return AnnualisedCost(
        equipment=e,
        method=method,
        rate=r,
        net_cost=net,
        capital_per_year=capital,
        financial_charges=financial,
        upkeep=upkeep,
        annual_cost=capital + financial + upkeep,
    )


@dataclass(frozen=True)
class AnnualisedTotal:
    items: tuple[AnnualisedCost, ...]

    @property
    def annual_cost(self) -> Decimal:
        return sum((item.annual_cost for item in self.items), ZERO)

    def explain(self) -> Explanation:
        steps = [
            Step(item.equipment.label, result=format_euros(item.annual_cost), reference=REFERENCE)
            for item in self.items
        ]
        steps.append(
            Step(
                "Total des charges annualisées",
                " + ".join(format_euros(i.annual_cost) for i in self.items) or "aucune",
                format_euros(self.annual_cost),
                REFERENCE,
            )
        )
        return Explanation("Coût annualisé des équipements transférés", tuple(steps))


def annualised_costs(
    equipments: Sequence[Equipment], method: Method = Method.STRAIGHT_LINE, rate: Number = 0
) -> AnnualisedTotal:
    """Annualised cost of several equipments and their total (one CLECT valuation)."""
    return AnnualisedTotal(tuple(annualised_cost(e, method, rate) for e in equipments))
