"""Clés de répartition: the ways a total is split between the members of a perimeter.

Every key is a small frozen object with a French `title` and one verb,
`allocate(total, members) -> KeyResult`. A key first computes each member's *exact*
amount (unrounded Decimals that sum to the total), then `money.allocate` turns them into
cents with the largest-remainder rule, so the lines always sum to the total, to the cent.
Members are taken in code order, which also breaks ties.

Keys compose: `FixedPlusVariableKey` adds a fixed part to any key; `CompositeKey` and
`BoundedKey` live in `mutualis.engine.composed_keys`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from mutualis.engine.errors import (
    EmptyPerimeter,
    EngineError,
    InfeasibleBounds,
    MissingAttribute,
    NegativeValue,
    UnknownMember,
    ZeroWeights,
)
from mutualis.engine.explain import Explanation, Step
from mutualis.engine.money import (
    ZERO,
    D,
    Number,
    allocate,
    format_euros,
    format_number,
    to_cents,
)

ATTRIBUTE_LABELS: Mapping[str, str] = {
    "population_municipale": "population municipale",
    "population_totale": "population totale",
    "population_dgf": "population DGF",
    "potentiel_financier": "potentiel financier",
    "km_voirie": "kilomètres de voirie",
    "postes": "postes de travail",
    "agents": "agents",
}
"""French labels of the usual member attributes; any other name is shown as is."""

ROUNDING_NOTE = (
    "parts arrondies au centime inférieur, centimes restants attribués aux plus forts "
    "restes (à égalité, dans l'ordre des codes)"
)


@dataclass(frozen=True)
class MemberFacts:
    """What a key may know about a member: its code (INSEE), name and numeric attributes."""

    code: str
    name: str
    attributes: Mapping[str, Decimal] = field(default_factory=dict)

    @property
    def display(self) -> str:
        return f"{self.name} ({self.code})"


@dataclass(frozen=True)
class KeyLine:
    """One member's line: exact share of the total (before rounding) and amount in cents."""

    code: str
    name: str
    formula: str
    share: Decimal
    amount: Decimal


@dataclass(frozen=True)
class KeyResult:
    """The split of `total` by a key; `sum(amounts) == total` to the cent."""

    key_title: str
    total: Decimal
    lines: tuple[KeyLine, ...]
    explanation: Explanation

    @property
    def amounts(self) -> dict[str, Decimal]:
        return {line.code: line.amount for line in self.lines}

    @property
    def shares(self) -> dict[str, Decimal]:
        return {line.code: line.share for line in self.lines}

    def explain(self) -> Explanation:
        return self.explanation


Computed = tuple[dict[str, Decimal], dict[str, str]]
"""Exact amounts by member code, and the French formula of each member's amount."""


def prepare_members(members: Sequence[MemberFacts]) -> tuple[MemberFacts, ...]:
    """Members sorted by code; an empty perimeter or a repeated code is an error."""
    if not members:
        raise EmptyPerimeter("Le périmètre ne compte aucun membre.")
    ordered = tuple(sorted(members, key=lambda m: m.code))
    seen: set[str] = set()
    for member in ordered:
        if member.code in seen:
            raise EngineError(
                f"Le code membre « {member.code} » apparaît plusieurs fois.", code=member.code
            )
        seen.add(member.code)
    return ordered


def check_total(total: Number) -> Decimal:
    amount = to_cents(total)
    if amount < 0:
        raise NegativeValue(
            f"Le montant à répartir est négatif ({format_euros(amount)}).", total=amount
        )
    return amount


def _proportional(
    total: Decimal, weights: Sequence[tuple[str, Decimal]], what: str
) -> dict[str, Decimal]:
    """Exact amounts total × w_i / Σw; all-zero weights are an error unless total is 0."""
    weight_sum = sum((w for _, w in weights), Decimal(0))
    if weight_sum == 0:
        if total == 0:
            return {code: Decimal(0) for code, _ in weights}
        raise ZeroWeights(
            f"Tous les membres ont une valeur nulle pour « {what} » : impossible de "
            f"répartir {format_euros(total)}.",
            total=total,
            basis=what,
        )
    return {code: total * w / weight_sum for code, w in weights}


