"""Least core of the pooled-service game by constraint generation, against enumeration."""

from __future__ import annotations

import numpy as np
import pytest

from mutualis.engine.games import PooledCost, PooledMember, PooledServiceGame, core_test, least_core
from mutualis.engine.games.generation import pooled_least_core
from tests.engine.games.helpers import random_pooled_game


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
