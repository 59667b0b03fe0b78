"""Sharing actual charges by units (the pre-decree method, kept for allocations).

For billing a mise à disposition by the decree's method (unit cost notified before the
year × actual units), use `mutualis.engine.unit_cost`. This module divides charges by
units afterwards; used as a bill, that is a contractual clause, never the decree, and
its regularisation explanation says so.

The pooling body totals the eligible operating charges of the service (personnel,
supplies, renewal of goods, service contracts…), divides them by the total units of
operation — its own use included — and bills each member unit cost × its units. A
forecast is billed on the budget, then regularised on the actual accounts:
regularisation = actual due − already billed (`mutualis.engine.regularisation`).

Rounding (documented choice, see docs/engine.md):

- `RoundingMode.PER_LINE` (default, the text of the decree): the unit cost is rounded to
  `unit_cost_places` decimals (the cent by default) and each line is unit cost × units,
  rounded once to the cent. The figures shown multiply out to the figures billed; the
  lines may differ from the eligible charges by a few cents (`rounding_gap`), which the
  explanation states.
- `RoundingMode.RECONCILED`: the eligible charges are split in proportion to units with
  `money.allocate`, so the lines sum exactly to the eligible charges; each line is then
  charges × units / total units, and the unit cost shown is rounded for display only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from mutualis.engine.errors import (
    EmptyPerimeter,
    EngineError,
    NegativeValue,
    UnknownMember,
    ZeroUnits,
)
from mutualis.engine.explain import Explanation, Step, singular
from mutualis.engine.money import (
    ZERO,
    D,
    Number,
    allocate,
    format_euros,
    format_number,
    instalments,
    to_cents,
)

REFERENCE = "CGCT art. D.5211-16"


def rate_text(value: Decimal) -> str:
    """A unit cost with the decimals it was rounded to (at least two)."""
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) else 2
    return format_number(value, max(2, places))


class ChargeCategory(StrEnum):
    PERSONNEL = "personnel"
    SUPPLIES = "fournitures"
    RENEWAL = "renouvellement des biens"
    SERVICE_CONTRACTS = "contrats de services"
    OTHER = "autre"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS: Mapping[ChargeCategory, str] = {
    ChargeCategory.PERSONNEL: "Charges de personnel",
    ChargeCategory.SUPPLIES: "Fournitures",
    ChargeCategory.RENEWAL: "Renouvellement des biens",
    ChargeCategory.SERVICE_CONTRACTS: "Contrats de services",
    ChargeCategory.OTHER: "Autres charges",
}


class RoundingMode(StrEnum):
    PER_LINE = "par_ligne"
    RECONCILED = "reconcilie"


@dataclass(frozen=True)
class ChargeLine:
    """One operating charge of the service; `eligible` says whether it enters the cost."""

    category: ChargeCategory
    label: str
    amount: Decimal
    eligible: bool = True


@dataclass(frozen=True)
class UnitLine:
    """Units of operation used by a member; `own_use` marks the pooling body's own use."""

    code: str
    name: str
    units: Decimal
    own_use: bool = False


@dataclass(frozen=True)
class ReimbursementLine:
    code: str
    name: str
    units: Decimal
    amount: Decimal
    own_use: bool
    formula: str


