"""Are coalitions priced honestly? Pooling versus going alone, and cheaper splits.

The pooled-service cost F(W(S)) + Σ v_i prices a group as one service, even when running
two services for two halves of it would be cheaper. `pricing_check` reports, beside any
allocation:

- whether pooling saves anything at all: c(N) < Σ c({i});
- the coalitions whose cost exceeds their cheapest split into smaller groups: every pair
  (c({i,j}) > c({i}) + c({j})) at any n, and every coalition up to `FULL_CHECK_PLAYERS`
  members, against the subadditive cover ĉ(S) = min over partitions P of S of Σ_{T∈P} c(T).

`subadditive_cover(game)` gives ĉ as an explicit game (n ≤ 16), an option for explicit
games: each coalition is then priced at its cheapest organisation. It is computed by
dynamic programming over coalition sizes, ĉ(S) = min(c(S), min_T ĉ(T) + ĉ(S∖T)) over the
submasks T of S that leave out its highest member (3^n / 2 sums, vectorised).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mutualis.engine.explain import Explanation, Step
from mutualis.engine.money import format_euros

if TYPE_CHECKING:  # numpy is loaded by the computations only: `small` reads the results
    from mutualis.engine.games.model import CostGame, ExplicitGame, FloatArray, IntArray

FULL_CHECK_PLAYERS = 16
"""Up to this many members, every coalition is checked against its cheapest split."""

_PAIR_CHUNK = 4096


@dataclass(frozen=True)
class Overpriced:
    """A coalition whose cost exceeds the cost of its cheapest split."""

    coalition: tuple[str, ...]
    cost: float
    split: tuple[tuple[str, ...], ...]
    split_cost: float

    @property
    def excess(self) -> float:
        return self.cost - self.split_cost


@dataclass(frozen=True)
class PricingCheck:
    grand_cost: float
    standalone_total: float
    scope: str
    overpriced_count: int
    worst: tuple[Overpriced, ...]

    @property
    def pooling_saves(self) -> bool:
        return self.grand_cost < self.standalone_total

    def as_dict(self) -> dict[str, object]:
        return {
            "pooling_saves": self.pooling_saves,
            "grand_cost": f"{self.grand_cost:.2f}",
            "standalone_total": f"{self.standalone_total:.2f}",
            "scope": self.scope,
            "overpriced_count": self.overpriced_count,
            "worst": [
                {
                    "coalition": list(item.coalition),
                    "cost": f"{item.cost:.2f}",
                    "split": [list(part) for part in item.split],
                    "split_cost": f"{item.split_cost:.2f}",
                }
                for item in self.worst
            ],
        }

    def explain(self) -> Explanation:
        saving = self.standalone_total - self.grand_cost
        steps = [
            Step(
                "Le service commun coûte-t-il moins que chacun seul ?",
                f"c(N) = {format_euros(self.grand_cost)} ; Σ c({{i}}) = "
                f"{format_euros(self.standalone_total)}",
                f"oui, économie {format_euros(saving)}"
                if self.pooling_saves
                else f"non, surcoût {format_euros(-saving)}",
            )
        ]
        scope = "paires de membres" if self.scope == "pairs" else "toutes les coalitions"
        if self.overpriced_count == 0:
            steps.append(
                Step(
                    "Coalitions comptées comme un seul service",
                    f"vérifié sur les {scope} : aucune ne coûte plus que son découpage le moins "
                    "cher",
                    "tarification cohérente",
                )
            )
        else:
            steps.append(
                Step(
                    "Coalitions comptées comme un seul service",
                    f"{self.overpriced_count} coalition(s) ({scope}) coûtent plus qu'en se "
                    "séparant : leur coût commun est surévalué",
                    "à examiner",
                )
            )
            for item in self.worst:
                parts = " + ".join("{" + ", ".join(part) + "}" for part in item.split)
                steps.append(
                    Step(
                        "{" + ", ".join(item.coalition) + "}",
                        f"ensemble {format_euros(item.cost)} ; séparés {parts} "
                        f"{format_euros(item.split_cost)}",
                        f"surcoût {format_euros(item.excess)}",
                    )
                )
        return Explanation("Cohérence des coûts des coalitions", tuple(steps))


def _bits(mask: int, players: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p for i, p in enumerate(players) if (mask >> i) & 1)


def cover_table(table: FloatArray, n: int) -> FloatArray:
    """ĉ for every bitmask: the cheapest partition of each coalition (see module)."""
    import numpy as np

    from mutualis.engine.games.model import popcounts

    cover = table.astype(np.float64).copy()
    sizes = popcounts(n)
    shifts = np.arange(n, dtype=np.int64)
    for k in range(2, n + 1):
        masks = np.flatnonzero(sizes == k).astype(np.int64)
        bits = ((masks[:, None] >> shifts[None, :]) & 1).astype(np.bool_)
        positions = np.nonzero(bits)[1].reshape(masks.size, k)
        values = np.left_shift(np.int64(1), positions).astype(np.int32)
        # Column m holds the submask of S picked by the bits of m among S's k − 1 lowest.
        subs = np.zeros((masks.size, 1 << (k - 1)), dtype=np.int32)
        width = 1
        for j in range(k - 1):
            subs[:, width : 2 * width] = subs[:, :width] + values[:, j : j + 1]
            width *= 2
        subs = subs[:, 1:]
        sums = np.take(cover, subs)
        sums += np.take(cover, masks.astype(np.int32)[:, None] - subs)
        cover[masks] = np.minimum(cover[masks], sums.min(axis=1))
    return cover


def cheapest_split(
    table: Sequence[float] | FloatArray, cover: Sequence[float] | FloatArray, mask: int
) -> tuple[int, ...]:
    """The parts of the cheapest partition of `mask` (recursively, from `cover`)."""
    eps = 1e-9 * max(1.0, abs(float(cover[mask])))
    if cover[mask] >= table[mask] - eps:
        return (mask,)
    top = 1 << (mask.bit_length() - 1)
    rest = mask ^ top
    sub = rest
    while sub:
        if cover[sub] + cover[mask ^ sub] <= cover[mask] + eps:
            break
        sub = (sub - 1) & rest
    return cheapest_split(table, cover, sub) + cheapest_split(table, cover, mask ^ sub)


def overpriced_items(
    players: tuple[str, ...],
    table: Sequence[float] | FloatArray,
    cover: Sequence[float] | FloatArray,
    masks: Sequence[int],
) -> list[Overpriced]:
    """Each coalition of `masks` with its cost and its cheapest split."""
    return [
        Overpriced(
            _bits(mask, players),
            float(table[mask]),
            tuple(_bits(part, players) for part in cheapest_split(table, cover, mask)),
            float(cover[mask]),
        )
        for mask in masks
    ]


def subadditive_cover(game: CostGame) -> ExplicitGame:
    """The game ĉ(S) = cheapest partition of S (explicit, n ≤ 16)."""
    from mutualis.engine.games.model import ExplicitGame, TooManyPlayers, to_explicit

    n = len(game.players)
    if n > FULL_CHECK_PLAYERS:
        raise TooManyPlayers(
            f"La couverture sous-additive est limitée à {FULL_CHECK_PLAYERS} membres (reçu : {n}).",
            n=n,
        )
    explicit = to_explicit(game)
    return ExplicitGame(explicit.players, cover_table(explicit.table, n))


def _pair_costs(game: CostGame) -> tuple[IntArray, IntArray, FloatArray]:
    import numpy as np

    from mutualis.engine.games.model import PooledServiceGame

    n = len(game.players)
    first, second = np.triu_indices(n, k=1)
    if isinstance(game, PooledServiceGame):
        workloads = game.workloads[first] + game.workloads[second]
        costs = game.service.costs(workloads) + game.own_costs[first] + game.own_costs[second]
        return first, second, np.asarray(costs, dtype=np.float64)
    costs = np.empty(first.size, dtype=np.float64)
    for start in range(0, first.size, _PAIR_CHUNK):
        stop = min(start + _PAIR_CHUNK, first.size)
        membership = np.zeros((stop - start, n), dtype=np.bool_)
        rows = np.arange(stop - start)
        membership[rows, first[start:stop]] = True
        membership[rows, second[start:stop]] = True
        costs[start:stop] = game.costs(membership)
    return first, second, costs


def pricing_check(
    game: CostGame, *, full_limit: int = FULL_CHECK_PLAYERS, worst: int = 5
) -> PricingCheck:
    """Pooling versus alone, and the coalitions dearer than their cheapest split."""
    import numpy as np

    from mutualis.engine.games.model import to_explicit
    from mutualis.engine.games.stability import tolerance

    players = tuple(game.players)
    n = len(players)
    alone = game.standalone()
    tol = tolerance(game)
    grand = game.grand_cost()
    items: list[Overpriced] = []
    if n <= min(full_limit, FULL_CHECK_PLAYERS):
        explicit = to_explicit(game)
        cover = cover_table(explicit.table, n)
        gaps = explicit.table - cover
        over = np.flatnonzero(gaps > tol)
        count = int(over.size)
        top = over[np.argsort(-gaps[over], kind="stable")[:worst]]
        items = overpriced_items(players, explicit.table, cover, [int(m) for m in top])
        scope = "all"
    else:
        first, second, costs = _pair_costs(game)
        split = alone[first] + alone[second]
        gaps = costs - split
        over = np.flatnonzero(gaps > tol)
        count = int(over.size)
        for index in over[np.argsort(-gaps[over], kind="stable")[:worst]]:
            i, j = int(first[index]), int(second[index])
            items.append(
                Overpriced(
                    (players[i], players[j]),
                    float(costs[index]),
                    ((players[i],), (players[j],)),
                    float(split[index]),
                )
            )
        scope = "pairs"
    return PricingCheck(grand, float(alone.sum()), scope, count, tuple(items))
