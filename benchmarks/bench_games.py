"""Benchmarks of the cost-game engine at the scale of the largest EPCI (158 communes).

    python benchmarks/bench_games.py

Prints each timing and its ratio to the target (ratio < 1: within target), then the
comparison with the PyPI peers `coopgame-py` and `pycoopgame` when importable (they are
only used here; install them with the optional group `bench`).
"""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import mutualis  # noqa: F401, I001 - first: it sets the BLAS threads before numpy loads
import numpy as np

from mutualis.engine.games import (
    Allocation,
    ExplicitGame,
    PooledCost,
    PooledMember,
    PooledServiceGame,
    core_test,
    enumerated_shapley,
    nucleolus,
    pooled_shapley,
)
from mutualis.engine.optimise import best_perimeter


def timed(function: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def report(label: str, seconds: float, target: float) -> None:
    print(f"{label:<55} {seconds:8.3f} s   cible {target:5.1f} s   ratio {seconds / target:5.2f}")


def epci_game(n: int = 158, total_workload: int = 30_000, seed: int = 158) -> PooledServiceGame:
    """A Pays-Basque-sized pooled service: skewed workloads (few big towns, many villages)."""
    rng = np.random.default_rng(seed)
    raw = rng.lognormal(3.0, 1.3, n)
    workloads = np.maximum(1, np.round(raw / raw.sum() * total_workload)).astype(int)
    service = PooledCost(
        fixed=40_000,
        per_unit=3,
        cost_per_etp=52_000,
        productivity=220,
        min_etp=1,
        step="0.5",
        manager_span=8,
    )
    members = [
        PooledMember(f"64{i:03d}", float(300 * w + 8_000), int(w), float(rng.integers(0, 2000)))
        for i, w in enumerate(workloads)
    ]
    return PooledServiceGame.build(members, service)


def main() -> None:
    print("Moteur Mutualis — jeux de coûts")
    for total in (30_000, 100_000):
        game = epci_game(total_workload=total)
        seconds, exact = timed(lambda game=game: pooled_shapley(game))
        report(f"Shapley exact, service mutualisé n=158, W={total}", seconds, 2.0)
    game = epci_game()
    exact = pooled_shapley(game)
    seconds, _ = timed(lambda: core_test(game, exact, "milp"))
    report("Test du cœur (MILP HiGHS), n=158", seconds, 5.0)
    seconds, _ = timed(lambda: best_perimeter(game))
    report("Meilleur périmètre (MILP HiGHS), n=158", seconds, 10.0)
    seconds, _ = timed(lambda: core_test(game, exact, "dynamic-programme"))
    report("Test du cœur (programmation dynamique), n=158", seconds, 5.0)
    # Least core and nucleolus at n = 158: bench_games_cli.py, once, with their CPU time.
    rng = np.random.default_rng(20)
    table = rng.random(1 << 20) * 1000
    table[0] = 0.0
    big = ExplicitGame(tuple(f"P{i}" for i in range(20)), table)
    seconds, _ = timed(lambda: enumerated_shapley(big))
    report("Shapley par énumération, n=20", seconds, 5.0)
    table12 = np.sqrt(np.arange(1 << 12, dtype=float)) * 100
    small = ExplicitGame(tuple(f"P{i}" for i in range(12)), table12)
    seconds, nucl = timed(lambda: nucleolus(small), repeat=1)
    report("Nucléole, n=12", seconds, 5.0)
    peers(game, exact, big, small, nucl)


def peers(
    game: PooledServiceGame,
    exact: Allocation,
    big: ExplicitGame,
    small: ExplicitGame,
    nucl: Allocation,
) -> None:
    print()
    print("Comparaison avec les pairs PyPI")
    try:
        coopgame = importlib.import_module("coopgame")
    except ImportError:
        print("coopgame-py : peer unavailable")
    else:
        values = big.table[1:]
        seconds, theirs = timed(lambda: coopgame.shapley(coopgame.Game(values)), repeat=1)
        own_seconds, ours_alloc = timed(lambda: enumerated_shapley(big), repeat=1)
        gap = float(np.max(np.abs(np.array(theirs) - ours_alloc.amounts)))
        print(
            f"coopgame-py shapley n=20 : {seconds:.3f} s contre {own_seconds:.3f} s pour Mutualis "
            f"(ratio Mutualis/pair {own_seconds / seconds:.2f}), écart max {gap:.2e}"
        )
        seconds, theirs = timed(
            lambda: coopgame.cost_nucleolus(coopgame.Game(small.table[1:])), repeat=1
        )
        own_seconds, _ = timed(lambda: nucleolus(small), repeat=1)
        gap = float(np.max(np.abs(np.array(theirs) - nucl.amounts)))
        print(
            f"coopgame-py cost_nucleolus n=12 : {seconds:.3f} s contre {own_seconds:.3f} s "
            f"(ratio Mutualis/pair {own_seconds / seconds:.2f}), écart max {gap:.2e}"
        )
        n = game.n

        table = game.service.costs(np.arange(int(game.workloads.sum()) + 1))
        workloads = game.workloads.tolist()
        own = game.own_costs.tolist()
        alone = game.standalone_costs.tolist()

        def cost(coalition: tuple[int, ...]) -> float:
            if len(coalition) == 1:
                return float(alone[coalition[0]])
            return float(table[sum(workloads[i] for i in coalition)]) + sum(
                own[i] for i in coalition
            )

        permutations = 100
        seconds, sampled = timed(
            lambda: coopgame.shapley_sampling(coopgame.FunctionGame(n, cost), permutations, seed=0),
            repeat=1,
        )
        estimate = np.array(sampled["values"])
        errors = np.abs(estimate - exact.amounts)
        print(
            f"coopgame-py shapley_sampling n=158 ({permutations} permutations) : {seconds:.3f} s, "
            f"écart à notre valeur exacte : max {errors.max():.2f} €, "
            f"moyen {errors.mean():.2f} € (relatif max {np.max(errors / exact.amounts):.2%})"
        )
    try:
        pycoopgame = importlib.import_module("pyCoopGame.Shapley")
    except ImportError as exc:
        print(f"pycoopgame : peer unavailable ({exc})")
    else:
        compare_pycoopgame(pycoopgame, small)


def compare_pycoopgame(module: Any, small: ExplicitGame, n: int = 8) -> None:
    """pyCoopGame walks a pandas table of coalitions row by row: compared at n = 8."""
    import pandas as pd

    players = small.players[:n]
    rows = []
    for mask in range(1, 1 << n):
        coalition = [players[i] for i in range(n) if mask >> i & 1]
        rows.append({"coalition": coalition, "value": float(small.table[mask])})
    frame = pd.DataFrame(rows)
    sub = ExplicitGame(players, np.concatenate([[0.0], frame["value"].to_numpy()]))
    seconds, theirs = timed(lambda: module.Shapley(frame), repeat=1)
    own_seconds, ours = timed(lambda: enumerated_shapley(sub), repeat=1)
    gap = max(abs(theirs[p] - ours.amounts[i]) for i, p in enumerate(players))
    print(
        f"pycoopgame Shapley n={n} : {seconds:.3f} s contre {own_seconds:.4f} s "
        f"(ratio Mutualis/pair {own_seconds / seconds:.4f}), écart max {gap:.2e}"
    )


if __name__ == "__main__":
    main()