class Key(ABC):
    """A clé de répartition. Subclasses are frozen dataclasses."""

    @property
    @abstractmethod
    def title(self) -> str:
        """French name of the key, e.g. « Population DGF »."""

    @abstractmethod
    def describe(self) -> str:
        """One French sentence giving the formula of the key."""

    @abstractmethod
    def compute(self, total: Decimal, members: tuple[MemberFacts, ...]) -> Computed:
        """Exact (unrounded) amounts summing to `total`, and per-member formulas."""

    def exact_amounts(self, total: Number, members: Sequence[MemberFacts]) -> dict[str, Decimal]:
        return self.compute(D(total), prepare_members(members))[0]

    def allocate(self, total: Number, members: Sequence[MemberFacts]) -> KeyResult:
        """Split `total` between `members` to the cent; Σ amounts = total exactly."""
        amount = check_total(total)
        ordered = prepare_members(members)
        exact, formulas = self.compute(amount, ordered)
        amounts = allocate(amount, [(m.code, exact[m.code]) for m in ordered])
        return build_result(self, amount, ordered, exact, formulas, amounts, ())


def build_result(
    key: Key,
    total: Decimal,
    members: tuple[MemberFacts, ...],
    exact: Mapping[str, Decimal],
    formulas: Mapping[str, str],
    amounts: Mapping[str, Decimal],
    extra_steps: tuple[Step, ...],
) -> KeyResult:
    lines = tuple(
        KeyLine(
            code=m.code,
            name=m.name,
            formula=formulas[m.code],
            share=(exact[m.code] / total) if total else Decimal(0),
            amount=amounts[m.code],
        )
        for m in members
    )
    steps = (
        Step(f"Clé de répartition : {key.title}", key.describe()),
        *extra_steps,
        *(Step(f"{m.display}", formulas[m.code], format_euros(amounts[m.code])) for m in members),
        Step(
            "Arrondi au centime",
            ROUNDING_NOTE,
            f"total des lignes {format_euros(sum(amounts.values(), ZERO))}",
        ),
    )
    explanation = Explanation(f"Répartition de {format_euros(total)} — {key.title}", steps)
    return KeyResult(key.title, total, lines, explanation)


@dataclass(frozen=True)
class EqualKey(Key):
    """Parts égales: every member pays total / n."""

    label: str = "Parts égales"

    @property
    def title(self) -> str:
        return self.label

    def describe(self) -> str:
        return "chaque membre paie le montant divisé par le nombre de membres"

    def compute(self, total: Decimal, members: tuple[MemberFacts, ...]) -> Computed:
        count = len(members)
        exact = {m.code: total / count for m in members}
        formula = f"{format_euros(total)} / {count} membres"
        return exact, {m.code: formula for m in members}


@dataclass(frozen=True)
class AttributeKey(Key):
    """Proportional to a numeric member attribute: total × a_i / Σa.

    Any attribute name works: population_municipale, population_totale, population_dgf,
    potentiel_financier, km_voirie, postes, agents…
    """

    attribute: str
    label: str = ""

    @property
    def attribute_label(self) -> str:
        return ATTRIBUTE_LABELS.get(self.attribute, self.attribute)

    @property
    def title(self) -> str:
        return self.label or f"Au prorata : {self.attribute_label}"

    def describe(self) -> str:
        return f"montant × {self.attribute_label} du membre / {self.attribute_label} totale"

    def weights(self, members: tuple[MemberFacts, ...]) -> list[tuple[str, Decimal]]:
        result = []
        for m in members:
            if self.attribute not in m.attributes:
                raise MissingAttribute(
                    f"Le membre {m.display} n'a pas de valeur pour « {self.attribute_label} ».",
                    code=m.code,
                    attribute=self.attribute,
                )
            value = D(m.attributes[self.attribute])
            if value < 0:
                raise NegativeValue(
                    f"La valeur « {self.attribute_label} » du membre {m.display} est "
                    f"négative ({format_number(value)}).",
                    code=m.code,
                    attribute=self.attribute,
                )
            result.append((m.code, value))
        return result

    def compute(self, total: Decimal, members: tuple[MemberFacts, ...]) -> Computed:
        weights = self.weights(members)
        exact = _proportional(total, weights, self.attribute_label)
        weight_sum = sum((w for _, w in weights), Decimal(0))
        formulas = {
            code: f"{format_number(w)} / {format_number(weight_sum)} × {format_euros(total)}"
            for code, w in weights
        }
        return exact, formulas


