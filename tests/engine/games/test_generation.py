"""Least core of the pooled-service game by constraint generation, against enumeration."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from mutualis.engine.games import (
    PooledCost,
    PooledMember,
    PooledServiceGame,
    allocate_costs,
    core_test,
    generation,
    least_core,
    nucleolus,
)
from mutualis.engine.games.cores import EmptyImputationSet
from mutualis.engine.games.cores import prenucleolus as explicit_prenucleolus
from mutualis.engine.games.generation import (
    pooled_least_core,
    pooled_nucleolus,
    pooled_prenucleolus,
)
from mutualis.engine.games.separation import WorkloadKnapsack, violated_coalitions
from mutualis.engine.games.stability import best_pooled_coalition
from tests.engine.games.helpers import random_pooled_game, workload_pooled_game


@pytest.mark.parametrize("seed", range(8))
def test_generated_least_core_equals_the_explicit_one(seed: int) -> None:
    rng = np.random.default_rng(900 + seed)
    game = random_pooled_game(rng, int(rng.integers(2, 13)))
    explicit = least_core(game).value
    generated = pooled_least_core(game)
    scale = max(1.0, abs(explicit))
    assert generated.value == pytest.approx(explicit, abs=1e-6 * scale)
    # Its allocation reaches ε* on the whole game (checked by enumeration).
    violation = core_test(game, generated.allocation, "enumeration").violation
    assert violation == pytest.approx(max(explicit, 0.0), abs=1e-6 * scale)


def test_a_realistic_service_has_a_non_empty_core() -> None:
    rng = np.random.default_rng(12)
    workloads = np.maximum(1, rng.lognormal(3, 1.2, 12)).astype(int)
    service = PooledCost(
        fixed=20_000, per_unit=2, cost_per_etp=52_000, productivity=300, step="0.5"
    )
    members = [
        PooledMember(f"C{i:02d}", float(250 * w + 6_000), int(w), 100.0)
        for i, w in enumerate(workloads)
    ]
    game = PooledServiceGame.build(members, service)
    result = pooled_least_core(game)
    assert result.value == pytest.approx(least_core(game).value, abs=1e-3)
    assert "génération de contraintes" in result.allocation.note


def _imputations_exist(game: PooledServiceGame) -> bool:
    return float(game.standalone().sum()) >= game.grand_cost()


@pytest.mark.parametrize("seed", range(10))
def test_generated_nucleolus_equals_the_explicit_one(seed: int) -> None:
    rng = np.random.default_rng(1200 + seed)
    game = random_pooled_game(rng, int(rng.integers(2, 13)))
    scale = max(1.0, game.grand_cost())
    prenucleolus = pooled_prenucleolus(game).amounts
    assert np.allclose(
        np.asarray(prenucleolus, float),
        np.asarray(explicit_prenucleolus(game).amounts, float),
        atol=1e-6 * scale,
    )
    if not _imputations_exist(game):
        with pytest.raises(EmptyImputationSet):
            pooled_nucleolus(game)
        return
    generated = np.asarray(pooled_nucleolus(game).amounts, float)
    explicit = np.asarray(nucleolus(game).amounts, float)
    assert np.allclose(generated, explicit, atol=1e-6 * scale)
    assert np.all(generated <= game.standalone() + 1e-6 * scale)


@pytest.mark.parametrize("seed", range(3))
def test_the_milp_oracle_gives_the_same_nucleolus(seed: int, monkeypatch) -> None:
    rng = np.random.default_rng(1300 + seed)
    game = random_pooled_game(rng, 8)
    if not _imputations_exist(game):
        pytest.skip("empty imputation set")
    monkeypatch.setattr(generation, "dynamic_programme_fits", lambda game: False)
    generated = np.asarray(pooled_nucleolus(game).amounts, float)
    explicit = np.asarray(nucleolus(game).amounts, float)
    assert np.allclose(generated, explicit, atol=1e-6 * max(1.0, game.grand_cost()))


@pytest.mark.parametrize("seed", range(12))
def test_the_dynamic_programme_finds_the_milp_optimum(seed: int) -> None:
    rng = np.random.default_rng(1400 + seed)
    game = random_pooled_game(rng, int(rng.integers(2, 11)))
    x = game.standalone() * rng.uniform(0.3, 1.2, game.n)
    value, _ = best_pooled_coalition(game, x)
    found = violated_coalitions(game, x, limit=5)
    assert found[0][0] == pytest.approx(value, abs=1e-6 * max(1.0, game.grand_cost()))
    for excess, members in found:
        assert len(members) >= 2
        membership = np.zeros((1, game.n), dtype=np.bool_)
        membership[0, list(members)] = True
        assert excess == pytest.approx(x[list(members)].sum() - game.costs(membership)[0])
    if game.n > 2:
        without = violated_coalitions(game, x, allow_grand=False, limit=5)
        assert all(len(members) < game.n for _, members in without)
        bounded, _ = best_pooled_coalition(game, x, max_size=game.n - 1)
        assert without[0][0] == pytest.approx(bounded, abs=1e-6 * max(1.0, game.grand_cost()))


def test_forbidden_coalitions_are_cut_off() -> None:
    rng = np.random.default_rng(7)
    game = random_pooled_game(rng, 6)
    x = game.standalone()
    _, first = best_pooled_coalition(game, x)
    _, second = best_pooled_coalition(game, x, forbidden=[first])
    assert second != first


def test_large_pooled_games_use_generation() -> None:
    rng = np.random.default_rng(5)
    members = [
        PooledMember(f"C{i:02d}", float(rng.integers(8_000, 30_000)), int(rng.integers(1, 40)))
        for i in range(14)
    ]
    service = PooledCost(fixed=5_000, per_unit=1, cost_per_etp=50_000, productivity=200)
    game = PooledServiceGame.build(members, service)
    allocation = allocate_costs(game, "nucleolus")
    assert "génération de contraintes" in allocation.note
    assert np.all(np.asarray(allocation.amounts, float) <= game.standalone() + 1e-6)
    assert float(np.sum(allocation.amounts)) == pytest.approx(game.grand_cost())


def test_the_workload_game_settles_epci_shaped_games_exactly() -> None:
    """Members of equal workload share one variable; checked against enumeration."""
    settled = 0
    for seed in range(16):
        rng = np.random.default_rng(seed)
        game = workload_pooled_game(rng, int(rng.integers(3, 12)))
        scale = max(1.0, game.grand_cost())
        found = generation._workload_prenucleolus(game)
        if found is not None:
            settled += 1
            expected = np.asarray(explicit_prenucleolus(game).amounts, float)
            assert np.allclose(found[0], expected, atol=1e-6 * scale)
            assert np.allclose(
                pooled_nucleolus(game).amounts, nucleolus(game).amounts, atol=1e-6 * scale
            )
        core = generation._workload_least_core(game)
        if core is not None:
            assert core.value == pytest.approx(least_core(game).value, abs=1e-6 * scale)
            violation = core_test(game, core.allocation, "enumeration").violation
            assert violation == pytest.approx(max(core.value, 0.0), abs=1e-6 * scale)
    assert settled >= 5


def test_next_best_enumerates_count_vectors_in_order() -> None:
    rng = np.random.default_rng(3)
    loads = np.array([1, 2, 3, 5])
    counts = np.array([3, 2, 2, 1])
    values = rng.normal(size=4)
    knapsack = WorkloadKnapsack(loads, counts)
    best = knapsack.solve(values)
    vectors = [np.array(t) for t in itertools.product(*(range(m + 1) for m in counts.tolist()))]
    for load in range(knapsack.size):
        reachable = sorted(
            (float(v @ values), tuple(v.tolist())) for v in vectors if v @ loads == load
        )
        if not reachable:
            assert best[load] == -np.inf
            continue
        assert best[load] == pytest.approx(reachable[-1][0])
        top = tuple(int(t) for t in knapsack.trace(np.array([load]))[0])
        assert float(np.dot(top, values)) == pytest.approx(reachable[-1][0])
        answer = knapsack.next_best(load, top, frozenset({top}).__contains__, -np.inf, 100)
        if len(reachable) == 1:
            assert answer is None
        else:
            assert isinstance(answer, tuple)
            assert answer[0] == pytest.approx(reachable[-2][0])
