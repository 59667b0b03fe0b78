"""The coalition that saves most, and up to G separate groups: `best_perimeter` and
`best_partition` (see the package docstring), with the results they share with the
splits (`Perimeter`, `Partition`, `partition_of`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import lcm

import numpy as np

from mutualis.engine.errors import EngineError, InvalidParameter, UnknownMember
from mutualis.engine.explain import Explanation, Step
from mutualis.engine.games.model import (
    CostGame,
    PooledServiceGame,
    popcounts,
    to_explicit,
)
from mutualis.engine.games.stability import SolverFailed, best_pooled_coalition
from mutualis.engine.money import D, format_euros, to_cents


@dataclass(frozen=True)
class Perimeter:
    """A coalition, its joint cost, its members' stand-alone total and the saving."""

    members: tuple[str, ...]
    cost: float
    standalone_total: float
    savings: float
    method: str
    explanation: Explanation

    def amounts(self) -> dict[str, object]:
        """Members and amounts as JSON values, each amount rounded once to the cent."""
        return {
            "members": list(self.members),
            "cost": str(to_cents(self.cost)),
            "standalone": str(to_cents(self.standalone_total)),
            "savings": str(to_cents(self.savings)),
        }


@dataclass(frozen=True)
class Partition:
    """Disjoint pooled services; `savings` is their total saving."""

    groups: tuple[Perimeter, ...]
    savings: float
    left_alone: tuple[str, ...]
    method: str
    explanation: Explanation
    proven: bool = True  # False: the best found before the time limit, optimum not proven

    def as_dict(self) -> dict[str, object]:
        """The partition as JSON values: groups, saving to the cent, method, explanation."""
        return {
            "groups": [group.amounts() for group in self.groups],
            "savings": str(to_cents(self.savings)),
            "left_alone": list(self.left_alone),
            "method": self.method,
            "proven": self.proven,
            "explanation": self.explanation.as_dict(),
        }


METHOD_TEXTS = {
    "milp": "programme linéaire en nombres entiers (HiGHS), optimum prouvé",
    "enumeration": "énumération de toutes les coalitions",
    "split_enumeration": "énumération de tous les découpages, optimum prouvé",
    "dynamic_programming": (
        "programmation dynamique sur les sommes de charges de travail atteignables, optimum prouvé"
    ),
}
UNPROVEN = (
    "meilleur découpage trouvé dans la limite de temps du calcul : optimum non prouvé, "
    "un découpage moins coûteux peut exister"
)


def _indices(game: CostGame, ids: Sequence[str], what: str) -> tuple[int, ...]:
    index = {p: i for i, p in enumerate(game.players)}
    result = []
    for player in ids:
        if player not in index:
            raise UnknownMember(f"Membre {what} inconnu : « {player} ».", field=what, player=player)
        result.append(index[player])
    return tuple(result)


