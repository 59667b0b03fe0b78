"""Cooperative cost games: what each coalition of members would pay to run a service.

A cost game on players N gives c(S) for every coalition S ⊆ N, with c(∅) = 0 and
c({i}) = what member i pays alone today. Three kinds of games share one interface,
`costs(membership)`, vectorised over a boolean matrix (one row per coalition):

- `ExplicitGame`: a cost per coalition, stored in a numpy array indexed by bitmask
  (bit i set when player i belongs to S), n ≤ 25;
- `OracleGame`: any function of the coalition, evaluated on membership matrices;
- `PooledServiceGame`: the scenario cost model, c(S) = F(W(S)) + Σ_{i∈S} v_i for
  |S| ≥ 2 and c({i}) = s_i, where W(S) is the summed integer workload and F the cost of
  the shared service (`PooledCost`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from mutualis.engine.errors import EngineError, InvalidParameter, NegativeValue
from mutualis.engine.games.limits import MAX_AMOUNT, MAX_POOLED_PLAYERS, MAX_WORKLOAD
from mutualis.engine.money import D, Number

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]

MAX_EXPLICIT_PLAYERS = 25
"""An explicit game stores 2^n costs: 2^25 floats are 256 MiB, the ceiling."""

MAX_LEVELS = 10**6
"""Most staffing steps the whole workload may need (the level-cost table is that long)."""


class TooManyPlayers(EngineError):
    """A method that enumerates coalitions was asked for too many players."""


class CostGame(Protocol):
    """What every cost game offers: its players and c(S) for a batch of coalitions."""

    @property
    def players(self) -> tuple[str, ...]: ...

    def costs(self, membership: BoolArray) -> FloatArray:
        """c(S) for each row of a boolean (m, n) membership matrix."""
        ...

    def standalone(self) -> FloatArray:
        """c({i}) for every player i, in player order."""
        ...

    def grand_cost(self) -> float:
        """c(N)."""
        ...


def _check_players(players: Sequence[str]) -> tuple[str, ...]:
    ordered = tuple(str(p) for p in players)
    if not ordered:
        raise EngineError("Le jeu ne compte aucun membre.", field="players")
    seen: set[str] = set()
    for player in ordered:
        if not player or "+" in player:
            raise EngineError(
                f"Identifiant de membre invalide : « {player} » (vide ou contenant « + »).",
                field="players",
                player=player,
            )
        if player in seen:
            raise EngineError(
                f"Le membre « {player} » apparaît plusieurs fois.", field="players", player=player
            )
        seen.add(player)
    return ordered


def masks_to_membership(masks: IntArray, n: int) -> BoolArray:
    """Bitmasks (bit i = player i) to a boolean (m, n) membership matrix."""
    bits = np.arange(n, dtype=np.int64)
    return ((masks[:, None] >> bits[None, :]) & 1).astype(np.bool_)


def membership_to_masks(membership: BoolArray) -> IntArray:
    """Boolean (m, n) membership matrix (n ≤ 62) to bitmasks."""
    n = membership.shape[1]
    weights = np.left_shift(np.int64(1), np.arange(n, dtype=np.int64))
    masks: IntArray = (membership.astype(np.int64) * weights[None, :]).sum(axis=1)
    return masks.astype(np.int64)


def popcounts(n: int) -> IntArray:
    """|S| for every bitmask S of n players, built by doubling (2^n entries)."""
    sizes = np.zeros(1, dtype=np.int64)
    for _ in range(n):
        sizes = np.concatenate([sizes, sizes + 1])
    return sizes


@dataclass(frozen=True)
class ExplicitGame:
    """A cost per coalition: `table[mask]` = c(S), `table[0]` = 0, n ≤ 25."""

    players: tuple[str, ...]
    table: FloatArray = field(repr=False)

    def __post_init__(self) -> None:
        n = len(self.players)
        if n > MAX_EXPLICIT_PLAYERS:
            raise TooManyPlayers(
                f"Un jeu explicite est limité à {MAX_EXPLICIT_PLAYERS} membres (reçu : {n}).",
                n=n,
            )
        if self.table.shape != (1 << n,):
            raise EngineError(
                f"Le tableau des coûts doit compter 2^{n} valeurs.", field="costs", n=n
            )
        if self.table[0] != 0:
            raise EngineError("Le coût de la coalition vide doit être nul.", field="costs")
        if not np.all(np.isfinite(self.table)):
            raise EngineError("Un coût de coalition n'est pas un nombre fini.", field="costs")

    @classmethod
    def from_mapping(
        cls, players: Sequence[str], costs: Mapping[frozenset[str], Number]
    ) -> ExplicitGame:
        """Build from {frozenset of player ids: cost}; every non-empty coalition is required."""
        ordered = _check_players(players)
        n = len(ordered)
        if n > MAX_EXPLICIT_PLAYERS:
            raise TooManyPlayers(
                f"Un jeu explicite est limité à {MAX_EXPLICIT_PLAYERS} membres (reçu : {n}).",
                n=n,
            )
        index = {p: i for i, p in enumerate(ordered)}
        table = np.full(1 << n, np.nan)
        table[0] = 0.0
        for coalition, cost in costs.items():
            mask = 0
            for player in coalition:
                if player not in index:
                    raise EngineError(
                        f"Membre inconnu « {player} » dans une coalition.",
                        field="costs",
                        player=player,
                    )
                mask |= 1 << index[player]
            if mask == 0:
                continue
            table[mask] = float(D(cost))
        missing = np.flatnonzero(np.isnan(table))
        if missing.size:
            names = [ordered[i] for i in range(n) if (int(missing[0]) >> i) & 1]
            raise EngineError(
                f"Le coût de la coalition « {'+'.join(names)} » manque.",
                field="costs",
                coalition="+".join(names),
            )
        return cls(ordered, table)

    @property
    def n(self) -> int:
        return len(self.players)

    def costs(self, membership: BoolArray) -> FloatArray:
        return self.table[membership_to_masks(membership)]

    def standalone(self) -> FloatArray:
        return self.table[np.left_shift(1, np.arange(self.n))]

    def grand_cost(self) -> float:
        return float(self.table[-1])


@dataclass(frozen=True)
class OracleGame:
    """c(S) given by a function of boolean (m, n) membership matrices, returning (m,) costs."""

    players: tuple[str, ...]
    function: Callable[[BoolArray], FloatArray] = field(repr=False)

    @property
    def n(self) -> int:
        return len(self.players)

    def costs(self, membership: BoolArray) -> FloatArray:
        result = np.asarray(self.function(membership), dtype=np.float64)
        empty = ~membership.any(axis=1)
        return np.where(empty, 0.0, result)

    def standalone(self) -> FloatArray:
        return self.costs(np.eye(self.n, dtype=np.bool_))

    def grand_cost(self) -> float:
        return float(self.costs(np.ones((1, self.n), dtype=np.bool_))[0])


def _fraction(value: Number, name: str, *, positive: bool = False) -> Fraction:
    number = D(value)
    if number < 0 or (positive and number == 0):
        qualifier = "strictement positif" if positive else "positif ou nul"
        raise InvalidParameter(
            f"Le paramètre « {name} » doit être {qualifier} (reçu : {number}).",
            field=name,
            value=number,
        )
    return Fraction(number)


def _ceil_div(numerator: Fraction, denominator: Fraction) -> int:
    return -((-numerator) // denominator)


@dataclass(frozen=True)
class PooledCost:
    """Cost of the shared service for a total workload W (integer units of activity).

    F(W) = fixed + per_unit × W + cost_per_etp × (staff + managers), where
    staff = step × max(ceil(min_etp / step), ceil(W / (productivity × step))) is the
    staff need W / productivity, at least `min_etp`, rounded UP to the staffing step, and
    managers = ceil(staff / manager_span) when a span is set (else 0). Thresholds are
    computed in exact rational arithmetic from the Decimal parameters.
    """

    fixed: Decimal | float | int | str = 0
    per_unit: Decimal | float | int | str = 0
    cost_per_etp: Decimal | float | int | str = 0
    productivity: Decimal | float | int | str = 1
    min_etp: Decimal | float | int | str = 0
    step: Decimal | float | int | str = 1
    manager_span: Decimal | float | int | str | None = None

    def __post_init__(self) -> None:
        for name in ("fixed", "per_unit", "cost_per_etp", "min_etp"):
            if _fraction(getattr(self, name), name) > MAX_AMOUNT:
                raise InvalidParameter(
                    f"Le paramètre « {name} » dépasse {MAX_AMOUNT:,} "
                    f"(reçu : {getattr(self, name)}).".replace(",", "\u202f"),
                    field=name,
                )
        for name in ("productivity", "step"):
            _fraction(getattr(self, name), name, positive=True)
        if self.manager_span is not None:
            _fraction(self.manager_span, "manager_span", positive=True)

    @property
    def step_workload(self) -> Fraction:
        """q = productivity × step: the workload one staffing step absorbs."""
        return _fraction(self.productivity, "productivity") * _fraction(self.step, "step")

    @property
    def min_level(self) -> int:
        """ceil(min_etp / step): the fewest staffing steps."""
        return _ceil_div(_fraction(self.min_etp, "min_etp"), _fraction(self.step, "step"))

    def level(self, workload: int) -> int:
        """Staffing steps for a workload: max(min_level, ceil(W / q))."""
        return max(self.min_level, _ceil_div(Fraction(workload), self.step_workload))

    def levels(self, workloads: IntArray) -> IntArray:
        """`level` vectorised in exact integer arithmetic (q = a / b, ceil(W b / a))."""
        q = self.step_workload
        a, b = q.numerator, q.denominator
        w = np.asarray(workloads, dtype=np.int64)
        raw = -((-w * b) // a)
        return np.maximum(raw, self.min_level).astype(np.int64)

    def staff_etp(self, level: int) -> Fraction:
        return level * _fraction(self.step, "step")

    def managers(self, level: int) -> int:
        if self.manager_span is None:
            return 0
        return _ceil_div(self.staff_etp(level), _fraction(self.manager_span, "manager_span"))

    def level_cost(self, level: int) -> float:
        """G(L) = cost_per_etp × (staff + managers) for L staffing steps."""
        etp = self.staff_etp(level) + self.managers(level)
        return float(_fraction(self.cost_per_etp, "cost_per_etp") * etp)

    def level_costs(self, max_level: int) -> FloatArray:
        """G(L) for L = 0..max_level (cached: the table only grows with the service)."""
        return _level_cost_table(self, max_level).copy()

    def cost(self, workload: int) -> float:
        """F(W) for one workload."""
        return (
            float(D(self.fixed))
            + float(D(self.per_unit)) * workload
            + self.level_cost(self.level(workload))
        )

    def costs(self, workloads: IntArray) -> FloatArray:
        """F(W) vectorised."""
        levels = self.levels(workloads)
        table = self.level_costs(int(levels.max(initial=0)))
        return float(D(self.fixed)) + float(D(self.per_unit)) * workloads + table[levels]


@functools.lru_cache(maxsize=64)
def _level_cost_table(service: PooledCost, max_level: int) -> FloatArray:
    return np.array([service.level_cost(level) for level in range(max_level + 1)])


@dataclass(frozen=True)
class PooledMember:
    """A candidate member: stand-alone cost s_i, integer workload w_i, own cost v_i."""

    id: str
    standalone: float
    workload: int
    own_cost: float = 0.0


@dataclass(frozen=True)
class PooledServiceGame:
    """c(S) = F(W(S)) + Σ_{i∈S} v_i for |S| ≥ 2, c({i}) = s_i, c(∅) = 0."""

    players: tuple[str, ...]
    standalone_costs: FloatArray = field(repr=False)
    workloads: IntArray = field(repr=False)
    own_costs: FloatArray = field(repr=False)
    service: PooledCost

    @classmethod
    def build(cls, members: Sequence[PooledMember], service: PooledCost) -> PooledServiceGame:
        """Check the members against the documented limits and build the game.

        Limits: at most MAX_POOLED_PLAYERS members, workloads integers in
        0..MAX_WORKLOAD, amounts in 0..MAX_AMOUNT €, at most MAX_LEVELS staffing steps for
        the whole workload. Each breach raises a French error naming the field.
        """
        players = _check_players([m.id for m in members])
        if len(players) > MAX_POOLED_PLAYERS:
            raise TooManyPlayers(
                f"Un jeu de service mutualisé est limité à {MAX_POOLED_PLAYERS} membres "
                f"(reçu : {len(players)}).",
                field="players",
                n=len(players),
            )
        for m in members:
            if m.workload > MAX_WORKLOAD:
                raise InvalidParameter(
                    f"La charge de travail de « {m.id} » dépasse {MAX_WORKLOAD:,} unités "
                    f"(reçu : {m.workload}).".replace(",", "\u202f"),
                    field="workload",
                    player=m.id,
                )
            for name, value in (("standalone", m.standalone), ("own_cost", m.own_cost)):
                if not np.isfinite(value) or value > MAX_AMOUNT:
                    raise InvalidParameter(
                        f"« {name} » de « {m.id} » : au plus {MAX_AMOUNT:,} € "
                        f"(reçu : {value}).".replace(",", "\u202f"),
                        field=name,
                        player=m.id,
                    )
            if m.workload < 0 or int(m.workload) != m.workload:
                raise NegativeValue(
                    f"La charge de travail de « {m.id} » doit être un entier positif ou nul "
                    f"(reçu : {m.workload}).",
                    field="workload",
                    player=m.id,
                )
            if m.standalone < 0:
                raise NegativeValue(
                    f"Le coût seul de « {m.id} » est négatif ({m.standalone}).",
                    field="standalone",
                    player=m.id,
                )
            if m.own_cost < 0:
                raise NegativeValue(
                    f"Le coût propre de « {m.id} » est négatif ({m.own_cost}).",
                    field="own_cost",
                    player=m.id,
                )
        total = sum(int(m.workload) for m in members)
        if service.level(total) > MAX_LEVELS:
            raise InvalidParameter(
                f"La charge totale ({total}) demanderait plus de {MAX_LEVELS:,} pas "
                "d'effectif : augmentez « productivity » ou « step ».".replace(",", "\u202f"),
                field="productivity",
            )
        return cls(
            players,
            np.array([float(m.standalone) for m in members], dtype=np.float64),
            np.array([int(m.workload) for m in members], dtype=np.int64),
            np.array([float(m.own_cost) for m in members], dtype=np.float64),
            service,
        )

    @property
    def n(self) -> int:
        return len(self.players)

    def costs(self, membership: BoolArray) -> FloatArray:
        member = membership.astype(np.float64)
        sizes = membership.sum(axis=1)
        workload = membership.astype(np.int64) @ self.workloads
        pooled = self.service.costs(workload) + member @ self.own_costs
        alone = member @ self.standalone_costs
        return np.where(sizes >= 2, pooled, np.where(sizes == 1, alone, 0.0))

    def standalone(self) -> FloatArray:
        return self.standalone_costs.copy()

    def grand_cost(self) -> float:
        return self._grand_cost

    @functools.cached_property
    def _grand_cost(self) -> float:
        # Asked for on every round of a constraint generation (its tolerance): once.
        return float(self.costs(np.ones((1, self.n), dtype=np.bool_))[0])

    def subgame(self, indices: Sequence[int]) -> PooledServiceGame:
        """The same cost model restricted to some players."""
        idx = np.asarray(indices, dtype=np.int64)
        return PooledServiceGame(
            tuple(self.players[i] for i in idx),
            self.standalone_costs[idx],
            self.workloads[idx],
            self.own_costs[idx],
            self.service,
        )


def to_explicit(game: CostGame, max_players: int = MAX_EXPLICIT_PLAYERS) -> ExplicitGame:
    """Enumerate every coalition of `game` into an `ExplicitGame` (2^n evaluations)."""
    if isinstance(game, ExplicitGame):
        return game
    n = len(game.players)
    if n > max_players:
        raise TooManyPlayers(
            f"Énumérer les coalitions est limité à {max_players} membres (reçu : {n}).",
            n=n,
            limit=max_players,
        )
    table = np.empty(1 << n, dtype=np.float64)
    chunk = 1 << 16
    for start in range(0, 1 << n, chunk):
        masks = np.arange(start, min(start + chunk, 1 << n), dtype=np.int64)
        table[start : start + masks.size] = game.costs(masks_to_membership(masks, n))
    table[0] = 0.0
    return ExplicitGame(tuple(game.players), table)


@dataclass(frozen=True, eq=False)
class Allocation:
    """Amounts x_i charged to each player (floats, before rounding to the cent).

    `exact` is False for a sampled estimate, whose per-player standard errors are given;
    `method` is the rule's key (`shapley`, `nucleolus`…), `note` says in French how the
    figures were obtained (enumeration, counting, sampling, linear programmes).
    """

    method: str
    players: tuple[str, ...]
    amounts: FloatArray
    exact: bool = True
    standard_errors: FloatArray | None = None
    note: str = ""

    def as_dict(self) -> dict[str, float]:
        return {p: float(x) for p, x in zip(self.players, self.amounts, strict=True)}

    @classmethod
    def given(cls, players: Sequence[str], amounts: Mapping[str, Number]) -> Allocation:
        """An allocation given from outside (e.g. a population key), to be checked."""
        missing = [p for p in players if p not in amounts]
        if missing:
            raise EngineError(
                f"Aucun montant pour « {missing[0]} ».", field="allocation", player=missing[0]
            )
        extra = [p for p in amounts if p not in set(players)]
        if extra:
            raise EngineError(
                f"Membre inconnu « {extra[0]} » dans l'allocation.",
                field="allocation",
                player=extra[0],
            )
        values = np.array([float(D(amounts[p])) for p in players], dtype=np.float64)
        return cls("given", tuple(players), values, note="allocation fournie")
