"""The only door from `operations` to the engine's arithmetic (pure: no database).

Services gather plain values from the database, call these functions and store what
they return:

- the unit cost of the year is determined by `engine.unit_cost.determine_unit_cost`
  (eligibility and reasons, budget-primitif adjustments, forecast units, full precision,
  notification deadline), citing the article of the service's legal form
  (`engine.legal`);
- statements are notified unit cost × actual units through `engine.unit_cost.bill`;
- the regularisation on actual cost is `engine.unit_cost.regularise_on_actual_cost`, a
  clause of the convention;
- deductions from the attribution de compensation, their twelfths and the year-end
  balance come from `engine.compensation`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from mutualis.engine.compensation import ACBalance, ACDeduction, ac_balance, ac_deduction
from mutualis.engine.explain import Explanation, ExplanationDict, Step
from mutualis.engine.legal import legal_basis, unit_cost_reference
from mutualis.engine.money import (
    ZERO,
    D,
    allocate,
    format_euros,
    format_number,
    to_cents,
)
from mutualis.engine.reimbursement import (
    ChargeCategory,
    Frequency,
    instalment_schedule,
    period_label,
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
from mutualis.engine.unit_cost import (
    AccountCharge,
    BudgetAdjustment,
    ClauseRegularisation,
    Notification,
    Statement,
    UnitCostDetermination,
    Usage,
    bill,
    determine_unit_cost,
    first_year_notification,
    regularise_on_actual_cost,
    yearly_notification,
)

OWN_USE = "STRUCTURE"
RENEWAL_YEARS = frozenset({2026, 2032})
"""Years the municipal councils are renewed: the L.1612-2 budget date is 30 April."""
DEFAULT_CLAUSE = "clause de régularisation sur le coût réel de la convention"

__all__ = [
    "AccountCharge",
    "BudgetAdjustment",
    "ChargeCategory",
    "Frequency",
    "UnitCostDetermination",
    "Usage",
    "instalment_schedule",
    "period_label",
]


# --- the unit cost of the year (D.5211-16 / R.5111-1) ---------------------------------


def is_first_year(year: int, signed_on: date | None) -> bool:
    """The year the convention was signed: the unit cost is due within three months."""
    return signed_on is not None and signed_on.year == year


def notification(
    year: int, notified_on: date | None, *, signed_on: date | None = None
) -> Notification:
    """First year of the convention (signed in `year`): signature + 3 months; else the
    L.1612-2 budget date (30 April in a council-renewal year)."""
    if signed_on is not None and is_first_year(year, signed_on):
        return first_year_notification(signed_on, notified_on)
    return yearly_notification(year, notified_on, renewal_year=year in RENEWAL_YEARS)


def budget_deadline(year: int, *, signed_on: date | None = None) -> date:
    return notification(year, None, signed_on=signed_on).deadline


def cost_reference(form: str, billing_mode: str) -> str:
    """The article the unit cost cites for this legal form (`engine.legal`).

    Unit cost or AC deduction: D.5211-16 or R.5111-1 by law, or D.5211-16 as the
    convention's contractual choice (service commun, prestation); any other form is
    refused (InvalidParameter, French). Key: the form's own texts."""
    if billing_mode == "key":
        basis = legal_basis(form)
        return basis.unit_cost or f"{basis.citation} ; {' ; '.join(basis.financial)}"
    return unit_cost_reference(form, contractual_choice=True)


def determine(
    charges: Sequence[AccountCharge],
    adjustments: Sequence[BudgetAdjustment],
    forecast_units: Decimal,
    *,
    year: int,
    accounts_year: int,
    notified_on: date | None,
    provider: str,
    unit_label: str,
    form: str,
    billing_mode: str,
    signed_on: date | None = None,
) -> UnitCostDetermination:
    """The engine's determination; raises EngineError (French, naming the field)."""
    return determine_unit_cost(
        charges,
        forecast_units,
        year=year,
        accounts_year=accounts_year,
        notification=notification(year, notified_on, signed_on=signed_on),
        adjustments=adjustments,
        provider=provider,
        unit_label=unit_label,
        reference=cost_reference(form, billing_mode),
    )


# --- statements: notified unit cost × actual units -----------------------------------


@dataclass(frozen=True)
class Due:
    code: str
    units: Decimal
    amount: Decimal
    formula: str
    explanation: ExplanationDict


def _bill(
    determination: UnitCostDetermination,
    usage: Sequence[Usage],
    period: str,
    periodicity_months: int = 12,
) -> Statement | None:
    if not usage:
        return None
    return bill(determination, usage, period=period, periodicity_months=periodicity_months)