def _check(
    game: CostGame, required: Sequence[str], excluded: Sequence[str], max_size: int | None
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    req = _indices(game, required, "required")
    exc = _indices(game, excluded, "excluded")
    both = set(req) & set(exc)
    if both:
        player = game.players[min(both)]
        raise InvalidParameter(
            f"« {player} » est à la fois obligatoire et exclu.", field="excluded", player=player
        )
    if max_size is not None and (max_size < 2 or max_size < len(req)):
        raise InvalidParameter(
            f"La taille maximale ({max_size}) doit être au moins 2 et au moins le nombre de "
            f"membres obligatoires ({len(req)}).",
            field="max_size",
            max_size=max_size,
        )
    return req, exc


def perimeter_of(
    game: CostGame, members: Sequence[int], method: str, proven: bool = True
) -> Perimeter:
    membership = np.zeros((1, len(game.players)), dtype=np.bool_)
    membership[0, list(members)] = True
    cost = float(game.costs(membership)[0])
    alone = float(game.standalone()[list(members)].sum())
    names = tuple(game.players[i] for i in members)
    how = METHOD_TEXTS[method] if proven else UNPROVEN
    steps = (
        Step("Membres du périmètre", ", ".join(names), f"{len(names)} membres"),
        Step("Coût s'ils restent seuls", "Σ c({i})", format_euros(alone)),
        Step("Coût du service commun", "c(S)", format_euros(cost)),
        Step("Économie", "Σ c({i}) − c(S)", format_euros(alone - cost)),
        Step("Méthode", how),
    )
    return Perimeter(
        names, cost, alone, alone - cost, method, Explanation("Meilleur périmètre", steps)
    )


def best_perimeter(
    game: CostGame,
    *,
    required: Sequence[str] = (),
    excluded: Sequence[str] = (),
    max_size: int | None = None,
    time_limit: float = 60.0,
) -> Perimeter:
    """The coalition of two members or more with the largest saving Σ c({i}) − c(S).

    Raises SolverFailed when the constraints leave no coalition of two members or more.
    """
    req, exc = _check(game, required, excluded, max_size)
    if isinstance(game, PooledServiceGame):
        _, members = best_pooled_coalition(
            game,
            game.standalone(),
            required=req,
            excluded=exc,
            max_size=max_size,
            time_limit=time_limit,
        )
        return perimeter_of(game, members, "milp")
    explicit = to_explicit(game)
    n = explicit.n
    sizes = popcounts(n)
    alone = np.zeros(1)
    for value in explicit.standalone():
        alone = np.concatenate([alone, alone + value])
    savings = alone - explicit.table
    masks = np.arange(1 << n, dtype=np.int64)
    allowed = sizes >= 2
    if max_size is not None:
        allowed &= sizes <= max_size
    for i in req:
        allowed &= (masks >> i & 1) == 1
    for i in exc:
        allowed &= (masks >> i & 1) == 0
    if not allowed.any():
        raise SolverFailed("Aucune coalition d'au moins deux membres ne respecte les contraintes.")
    best = int(np.flatnonzero(allowed)[np.argmax(savings[allowed])])
    return perimeter_of(game, [i for i in range(n) if best >> i & 1], "enumeration")


def best_partition(
    game: CostGame,
    groups: int,
    *,
    required: Sequence[str] = (),
    excluded: Sequence[str] = (),
    max_size: int | None = None,
    time_limit: float = 60.0,
    cover: bool = False,
) -> Partition:
    """Up to `groups` disjoint pooled services maximising total savings (one MILP).

    Required members must join some group; excluded ones join none; `max_size` caps each
    group. With `cover`, every member joins a group and exactly `groups` groups open (the
    split `best_split` computes faster). Only for the pooled-service game. When HiGHS
    reaches `time_limit` with a solution, that solution is returned with proven=False.
    """
    if groups < 1:
        raise InvalidParameter(
            f"Le nombre de groupes doit être au moins 1 (reçu : {groups}).", field="groups"
        )
    if not isinstance(game, PooledServiceGame):
        if groups == 1:
            single = best_perimeter(game, required=required, excluded=excluded, max_size=max_size)
            return partition_of(game, [single], "enumeration")
        raise EngineError(
            "Le découpage en plusieurs groupes n'est proposé que pour le modèle de coût du "
            "service mutualisé.",
            field="groups",
        )
    req, exc = _check(game, required, excluded, max_size)
    n, g_count = game.n, groups
    service = game.service
    step = Fraction(D(service.step))
    q = service.step_workload
    span = None if service.manager_span is None else Fraction(D(service.manager_span))
    per_unit = float(D(service.per_unit))
    cost_per_etp = float(D(service.cost_per_etp))
    fixed = float(D(service.fixed))
    gains = game.standalone() - per_unit * game.workloads - game.own_costs
    size = n * g_count + 3 * g_count  # z (i, g) row-major by group, then L, M, y

    def z(i: int, g: int) -> int:
        return g * n + i

    def level(g: int) -> int:
        return n * g_count + g

    def manager(g: int) -> int:
        return n * g_count + g_count + g

    def opened(g: int) -> int:
        return n * g_count + 2 * g_count + g

    objective = np.zeros(size)
    for g in range(g_count):
        objective[g * n : (g + 1) * n] = -gains
        objective[level(g)] = cost_per_etp * float(step)
        objective[manager(g)] = cost_per_etp
        objective[opened(g)] = fixed
    rows: list[np.ndarray] = []
    lower: list[float] = []
    upper: list[float] = []

    def add(row: np.ndarray, lo: float, hi: float) -> None:
        rows.append(row)
        lower.append(lo)
        upper.append(hi)

    for i in range(n):
        row = np.zeros(size)
        row[[z(i, g) for g in range(g_count)]] = 1
        add(row, 1 if cover or i in req else 0, 1)
    cap = n if max_size is None else max_size
    scale = 1 if span is None else lcm(span.denominator, step.denominator)
    for g in range(g_count):
        row = np.zeros(size)
        row[g * n : (g + 1) * n] = -q.denominator * game.workloads
        row[level(g)] = q.numerator
        add(row, 0, np.inf)
        row = np.zeros(size)
        row[level(g)] = 1
        row[opened(g)] = -service.min_level
        add(row, 0, np.inf)
        if span is not None:
            row = np.zeros(size)
            row[manager(g)] = float(span * scale)
            row[level(g)] = -float(step * scale)
            add(row, 0, np.inf)
        row = np.zeros(size)
        row[g * n : (g + 1) * n] = 1
        row[opened(g)] = -2
        add(row, 0, np.inf)
        row = np.zeros(size)
        row[g * n : (g + 1) * n] = 1
        row[opened(g)] = -cap
        add(row, -np.inf, 0)
        if g + 1 < g_count:
            row = np.zeros(size)
            row[g * n : (g + 1) * n] = game.workloads
            row[(g + 1) * n : (g + 2) * n] = -game.workloads
            add(row, 0, np.inf)
            row = np.zeros(size)
            row[opened(g)] = 1
            row[opened(g + 1)] = -1
            add(row, 0, np.inf)
    low = np.zeros(size)
    high = np.ones(size)
    for g in range(g_count):
        high[level(g)] = np.inf
        high[manager(g)] = np.inf if span is not None else 0
        low[opened(g)] = 1 if cover else 0
        for i in exc:
            high[z(i, g)] = 0
    from scipy.optimize import Bounds, LinearConstraint, milp  # lazy: slow to import

    result = milp(
        objective,
        constraints=[LinearConstraint(np.array(rows), np.array(lower), np.array(upper))],
        bounds=Bounds(low, high),
        integrality=np.ones(size),
        options={"mip_rel_gap": 1e-9, "time_limit": time_limit},
    )
    if result.status == 2:
        raise SolverFailed("Aucun découpage ne respecte les contraintes.", groups=groups)
    if result.x is None or result.status not in (0, 1):
        raise SolverFailed(
            f"Le solveur HiGHS n'a pas abouti ({result.message}).", status=result.status
        )
    x = np.asarray(result.x)
    proven = result.status == 0
    chosen = []
    for g in range(g_count):
        members = [i for i in range(n) if x[z(i, g)] > 0.5]
        if len(members) >= 2:
            chosen.append(perimeter_of(game, members, "milp", proven))
    return partition_of(game, chosen, "milp", proven=proven)


def partition_of(
    game: CostGame,
    chosen: Sequence[Perimeter],
    method: str,
    *,
    proven: bool = True,
    extra: Sequence[Step] = (),
    title: str = "Meilleur découpage en groupes",
) -> Partition:
    grouped = {p for perimeter in chosen for p in perimeter.members}
    alone = tuple(p for p in game.players if p not in grouped)
    total = sum(p.savings for p in chosen)
    steps = [
        Step(
            f"Groupe {k}",
            f"{', '.join(p.members)} : coût commun {format_euros(p.cost)}, seuls "
            f"{format_euros(p.standalone_total)}",
            f"économie {format_euros(p.savings)}",
        )
        for k, p in enumerate(chosen, start=1)
    ]
    if alone:
        steps.append(Step("Membres restant seuls", ", ".join(alone), "économie 0,00 €"))
    steps.append(Step("Économie totale", "somme des économies des groupes", format_euros(total)))
    steps.extend(extra)
    return Partition(tuple(chosen), total, alone, method, Explanation(title, tuple(steps)), proven)
