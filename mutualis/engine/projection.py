"""Multi-year projection of a pooling scenario: costs before and after, savings, payback.

Base-year costs are given per category for the situation before pooling and after it.
Each category is indexed at its own yearly rate (personnel +2,5 %/an, autres +2 %/an…):
cost(c, y) = base(c) × (1 + rate(c))^(y − base_year). One-off costs (transition,
training, IT migration) fall in given years. Per year:

    savings(y) = before(y) − after(y) − one-offs(y)

with before(y) and after(y) rounded once to the cent; the cumulative savings, the payback
year (the first year whose cumulative savings are ≥ 0, or None) and the net present value
at a discount rate d: NPV = Σ savings(y) / (1 + d)^(y − base_year), rounded once. Years
are given by the caller (no clock read); the base year defaults to the first one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from mutualis.engine.errors import InvalidParameter, NegativeValue
from mutualis.engine.explain import Explanation, Step
from mutualis.engine.money import ZERO, D, Number, format_euros, format_percent, to_cents


@dataclass(frozen=True)
class OneOffCost:
    """A cost paid once, in `year`, on the way to the pooled situation."""

    year: int
    label: str
    amount: Decimal


@dataclass(frozen=True)
class YearRow:
    year: int
    before: Decimal
    after: Decimal
    one_off: Decimal
    savings: Decimal
    cumulative_savings: Decimal


@dataclass(frozen=True)
class Projection:
    base_year: int
    rows: tuple[YearRow, ...]
    rates: tuple[tuple[str, Decimal], ...]
    one_offs: tuple[OneOffCost, ...]
    discount_rate: Decimal
    net_present_value: Decimal
    payback_year: int | None

    @property
    def total_savings(self) -> Decimal:
        return self.rows[-1].cumulative_savings if self.rows else ZERO

    def explain(self) -> Explanation:
        steps = [
            Step(
                f"Indexation « {category} »",
                f"coût de {self.base_year} × (1 + {format_percent(rate)})^(année − "
                f"{self.base_year})",
            )
            for category, rate in self.rates
        ]
        steps.extend(
            Step(f"Coût ponctuel {o.year} : {o.label}", result=format_euros(o.amount))
            for o in self.one_offs
        )
        for row in self.rows:
            steps.append(
                Step(
                    f"Année {row.year}",
                    f"avant {format_euros(row.before)} − après {format_euros(row.after)} − "
                    f"coûts ponctuels {format_euros(row.one_off)}",
                    f"économie {format_euros(row.savings)}, cumul "
                    f"{format_euros(row.cumulative_savings)}",
                )
            )
        steps.append(
            Step(
                "Année de retour sur investissement",
                "première année où les économies cumulées sont positives ou nulles",
                str(self.payback_year) if self.payback_year is not None else "non atteinte",
            )
        )
        steps.append(
            Step(
                "Valeur actuelle nette",
                f"Σ économie(année) / (1 + {format_percent(self.discount_rate)})^(année − "
                f"{self.base_year})",
                format_euros(self.net_present_value),
            )
        )
        first, last = self.rows[0].year, self.rows[-1].year
        return Explanation(f"Projection pluriannuelle {first}–{last}", tuple(steps))


def _rate(value: Number, what: str) -> Decimal:
    rate = D(value)
    if rate <= -1:
        raise InvalidParameter(
            f"Le taux {what} doit être supérieur à −100 % (reçu : {format_percent(rate)}).",
            rate=rate,
        )
    return rate


def _costs(amounts: Mapping[str, Number], what: str) -> dict[str, Decimal]:
    result = {}
    for category, amount in amounts.items():
        value = D(amount)
        if value < 0:
            raise NegativeValue(
                f"Le coût « {category} » de la situation {what} est négatif "
                f"({format_euros(value)}).",
                category=category,
            )
        result[category] = value
    return result


def project(
    years: Sequence[int],
    before: Mapping[str, Number],
    after: Mapping[str, Number],
    *,
    indexation: Mapping[str, Number] | None = None,
    default_rate: Number = 0,
    one_offs: Sequence[OneOffCost] = (),
    discount_rate: Number = 0,
    base_year: int | None = None,
) -> Projection:
    """Project costs before/after pooling over `years` (see the module docstring).

    Args:
        years: the projected years, strictly increasing (e.g. range(2026, 2032)).
        before, after: base-year cost by category, in euros.
        indexation: yearly rate by category (Decimal("0.025") for +2,5 %/an); a category
            absent from it uses `default_rate`.
        one_offs: one-off costs, each in one of `years`.
        discount_rate: rate of the net present value.
        base_year: year of the given costs; defaults to the first projected year.

    Raises InvalidParameter (no years, years not increasing or before the base year, a
    one-off outside the horizon, a rate ≤ −100 %) and NegativeValue (negative cost).
    """
    horizon = list(years)
    if not horizon:
        raise InvalidParameter("L'horizon de projection ne compte aucune année.")
    if any(b <= a for a, b in pairwise(horizon)):
        raise InvalidParameter("Les années de projection doivent être strictement croissantes.")
    start = horizon[0] if base_year is None else base_year
    if horizon[0] < start:
        raise InvalidParameter(
            f"L'année {horizon[0]} précède l'année de base {start}.", year=horizon[0]
        )
    before_costs = _costs(before, "avant mutualisation")
    after_costs = _costs(after, "après mutualisation")
    rates_in = indexation or {}
    default = _rate(default_rate, "d'indexation par défaut")
    categories = sorted({*before_costs, *after_costs})
    rates = {
        c: _rate(rates_in[c], f"d'indexation « {c} »") if c in rates_in else default
        for c in categories
    }
    discount = _rate(discount_rate, "d'actualisation")
    for o in one_offs:
        if o.year not in horizon:
            raise InvalidParameter(
                f"Le coût ponctuel « {o.label} » tombe en {o.year}, hors de l'horizon "
                f"{horizon[0]}–{horizon[-1]}.",
                year=o.year,
            )
        if D(o.amount) < 0:
            raise NegativeValue(
                f"Le coût ponctuel « {o.label} » est négatif ({format_euros(o.amount)}).",
                label=o.label,
            )

    def cost(amounts: Mapping[str, Decimal], year: int) -> Decimal:
        return to_cents(
            sum(
                (a * (1 + rates[c]) ** (year - start) for c, a in amounts.items()),
                Decimal(0),
            )
        )

    rows = []
    cumulative = ZERO
    present_value = Decimal(0)
    payback: int | None = None
    for year in horizon:
        one_off = sum((to_cents(o.amount) for o in one_offs if o.year == year), ZERO)
        cost_before, cost_after = cost(before_costs, year), cost(after_costs, year)
        savings = cost_before - cost_after - one_off
        cumulative += savings
        present_value += savings / (1 + discount) ** (year - start)
        if payback is None and cumulative >= 0:
            payback = year
        rows.append(YearRow(year, cost_before, cost_after, one_off, savings, cumulative))
    return Projection(
        base_year=start,
        rows=tuple(rows),
        rates=tuple((c, rates[c]) for c in categories),
        one_offs=tuple(sorted(one_offs, key=lambda o: (o.year, o.label))),
        discount_rate=discount,
        net_present_value=to_cents(present_value),
        payback_year=payback,
    )
