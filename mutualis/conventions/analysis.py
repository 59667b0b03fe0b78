"""The financial annex of a convention, computed by the engine from plain values.

No database here: the caller turns a version into `Terms` and `PartyTerms`. Every amount
comes from an engine function (D.5211-16 unit cost, keys, instalments) and carries its
explanation and legal reference.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from mutualis.engine.compensation import ac_deduction
from mutualis.engine.errors import EngineError
from mutualis.engine.explain import Explanation, Step
from mutualis.engine.keys import AttributeKey, KeyResult, MemberFacts
from mutualis.engine.money import ZERO, D, format_euros, format_number, instalments, to_cents
from mutualis.engine.reimbursement import (
    ChargeCategory,
    ChargeLine,
    RoundingMode,
    UnitLine,
    compute_reimbursement,
)

DECREE = "CGCT art. D.5211-16"
AC_REFERENCE = "CGI art. 1609 nonies C"
WEIGHT = "poids"


@dataclass(frozen=True)
class PartyTerms:
    code: str
    name: str
    units: Decimal = Decimal(0)
    weight: Decimal = Decimal(0)
    is_pooling_body: bool = False
    ac_base: Decimal | None = None  # attribution de compensation before deduction


@dataclass(frozen=True)
class Terms:
    method: str
    references: tuple[str, ...]
    charges_amount: Decimal | None = None
    tariff_amount: Decimal | None = None
    unit_label: str = "unités"
    key_label: str = ""
    periodicity_months: int = 12
    unit_cost_reference: str = DECREE
    year: int = 0  # first year of the convention (AC deduction)
    convention: str = ""  # the convention's title, cited by the AC deduction


@dataclass(frozen=True)
class AnnexLine:
    code: str
    name: str
    basis: str
    amount: Decimal
    formula: str
    reference: str
    instalments: tuple[Decimal, ...]
    billed: bool = True


@dataclass(frozen=True)
class Annex:
    title: str
    reference: str
    lines: tuple[AnnexLine, ...]
    explanation: Explanation
    payments_per_year: int

    @property
    def billed_lines(self) -> tuple[AnnexLine, ...]:
        return tuple(line for line in self.lines if line.billed)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.billed_lines), ZERO)

    def line(self, code: str) -> AnnexLine:
        return next(line for line in self.lines if line.code == code)


def payments_per_year(periodicity_months: int) -> int:
    """12 / periodicity; a periodicity over a year still pays once per period."""
    return max(1, 12 // periodicity_months) if periodicity_months else 1


def build_annex(terms: Terms, parties: Sequence[PartyTerms]) -> Annex:
    """Dispatch through `ANNEX_BUILDERS`, one function per financial method."""
    try:
        builder = ANNEX_BUILDERS[terms.method]
    except KeyError:
        raise EngineError("Aucune méthode financière n'est choisie.") from None
    return builder(terms, parties)


def _split(amount: Decimal, count: int) -> tuple[Decimal, ...]:
    return instalments(amount, count) if amount else tuple(ZERO for _ in range(count))


def _unit_cost(terms: Terms, parties: Sequence[PartyTerms]) -> Annex:
    """CGCT D.5211-16: unit cost = forecast eligible charges / forecast units (own use
    included); each party pays unit cost × its units, at most once a year."""
    charges = to_cents(terms.charges_amount or 0)
    result = compute_reimbursement(
        [ChargeLine(ChargeCategory.OTHER, "Charges prévisionnelles du service", charges)],
        [UnitLine(p.code, p.name, D(p.units), own_use=p.is_pooling_body) for p in parties],
        unit_label=terms.unit_label or "unités",
        mode=RoundingMode.PER_LINE,
    )
    count = payments_per_year(terms.periodicity_months)
    by_code = {p.code: p for p in parties}
    lines = tuple(
        AnnexLine(
            code=line.code,
            name=line.name,
            basis=f"{format_number(line.units)} {result.unit_label}",
            amount=line.amount,
            formula=line.formula,
            reference=terms.unit_cost_reference,
            instalments=_split(line.amount, count),
            billed=not by_code[line.code].is_pooling_body,
        )
        for line in result.lines
    )
    return Annex(
        "Remboursement au coût unitaire de fonctionnement",
        terms.unit_cost_reference,
        lines,
        result.explain(),
        count,
    )


def _keyed(terms: Terms, parties: Sequence[PartyTerms]) -> tuple[list[PartyTerms], KeyResult]:
    payers = [p for p in parties if not p.is_pooling_body or p.weight > 0]
    key = AttributeKey(WEIGHT, label=terms.key_label or "Clé de répartition")
    facts = [MemberFacts(p.code, p.name, {WEIGHT: D(p.weight)}) for p in payers]
    return payers, key.allocate(to_cents(terms.charges_amount or 0), facts)


def _key(terms: Terms, parties: Sequence[PartyTerms]) -> Annex:
    """Charges split by the convention's key, to the cent (largest remainder)."""
    payers, result = _keyed(terms, parties)
    count = payments_per_year(terms.periodicity_months)
    reference = terms.references[0] if terms.references else ""
    by_code = {p.code: p for p in payers}
    lines = tuple(
        AnnexLine(
            line.code,
            line.name,
            f"poids {format_number(by_code[line.code].weight)}",
            line.amount,
            line.formula,
            reference,
            _split(line.amount, count),
        )
        for line in result.lines
    )
    return Annex("Répartition des charges selon la clé", reference, lines, result.explain(), count)


