"""The unit operating cost established by the provider (CGCT D.5211-16; R.5111-1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from mutualis.engine.errors import (
    InvalidParameter,
    NegativeValue,
)
from mutualis.engine.explain import Explanation, Step, singular
from mutualis.engine.money import ZERO, D, Number, format_euros, format_number, to_cents
from mutualis.engine.reimbursement import CATEGORY_LABELS, ChargeCategory
from mutualis.engine.unit_cost.notification import BUDGET_DATE, Notification, day_text

DECREE_EPCI = "CGCT art. D.5211-16"
"""Mise à disposition de services (L.5211-4-1) — and a service commun by contractual choice."""
DECREE_COMMUNES = "CGCT art. R.5111-1"
"""Conventions between communes (L.5111-1-1)."""
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
        return f"{format_unit_cost(self.unit_cost)} €/{singular(self.unit_label)}"

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
        when = day_text(notification.notified_on) if notification.notified_on else "non notifié"
        steps.append(
            Step(
                "Notification aux bénéficiaires",
                f"{when} ; date limite {day_text(notification.deadline)} ({notification.basis})",
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


def check_text(value: str, field: str, where: str) -> str:
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
        check_text(charge.label, "libellé", f"Charge n° {index}")
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
        check_text(adjustment.label, "libellé", f"Ajustement n° {index}")
        check_text(adjustment.reason, "motif", where)
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
