"""Shapley value: axioms, textbook games, exact counting and sampling."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutualis.engine.games import (
    ExplicitGame,
    OracleGame,
    PooledCost,
    PooledMember,
    PooledServiceGame,
    enumerated_shapley,
    pooled_shapley,
    sampled_shapley,
    shapley,
    to_explicit,
)
from tests.engine.games.helpers import random_explicit_game, random_pooled_game

explicit_games = st.integers(min_value=1, max_value=6).flatmap(
    lambda n: st.lists(
        st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1 << n, max_size=1 << n
    ).map(lambda values: _game(n, values))
)


def _game(n: int, values: list[float]) -> ExplicitGame:
    table = np.array(values)
    table[0] = 0.0
    return ExplicitGame(tuple(f"P{i}" for i in range(n)), table)


@settings(max_examples=60, deadline=None)
@given(explicit_games)
def test_shapley_is_efficient(game: ExplicitGame) -> None:
    assert shapley(game).amounts.sum() == pytest.approx(game.grand_cost(), rel=1e-9, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(explicit_games, explicit_games)
def test_shapley_is_additive(first: ExplicitGame, second: ExplicitGame) -> None:
    if first.n != second.n:
        return
    both = ExplicitGame(first.players, first.table + second.table)
    expected = shapley(first).amounts + shapley(second).amounts
    assert shapley(both).amounts == pytest.approx(expected, rel=1e-9, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=2, max_value=6), st.data())
def test_symmetric_players_pay_the_same(n: int, data: st.DataObject) -> None:
    """A game depending only on |S| makes everyone symmetric: all pay c(N)/n."""
    by_size = data.draw(st.lists(st.floats(0, 1e5), min_size=n, max_size=n))
    sizes = np.array([bin(m).count("1") for m in range(1 << n)])
    table = np.array([0.0, *by_size])[sizes]
    game = ExplicitGame(tuple(f"P{i}" for i in range(n)), table)
    assert shapley(game).amounts == pytest.approx(np.full(n, game.grand_cost() / n), abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(explicit_games)
def test_null_player_pays_nothing(game: ExplicitGame) -> None:
    """Add a player who changes no coalition's cost: its Shapley value is zero."""
    n = game.n
    table = np.concatenate([game.table, game.table])  # bit n set: same cost as without
    bigger = ExplicitGame((*game.players, "NUL"), table)
    values = shapley(bigger).amounts
    assert values[n] == pytest.approx(0.0, abs=1e-6)
    assert values[:n] == pytest.approx(shapley(game).amounts, rel=1e-9, abs=1e-6)


def test_airport_game_matches_littlechild_owen() -> None:
    """Airport game (Littlechild & Owen 1973, Management Science 20(3):370-372).

    c(S) = max_{i∈S} c_i. Their theorem: with c_1 ≤ … ≤ c_n, the Shapley value shares each
    runway segment c_j − c_{j−1} equally among the planes that need it:
    φ_i = Σ_{j ≤ i} (c_j − c_{j−1}) / (n − j + 1).
    """
    lengths = [10.0, 25.0, 25.0, 40.0, 70.0]
    n = len(lengths)
    table = np.array(
        [max((lengths[i] for i in range(n) if m >> i & 1), default=0.0) for m in range(1 << n)]
    )
    game = ExplicitGame(tuple(f"A{i}" for i in range(n)), table)
    previous = 0.0
    expected = []
    running = 0.0
    for j, length in enumerate(lengths):
        running += (length - previous) / (n - j)
        previous = length
        expected.append(running)
    assert shapley(game).amounts == pytest.approx(expected)


def test_glove_game_shapley() -> None:
    """Glove game, one left glove (P0) and two right ones: Shapley (2/3, 1/6, 1/6).

    Standard example (e.g. Osborne & Rubinstein 1994, A Course in Game Theory, ex. 289.1;
    Maschler, Solan & Zamir 2013, Game Theory, ch. 18). As a cost game c = −v.
    """
    worth = {1: 0, 2: 0, 4: 0, 3: 1, 5: 1, 6: 0, 7: 1}
    table = np.array([0.0] + [-float(worth[m]) for m in range(1, 8)])
    game = ExplicitGame(("L", "R1", "R2"), table)
    assert shapley(game).amounts == pytest.approx([-2 / 3, -1 / 6, -1 / 6])


@pytest.mark.parametrize("seed", range(12))
def test_counted_shapley_equals_enumerated_shapley(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 15))
    game = random_pooled_game(rng, n)
    counted = pooled_shapley(game).amounts
    enumerated = enumerated_shapley(to_explicit(game)).amounts
    assert counted == pytest.approx(enumerated, rel=1e-9, abs=1e-6)


def test_counted_shapley_at_158_members_is_efficient_and_fast_enough() -> None:
    rng = np.random.default_rng(158)
    workloads = np.maximum(1, rng.lognormal(4, 1.2, 158)).astype(int)
    service = PooledCost(
        fixed=30_000, per_unit=2, cost_per_etp=52_000, productivity=400, min_etp=1, step="0.5"
    )
    members = [
        PooledMember(f"C{i:03d}", float(80 * w + 3_000), int(w), 100.0)
        for i, w in enumerate(workloads)
    ]
    game = PooledServiceGame.build(members, service)
    result = pooled_shapley(game)
    assert result.exact
    assert result.amounts.sum() == pytest.approx(game.grand_cost(), rel=1e-9)
    # Equal workloads and costs get equal values (symmetry).
    twins = [i for i in range(158) if workloads[i] == workloads[0]]
    assert np.ptp(result.amounts[twins]) < 1e-6 * game.grand_cost()


def test_sampling_is_within_four_standard_errors_of_the_exact_value() -> None:
    game = random_pooled_game(np.random.default_rng(7), 30)
    exact = pooled_shapley(game).amounts
    oracle = OracleGame(game.players, game.costs)
    estimate = sampled_shapley(oracle, samples=3000, seed=1)
    assert not estimate.exact
    assert estimate.standard_errors is not None
    assert estimate.amounts.sum() == pytest.approx(game.grand_cost())
    assert np.all(np.abs(estimate.amounts - exact) <= 4 * estimate.standard_errors + 1e-6)


def test_oracle_games_beyond_the_enumeration_limit_are_sampled() -> None:
    n = 24
    oracle = OracleGame(
        tuple(f"P{i}" for i in range(n)), lambda m: np.sqrt(m.sum(axis=1).astype(float))
    )
    result = shapley(oracle, samples=200, seed=3)
    assert not result.exact
    assert result.standard_errors is not None
    assert result.amounts.sum() == pytest.approx(math.sqrt(n))
    exact = math.sqrt(n) / n
    assert np.all(np.abs(result.amounts - exact) <= 4 * result.standard_errors + 1e-9)


def test_enumeration_of_a_random_game_matches_the_permutation_formula() -> None:
    game = random_explicit_game(np.random.default_rng(2), 4)
    import itertools

    totals = np.zeros(4)
    for order in itertools.permutations(range(4)):
        mask = 0
        for player in order:
            totals[player] += game.table[mask | 1 << player] - game.table[mask]
            mask |= 1 << player
    assert enumerated_shapley(game).amounts == pytest.approx(totals / 24)