def missing_ac_bases(parties: Sequence[PartyTerms]) -> list[PartyTerms]:
    """The communes without an attribution de compensation to deduct from."""
    return [p for p in parties if not p.is_pooling_body and p.ac_base is None]


def _ac_formula(explanation: Explanation) -> str:
    """The deduction and the net attribution, as the engine wrote them."""
    deduction, net = explanation.steps[0], explanation.steps[1]
    return f"{deduction.formula} = {deduction.result} ; AC nette : {net.formula} = {net.result}"


def _ac_deduction(terms: Terms, parties: Sequence[PartyTerms]) -> Annex:
    """Service commun under the FPU: each commune's share of the forecast cost is deducted
    from its attribution de compensation, by monthly twelfths (CGI 1609 nonies C; CGCT
    L.5211-4-2), through `engine.compensation.ac_deduction`."""
    communes = [p for p in parties if not p.is_pooling_body]
    missing = missing_ac_bases(communes)
    if missing:
        raise EngineError(
            "Attribution de compensation manquante pour "
            + ", ".join(f"{p.name} ({p.code})" for p in missing)
            + " : saisissez-la dans « Parties, unités et poids »."
        )
    result = ac_deduction(
        terms.year,
        to_cents(terms.charges_amount or 0),
        {p.code: D(p.weight) for p in communes},
        {p.code: D(p.ac_base or 0) for p in communes},
        convention=terms.convention or "la convention",
        names={p.code: p.name for p in communes},
        key_label=terms.key_label or "clé de la convention",
    )
    lines = tuple(
        AnnexLine(
            line.code,
            line.name,
            f"AC {format_euros(line.attribution)} → nette {format_euros(line.net_attribution)}",
            line.deduction,
            _ac_formula(result.explain_member(line.code)),
            AC_REFERENCE,
            line.monthly,
        )
        for line in result.lines
    )
    return Annex(
        "Imputation sur l'attribution de compensation",
        AC_REFERENCE,
        lines,
        result.explain(),
        12,
    )


def _tariff(terms: Terms, parties: Sequence[PartyTerms]) -> Annex:
    """Each party pays the tariff × its forecast units, rounded once to the cent."""
    tariff = D(terms.tariff_amount or 0)
    unit = terms.unit_label or "unités"
    count = payments_per_year(terms.periodicity_months)
    reference = terms.references[0] if terms.references else ""
    lines = []
    steps = [Step("Tarif voté", result=f"{format_number(tariff, 2)} € par unité ({unit})")]
    for p in sorted((p for p in parties if not p.is_pooling_body), key=lambda p: p.code):
        amount = to_cents(tariff * D(p.units))
        formula = f"{format_number(tariff, 2)} € × {format_number(p.units)} {unit}"
        lines.append(
            AnnexLine(
                p.code,
                p.name,
                f"{format_number(p.units)} {unit}",
                amount,
                formula,
                reference,
                _split(amount, count),
            )
        )
        steps.append(Step(f"{p.name} ({p.code})", formula, format_euros(amount), reference))
    return Annex(
        "Prix des prestations au tarif",
        reference,
        tuple(lines),
        Explanation("Prix des prestations au tarif", tuple(steps)),
        count,
    )


ANNEX_BUILDERS = {
    "unit_cost": _unit_cost,
    "key": _key,
    "ac_deduction": _ac_deduction,
    "tariff": _tariff,
}


# --- dates ------------------------------------------------------------------------------


def shift_months(day: date, months: int) -> date:
    """`day` moved by `months` (negative: back), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def notice_date(end_on: date, notice_months: int) -> date:
    """The last day to give notice before the end: end − notice period."""
    return shift_months(end_on, -notice_months)


def duration_months(start_on: date, end_on: date) -> int:
    """Whole months from start to the day after the end (01/01 → 31/12 is 12 months)."""
    after = end_on + timedelta(days=1)
    return (after.year - start_on.year) * 12 + after.month - start_on.month


@dataclass(frozen=True)
class Alert:
    kind: str  # "notice" or "end"
    on: date
    days_left: int

    @property
    def label(self) -> str:
        return "Date limite de préavis" if self.kind == "notice" else "Fin de la convention"


def alerts_for(
    end_on: date, notice_months: int, today: date, within_days: int
) -> tuple[Alert, ...]:
    """The notice date and the end date when they fall within `within_days` of `today`."""
    horizon = today + timedelta(days=within_days)
    found = []
    for kind, day in (("notice", notice_date(end_on, notice_months)), ("end", end_on)):
        if today <= day <= horizon:
            found.append(Alert(kind, day, (day - today).days))
    return tuple(found)
