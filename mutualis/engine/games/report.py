"""From float allocations to cents, with a French explanation of who pays what and why.

`cents_allocation` turns float amounts into cents that sum exactly to the total:
each amount is snapped to 10⁻⁴ cent (so that floating-point noise cannot break a tie),
floored to the cent, then the cents left over (or missing, when floats overshoot) go one
by one to the largest (or come from the smallest) remainders, ties in player order.
It accepts negative amounts, unlike `money.allocate`.

`assess(game, allocation)` gives the full report: per member what it pays, what it would
pay alone and its saving; individual rationality; the core test with the group that
could leave and why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Protocol

from mutualis.engine.explain import Explanation, Step
from mutualis.engine.games.methods import METHOD_TITLES
from mutualis.engine.money import CENT, ZERO, D, format_euros, to_cents

if TYPE_CHECKING:  # numpy is loaded by `assess` only: see `small`
    from mutualis.engine.games.model import Allocation, CostGame

NOISE = Decimal("0.0001")
"""Floating-point noise threshold, in cents: remainders closer than this are equal."""

ROUNDING_NOTE = (
    "montants arrondis au centime inférieur, centimes restants attribués aux plus forts "
    "restes (à égalité, dans l'ordre des membres)"
)


def cents_allocation(
    players: Sequence[str], amounts: Sequence[float], total: Decimal
) -> dict[str, Decimal]:
    """Amounts to the cent, summing exactly to `total` (largest remainder, any sign)."""
    total_cents = int(to_cents(total) / CENT)
    floors: list[int] = []
    remainders: list[Decimal] = []
    for amount in amounts:
        # Snap to 10⁻⁴ cent: remainders that differ only by floating-point noise tie,
        # and ties go in player order.
        exact = (D(float(amount)) * 100).quantize(NOISE)
        floor = int(exact.to_integral_value(rounding=ROUND_FLOOR))
        floors.append(floor)
        remainders.append(exact - floor)
    residue = total_cents - sum(floors)
    order = sorted(range(len(floors)), key=lambda i: (-remainders[i], i))
    if residue < 0:
        order = sorted(range(len(floors)), key=lambda i: (remainders[i], i))
    step = 1 if residue > 0 else -1
    for count in range(abs(residue)):
        floors[order[count % len(order)]] += step
    result = {p: (Decimal(c) * CENT).quantize(CENT) for p, c in zip(players, floors, strict=True)}
    assert sum(result.values(), ZERO) == to_cents(total)  # noqa: S101 - module invariant
    return result


class CoreVerdict(Protocol):
    """What the report reads of a core test (`stability.CoreTest`, `small.SmallCoreTest`)."""

    @property
    def in_core(self) -> bool: ...
    @property
    def violating_coalition(self) -> tuple[str, ...] | None: ...
    @property
    def violation(self) -> float: ...
    @property
    def budget_gap(self) -> float: ...
    @property
    def method(self) -> str: ...
    @property
    def conclusive(self) -> bool: ...


@dataclass(frozen=True)
class MemberLine:
    """One member: amount charged, stand-alone cost and saving, in euros to the cent."""

    player: str
    amount: Decimal
    standalone: Decimal
    saving: Decimal
    individually_rational: bool
    standard_error: Decimal | None = None


@dataclass(frozen=True)
class SharingReport:
    """An allocation checked and explained; `sum(amount) == total` to the cent."""

    method: str
    total: Decimal
    lines: tuple[MemberLine, ...]
    core: CoreVerdict
    exact: bool
    explanation: Explanation

    @property
    def amounts(self) -> dict[str, Decimal]:
        return {line.player: line.amount for line in self.lines}

    @property
    def individually_rational(self) -> bool:
        return all(line.individually_rational for line in self.lines)


def _names(coalition: Sequence[str]) -> str:
    return "{" + ", ".join(coalition) + "}"


def core_steps(
    core: CoreVerdict, charged_and_alone: Callable[[tuple[str, ...]], tuple[float, float]]
) -> list[Step]:
    """French reading of the core test; `charged_and_alone(S)` gives x(S) and c(S)."""
    where = {
        "enumeration": "par énumération des coalitions",
        "dynamic-programme": "par programmation dynamique sur les charges de travail",
    }.get(core.method, "par programme linéaire en nombres entiers (HiGHS)")
    steps: list[Step] = []
    if not core.conclusive:
        steps.append(
            Step(
                "Test du cœur",
                "le solveur HiGHS n'a pas prouvé, dans le temps imparti, qu'aucun groupe ne "
                "paierait moins seul ; aucun groupe gagnant n'a été trouvé",
                "non concluant",
            )
        )
    elif core.violating_coalition is None:
        steps.append(
            Step(
                "Test du cœur",
                "aucun groupe de membres ne paierait moins en assurant le service seul "
                f"(vérifié {where})",
                "répartition stable",
            )
        )
    else:
        charged, alone = charged_and_alone(core.violating_coalition)
        steps.append(
            Step(
                "Test du cœur",
                f"le groupe {_names(core.violating_coalition)} paie {format_euros(charged)} "
                f"dans cette répartition mais paierait {format_euros(alone)} seul : il "
                f"économiserait {format_euros(core.violation)} en quittant le service commun "
                f"(groupe trouvé {where})",
                "répartition instable",
            )
        )
    if abs(core.budget_gap) > 0.005:
        steps.append(
            Step(
                "Équilibre budgétaire",
                f"la répartition couvre {format_euros(core.budget_gap)} de plus que le coût commun",
                "non équilibrée",
            )
        )
    return steps


def assess(
    game: CostGame,
    allocation: Allocation,
    *,
    core_method: str = "auto",
    time_limit: float = 60.0,
) -> SharingReport:
    """Check an allocation (individual rationality, core) and explain it in French.

    Amounts go to the cent once, reconciled with c(N) for the rules of this package (with
    the sum of the given amounts for an allocation given from outside).
    """
    import numpy as np

    from mutualis.engine.games.stability import core_test, individually_rational

    players = tuple(game.players)
    if allocation.method == "given":
        total = to_cents(sum((D(float(x)) for x in allocation.amounts), Decimal(0)))
    else:
        total = to_cents(game.grand_cost())

    def charged_and_alone(coalition: tuple[str, ...]) -> tuple[float, float]:
        index = {p: i for i, p in enumerate(players)}
        members = np.zeros((1, len(players)), dtype=np.bool_)
        for p in coalition:
            members[0, index[p]] = True
        return float(allocation.amounts[members[0]].sum()), float(game.costs(members)[0])

    errors = allocation.standard_errors
    return sharing_report(
        allocation.method,
        players,
        [float(x) for x in allocation.amounts],
        total,
        [float(s) for s in game.standalone()],
        individually_rational(game, allocation),
        core_test(game, allocation, core_method, time_limit=time_limit),
        note=allocation.note,
        exact=allocation.exact,
        errors=None if errors is None else [float(e) for e in errors],
        charged_and_alone=charged_and_alone,
    )


def sharing_report(
    method: str,
    players: tuple[str, ...],
    amounts: Sequence[float],
    total: Decimal,
    alone: Sequence[float],
    rational: Sequence[bool],
    core: CoreVerdict,
    *,
    note: str,
    exact: bool,
    errors: Sequence[float] | None,
    charged_and_alone: Callable[[tuple[str, ...]], tuple[float, float]],
) -> SharingReport:
    """The report from plain figures (no numpy): cents, member lines, French steps."""
    cents = cents_allocation(players, amounts, total)
    title = METHOD_TITLES.get(method, method)
    steps = [
        Step("Coût commun du service pour tous les membres", "c(N)", format_euros(total)),
        Step("Règle de répartition", note or title, title),
    ]
    lines: list[MemberLine] = []
    for i, player in enumerate(players):
        amount = cents[player]
        standalone = to_cents(float(alone[i]))
        saving = standalone - amount
        error = None if errors is None else to_cents(float(errors[i]))
        lines.append(MemberLine(player, amount, standalone, saving, rational[i], error))
        verdict = "" if rational[i] else " — paie plus que seul"
        spread = "" if error is None else f", erreur-type {format_euros(error)}"
        steps.append(
            Step(
                f"{player} paie",
                f"seul : {format_euros(standalone)} ; économie : {format_euros(saving)}"
                f"{spread}{verdict}",
                format_euros(amount),
            )
        )
    steps.append(Step("Arrondi", ROUNDING_NOTE))
    if not exact:
        steps.append(
            Step(
                "Précision",
                "valeurs estimées par échantillonnage ; l'erreur-type est indiquée par membre",
                "estimation",
            )
        )
    steps.extend(core_steps(core, charged_and_alone))
    return SharingReport(
        method=method,
        total=total,
        lines=tuple(lines),
        core=core,
        exact=exact,
        explanation=Explanation(f"Répartition du coût commun — {title}", tuple(steps)),
    )