@dataclass(frozen=True)
class Reimbursement:
    """Unit operating cost and the amount due by each user of the service."""

    charges: tuple[ChargeLine, ...]
    eligible_total: Decimal
    excluded_total: Decimal
    eligible_by_category: tuple[tuple[ChargeCategory, Decimal], ...]
    total_units: Decimal
    unit_label: str
    unit_cost: Decimal
    exact_unit_cost: Decimal
    mode: RoundingMode
    lines: tuple[ReimbursementLine, ...]

    @property
    def amounts(self) -> dict[str, Decimal]:
        """Amount due by every line, own use included."""
        return {line.code: line.amount for line in self.lines}

    @property
    def billed_amounts(self) -> dict[str, Decimal]:
        """Amounts billed to members: every line but the pooling body's own use."""
        return {line.code: line.amount for line in self.lines if not line.own_use}

    @property
    def lines_total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def billed_total(self) -> Decimal:
        return sum(self.billed_amounts.values(), ZERO)

    @property
    def rounding_gap(self) -> Decimal:
        """Σ lines − eligible charges: a few cents in PER_LINE mode, 0 when RECONCILED."""
        return self.lines_total - self.eligible_total

    def line(self, code: str) -> ReimbursementLine:
        for line in self.lines:
            if line.code == code:
                return line
        raise UnknownMember(f"« {code} » n'utilise pas le service.", code=code)

    def _cost_steps(self) -> list[Step]:
        steps = [
            Step(
                f"{CATEGORY_LABELS[category]} (éligibles)",
                result=format_euros(amount),
            )
            for category, amount in self.eligible_by_category
        ]
        steps.append(
            Step(
                "Charges de fonctionnement éligibles",
                " + ".join(format_euros(a) for _, a in self.eligible_by_category) or "aucune",
                format_euros(self.eligible_total),
                REFERENCE,
            )
        )
        if self.excluded_total:
            steps.append(
                Step("Charges exclues du coût unitaire", result=format_euros(self.excluded_total))
            )
        steps.append(
            Step(
                "Unités de fonctionnement (usage propre de la structure compris)",
                " + ".join(format_number(line.units) for line in self.lines),
                f"{format_number(self.total_units)} {self.unit_label}",
                REFERENCE,
            )
        )
        rounded = "" if self.unit_cost == self.exact_unit_cost else " (arrondi)"
        steps.append(
            Step(
                "Coût unitaire de fonctionnement",
                f"{format_euros(self.eligible_total)} / {format_number(self.total_units)} "
                f"{self.unit_label}",
                f"{rate_text(self.unit_cost)} €/{singular(self.unit_label)}{rounded}",
                REFERENCE,
            )
        )
        return steps

    def _rounding_step(self) -> Step:
        if self.mode is RoundingMode.PER_LINE:
            return Step(
                "Rapprochement",
                "chaque ligne = coût unitaire × unités, arrondie une fois au centime ; "
                f"total des lignes {format_euros(self.lines_total)} − charges éligibles "
                f"{format_euros(self.eligible_total)}",
                f"écart d'arrondi {format_euros(self.rounding_gap)}",
            )
        return Step(
            "Rapprochement",
            "charges éligibles réparties au prorata des unités, centimes restants aux plus "
            "forts restes : le total des lignes égale exactement les charges éligibles",
            format_euros(self.lines_total),
        )

    def explain(self) -> Explanation:
        steps = self._cost_steps()
        for line in self.lines:
            suffix = " — usage propre, non facturé" if line.own_use else ""
            steps.append(
                Step(f"{line.name} ({line.code}){suffix}", line.formula, format_euros(line.amount))
            )
        steps.append(self._rounding_step())
        steps.append(
            Step(
                "Total facturé aux membres (hors usage propre)",
                result=format_euros(self.billed_total),
            )
        )
        return Explanation("Remboursement des frais de fonctionnement du service", tuple(steps))

    def explain_member(self, code: str) -> Explanation:
        line = self.line(code)
        steps = [*self._cost_steps()]
        steps.append(Step(f"Montant dû par {line.name}", line.formula, format_euros(line.amount)))
        steps.append(self._rounding_step())
        return Explanation(f"Remboursement dû par {line.name} ({line.code})", tuple(steps))


