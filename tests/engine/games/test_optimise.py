"""Best perimeter and partition: the MILP against brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from mutualis.engine.errors import EngineError, UnknownMember
from mutualis.engine.games import to_explicit
from mutualis.engine.games.model import PooledServiceGame
from mutualis.engine.optimise import best_partition, best_perimeter
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
