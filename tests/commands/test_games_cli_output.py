"""HiGHS never writes to stdout: `mutualis games solve` prints JSON and nothing else."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mutualis.engine.games import generation

MEMBERS = 14
"""More than 12 members: the core test of the pooled game runs the HiGHS MILP."""


def _pooled_game(path: Path) -> Path:
    rng = np.random.default_rng(14)
    players = [
        {
            "id": f"64{i:03d}",
            "standalone": int(rng.integers(20_000, 90_000)),
            "workload": int(rng.integers(10, 400)),
            "own_cost": int(rng.integers(0, 2_000)),
        }
        for i in range(MEMBERS)
    ]
    service = {
        "fixed": 15000,
        "per_unit": 4.5,
        "cost_per_etp": 52000,
        "productivity": 600,
        "min_etp": 1,
        "step": 0.5,
        "manager_span": 4,
    }
    path.write_text(json.dumps({"players": players, "pooled_cost": service}), encoding="utf-8")
    return path


@pytest.mark.slow
def test_solve_stdout_is_pure_json_when_the_milp_runs(tmp_path: Path) -> None:
    path = _pooled_game(tmp_path / "jeu.json")
    result = subprocess.run(
        [sys.executable, "-m", "mutualis.cli", "games", "solve", str(path), "--method", "all"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Running HiGHS" not in result.stdout + result.stderr  # the solver banner
    output = json.loads(result.stdout)
    assert output["nucleolus"]["core"]["method"] == "dynamic-programme"
    assert output["least-core"]["core"]["method"] == "dynamic-programme"


def test_generation_with_the_milp_oracle_prints_nothing(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The separation MILP (used when the dynamic programme's tables are too big)."""
    from mutualis.commands.games import read_game

    monkeypatch.setattr(generation, "dynamic_programme_fits", lambda game: False)
    game = read_game(str(_pooled_game(tmp_path / "jeu.json")))
    first = generation.pooled_least_core(game)
    assert first.allocation.amounts.sum() == pytest.approx(game.grand_cost())
    out, err = capfd.readouterr()
    assert out == ""
    assert err == ""