def compute_reimbursement(
    charges: Sequence[ChargeLine],
    units: Sequence[UnitLine],
    *,
    unit_label: str = "unités",
    mode: RoundingMode = RoundingMode.PER_LINE,
    unit_cost_places: int = 2,
) -> Reimbursement:
    """Unit operating cost and amounts due (CGCT art. D.5211-16).

    unit cost = Σ eligible charges / Σ units (the pooling body's own use included);
    PER_LINE: amount_i = round(round(unit cost, unit_cost_places) × units_i, 0,01 €);
    RECONCILED: amount_i = allocate(Σ eligible charges, units)_i, summing exactly.

    Raises NegativeValue (negative charge or units), ZeroUnits (charges but no unit),
    EmptyPerimeter (no unit line), EngineError (repeated code, several own-use lines).
    """
    if not units:
        raise EmptyPerimeter("Aucune ligne d'unités : le service n'a aucun utilisateur.")
    for charge in charges:
        if D(charge.amount) < 0:
            raise NegativeValue(
                f"La charge « {charge.label} » est négative ({format_euros(charge.amount)}).",
                label=charge.label,
            )
    ordered = tuple(sorted(units, key=lambda u: u.code))
    seen: set[str] = set()
    for unit in ordered:
        if unit.code in seen:
            raise EngineError(
                f"Le code « {unit.code} » apparaît sur plusieurs lignes d'unités.",
                code=unit.code,
            )
        seen.add(unit.code)
        if D(unit.units) < 0:
            raise NegativeValue(
                f"Le nombre d'unités de {unit.name} ({unit.code}) est négatif "
                f"({format_number(unit.units)}).",
                code=unit.code,
            )
    if sum(1 for u in ordered if u.own_use) > 1:
        raise EngineError("Une seule ligne peut porter l'usage propre de la structure.")

    by_category = {
        category: sum(
            (to_cents(c.amount) for c in charges if c.eligible and c.category == category), ZERO
        )
        for category in ChargeCategory
    }
    eligible_by_category = tuple((c, a) for c, a in by_category.items() if a)
    eligible_total = sum(by_category.values(), ZERO)
    excluded_total = sum((to_cents(c.amount) for c in charges if not c.eligible), ZERO)
    total_units = sum((D(u.units) for u in ordered), Decimal(0))
    if total_units == 0:
        if eligible_total:
            raise ZeroUnits(
                f"Aucune unité de fonctionnement n'est déclarée alors que les charges "
                f"éligibles s'élèvent à {format_euros(eligible_total)} : le coût unitaire "
                "ne peut pas être calculé.",
                eligible_total=eligible_total,
            )
        exact_unit_cost = Decimal(0)
    else:
        exact_unit_cost = eligible_total / total_units
    quantum = Decimal(1).scaleb(-unit_cost_places)
    unit_cost = exact_unit_cost.quantize(quantum, rounding=ROUND_HALF_UP)

    lines = []
    if mode is RoundingMode.PER_LINE:
        for u in ordered:
            amount = to_cents(unit_cost * D(u.units))
            formula = (
                f"{rate_text(unit_cost)} €/{singular(unit_label)} × "
                f"{format_number(u.units)} {unit_label}"
            )
            lines.append(ReimbursementLine(u.code, u.name, D(u.units), amount, u.own_use, formula))
    else:
        amounts = allocate(eligible_total, [(u.code, D(u.units)) for u in ordered])
        for u in ordered:
            formula = (
                f"{format_euros(eligible_total)} × {format_number(u.units)} / "
                f"{format_number(total_units)} {unit_label}"
            )
            lines.append(
                ReimbursementLine(u.code, u.name, D(u.units), amounts[u.code], u.own_use, formula)
            )
    return Reimbursement(
        charges=tuple(charges),
        eligible_total=eligible_total,
        excluded_total=excluded_total,
        eligible_by_category=eligible_by_category,
        total_units=total_units,
        unit_label=unit_label,
        unit_cost=unit_cost,
        exact_unit_cost=exact_unit_cost,
        mode=mode,
        lines=tuple(lines),
    )


class Frequency(StrEnum):
    YEARLY = "annuelle"
    HALF_YEARLY = "semestrielle"
    QUARTERLY = "trimestrielle"
    MONTHLY = "mensuelle"

    @property
    def periods(self) -> int:
        return {"annuelle": 1, "semestrielle": 2, "trimestrielle": 4, "mensuelle": 12}[self.value]


MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def period_label(frequency: Frequency, index: int, year: int) -> str:
    """French label of the index-th period (1-based) of `year`."""
    ordinal = "1er" if index == 1 else f"{index}e"
    if frequency is Frequency.YEARLY:
        return f"Année {year}"
    if frequency is Frequency.HALF_YEARLY:
        return f"{ordinal} semestre {year}"
    if frequency is Frequency.QUARTERLY:
        return f"{ordinal} trimestre {year}"
    return f"{MONTHS[index - 1]} {year}"


@dataclass(frozen=True)
class Instalment:
    index: int
    label: str
    amount: Decimal


@dataclass(frozen=True)
class InstalmentSchedule:
    amount: Decimal
    frequency: Frequency
    year: int
    instalments: tuple[Instalment, ...]

    def explain(self) -> Explanation:
        count = self.frequency.periods
        steps = [
            Step(
                f"Échéancier, périodicité {self.frequency.value}",
                f"{format_euros(self.amount)} / {count}",
                f"{count} échéance{'s' if count > 1 else ''}",
            ),
            *(Step(i.label, result=format_euros(i.amount)) for i in self.instalments),
            Step(
                "Rapprochement",
                "échéances arrondies au centime inférieur, centimes restants sur les "
                "premières échéances",
                f"total {format_euros(sum((i.amount for i in self.instalments), ZERO))}",
            ),
        ]
        return Explanation(f"Échéancier {self.year}", tuple(steps))


def instalment_schedule(amount: Number, frequency: Frequency, year: int) -> InstalmentSchedule:
    """Yearly, half-yearly, quarterly or monthly instalments summing to `amount` exactly."""
    total = to_cents(amount)
    parts = instalments(total, frequency.periods)
    return InstalmentSchedule(
        total,
        frequency,
        year,
        tuple(
            Instalment(index, period_label(frequency, index, year), part)
            for index, part in enumerate(parts, start=1)
        ),
    )