def period_dues(
    determination: UnitCostDetermination,
    to_date: Sequence[Usage],
    earlier: Mapping[str, Decimal],
    *,
    period: str,
    periodicity_months: int,
) -> dict[str, Due]:
    """Per member, the period's due: the period's statement (`bill`: notified unit cost ×
    units of the period) with each amount taken as bill(units to date) − bill(units
    before), so that the periods of a year add up to bill(yearly units) to the cent."""
    before_usage = [
        Usage(u.code, u.name, earlier.get(u.code, ZERO)) for u in to_date if u.code in earlier
    ]
    cumulative = _bill(determination, to_date, period, periodicity_months)
    before = _bill(determination, before_usage, period, periodicity_months)
    usage = [
        Usage(u.code, u.name, D(u.units) - earlier.get(u.code, ZERO))
        for u in to_date
        if D(u.units) - earlier.get(u.code, ZERO)
    ]
    statement = _bill(determination, usage, period, periodicity_months)
    if statement is None or cumulative is None:
        return {}
    dues = {}
    for line in statement.lines:
        prior = before.amounts.get(line.code, ZERO) if before else ZERO
        amount = cumulative.amounts[line.code] - prior
        explanation = statement.explain_member(line.code)
        if amount != line.amount:
            explanation = Explanation(
                explanation.title,
                (
                    *explanation.steps,
                    Step(
                        "Arrondi cumulé sur l'année",
                        f"montant à date {format_euros(cumulative.amounts[line.code])} − "
                        f"montant des périodes précédentes {format_euros(prior)}",
                        format_euros(amount),
                    ),
                ),
            )
        dues[line.code] = Due(line.code, line.units, amount, line.formula, explanation.as_dict())
    return dues


def due(determination: UnitCostDetermination, usage: Usage, *, period: str) -> Due:
    """One member's notified unit cost × units (`bill`), e.g. for a corrective line."""
    statement = bill(determination, [usage], period=period)
    line = statement.line(usage.code)
    return Due(
        line.code,
        line.units,
        line.amount,
        line.formula,
        statement.explain_member(usage.code).as_dict(),
    )


def rate_due(rate: Decimal, units: Decimal, unit_label: str, period: str) -> Due:
    """A line outside the decree (key instalment): amount = rate × quantity, to the cent."""
    amount = to_cents(D(rate) * D(units))
    formula = f"{format_number(rate, 2)} € × {format_number(units)} {unit_label}".strip()
    explanation = Explanation(period, (Step("Montant", formula, format_euros(amount)),))
    return Due("", D(units), amount, formula, explanation.as_dict())


def provisional_instalments(
    determination: UnitCostDetermination, usage: Usage, frequency: Frequency, year: int
) -> tuple[Decimal, tuple[Decimal, ...], Explanation]:
    """Provisional call: `bill` of notified unit cost × forecast units, cut into the
    convention's instalments (they add up to it to the cent)."""
    statement = bill(
        determination,
        [usage],
        period=f"appel provisionnel {year}",
        periodicity_months=12 // frequency.periods,
    )
    yearly = statement.amounts[usage.code]
    schedule = instalment_schedule(yearly, frequency, year)
    explanation = Explanation(
        f"Appel provisionnel {year} — {usage.name}",
        (*statement.explain_member(usage.code).steps, *schedule.explain().steps),
    )
    return yearly, tuple(i.amount for i in schedule.instalments), explanation


