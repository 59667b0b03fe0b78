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

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from mutualis.engine.errors import (
    EmptyPerimeter,
    EngineError,
    InvalidParameter,
    NegativeValue,
    UnknownMember,
)
from mutualis.engine.explain import Explanation, Step
from mutualis.engine.money import ZERO, D, Number, format_euros, format_number, to_cents
from mutualis.engine.reimbursement import CATEGORY_LABELS, ChargeCategory

DECREE_EPCI = "CGCT art. D.5211-16"
"""Mise à disposition de services (L.5211-4-1) — and a service commun by contractual choice."""
DECREE_COMMUNES = "CGCT art. R.5111-1"
"""Conventions between communes (L.5111-1-1)."""
BUDGET_DATE = "CGCT art. L.1612-2"
ROUNDING_RULE = (
    "règle d'arrondi de Mutualis (non fixée par le décret) : coût unitaire conservé en "
    "pleine précision, chaque montant = coût unitaire × unités arrondi une fois au centime "
    "(demi supérieur)"
)
ELIGIBLE_CATEGORIES = frozenset(
    {
        ChargeCategory.PERSONNEL,
        ChargeCategory.SUPPLIES,
        ChargeCategory.RENEWAL,
        ChargeCategory.SERVICE_CONTRACTS,
    }
)
MAX_PERIODICITY_MONTHS = 12
DISPLAY_PLACES = 6


def format_unit_cost(value: Decimal) -> str:
    """A unit cost in French, exact when it has at most 6 decimals, else 6 then « … »."""
    places = max(2, -min(0, _exponent(value.normalize())))
    if places <= DISPLAY_PLACES:
        return format_number(value, places)
    return format_number(value, DISPLAY_PLACES) + "…"


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0


def _singular(unit_label: str) -> str:
    return unit_label[:-1] if unit_label.endswith("s") else unit_label


# --- Deadlines -----------------------------------------------------------------------


def budget_deadline(year: int, *, renewal_year: bool = False) -> date:
    """The L.1612-2 budget date for `year`: 15 April, or 30 April in a renewal year.

    A renewal year is a year in which the deliberative assemblies are renewed (e.g. the
    municipal elections); the caller knows it and says so.
    """
    return date(year, 4, 30) if renewal_year else date(year, 4, 15)


