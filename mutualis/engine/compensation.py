"""The cost of a service commun charged on the attribution de compensation (AC).

Under the fiscalité professionnelle unique, the convention of a service commun (CGCT
L.5211-4-2) may charge its effects on the attribution de compensation (CGI art. 1609
nonies C). Computed here:

- the yearly deduction per member: the forecast cost of the service split by the
  convention's key (`money.allocate`, reconciling to the cent);
- the net attribution: AC − deduction (negative: the commune pays the EPCI);
- twelve monthly withholdings per member that sum to its deduction exactly (floored to the
  cent, the cents left over on the first months);
- the year-end balance against the actual cost split by the same (or the actual) key:
  balance = actual share − deducted; positive, a further deduction; negative, a refund.

Every explanation cites the convention and CGI art. 1609 nonies C.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from mutualis.engine.errors import EmptyPerimeter, InvalidParameter, NegativeValue, UnknownMember
from mutualis.engine.explain import Explanation, Step
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
from mutualis.engine.reimbursement import MONTHS

AC_REFERENCE = "CGI art. 1609 nonies C"
SERVICE_COMMUN = "CGCT art. L.5211-4-2"


@dataclass(frozen=True)
class DeductionLine:
    code: str
    name: str
    weight: Decimal
    attribution: Decimal
    deduction: Decimal
    monthly: tuple[Decimal, ...]

    @property
    def net_attribution(self) -> Decimal:
        return self.attribution - self.deduction


@dataclass(frozen=True)
class ACDeduction:
    """Yearly deductions from the AC of each member, and their monthly twelfths."""

    year: int
    convention: str
    key_label: str
    forecast_cost: Decimal
    lines: tuple[DeductionLine, ...]

    @property
    def deductions(self) -> dict[str, Decimal]:
        return {line.code: line.deduction for line in self.lines}

    @property
    def total(self) -> Decimal:
        return sum((line.deduction for line in self.lines), ZERO)

    def line(self, code: str) -> DeductionLine:
        for line in self.lines:
            if line.code == code:
                return line
        raise UnknownMember(f"« {code} » n'est pas membre du service commun.", code=code)

    def _reference(self) -> str:
        return f"{self.convention} ; {AC_REFERENCE}"

    def _member_steps(self, line: DeductionLine) -> list[Step]:
        weights = sum((item.weight for item in self.lines), Decimal(0))
        steps = [
            Step(
                f"Déduction annuelle de {line.name} ({line.code})",
                f"{format_euros(self.forecast_cost)} × {format_number(line.weight)} / "
                f"{format_number(weights)} ({self.key_label})",
                format_euros(line.deduction),
                self._reference(),
            ),
            Step(
                f"Attribution de compensation nette de {line.name}",
                f"{format_euros(line.attribution)} − {format_euros(line.deduction)}",
                format_euros(line.net_attribution),
                AC_REFERENCE,
            ),
        ]
        if line.net_attribution < 0:
            steps.append(
                Step(
                    "Attribution négative",
                    f"{line.name} verse {format_euros(-line.net_attribution)} à l'EPCI",
                )
            )
        steps.append(
            Step(
                "Retenues mensuelles (douzièmes)",
                " ; ".join(
                    f"{month} {format_euros(amount)}"
                    for month, amount in zip(MONTHS, line.monthly, strict=True)
                ),
                f"total {format_euros(sum(line.monthly, ZERO))}",
            )
        )
        return steps

    def explain(self) -> Explanation:
        steps = [
            Step(
                f"Coût prévisionnel {self.year} du service commun",
                "imputé sur l'attribution de compensation selon la convention",
                format_euros(self.forecast_cost),
                f"{self.convention} ; {SERVICE_COMMUN} ; {AC_REFERENCE}",
            )
        ]
        for line in self.lines:
            steps.extend(self._member_steps(line))
        steps.append(
            Step(
                "Arrondi",
                "déductions réparties au centime (plus forts restes, à égalité dans l'ordre "
                "des codes) ; chaque douzième arrondi au centime inférieur, centimes restants "
                "sur les premiers mois ; les douzièmes totalisent la déduction",
                format_euros(self.total),
            )
        )
        return Explanation(
            f"Imputation du service commun sur l'attribution de compensation {self.year}",
            tuple(steps),
        )

    def explain_member(self, code: str) -> Explanation:
        line = self.line(code)
        return Explanation(
            f"Déduction de l'attribution de compensation {self.year} — {line.name}",
            tuple(self._member_steps(line)),
        )


def _members(
    weights: Mapping[str, Number], attributions: Mapping[str, Number]
) -> list[tuple[str, Decimal]]:
    if not weights:
        raise EmptyPerimeter("Aucun membre du service commun.")
    missing = sorted(set(weights) - set(attributions))
    if missing:
        raise UnknownMember(
            f"Attribution de compensation manquante pour « {missing[0]} ».",
            field="attributions",
            code=missing[0],
        )
    extra = sorted(set(attributions) - set(weights))
    if extra:
        raise UnknownMember(
            f"Attribution de compensation pour « {extra[0]} », absent de la clé.",
            field="attributions",
            code=extra[0],
        )
    return [(code, to_cents(attributions[code])) for code in sorted(weights)]


def ac_deduction(
    year: int,
    forecast_cost: Number,
    weights: Mapping[str, Number],
    attributions: Mapping[str, Number],
    *,
    convention: str,
    names: Mapping[str, str] | None = None,
    key_label: str = "clé de la convention",
) -> ACDeduction:
    """Yearly deduction = allocate(forecast cost, weights); 12 twelfths each.

    `weights` is the convention's key (code → weight ≥ 0); `attributions` the yearly AC
    before deduction (code → amount, may be negative); `convention` names the convention
    (required, cited in every explanation).
    """
    if not convention.strip():
        raise InvalidParameter(
            "Convention : nommez la convention qui impute le service sur l'attribution.",
            field="convention",
        )
    cost = to_cents(forecast_cost)
    if cost < 0:
        raise NegativeValue(
            f"Coût prévisionnel : valeur négative ({format_euros(cost)}).",
            field="forecast_cost",
        )
    members = _members(weights, attributions)
    shares = allocate(cost, [(code, weights[code]) for code, _ in members])
    labels = names or {}
    lines = tuple(
        DeductionLine(
            code,
            labels.get(code, code),
            D(weights[code]),
            attribution,
            shares[code],
            instalments(shares[code], 12),
        )
        for code, attribution in members
    )
    return ACDeduction(year, convention.strip(), key_label, cost, lines)


@dataclass(frozen=True)
class BalanceLine:
    code: str
    name: str
    deducted: Decimal
    actual: Decimal

    @property
    def balance(self) -> Decimal:
        """actual − deducted: positive, a further deduction; negative, a refund."""
        return self.actual - self.deducted


@dataclass(frozen=True)
class ACBalance:
    deduction: ACDeduction
    actual_cost: Decimal
    lines: tuple[BalanceLine, ...]

    @property
    def balances(self) -> dict[str, Decimal]:
        return {line.code: line.balance for line in self.lines}

    @property
    def total(self) -> Decimal:
        return sum((line.balance for line in self.lines), ZERO)

    def explain(self) -> Explanation:
        reference = f"{self.deduction.convention} ; {AC_REFERENCE}"
        steps = [
            Step(
                f"Coût réel {self.deduction.year} du service commun",
                f"déduit en cours d'année : {format_euros(self.deduction.total)}",
                format_euros(self.actual_cost),
                reference,
            )
        ]
        for line in self.lines:
            word = "déduction complémentaire" if line.balance >= 0 else "reversement au membre"
            steps.append(
                Step(
                    f"{line.name} ({line.code}) : {word}",
                    f"part du coût réel {format_euros(line.actual)} − déduit "
                    f"{format_euros(line.deducted)}",
                    format_euros(line.balance),
                    reference,
                )
            )
        steps.append(Step("Solde de l'exercice", result=format_euros(self.total)))
        return Explanation(
            f"Solde de fin d'exercice {self.deduction.year} sur l'attribution de compensation",
            tuple(steps),
        )


def ac_balance(
    deduction: ACDeduction,
    actual_cost: Number,
    weights: Mapping[str, Number] | None = None,
) -> ACBalance:
    """Year-end balance: allocate(actual cost, key) − deducted, per member.

    `weights` defaults to the key of the deduction (the convention may use the actual
    activity instead: pass it, same members).
    """
    cost = to_cents(actual_cost)
    if cost < 0:
        raise NegativeValue(
            f"Coût réel : valeur négative ({format_euros(cost)}).", field="actual_cost"
        )
    key = weights if weights is not None else {line.code: line.weight for line in deduction.lines}
    codes = {line.code for line in deduction.lines}
    if set(key) != codes:
        odd = sorted(set(key) ^ codes)[0]
        raise UnknownMember(
            f"La clé du solde doit porter sur les mêmes membres (« {odd} »).",
            field="weights",
            code=odd,
        )
    shares = allocate(cost, [(line.code, key[line.code]) for line in deduction.lines])
    lines = tuple(
        BalanceLine(line.code, line.name, line.deduction, shares[line.code])
        for line in deduction.lines
    )
    return ACBalance(deduction, cost, lines)
