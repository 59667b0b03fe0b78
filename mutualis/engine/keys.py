"""Clés de répartition: the ways a total is split between the members of a perimeter.

Every key is a small frozen object with a French `title` and one verb,
`allocate(total, members) -> KeyResult`. A key first computes each member's *exact*
amount (unrounded Decimals that sum to the total), then `money.allocate` turns them into
cents with the largest-remainder rule, so the lines always sum to the total, to the cent.
Members are taken in code order, which also breaks ties.

Keys compose: `FixedPlusVariableKey` adds a fixed part to any key, `CompositeKey` weighs
several keys (weights summing to 1), `BoundedKey` puts floors and caps on any key and
redistributes the excess to the other members, in proportion to their base amounts, until
nobody is outside their bounds.
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
    InvalidParameter,
    MissingAttribute,
    NegativeValue,
    UnknownMember,
    WeightsNotNormalised,
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
    format_percent,
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


def _check_total(total: Number) -> Decimal:
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
        amount = _check_total(total)
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


@dataclass(frozen=True)
class CompositeKey(Key):
    """Weighted composite: the total is cut into portions w_k × total, each split by its key.

    amount_i = Σ_k key_k(w_k × total)_i, rounded once. Weights are ≥ 0 and sum to 1
    exactly (Decimal("0.5"), Decimal("0.3"), Decimal("0.2")…).
    """

    parts: tuple[tuple[Number, Key], ...]
    label: str = ""

    def checked_parts(self) -> tuple[tuple[Decimal, Key], ...]:
        parts = tuple((D(weight), key) for weight, key in self.parts)
        if not parts:
            raise WeightsNotNormalised("Une clé composite doit comporter au moins une clé.")
        for weight, key in parts:
            if weight < 0:
                raise NegativeValue(
                    f"Le poids de la clé « {key.title} » est négatif ({format_number(weight)}).",
                    weight=weight,
                )
        weight_sum = sum((w for w, _ in parts), Decimal(0))
        if weight_sum != 1:
            raise WeightsNotNormalised(
                "Les poids d'une clé composite doivent totaliser 100 % "
                f"(total reçu : {format_percent(weight_sum)}).",
                weight_sum=weight_sum,
            )
        return parts

    @property
    def title(self) -> str:
        if self.label:
            return self.label
        return "Clé composite : " + " + ".join(
            f"{format_percent(D(w), 0)} {key.title}" for w, key in self.parts
        )

    def describe(self) -> str:
        return " ; ".join(
            f"{format_percent(D(w))} du montant selon « {key.title} »" for w, key in self.parts
        )

    def compute(self, total: Decimal, members: tuple[MemberFacts, ...]) -> Computed:
        exact = {m.code: Decimal(0) for m in members}
        pieces: dict[str, list[str]] = {m.code: [] for m in members}
        for weight, key in self.checked_parts():
            if weight == 0:
                continue
            portion = total * weight
            part_exact, _ = key.compute(portion, members)
            for m in members:
                exact[m.code] += part_exact[m.code]
                pieces[m.code].append(
                    f"{format_percent(weight, 0)} {key.title} : "
                    f"{format_number(part_exact[m.code], 2)} €"
                )
        return exact, {code: " + ".join(items) for code, items in pieces.items()}


@dataclass(frozen=True)
class BoundedKey(Key):
    """Floors and caps per member on top of a base key, excess redistributed until stable.

    amount_i = clamp(λ × b_i, floor_i, cap_i), where b_i is the member's exact amount under
    the base key and λ the single coefficient that makes the amounts sum to the total: what
    a capped member does not pay goes to the others in proportion to b_i, and a floored
    member's top-up is taken from them the same way, repeatedly, until nobody is outside
    their bounds. Bounds are amounts in euros; `default_floor`/`default_cap` apply to every
    member without its own. Infeasible when Σ floors > total or Σ caps < total.
    """

    base: Key
    floors: Mapping[str, Number] = field(default_factory=dict)
    caps: Mapping[str, Number] = field(default_factory=dict)
    default_floor: Number | None = None
    default_cap: Number | None = None
    label: str = ""

    @property
    def title(self) -> str:
        return self.label or f"{self.base.title}, avec planchers et plafonds"

    def describe(self) -> str:
        return (
            f"{self.base.describe()} ; chaque membre paie au moins son plancher et au plus "
            "son plafond, l'excédent étant reporté sur les autres membres au prorata de la "
            "clé de base jusqu'à stabilité"
        )

    def bounds(
        self, members: tuple[MemberFacts, ...]
    ) -> tuple[dict[str, Decimal], dict[str, Decimal | None]]:
        codes = {m.code for m in members}
        unknown = sorted(c for c in (*self.floors, *self.caps) if c not in codes)
        if unknown:
            raise UnknownMember(
                "Plancher ou plafond fixé pour des codes qui ne sont pas membres du "
                "périmètre : " + ", ".join(unknown) + ".",
                codes=tuple(unknown),
            )
        floors: dict[str, Decimal] = {}
        caps: dict[str, Decimal | None] = {}
        for m in members:
            floor_value = self.floors.get(m.code, self.default_floor)
            cap_value = self.caps.get(m.code, self.default_cap)
            floor = to_cents(floor_value) if floor_value is not None else ZERO
            cap = to_cents(cap_value) if cap_value is not None else None
            if floor < 0 or (cap is not None and cap < 0):
                raise NegativeValue(
                    f"Le plancher ou le plafond du membre {m.display} est négatif.", code=m.code
                )
            if cap is not None and cap < floor:
                raise InvalidParameter(
                    f"Le plafond du membre {m.display} ({format_euros(cap)}) est inférieur "
                    f"à son plancher ({format_euros(floor)}).",
                    code=m.code,
                )
            floors[m.code] = floor
            caps[m.code] = cap
        return floors, caps

    def solve(
        self, total: Decimal, members: tuple[MemberFacts, ...]
    ) -> tuple[dict[str, Decimal], dict[str, Decimal], dict[str, str], dict[str, str]]:
        """Base amounts, exact bounded amounts, status by member ('', 'plancher', 'plafond')
        and base formulas."""
        base_exact, base_formulas = self.base.compute(total, members)
        floors, caps = self.bounds(members)
        floor_sum = sum(floors.values(), ZERO)
        if floor_sum > total:
            raise InfeasibleBounds(
                f"La somme des planchers ({format_euros(floor_sum)}) dépasse le montant à "
                f"répartir ({format_euros(total)}).",
                floor_sum=floor_sum,
                total=total,
            )
        weighted = [m.code for m in members if base_exact[m.code] > 0]
        if all(caps[code] is not None for code in weighted):
            reachable = sum((caps[code] or ZERO for code in weighted), ZERO) + sum(
                (floors[m.code] for m in members if m.code not in weighted), ZERO
            )
            if reachable < total:
                cap_sum = sum((c for c in caps.values() if c is not None), ZERO)
                if cap_sum < total:
                    message = (
                        f"La somme des plafonds ({format_euros(cap_sum)}) est inférieure au "
                        f"montant à répartir ({format_euros(total)})."
                    )
                else:
                    message = (
                        f"Les plafonds des membres qui ont une part selon la clé de base "
                        f"ne permettent de répartir que {format_euros(reachable)} sur "
                        f"{format_euros(total)} (les autres ne paient que leur plancher)."
                    )
                raise InfeasibleBounds(message, reachable=reachable, total=total)

        def clamp(code: str, lam: Decimal) -> Decimal:
            value = lam * base_exact[code]
            cap = caps[code]
            if cap is not None and value > cap:
                return cap
            return max(value, floors[code])

        def spread(lam: Decimal) -> Decimal:
            return sum((clamp(m.code, lam) for m in members), Decimal(0))

        status: dict[str, str] = {}
        if total == floor_sum:
            exact = dict(floors)
            status = {code: "plancher" for code in exact}
        else:
            breakpoints = sorted(
                {floors[code] / base_exact[code] for code in weighted}
                | {c / base_exact[code] for code in weighted if (c := caps[code]) is not None}
            )
            low, high = Decimal(0), None
            for point in breakpoints:
                if spread(point) >= total:
                    high = point
                    break
                low = point
            probe = (low + high) / 2 if high is not None else low + 1
            fixed: dict[str, Decimal] = {}
            for m in members:
                code = m.code
                value = probe * base_exact[code]
                cap = caps[code]
                if code not in weighted or value <= floors[code]:
                    fixed[code], status[code] = floors[code], "plancher"
                elif cap is not None and value >= cap:
                    fixed[code], status[code] = cap, "plafond"
            free = [code for code in weighted if code not in fixed]
            free_base = sum((base_exact[code] for code in free), Decimal(0))
            lam = (total - sum(fixed.values(), ZERO)) / free_base
            exact = {m.code: fixed.get(m.code, lam * base_exact[m.code]) for m in members}
        for m in members:
            status.setdefault(m.code, "")
        return base_exact, exact, status, base_formulas

    def compute(self, total: Decimal, members: tuple[MemberFacts, ...]) -> Computed:
        base_exact, exact, status, base_formulas = self.solve(total, members)
        return exact, self._formulas(members, base_exact, exact, status, base_formulas)

    def _formulas(
        self,
        members: tuple[MemberFacts, ...],
        base_exact: Mapping[str, Decimal],
        exact: Mapping[str, Decimal],
        status: Mapping[str, str],
        base_formulas: Mapping[str, str],
    ) -> dict[str, str]:
        result = {}
        for m in members:
            base = f"clé de base {format_number(base_exact[m.code], 2)} € ({base_formulas[m.code]})"
            if status[m.code]:
                result[m.code] = f"{base}, ramené à son {status[m.code]}"
            else:
                result[m.code] = f"{base}, après report : {format_number(exact[m.code], 2)} €"
        return result

    def allocate(self, total: Number, members: Sequence[MemberFacts]) -> KeyResult:
        """Bounded members get their bound exactly; the others share the rest to the cent."""
        amount = _check_total(total)
        ordered = prepare_members(members)
        base_exact, exact, status, base_formulas = self.solve(amount, ordered)
        floors, caps = self.bounds(ordered)
        fixed = {
            m.code: (floors[m.code] if status[m.code] == "plancher" else caps[m.code] or ZERO)
            for m in ordered
            if status[m.code]
        }
        while True:
            free = [(m.code, exact[m.code]) for m in ordered if m.code not in fixed]
            rest = amount - sum(fixed.values(), ZERO)
            amounts = dict(allocate(rest, free)) if free else {}
            # A cent of rounding may cross a bound when an exact amount sits on it.
            moved = False
            for code, value in amounts.items():
                cap = caps[code]
                if cap is not None and value > cap:
                    fixed[code], status[code], moved = cap, "plafond", True
                elif value < floors[code]:
                    fixed[code], status[code], moved = floors[code], "plancher", True
            if not moved:
                break
        amounts.update(fixed)
        capped = [m.display for m in ordered if status[m.code] == "plafond"]
        floored = [m.display for m in ordered if status[m.code] == "plancher"]
        extra = (
            Step("Membres ramenés à leur plafond", ", ".join(capped) or "aucun"),
            Step("Membres ramenés à leur plancher", ", ".join(floored) or "aucun"),
        )
        formulas = self._formulas(ordered, base_exact, exact, status, base_formulas)
        return build_result(self, amount, ordered, exact, formulas, amounts, extra)
