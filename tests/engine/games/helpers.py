"""Random games shared by the game tests."""

from __future__ import annotations

import numpy as np

from mutualis.engine.games import ExplicitGame, PooledCost, PooledMember, PooledServiceGame


def random_pooled_game(rng: np.random.Generator, n: int) -> PooledServiceGame:
    """A pooled-service game with random but plausible parameters (integer workloads)."""
    service = PooledCost(
        fixed=int(rng.integers(0, 20_000)),
        per_unit=int(rng.integers(0, 5)),
        cost_per_etp=int(rng.integers(30_000, 60_000)),
        productivity=int(rng.integers(50, 400)),
        min_etp=str(rng.choice(["0", "0.5", "1", "2"])),
        step=str(rng.choice(["0.25", "0.5", "1"])),
        manager_span=None if rng.random() < 0.4 else int(rng.integers(2, 8)),
    )
    members = [
        PooledMember(
            f"M{i:02d}",
            float(rng.integers(5_000, 90_000)),
            int(rng.integers(0, 400)) * int(rng.choice([1, 3])),
            float(rng.integers(0, 3_000)),
        )
        for i in range(n)
    ]
    return PooledServiceGame.build(members, service)


def random_explicit_game(rng: np.random.Generator, n: int, scale: float = 100.0) -> ExplicitGame:
    table = rng.random(1 << n) * scale
    table[0] = 0.0
    return ExplicitGame(tuple(f"P{i}" for i in range(n)), table)


def subadditive_game(rng: np.random.Generator, n: int) -> ExplicitGame:
    """c(S) = fixed + Σ_{i∈S} a_i, a concave-ish cost game whose core is non-empty."""
    fixed = float(rng.integers(10, 100))
    unit = rng.integers(1, 50, size=n).astype(float)
    sums = np.zeros(1)
    for value in unit:
        sums = np.concatenate([sums, sums + value])
    table = np.sqrt(sums) * 10 + np.where(sums > 0, fixed, 0.0)
    table[0] = 0.0
    return ExplicitGame(tuple(f"P{i}" for i in range(n)), table)


def workload_pooled_game(rng: np.random.Generator, n: int) -> PooledServiceGame:
    """A pooled-service game whose members share a few workloads and would pay much more
    alone: the shape of an EPCI's game, where the workload game settles the nucleolus."""
    workloads = rng.choice([1, 2, 3, 5, 8, 13, 40, 90, 150, 300], size=n)
    service = PooledCost(
        fixed=int(rng.integers(5_000, 40_000)),
        per_unit=int(rng.integers(0, 4)),
        cost_per_etp=52_000,
        productivity=int(rng.integers(30, 200)),
        min_etp=str(rng.choice(["0.5", "1"])),
        step="0.5",
        manager_span=None if rng.random() < 0.5 else 8,
    )
    members = [
        PooledMember(
            f"C{i:02d}",
            float(600 * w + rng.integers(20_000, 40_000)),
            int(w),
            float(rng.integers(0, 2_000)),
        )
        for i, w in enumerate(workloads)
    ]
    return PooledServiceGame.build(members, service)
