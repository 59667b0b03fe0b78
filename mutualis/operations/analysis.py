"""The only door from `operations` to the engine's arithmetic (pure: no database).

Services gather plain values from the database, call these functions and store what
they return. Everything that computes a figure for the decree (unit cost, amounts due,
regularisation) or for the attribution de compensation goes through here, so that the
engine's dedicated functions can replace the bodies below without touching the callers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from mutualis.engine.explain import Explanation, Step
from mutualis.engine.money import (
    ZERO,
    D,
    allocate,
    format_euros,
    format_number,
    instalments,
    to_cents,
)
from mutualis.engine.reimbursement import (
    REFERENCE,
    ChargeCategory,
    ChargeLine,
    Frequency,
    Reimbursement,
    UnitLine,
    compute_reimbursement,
    instalment_schedule,
    period_label,
    regularise,
)
from mutualis.engine.tariffs import (
    Band,
    BandMode,
    BandTariff,
    Bounds,
    FlatTariff,
    PerInhabitantTariff,
    PerUserTariff,
    Proration,
    Tariff,
    TariffInput,
    TariffResult,
    prorate_by_month,
)

UNIT_COST_PLACES = 6
OWN_USE = "STRUCTURE"
AC_REFERENCE = "CGI art. 1609 nonies C ; CGCT art. L.5211-4-2"

__all__ = [
    "ChargeCategory",
    "ChargeLine",
    "Frequency",
    "Reimbursement",
    "instalment_schedule",
    "period_label",
]


def budget_deadline(year: int) -> date:
    """The budget date of CGCT L.1612-2 (15 April; 30 April in a council-renewal year)."""
    return date(year, 4, 30) if year in (2026, 2032) else date(year, 4, 15)


def determine_unit_cost(
    charges: Sequence[ChargeLine],
    forecast: Sequence[UnitLine],
    *,
    unit_label: str,
) -> Reimbursement:
    """Unit cost = eligible charges (CA + BP adjustments) / forecast units (D.5211-16)."""
    return compute_reimbursement(
        charges, forecast, unit_label=unit_label, unit_cost_places=UNIT_COST_PLACES
    )


@dataclass(frozen=True)
class Due:
    code: str
    units: Decimal
    amount: Decimal
    formula: str
    explanation: Explanation


def amount_due(unit_cost: Decimal, units: Decimal, unit_label: str, period: str) -> Due:
    """amount = round(notified unit cost × actual units, 0,01 €) (CGCT D.5211-16)."""
    amount = to_cents(D(unit_cost) * D(units))
    singular = unit_label[:-1] if unit_label.endswith("s") else unit_label
    formula = (
        f"{format_number(unit_cost, 2 if D(unit_cost) == to_cents(unit_cost) else 4)} "
        f"€/{singular} × {format_number(units)} {unit_label}"
    )
    explanation = Explanation(
        f"Remboursement — {period}",
        (
            Step("Coût unitaire notifié", result=f"{format_number(unit_cost)} €/{singular}"),
            Step("Unités constatées", result=f"{format_number(units)} {unit_label}"),
            Step("Montant dû", formula, format_euros(amount), REFERENCE),
        ),
    )
    return Due("", D(units), amount, formula, explanation)


def provisional_instalments(
    unit_cost: Decimal, forecast_units: Decimal, frequency: Frequency, year: int
) -> tuple[Decimal, tuple[Decimal, ...], Explanation]:
    """Provisional call: unit cost × forecast units, cut into the convention's instalments."""
    yearly = to_cents(D(unit_cost) * D(forecast_units))
    schedule = instalment_schedule(yearly, frequency, year)
    return yearly, tuple(i.amount for i in schedule.instalments), schedule.explain()