def first_year_deadline(signed_on: date) -> date:
    """Signature + 3 months (same day, or the month's last day when it has fewer)."""
    month = signed_on.month + 3
    year = signed_on.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    day = min(signed_on.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


@dataclass(frozen=True)
class Notification:
    """When the unit cost was notified, against which deadline and why that one."""

    deadline: date
    basis: str
    notified_on: date | None = None

    @property
    def on_time(self) -> bool:
        return self.notified_on is not None and self.notified_on <= self.deadline

    @property
    def warning(self) -> str:
        """French warning for a late or missing notification ('' when on time)."""
        if self.notified_on is None:
            return (
                f"Le coût unitaire n'a pas été notifié aux bénéficiaires ; il devait l'être "
                f"au plus tard le {_date(self.deadline)} ({self.basis})."
            )
        if self.notified_on > self.deadline:
            late = (self.notified_on - self.deadline).days
            return (
                f"Le coût unitaire a été notifié le {_date(self.notified_on)}, soit {late} "
                f"jour(s) après la date limite du {_date(self.deadline)} ({self.basis})."
            )
        return ""


def yearly_notification(
    year: int, notified_on: date | None, *, renewal_year: bool = False
) -> Notification:
    """Notification for a running year, due by the L.1612-2 date."""
    day = "30 avril, année de renouvellement" if renewal_year else "15 avril"
    return Notification(
        budget_deadline(year, renewal_year=renewal_year),
        f"date d'adoption du budget, {BUDGET_DATE} ({day})",
        notified_on,
    )


def first_year_notification(signed_on: date, notified_on: date | None) -> Notification:
    """Notification for the first year, due within 3 months of the signature."""
    return Notification(
        first_year_deadline(signed_on),
        f"première année : trois mois après la signature du {_date(signed_on)}",
        notified_on,
    )


def _date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# --- Determination -------------------------------------------------------------------


@dataclass(frozen=True)
class AccountCharge:
    """A charge of the latest comptes administratifs.

    `category` None is a cell left blank. `eligible` None takes the default: eligible for
    the four decree categories, not for « autre » or blank. Including an « autre » or blank
    charge requires `reason`; excluding a decree category may state one.
    """

    label: str
    amount: Number
    category: ChargeCategory | None = None
    eligible: bool | None = None
    reason: str = ""

    @property
    def included(self) -> bool:
        if self.eligible is not None:
            return self.eligible
        return self.category in ELIGIBLE_CATEGORIES


@dataclass(frozen=True)
class BudgetAdjustment:
    """A foreseeable change from the year's budget primitif (signed), with its reason."""

    label: str
    amount: Number
    reason: str
    category: ChargeCategory | None = None


@dataclass(frozen=True)
class UnitCostDetermination:
    """The unit operating cost established by the provider, before the year starts."""

    provider: str
    year: int
    accounts_year: int
    charges: tuple[AccountCharge, ...]
    adjustments: tuple[BudgetAdjustment, ...]
    eligible_total: Decimal
    excluded_total: Decimal
    adjustments_total: Decimal
    cost_base: Decimal
    forecast_units: Decimal
    unit_label: str
    unit_cost: Decimal
    notification: Notification
    reference: str

    @property
    def warnings(self) -> tuple[str, ...]:
        warning = self.notification.warning
        return (warning,) if warning else ()

    def rate_text(self) -> str:
        return f"{format_unit_cost(self.unit_cost)} €/{_singular(self.unit_label)}"

    def steps(self) -> list[Step]:
        ref = self.reference
        steps: list[Step] = []
        for charge in self.charges:
            category = CATEGORY_LABELS[charge.category] if charge.category else "sans catégorie"
            amount = format_euros(to_cents(charge.amount))
            if charge.included:
                why = f" — incluse : {charge.reason}" if charge.reason else ""
                steps.append(Step(f"{charge.label} ({category}), éligible{why}", result=amount))
            else:
                why = charge.reason or (
                    "catégorie « autre » ou non renseignée, non éligible par défaut"
                    if charge.category not in ELIGIBLE_CATEGORIES
                    else "exclue"
                )
                steps.append(Step(f"{charge.label} ({category}), exclue : {why}", result=amount))
        steps.append(
            Step(
                f"Charges éligibles du compte administratif {self.accounts_year}",
                f"charges exclues : {format_euros(self.excluded_total)}",
                format_euros(self.eligible_total),
                ref,
            )
        )
        for adjustment in self.adjustments:
            steps.append(
                Step(
                    f"Ajustement du budget primitif {self.year} : {adjustment.label}",
                    adjustment.reason,
                    format_euros(to_cents(adjustment.amount)),
                    ref,
                )
            )
        steps.append(
            Step(
                "Coût de fonctionnement retenu",
                f"{format_euros(self.eligible_total)} + ajustements "
                f"{format_euros(self.adjustments_total)}",
                format_euros(self.cost_base),
                ref,
            )
        )
        steps.append(
            Step(
                f"Unités de fonctionnement prévisionnelles {self.year}",
                result=f"{format_number(self.forecast_units)} {self.unit_label}",
                reference=ref,
            )
        )
        steps.append(
            Step(
                f"Coût unitaire de fonctionnement {self.year}, établi par {self.provider}",
                f"{format_euros(self.cost_base)} / {format_number(self.forecast_units)} "
                f"{self.unit_label}",
                self.rate_text(),
                ref,
            )
        )
        notification = self.notification
        when = _date(notification.notified_on) if notification.notified_on else "non notifié"
        steps.append(
            Step(
                "Notification aux bénéficiaires",
                f"{when} ; date limite {_date(notification.deadline)} ({notification.basis})",
                "dans le délai" if notification.on_time else "HORS DÉLAI",
                f"{ref} ; {BUDGET_DATE}",
            )
        )
        steps.extend(Step("Avertissement", warning) for warning in self.warnings)
        return steps

    def explain(self) -> Explanation:
        return Explanation(
            f"Détermination du coût unitaire de fonctionnement {self.year}", tuple(self.steps())
        )


def _text(value: str, field: str, where: str) -> str:
    text = str(value).strip()
    if not text:
        raise InvalidParameter(f"{where} : « {field} » est obligatoire.", field=field)
    return text


def determine_unit_cost(
    charges: Sequence[AccountCharge],
    forecast_units: Number,
    *,
    year: int,
    accounts_year: int,
    notification: Notification,
    adjustments: Sequence[BudgetAdjustment] = (),
    provider: str = "la structure qui met à disposition",
    unit_label: str = "unités",
    reference: str = DECREE_EPCI,
) -> UnitCostDetermination:
    """unit cost = (eligible charges of the accounts + budget adjustments) / forecast units.

    Kept at full precision. Raises InvalidParameter (forecast units ≤ 0, accounts year not
    before the year, « autre » or blank charge included without reason, adjustment without
    reason, a cost base below zero) and NegativeValue (negative charge), each naming the
    field in French.
    """
    units = D(forecast_units)
    if units <= 0:
        raise InvalidParameter(
            f"Unités prévisionnelles : elles doivent être strictement positives "
            f"(reçu : {format_number(units)}).",
            field="forecast_units",
            value=units,
        )
    if accounts_year >= year:
        raise InvalidParameter(
            f"Année du compte administratif : {accounts_year} doit précéder l'année "
            f"d'application {year}.",
            field="accounts_year",
        )
    eligible = excluded = ZERO
    for index, charge in enumerate(charges, start=1):
        where = f"Charge n° {index} « {charge.label} »"
        _text(charge.label, "libellé", f"Charge n° {index}")
        amount = to_cents(charge.amount)
        if amount < 0:
            raise NegativeValue(
                f"{where} : le montant est négatif ({format_euros(amount)}).",
                field="amount",
                index=index,
            )
        if (
            charge.eligible
            and charge.category not in ELIGIBLE_CATEGORIES
            and not charge.reason.strip()
        ):
            raise InvalidParameter(
                f"{where} : une charge de catégorie « autre » ou sans catégorie ne peut être "
                "retenue qu'avec un motif (champ « motif »).",
                field="reason",
                index=index,
            )
        if charge.included:
            eligible += amount
        else:
            excluded += amount
    adjustments_total = ZERO
    for index, adjustment in enumerate(adjustments, start=1):
        where = f"Ajustement n° {index} « {adjustment.label} »"
        _text(adjustment.label, "libellé", f"Ajustement n° {index}")
        _text(adjustment.reason, "motif", where)
        adjustments_total += to_cents(adjustment.amount)
    base = eligible + adjustments_total
    if base < 0:
        raise InvalidParameter(
            f"Ajustements : le coût de fonctionnement retenu serait négatif "
            f"({format_euros(base)}).",
            field="adjustments",
        )
    return UnitCostDetermination(
        provider=provider,
        year=year,
        accounts_year=accounts_year,
        charges=tuple(charges),
        adjustments=tuple(adjustments),
        eligible_total=eligible,
        excluded_total=excluded,
        adjustments_total=adjustments_total,
        cost_base=base,
        forecast_units=units,
        unit_label=unit_label,
        unit_cost=base / units,
        notification=notification,
        reference=reference,
    )


# --- Billing -------------------------------------------------------------------------


@dataclass(frozen=True)
class Usage:
    """Units actually used by a beneficiary; `own_use` is the provider's own use."""

    code: str
    name: str
    units: Number
    own_use: bool = False


@dataclass(frozen=True)
class StatementLine:
    code: str
    name: str
    units: Decimal
    amount: Decimal
    own_use: bool
    formula: str


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
    unit = _singular(determination.unit_label)
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


# --- Contractual regularisation on actual cost ---------------------------------------


@dataclass(frozen=True)
class ClauseRegularisationLine:
    code: str
    name: str
    billed: Decimal
    due: Decimal
    regularisation: Decimal
    formula: str


@dataclass(frozen=True)
class ClauseRegularisation:
    """Regularisation on actual cost: a clause of the convention, not the decree."""

    clause: str
    actual_cost: Decimal
    actual_units: Decimal
    actual_unit_cost: Decimal
    unit_label: str
    lines: tuple[ClauseRegularisationLine, ...]

    @property
    def amounts(self) -> dict[str, Decimal]:
        return {line.code: line.regularisation for line in self.lines}

    @property
    def total(self) -> Decimal:
        return sum((line.regularisation for line in self.lines), ZERO)

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
                f"{format_unit_cost(self.actual_unit_cost)} €/{_singular(self.unit_label)}",
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
    clause_text = _text(clause, "clause", "Régularisation sur le coût réel")
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
            f"{format_unit_cost(rate)} €/{_singular(label)} × {format_number(line.units)} {label}"
        )
        lines.append(
            ClauseRegularisationLine(
                line.code, line.name, line.amount, due, due - line.amount, formula
            )
        )
    return ClauseRegularisation(clause_text, cost, units, rate, label, tuple(lines))
