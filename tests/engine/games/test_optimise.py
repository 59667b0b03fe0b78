"""Best perimeter, partition and split: the MILP and the dynamic programme against brute
force."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest

from mutualis.engine.errors import EngineError, InvalidParameter, UnknownMember
from mutualis.engine.games import PooledCost, PooledMember, to_explicit
from mutualis.engine.games.model import PooledServiceGame
from mutualis.engine.optimise import best_partition, best_perimeter, best_split, splits
from tests.engine.games.helpers import random_pooled_game


def brute_force_savings(game: PooledServiceGame, required=(), excluded=(), max_size=None) -> float:
    explicit = to_explicit(game)
    alone = game.standalone()
    best = -np.inf
    for mask in range(1, 1 << game.n):
        members = [i for i in range(game.n) if mask >> i & 1]
        if len(members) < 2 or (max_size and len(members) > max_size):
            continue
        if any(i not in members for i in required) or any(i in members for i in excluded):
            continue
        best = max(best, alone[members].sum() - explicit.table[mask])
    return float(best)


@pytest.mark.parametrize("seed", range(10))
def test_best_perimeter_equals_brute_force(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    n = int(rng.integers(3, 13))
    game = random_pooled_game(rng, n)
    required = (int(rng.integers(n)),) if seed % 3 == 1 else ()
    excluded = tuple(i for i in (int(rng.integers(n)),) if i not in required) if seed % 2 else ()
    max_size = int(rng.integers(2, n + 1)) if seed % 4 == 3 else None
    result = best_perimeter(
        game,
        required=[game.players[i] for i in required],
        excluded=[game.players[i] for i in excluded],
        max_size=max_size,
    )
    assert result.savings == pytest.approx(
        brute_force_savings(game, required, excluded, max_size), rel=1e-7, abs=1e-5
    )
    # The explicit (enumeration) path gives the same optimum.
    explicit = best_perimeter(
        to_explicit(game),
        max_size=max_size,
        required=[game.players[i] for i in required],
        excluded=[game.players[i] for i in excluded],
    )
    assert explicit.savings == pytest.approx(result.savings, rel=1e-7, abs=1e-5)


@pytest.mark.parametrize("seed", range(4))
def test_best_partition_in_two_groups_equals_brute_force(seed: int) -> None:
    rng = np.random.default_rng(300 + seed)
    n = 7
    game = random_pooled_game(rng, n)
    explicit = to_explicit(game)
    alone = game.standalone()

    def saving(members: list[int]) -> float:
        if len(members) < 2:
            return 0.0
        mask = sum(1 << i for i in members)
        return float(alone[members].sum() - explicit.table[mask])

    best = max(
        saving([i for i in range(n) if a[i] == 1]) + saving([i for i in range(n) if a[i] == 2])
        for a in itertools.product(range(3), repeat=n)
    )
    result = best_partition(game, 2)
    assert result.savings == pytest.approx(best, rel=1e-7, abs=1e-5)
    members = [p for g in result.groups for p in g.members]
    assert len(members) == len(set(members))


def test_unknown_required_member_is_named() -> None:
    game = random_pooled_game(np.random.default_rng(1), 4)
    with pytest.raises(UnknownMember, match="ZZZ"):
        best_perimeter(game, required=["ZZZ"])


def test_a_member_cannot_be_both_required_and_excluded() -> None:
    game = random_pooled_game(np.random.default_rng(1), 4)
    with pytest.raises(EngineError, match="obligatoire et exclu"):
        best_perimeter(game, required=["M00"], excluded=["M00"])


def brute_force_split_cost(game: PooledServiceGame, groups: int) -> float:
    """Least Σ c(S_j) over every split of all members into `groups` groups of two or more."""
    explicit = to_explicit(game)
    best = np.inf
    for labels in itertools.product(range(groups), repeat=game.n - 1):
        labels = (0, *labels)  # member 0 in group 0: each split counted fewer times
        members = [[i for i in range(game.n) if labels[i] == g] for g in range(groups)]
        if all(len(m) >= 2 for m in members):
            best = min(best, sum(explicit.table[sum(1 << i for i in m)] for m in members))
    return float(best)


def split_cost(partition) -> float:  # type: ignore[no-untyped-def]
    return sum(group.cost for group in partition.groups)


@pytest.mark.parametrize("seed", range(24))
def test_best_split_equals_brute_force_and_the_milp(seed: int) -> None:
    rng = np.random.default_rng(400 + seed)
    groups = 2 + seed % 2
    game = random_pooled_game(rng, int(rng.integers(2 * groups, 9)))
    result = best_split(game, groups)
    assert result.proven and result.method in ("dynamic_programming", "split_enumeration")
    assert len(result.groups) == groups and not result.left_alone
    assert all(len(group.members) >= 2 for group in result.groups)
    assert sorted(p for group in result.groups for p in group.members) == sorted(game.players)
    best = brute_force_split_cost(game, groups)
    assert split_cost(result) == pytest.approx(best, rel=1e-9, abs=1e-6)
    milp = best_partition(game, groups, cover=True)
    assert split_cost(milp) == pytest.approx(best, rel=1e-9, abs=1e-6)


@pytest.mark.parametrize("groups", [2, 3])
def test_best_split_of_twenty_members_equals_the_milp(groups: int) -> None:
    game = random_pooled_game(np.random.default_rng(77 + groups), 20)
    result = best_split(game, groups)
    milp = best_partition(game, groups, cover=True)
    assert milp.proven and result.proven and result.method == "dynamic_programming"
    assert split_cost(result) == pytest.approx(split_cost(milp), rel=1e-9, abs=1e-6)


def test_best_split_of_158_communes_is_exact_and_fast() -> None:
    """Workloads of the 158 communes of the CA du Pays Basque (benchmark shape)."""
    rng = np.random.default_rng(158)
    workloads = [int(w) for w in np.maximum(rng.lognormal(1.6, 1.3, 158).astype(int), 1)]
    service = PooledCost(
        fixed=15_000, cost_per_etp=46_000, productivity=250, step="0.5", manager_span=8
    )
    members = [PooledMember(f"{64000 + i}", 420.0 * w, w) for i, w in enumerate(workloads)]
    game = PooledServiceGame.build(members, service)
    for groups in (2, 3):
        start = time.perf_counter()
        result = best_split(game, groups)
        assert time.perf_counter() - start < 1.0  # milliseconds in practice
        assert result.proven
        # A lower bound: each group pays the fixed cost and at least the staff of the
        # whole workload; the split found reaches it when steps can be filled exactly.
        apart = split_cost(result)
        assert apart >= game.grand_cost() + (groups - 1) * 15_000 - 1e-6
        steps = [s.label for s in result.explanation.steps]
        assert "Surcoût par rapport à un service unique pour tous" in steps


def test_best_split_needs_two_members_per_service() -> None:
    game = random_pooled_game(np.random.default_rng(3), 5)
    with pytest.raises(InvalidParameter, match="2 membres par service"):
        best_split(game, 3)


def test_best_split_falls_back_on_the_milp_beyond_the_dynamic_programme(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    game = random_pooled_game(np.random.default_rng(9), 7)
    monkeypatch.setattr(splits, "MAX_SUBSET_SUM", 0)
    result = best_split(game, 2)
    assert result.method == "milp"
    assert split_cost(result) == pytest.approx(brute_force_split_cost(game, 2), abs=1e-6)


def test_best_split_as_json_says_whether_the_optimum_is_proven() -> None:
    game = random_pooled_game(np.random.default_rng(5), 6)
    document = best_split(game, 2).as_dict()
    assert document["proven"] is True and document["left_alone"] == []
    assert document["method"] == "dynamic_programming"


@pytest.mark.parametrize("seed", range(12))
def test_three_way_dynamic_programme_equals_brute_force(seed: int, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The level-triple search (not the small-n enumeration), lumpy workloads included."""
    monkeypatch.setattr(splits, "MAX_SPLIT_ENUMERATION", 0)
    rng = np.random.default_rng(500 + seed)
    game = random_pooled_game(rng, int(rng.integers(6, 10)))
    result = best_split(game, 3)
    assert result.proven
    assert split_cost(result) == pytest.approx(brute_force_split_cost(game, 3), rel=1e-9, abs=1e-6)
