"""Explicit games of a few members in plain Python: the same report without numpy.

`mutualis games solve` on a game of three members used to spend most of its time loading
numpy and HiGHS (about 0.2 s of 0.3 s). For an explicit game of at most `SMALL_PLAYERS`
members, every rule runs here without them:

- the closed-form rules (`CLOSED_FORM`: Shapley by enumeration, SCRB, proportional,
  equal savings) with Python floats, in the order of operations of the numpy modules
  (`shapley_values`, `allocations`): the figures agree to 10⁻¹² and the JSON of the
  command is the same;
- the linear-programme rules (`LINEAR`: nucleolus, prenucleolus, least core) exactly, in
  rational numbers (`exact`): the (pre)nucleolus and the least-core value agree with
  HiGHS (`cores`) to 10⁻⁹; the least core being a set, its point may be another one.

Individual rationality, the core test by enumeration and the pricing check follow
`stability` and `pricing`, and the report is the same (`report.sharing_report`,
`pricing.PricingCheck`). tests/commands/test_games_small_path.py checks all of it on
random games.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from mutualis.engine.errors import EngineError
from mutualis.engine.games import exact
from mutualis.engine.games.methods import NOTES, enumerated_shapley_note, least_core_note
from mutualis.engine.games.pricing import (
    FULL_CHECK_PLAYERS,
    Overpriced,
    PricingCheck,
    overpriced_items,
)
from mutualis.engine.games.report import SharingReport, sharing_report
from mutualis.engine.money import to_cents

SMALL_PLAYERS = 8
"""Explicit games up to this many members take the plain-Python path (255 coalitions)."""

CLOSED_FORM = ("shapley", "scrb", "proportional", "equal-savings")
"""The rules computed in floats."""
LINEAR = ("nucleolus", "prenucleolus", "least-core")
"""The rules computed by linear programmes, exactly (`exact`)."""


@dataclass(frozen=True)
class SmallGame:
    """An explicit game as a list: `table[mask]` = c(S), `table[0]` = 0."""

    players: tuple[str, ...]
    table: tuple[float, ...]

    @property
    def n(self) -> int:
        return len(self.players)

    @property
    def full(self) -> int:
        return (1 << self.n) - 1

    def standalone(self) -> list[float]:
        return [self.table[1 << i] for i in range(self.n)]

    def grand_cost(self) -> float:
        return self.table[self.full]


@dataclass(frozen=True)
class SmallCoreTest:
    """The core test by enumeration, with the fields of `stability.CoreTest`."""

    in_core: bool
    violating_coalition: tuple[str, ...] | None
    violation: float
    budget_gap: float
    method: str = "enumeration"
    conclusive: bool = True


def tolerance(game: SmallGame) -> float:
    """As `stability.tolerance`: 10⁻⁷ of c(N), at least 10⁻⁶ €."""
    return max(1e-6, 1e-7 * abs(game.grand_cost()))


def _sizes(n: int) -> list[int]:
    return [mask.bit_count() for mask in range(1 << n)]


def shapley_amounts(game: SmallGame) -> list[float]:
    """φ_i = Σ_{S ∌ i} p(|S|) [c(S ∪ i) − c(S)], p(k) = 1 / (n · C(n−1, k))."""
    n = game.n
    weights = [1.0 / (n * math.comb(n - 1, k)) for k in range(n)]
    sizes = _sizes(n)
    table = game.table
    amounts = []
    for i in range(n):
        bit = 1 << i
        amounts.append(
            math.fsum(
                weights[sizes[mask]] * (table[mask | bit] - table[mask])
                for mask in range(1 << n)
                if not mask & bit
            )
        )
    return amounts


def scrb_amounts(game: SmallGame) -> tuple[list[float], str]:
    """As `allocations.scrb`, with its convention for negative remaining benefits."""
    n = game.n
    alone = game.standalone()
    if n == 1:
        return alone, ""
    grand = game.grand_cost()
    separable = [grand - game.table[game.full ^ (1 << i)] for i in range(n)]
    remaining = [max(s - m, 0.0) for s, m in zip(alone, separable, strict=True)]
    nonseparable = grand - sum(separable)
    benefit = sum(remaining)
    if benefit <= 0:
        return [m + nonseparable / n for m in separable], NOTES["scrb"]
    return [
        m + r / benefit * nonseparable for m, r in zip(separable, remaining, strict=True)
    ], NOTES["scrb"]


def proportional_amounts(game: SmallGame) -> list[float]:
    alone = game.standalone()
    total = sum(alone)
    if total <= 0:
        raise EngineError(
            "Les coûts seuls sont tous nuls : pas de répartition au prorata.", field="standalone"
        )
    return [game.grand_cost() * a / total for a in alone]


def equal_savings_amounts(game: SmallGame) -> list[float]:
    alone = game.standalone()
    saving = sum(alone) - game.grand_cost()
    return [a - saving / len(alone) for a in alone]


def linear_amounts(game: SmallGame, method: str) -> tuple[list[float], str]:
    """As `cores.nucleolus`, `prenucleolus`, `least_core`, in rationals (see `exact`)."""
    if game.n == 1:
        return [game.table[1]], ""
    if method == "least-core":
        core = exact.least_core(game.table)
        return core.floats(), least_core_note(float(core.value))
    if method == "prenucleolus":
        solution = exact.prenucleolus(game.table)
        what = "prénucléole exact (sans la contrainte du coût seul)"
    else:
        solution = exact.nucleolus(game.table, tolerance(game))
        what = "nucléole exact sur les imputations (nul ne paie plus que seul)"
    return solution.floats(), (
        f"{what}, par {solution.levels} programme(s) linéaire(s) successifs résolus en "
        "nombres rationnels (simplexe exact)"
    )


def allocate(game: SmallGame, method: str) -> tuple[list[float], str]:
    """The amounts of a rule and the note saying how they were obtained."""
    if method in LINEAR:
        return linear_amounts(game, method)
    if method == "shapley":
        return shapley_amounts(game), enumerated_shapley_note(game.n)
    if method == "scrb":
        return scrb_amounts(game)
    if method == "proportional":
        return proportional_amounts(game), NOTES["proportional"]
    if method == "equal-savings":
        return equal_savings_amounts(game), NOTES["equal-savings"]
    raise ValueError(method)


def subset_sums(values: Sequence[float]) -> list[float]:
    """Σ_{i∈S} values_i for every bitmask S, built by doubling as `stability.subset_sums`."""
    sums = [0.0]
    for value in values:
        sums = sums + [s + value for s in sums]
    return sums


def core_test(game: SmallGame, amounts: Sequence[float]) -> SmallCoreTest:
    """max_S x(S) − c(S) over every non-empty coalition (first maximum in mask order)."""
    tol = tolerance(game)
    sums = subset_sums(amounts)
    best, value = 0, -math.inf
    for mask in range(1, 1 << game.n):
        excess = sums[mask] - game.table[mask]
        if excess > value:
            best, value = mask, excess
    gap = sum(amounts) - game.grand_cost()
    members = tuple(p for i, p in enumerate(game.players) if (best >> i) & 1)
    return SmallCoreTest(
        in_core=value <= tol and abs(gap) <= tol,
        violating_coalition=None if value <= tol else members,
        violation=max(0.0, value),
        budget_gap=gap,
    )


def solve(game: SmallGame, method: str) -> SharingReport:
    """The checked and explained allocation of `method` (one of CLOSED_FORM or LINEAR)."""
    amounts, note = allocate(game, method)
    tol = tolerance(game)
    alone = game.standalone()
    index = {p: i for i, p in enumerate(game.players)}

    def charged_and_alone(coalition: tuple[str, ...]) -> tuple[float, float]:
        mask = sum(1 << index[p] for p in coalition)
        return sum(amounts[index[p]] for p in coalition), game.table[mask]

    return sharing_report(
        method,
        game.players,
        amounts,
        to_cents(game.grand_cost()),
        alone,
        tuple(x <= s + tol for x, s in zip(amounts, alone, strict=True)),
        core_test(game, amounts),
        note=note,
        exact=True,
        errors=None,
        charged_and_alone=charged_and_alone,
    )


def cover_table(table: Sequence[float], n: int) -> list[float]:
    """ĉ(S) = min(c(S), min_T ĉ(T) + ĉ(S∖T)), T ⊆ S without its highest member, by size."""
    cover = list(table)
    for mask in sorted(range(1, 1 << n), key=int.bit_count):
        rest = mask ^ (1 << (mask.bit_length() - 1))
        best = cover[mask]
        sub = rest
        while sub:
            best = min(best, cover[sub] + cover[mask ^ sub])
            sub = (sub - 1) & rest
        cover[mask] = best
    return cover


def subadditive_cover(game: SmallGame) -> SmallGame:
    """Each coalition at the cost of its cheapest split (as `pricing.subadditive_cover`)."""
    return SmallGame(game.players, tuple(cover_table(game.table, game.n)))


def pricing_check(
    game: SmallGame, *, full_limit: int = FULL_CHECK_PLAYERS, worst: int = 5
) -> PricingCheck:
    """As `pricing.pricing_check`: every coalition, or the pairs when `full_limit` < n."""
    players, n, table = game.players, game.n, game.table
    alone = game.standalone()
    tol = tolerance(game)
    if n <= min(full_limit, FULL_CHECK_PLAYERS):
        cover = cover_table(table, n)
        over = [mask for mask in range(1 << n) if table[mask] - cover[mask] > tol]
        top = sorted(over, key=lambda mask: -(table[mask] - cover[mask]))[:worst]
        return PricingCheck(
            game.grand_cost(),
            sum(alone),
            "all",
            len(over),
            tuple(overpriced_items(players, table, cover, top)),
        )
    gaps = {
        (i, j): (table[(1 << i) | (1 << j)], alone[i] + alone[j])
        for i in range(n)
        for j in range(i + 1, n)
    }
    pairs = [pair for pair, (cost, split) in gaps.items() if cost - split > tol]
    pairs.sort(key=lambda pair: -(gaps[pair][0] - gaps[pair][1]))
    items = tuple(
        Overpriced(
            (players[i], players[j]), gaps[i, j][0], ((players[i],), (players[j],)), gaps[i, j][1]
        )
        for i, j in pairs[:worst]
    )
    return PricingCheck(game.grand_cost(), sum(alone), "pairs", len(pairs), items)