def key_shares(total: Decimal, weights: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """A cost to recover split by a key, reconciled to the cent (largest remainder)."""
    return allocate(total, weights)


def contractual_regularisation(
    actual_charges: Sequence[ChargeLine],
    actual_units: Sequence[UnitLine],
    billed: Mapping[str, Decimal],
    *,
    unit_label: str,
) -> tuple[Reimbursement, dict[str, Decimal], Explanation]:
    """Regularisation on actual cost — a contractual clause, not the decree."""
    actual = compute_reimbursement(
        actual_charges, actual_units, unit_label=unit_label, unit_cost_places=UNIT_COST_PLACES
    )
    result = regularise(actual, billed)
    explanation = result.explain()
    explanation = Explanation(
        "Régularisation contractuelle sur le coût réel (clause de la convention, hors décret)",
        explanation.steps,
    )
    return actual, result.amounts, explanation


@dataclass(frozen=True)
class AcDeduction:
    code: str
    ac_before: Decimal
    planned: Decimal
    twelfths: tuple[Decimal, ...]
    actual: Decimal
    balance: Decimal
    ac_after: Decimal
    explanation: Explanation


def ac_deduction(
    code: str, ac_before: Decimal, planned: Decimal, actual: Decimal, year: int
) -> AcDeduction:
    """Deduction from the attribution de compensation for a service commun.

    planned (unit cost × forecast units) is withheld in twelve monthly twelfths that sum
    to it exactly; at year end, balance = actual (unit cost × actual units) − planned;
    AC after = AC before − actual.
    """
    planned = to_cents(planned)
    actual = to_cents(actual)
    twelfths = instalments(planned, 12)
    balance = actual - planned
    after = to_cents(ac_before) - actual
    explanation = Explanation(
        f"Imputation sur l'attribution de compensation {year}",
        (
            Step("Attribution de compensation avant imputation", result=format_euros(ac_before)),
            Step(
                "Retenue mensuelle",
                f"{format_euros(planned)} / 12",
                ", ".join(format_euros(t) for t in twelfths[:2]) + "…",
                AC_REFERENCE,
            ),
            Step("Coût constaté de l'année", result=format_euros(actual)),
            Step(
                "Solde de fin d'année",
                f"{format_euros(actual)} − {format_euros(planned)}",
                format_euros(balance),
            ),
            Step(
                "Attribution de compensation après imputation",
                f"{format_euros(ac_before)} − {format_euros(actual)}",
                format_euros(after),
            ),
        ),
    )
    return AcDeduction(
        code, to_cents(ac_before), planned, twelfths, actual, balance, after, explanation
    )


@dataclass(frozen=True)
class OfferSpec:
    """An offer's tariff as plain values (read from the database or a JSON file)."""

    model: str
    amount: Decimal | None = None
    rate: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    bands: tuple[tuple[int, int | None, Decimal], ...] = ()


def build_tariff(spec: OfferSpec) -> Tariff:
    """The engine tariff of an offer; raises EngineError (French) on a bad grid."""
    from mutualis.engine.errors import InvalidParameter

    bounds = Bounds(spec.minimum, spec.maximum)
    if spec.model == "flat":
        if spec.amount is None:
            raise InvalidParameter("Le forfait annuel est obligatoire pour un tarif forfaitaire.")
        return FlatTariff(spec.amount, bounds)
    if spec.model in ("per_inhabitant", "per_user"):
        if spec.rate is None:
            raise InvalidParameter("Le prix unitaire est obligatoire pour ce modèle tarifaire.")
        cls = PerInhabitantTariff if spec.model == "per_inhabitant" else PerUserTariff
        return cls(spec.rate, bounds)
    if spec.model in ("bands_flat", "bands_progressive"):
        mode = BandMode.FLAT if spec.model == "bands_flat" else BandMode.PROGRESSIVE
        bands = tuple(Band(lower, upper, D(value)) for lower, upper, value in spec.bands)
        return BandTariff(bands, mode, bounds)
    raise InvalidParameter(f"Modèle tarifaire inconnu : « {spec.model} ».")


def price(spec: OfferSpec, population: int, users: int, source: str = "") -> TariffResult:
    return build_tariff(spec).price(TariffInput(population, users, source))


def prorate(
    yearly: Decimal,
    year: int,
    start_on: date,
    end_on: date | None,
    within: tuple[int, ...] | None = None,
) -> Proration:
    return prorate_by_month(yearly, year, start_on, end_on, within)


def months_of_period(frequency: Frequency, index: int) -> tuple[int, ...]:
    """Calendar months (1–12) of the index-th period (1-based) at that periodicity."""
    size = 12 // frequency.periods
    return tuple(range((index - 1) * size + 1, index * size + 1))


def sum_amounts(amounts: Sequence[Decimal]) -> Decimal:
    return sum(amounts, ZERO)