def key_shares(total: Decimal, weights: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """A cost to recover split by a key, reconciled to the cent (largest remainder)."""
    return allocate(total, weights)


def eligible_cost(charges: Sequence[AccountCharge]) -> Decimal:
    """Σ of the retained charges of a compte administratif (engine eligibility rule)."""
    return sum((to_cents(c.amount) for c in charges if c.included), ZERO)


def contractual_regularisation(
    determination: UnitCostDetermination,
    usage: Sequence[Usage],
    actual_charges: Sequence[AccountCharge],
    *,
    year: int,
    clause: str = "",
) -> ClauseRegularisation:
    """Regularisation on actual cost under the convention's clause (never the decree):
    due at actual cost / actual units − billed at the notified unit cost (`bill`)."""
    statement = bill(determination, usage, period=f"Année {year}")
    return regularise_on_actual_cost(
        statement, eligible_cost(actual_charges), clause=clause or DEFAULT_CLAUSE
    )


# --- attribution de compensation (CGI 1609 nonies C) ---------------------------------


@dataclass(frozen=True)
class AcService:
    """A service commun charged on the AC: its notified cost and its members' units."""

    convention: str
    determination: UnitCostDetermination
    forecast: tuple[Usage, ...]
    actual: tuple[Usage, ...]


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


def _ac_of_service(
    year: int, service: AcService, attributions: Mapping[str, Decimal]
) -> tuple[ACDeduction, ACBalance]:
    """Forecast cost = notified unit cost × forecast units of the members (`bill`), split
    by the forecast units (`ac_deduction`); balance on unit cost × actual units, split by
    the actual units (`ac_balance`)."""
    codes = sorted({u.code for u in (*service.forecast, *service.actual)})
    names = {u.code: u.name for u in (*service.forecast, *service.actual)}
    forecast = {code: ZERO for code in codes} | {u.code: D(u.units) for u in service.forecast}
    actual = {code: ZERO for code in codes} | {u.code: D(u.units) for u in service.actual}
    usage = [Usage(code, names[code], units) for code, units in forecast.items()]
    planned = bill(service.determination, usage, period=f"prévisionnel {year}")
    deduction = ac_deduction(
        year,
        planned.billed_total,
        forecast,
        {code: attributions.get(code, ZERO) for code in codes},
        convention=service.convention,
        names=names,
        key_label="unités prévisionnelles",
    )
    used = [Usage(code, names[code], units) for code, units in actual.items()]
    cost = bill(service.determination, used, period=f"Année {year}").billed_total
    return deduction, ac_balance(deduction, cost, actual if any(actual.values()) else None)


def ac_rows(
    year: int,
    services: Sequence[AcService],
    attributions: Mapping[str, Decimal],
    names: Mapping[str, str],
) -> list[AcDeduction]:
    """Per member across the services communs: AC before, deductions in twelfths, actual
    share, year-end balance, AC after = AC before − deduction − balance."""
    planned: dict[str, Decimal] = defaultdict(lambda: ZERO)
    actual: dict[str, Decimal] = defaultdict(lambda: ZERO)
    balance: dict[str, Decimal] = defaultdict(lambda: ZERO)
    twelfths: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * 12)
    steps: dict[str, list[Step]] = defaultdict(list)
    for service in services:
        deduction, year_end = _ac_of_service(year, service, attributions)
        balance_steps = year_end.explain().steps
        for line in deduction.lines:
            planned[line.code] += line.deduction
            pairs = zip(twelfths[line.code], line.monthly, strict=True)
            twelfths[line.code] = [a + b for a, b in pairs]
            steps[line.code].extend(deduction.explain_member(line.code).steps)
        for row in year_end.lines:
            actual[row.code] += row.actual
            balance[row.code] += row.balance
            steps[row.code].extend(
                s for s in balance_steps if s.label.startswith(f"{row.name} ({row.code})")
            )
    codes = sorted(set(planned) | set(attributions), key=lambda c: (names.get(c, c), c))
    rows = []
    for code in codes:
        before = to_cents(attributions.get(code, ZERO))
        after = before - planned[code] - balance[code]
        explanation = Explanation(
            f"Imputation sur l'attribution de compensation {year} — {names.get(code, code)}",
            (
                Step("Attribution de compensation avant imputation", result=format_euros(before)),
                *steps[code],
                Step(
                    "Attribution de compensation après imputation et solde",
                    f"{format_euros(before)} − {format_euros(planned[code])} − "
                    f"{format_euros(balance[code])}",
                    format_euros(after),
                    "CGI art. 1609 nonies C",
                ),
            ),
        )
        rows.append(
            AcDeduction(
                names.get(code, code),
                before,
                planned[code],
                tuple(twelfths[code]),
                actual[code],
                balance[code],
                after,
                explanation,
            )
        )
    return rows


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


@dataclass(frozen=True)
class FactoredSteps:
    """The explanation steps of a document's lines, the repeated ones printed once.

    `common[n - 1]` are the steps of common explanation n; `lines[i]` is, for line i,
    the number of its common explanation (None if it has none) and its own steps."""

    common: list[list[Mapping[str, str]]]
    lines: list[tuple[int | None, list[Mapping[str, str]]]]


def factor_steps(lines: Sequence[tuple[object, Sequence[Mapping[str, str]]]]) -> FactoredSteps:
    """Split each line's steps (given with the member it bills) into common steps, those
    found in the lines of two members or more (the notified unit cost, the rounding
    rule…), and the line's own steps. A line's common steps, in their order, form one
    numbered common explanation, shared by every line with the same ones, so that a
    year's document states each derivation once and every line still cites all of its
    steps. For one member nothing is common: every step stays on its line."""

    def key(step: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(step.items()))

    owners: dict[tuple[tuple[str, str], ...], set[object]] = defaultdict(set)
    for owner, steps in lines:
        for step in steps:
            owners[key(step)].add(owner)
    numbers: dict[tuple[tuple[tuple[str, str], ...], ...], int] = {}
    common: list[list[Mapping[str, str]]] = []
    result: list[tuple[int | None, list[Mapping[str, str]]]] = []
    for _owner, steps in lines:
        shared = [s for s in steps if len(owners[key(s)]) > 1]
        own = [s for s in steps if len(owners[key(s)]) <= 1]
        if not shared:
            result.append((None, own))
            continue
        block = tuple(key(s) for s in shared)
        if block not in numbers:
            common.append(shared)
            numbers[block] = len(common)
        result.append((numbers[block], own))
    return FactoredSteps(common, result)


def step_text(step: Mapping[str, str]) -> str:
    """A stored step as printed: label : formula = result — reference."""
    return Step(
        step.get("label", ""),
        step.get("formula", ""),
        step.get("result", ""),
        step.get("reference", ""),
    ).text()


def line_text(label: str, formula: str, amount: Decimal) -> str:
    """A statement line on one line of text: label : formula → amount."""
    return f"{label} : {formula} → {format_euros(amount)}"