@dataclass(frozen=True)
class UnitsKey(Key):
    """Proportional to activity units (actes, heures, dossiers…): total × u_i / Σu.

    `units` maps member code to units; a member absent from it has 0 units, a code that
    names no member is an error.
    """

    units: Mapping[str, Number]
    unit_label: str = "unités"
    label: str = ""

    @property
    def title(self) -> str:
        return self.label or f"Unités d'activité ({self.unit_label})"

    def describe(self) -> str:
        return f"montant × {self.unit_label} du membre / {self.unit_label} totales"

    def compute(self, total: Decimal, members: tuple[MemberFacts, ...]) -> Computed:
        codes = {m.code for m in members}
        unknown = sorted(code for code in self.units if code not in codes)
        if unknown:
            raise UnknownMember(
                "Unités déclarées pour des codes qui ne sont pas membres du périmètre : "
                + ", ".join(unknown)
                + ".",
                codes=tuple(unknown),
            )
        weights = []
        for m in members:
            value = D(self.units.get(m.code, 0))
            if value < 0:
                raise NegativeValue(
                    f"Le nombre d'unités du membre {m.display} est négatif "
                    f"({format_number(value)}).",
                    code=m.code,
                )
            weights.append((m.code, value))
        exact = _proportional(total, weights, self.unit_label)
        unit_sum = sum((w for _, w in weights), Decimal(0))
        formulas = {
            code: f"{format_number(w)} / {format_number(unit_sum)} {self.unit_label} × "
            f"{format_euros(total)}"
            for code, w in weights
        }
        return exact, formulas


@dataclass(frozen=True)
class FixedPlusVariableKey(Key):
    """A fixed part per member plus the rest split by another key.

    amount_i = fixed + variable_i(total − n × fixed). The fixed parts must not exceed
    the total.
    """

    fixed_amount: Number
    variable: Key
    label: str = ""

    @property
    def title(self) -> str:
        return self.label or (
            f"Part fixe de {format_euros(self.fixed_amount)} + part variable "
            f"({self.variable.title})"
        )

    def describe(self) -> str:
        return (
            f"part fixe de {format_euros(self.fixed_amount)} par membre, puis le reste "
            f"selon : {self.variable.describe()}"
        )

    def compute(self, total: Decimal, members: tuple[MemberFacts, ...]) -> Computed:
        fixed = to_cents(self.fixed_amount)
        if fixed < 0:
            raise NegativeValue(f"La part fixe est négative ({format_euros(fixed)}).", fixed=fixed)
        fixed_total = fixed * len(members)
        if fixed_total > total:
            raise InfeasibleBounds(
                f"Les parts fixes ({len(members)} × {format_euros(fixed)} = "
                f"{format_euros(fixed_total)}) dépassent le montant à répartir "
                f"({format_euros(total)}).",
                fixed_total=fixed_total,
                total=total,
            )
        variable_exact, variable_formulas = self.variable.compute(total - fixed_total, members)
        exact = {m.code: fixed + variable_exact[m.code] for m in members}
        formulas = {
            m.code: f"{format_euros(fixed)} + ({variable_formulas[m.code]})" for m in members
        }
        return exact, formulas
