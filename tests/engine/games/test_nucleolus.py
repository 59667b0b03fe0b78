"""The nucleolus over the imputations, the prenucleolus, and Kohlberg's criterion.

Kohlberg (1971), restated for cost games with excess e(S) = x(S) − c(S): an allocation x
with x(N) = c(N) is the prenucleolus iff for every level α the collection
D(α) = {S ∉ {∅, N} : e(S) ≥ α} is balanced (positive weights λ_S with Σ λ_S 1_S = 1_N);
an imputation x is the nucleolus iff every D(α) is balanced relative to the members who
pay exactly their stand-alone cost T₀ = {{i} : x_i = c({i})}, i.e. D(α) ∪ T' is balanced
with positive weights on D(α) for some T' ⊆ T₀ (Peleg & Sudhölter 2007, Introduction to
the Theory of Cooperative Games, 2nd ed., §5.1 and §6.1).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from mutualis.engine.games import (
    EmptyImputationSet,
    ExplicitGame,
    allocate_costs,
    assess,
    imputation_gap,
    individually_rational,
    nucleolus,
    prenucleolus,
    to_explicit,
)
from mutualis.engine.games.model import masks_to_membership
from tests.engine.games.helpers import random_explicit_game, random_pooled_game, subadditive_game


def _balanced(rows: np.ndarray, singles: np.ndarray) -> bool:
    """∃ λ ≥ 1 on `rows`, μ ≥ 0 on `singles`, t: Σ λ 1_S + Σ μ 1_i = t 1_N."""
    n = rows.shape[1]
    columns = np.hstack([rows.T, singles.T, -np.ones((n, 1))])
    k, m = rows.shape[0], singles.shape[0]
    bounds = [(1, None)] * k + [(0, None)] * m + [(0, None)]
    result = linprog(
        np.zeros(k + m + 1), A_eq=columns, b_eq=np.zeros(n), bounds=bounds, method="highs"
    )
    return bool(result.status == 0)


def kohlberg(game: ExplicitGame, x: np.ndarray, *, imputations: bool) -> bool:
    n = game.n
    scale = max(1.0, float(np.abs(game.table).max()))
    tol = 1e-6 * scale
    assert abs(x.sum() - game.grand_cost()) <= tol
    masks = np.arange(1, (1 << n) - 1, dtype=np.int64)
    membership = masks_to_membership(masks, n).astype(np.float64)
    excess = membership @ x - game.table[masks]
    alone = game.standalone()
    if imputations:
        assert np.all(x <= alone + tol)
        at_bound = np.flatnonzero(np.abs(x - alone) <= tol)
    else:
        at_bound = np.array([], dtype=np.int64)
    singles = np.eye(n)[at_bound]
    levels: list[float] = []
    for value in sorted(excess, reverse=True):
        if not levels or value < levels[-1] - tol:
            levels.append(float(value))
    return all(_balanced(membership[excess >= level - tol], singles) for level in levels)


def _games(seed: int, n: int) -> ExplicitGame:
    rng = np.random.default_rng(seed)
    kind = seed % 3
    if kind == 0:
        return subadditive_game(rng, n)
    if kind == 1:
        return random_explicit_game(rng, n)
    return to_explicit(random_pooled_game(rng, n))


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=2, max_value=6), st.integers(min_value=0, max_value=10_000))
def test_prenucleolus_satisfies_kohlberg(n: int, seed: int) -> None:
    game = _games(seed, n)
    assert kohlberg(game, prenucleolus(game).amounts, imputations=False)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=2, max_value=6), st.integers(min_value=0, max_value=10_000))
def test_nucleolus_satisfies_kohlberg_over_the_imputations(n: int, seed: int) -> None:
    game = _games(seed, n)
    if imputation_gap(game) < 0:
        with pytest.raises(EmptyImputationSet, match="ensemble des imputations est vide"):
            nucleolus(game)
        return
    x = nucleolus(game).amounts
    assert kohlberg(game, x, imputations=True)
    assert all(individually_rational(game, nucleolus(game)))


@pytest.mark.parametrize("seed", range(40))
def test_nucleolus_never_charges_more_than_alone_on_pooled_games(seed: int) -> None:
    """The audit found the old « nucleolus » (a prenucleolus) charging members more than
    alone on 740 of 750 pooled games with an empty core; the nucleolus never does."""
    rng = np.random.default_rng(5000 + seed)
    game = random_pooled_game(rng, int(rng.integers(3, 8)))
    if imputation_gap(game) < 0:
        return
    report = assess(game, nucleolus(game))
    for line in report.lines:
        assert line.amount <= line.standalone
    pre = prenucleolus(game)
    if all(individually_rational(game, pre)):
        assert nucleolus(game).amounts == pytest.approx(pre.amounts, abs=1e-6)


def test_prenucleolus_can_charge_more_than_alone_and_the_nucleolus_cannot() -> None:
    """c(1) = c(2) = c(3) = 10, c(12) = c(13) = 20, c(23) = 5, c(N) = 24: the pairs {1,2}
    and {1,3} save nothing, {2,3} a lot. With x = (24 − 2b, b, b), the largest excesses
    are e({1}) = 14 − 2b and e({2,3}) = 2b − 5, equal at b = 4,75: the prenucleolus is
    (14,50; 4,75; 4,75), member 1 paying 4,50 more than alone. Over the imputations
    x₁ ≤ 10, so b ≥ 7 and e({2,3}) = 2b − 5 is least at b = 7: the nucleolus is (10; 7; 7)."""
    costs = {"1": 10, "2": 10, "3": 10, "1+2": 20, "1+3": 20, "2+3": 5, "1+2+3": 24}
    game = ExplicitGame.from_mapping(
        ("1", "2", "3"), {frozenset(k.split("+")): v for k, v in costs.items()}
    )
    pre = prenucleolus(game).amounts
    assert pre == pytest.approx([14.5, 4.75, 4.75])
    assert pre[0] > 10
    assert nucleolus(game).amounts == pytest.approx([10, 7, 7])
    assert kohlberg(game, nucleolus(game).amounts, imputations=True)
    assert kohlberg(game, pre, imputations=False)


def test_empty_imputation_set_is_said_in_french() -> None:
    game = ExplicitGame(("A", "B"), np.array([0.0, 10.0, 10.0, 30.0]))
    with pytest.raises(EmptyImputationSet) as caught:
        nucleolus(game)
    assert "coûte 30,00" in caught.value.message
    assert "prenucleolus" in caught.value.message
    assert prenucleolus(game).amounts == pytest.approx([15, 15])


@pytest.mark.parametrize(
    "method", ["shapley", "nucleolus", "prenucleolus", "least-core", "scrb", "equal-savings"]
)
def test_equal_members_pay_equal_cents_ties_in_member_order(method: str) -> None:
    """Three identical members, c(i) = 10, c(pair) = 15, c(N) = 20: 6,666… each. The
    noise of the solvers (…659 / …673 / …660) must not decide: the spare cents go in
    member order, 6,67 / 6,67 / 6,66, for every method."""
    table = np.array([0.0, 10, 10, 15, 10, 15, 15, 20])
    game = ExplicitGame(("A", "B", "C"), table)
    report = assess(game, allocate_costs(game, method))
    assert [str(line.amount) for line in report.lines] == ["6.67", "6.67", "6.66"]
