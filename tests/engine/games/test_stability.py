"""Core test, individual rationality, nucleolus and least core."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutualis.engine.games import (
    Allocation,
    ExplicitGame,
    allocate_costs,
    assess,
    best_pooled_coalition,
    cents_allocation,
    core_test,
    imputation_gap,
    individually_rational,
    least_core,
    nucleolus,
    prenucleolus,
    proportional,
    shapley,
)
from mutualis.engine.games.stability import tolerance
from mutualis.engine.money import D
from tests.engine.games.helpers import random_explicit_game, random_pooled_game, subadditive_game


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=2, max_value=6), st.integers(min_value=0, max_value=10_000))
def test_nucleolus_is_in_the_core_whenever_the_core_is_not_empty(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    game = subadditive_game(rng, n) if seed % 2 else random_explicit_game(rng, n)
    value = least_core(game).value
    if imputation_gap(game) < 0:  # no imputation, so no core and no nucleolus
        assert value > 0
        return
    result = core_test(game, nucleolus(game))
    if value <= 0:
        assert result.in_core
    else:
        assert not result.in_core


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=2, max_value=6), st.integers(min_value=0, max_value=10_000))
def test_least_core_value_is_the_largest_excess_of_its_allocation(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    game = subadditive_game(rng, n) if seed % 2 else random_explicit_game(rng, n)
    lc = least_core(game)
    result = core_test(game, lc.allocation)
    assert result.violation == pytest.approx(max(lc.value, 0.0), abs=1e-6)
    assert result.in_core == (lc.value <= tolerance(game))
    # No allocation has a smaller largest excess: the prenucleolus ties with it.
    assert core_test(game, prenucleolus(game)).violation == pytest.approx(
        result.violation, abs=1e-6
    )


@pytest.mark.parametrize("seed", range(10))
def test_milp_core_test_equals_brute_force(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(3, 15))
    game = random_pooled_game(rng, n)
    # Perturb a fair allocation so that some group wants to leave, half of the time.
    x = shapley(game).amounts
    if seed % 2:
        x = x + rng.normal(0, 0.2 * abs(x).mean(), n)
        x += (game.grand_cost() - x.sum()) / n
    allocation = Allocation("given", game.players, x)
    brute = core_test(game, allocation, "enumeration")
    exact = core_test(game, allocation, "milp")
    assert exact.violation == pytest.approx(brute.violation, rel=1e-7, abs=1e-5)
    assert exact.in_core == brute.in_core


def test_best_pooled_coalition_respects_the_size_constraint() -> None:
    game = random_pooled_game(np.random.default_rng(5), 10)
    _value, members = best_pooled_coalition(game, game.standalone(), max_size=3)
    assert 2 <= len(members) <= 3


def test_individual_rationality_flags_a_member_paying_more_than_alone() -> None:
    game = ExplicitGame.from_mapping(
        ("A", "B"), {frozenset("A"): 100, frozenset("B"): 50, frozenset("AB"): 120}
    )
    allocation = Allocation.given(game.players, {"A": 60, "B": 60})
    assert individually_rational(game, allocation) == (True, False)
    report = assess(game, allocation)
    assert not report.individually_rational
    assert not report.core.in_core
    assert report.core.violating_coalition == ("B",)
    assert report.core.violation == pytest.approx(10)
    assert "économiserait 10,00" in report.explanation.text()


def test_report_reconciles_to_the_cent_and_explains_each_member() -> None:
    game = random_pooled_game(np.random.default_rng(11), 7)
    for method in (
        "shapley",
        "prenucleolus",
        "least-core",
        "scrb",
        "proportional",
        "equal-savings",
    ):
        report = assess(game, allocate_costs(game, method))
        assert sum(report.amounts.values()) == D(report.total)
        text = report.explanation.text()
        for player in game.players:
            assert f"{player} paie" in text


@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=1, max_size=12))
def test_cents_allocation_sums_to_the_total_even_with_negative_amounts(
    amounts: list[float],
) -> None:
    players = [f"P{i}" for i in range(len(amounts))]
    total = D(round(sum(amounts), 2))
    cents = cents_allocation(players, amounts, total)
    assert sum(cents.values()) == total
    for player, amount in zip(players, amounts, strict=True):
        assert abs(float(cents[player]) - amount) < 0.02 * len(amounts) + 0.01


def test_proportional_key_is_checked_like_any_allocation() -> None:
    game = subadditive_game(np.random.default_rng(3), 5)
    report = assess(game, proportional(game))
    assert report.core.method == "enumeration"
    assert report.exact
