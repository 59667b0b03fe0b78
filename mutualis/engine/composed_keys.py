"""Keys made of keys: a weighted mix of keys, and floors and caps on any key.

`CompositeKey` weighs several keys (weights summing to 1); `BoundedKey` puts floors and
caps on any key and redistributes the excess to the other members, in proportion to their
base amounts, until nobody is outside their bounds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from mutualis.engine.errors import (
    InfeasibleBounds,
    InvalidParameter,
    NegativeValue,
    UnknownMember,
    WeightsNotNormalised,
)
from mutualis.engine.explain import Step
from mutualis.engine.keys import (
    Computed,
    Key,
    KeyResult,
    MemberFacts,
    build_result,
    check_total,
    prepare_members,
)
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
        amount = check_total(total)
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
