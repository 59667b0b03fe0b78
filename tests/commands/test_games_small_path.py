"""`mutualis games solve` on a few members runs without numpy and prints the same JSON.

The plain-Python path of `mutualis.engine.games.small` must agree with the numpy engine:
for the closed-form rules, the same figures to 10⁻¹² and the same JSON to the character;
for the nucleolus and the prenucleolus (exact simplex against HiGHS), the same JSON but
for the note saying how it was computed; for the least core, a set, the same value ε* and
a point of it. So must the bulk reader of large explicit games with the key-by-key
reader, errors included.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mutualis.commands import games as command
from mutualis.engine.games import (
    ExplicitGame,
    allocate_costs,
    core_test,
    least_core,
    pricing_check,
    small,
    subadditive_cover,
)
from mutualis.engine.games.limits import MAX_AMOUNT, MAX_POOLED_PLAYERS, MAX_WORKLOAD
from mutualis.engine.games.methods import METHODS
from mutualis.engine.games.model import MAX_EXPLICIT_PLAYERS


def random_document(n: int, seed: int) -> dict[str, object]:
    """Costs with economies of scale, some coalitions dearer than their split, ties."""
    rng = np.random.default_rng(seed)
    players = [f"M{i}" for i in range(n)]
    alone = rng.integers(10, 200, size=n).astype(float)
    costs: dict[str, float] = {}
    for mask in range(1, 1 << n):
        members = [i for i in range(n) if mask >> i & 1]
        i = members[0]
        base = float(alone[members].sum()) * float(rng.uniform(0.6, 1.1))
        cost = round(base, int(rng.integers(0, 3))) if len(members) > 1 else float(alone[i])
        costs["+".join(players[i] for i in members)] = cost
    return {"players": players, "costs": costs}


def args(method: str, pricing: str = "auto", cover: bool = False) -> argparse.Namespace:
    return argparse.Namespace(
        command="solve",
        method=method,
        samples=2000,
        seed=0,
        pricing=pricing,
        subadditive_cover=cover,
        time_limit=60.0,
    )


@pytest.mark.parametrize("n", range(1, small.SMALL_PLAYERS + 1))
def test_small_path_prints_the_json_of_the_numpy_path(n: int) -> None:
    for seed, method in itertools.product(range(3), small.CLOSED_FORM):
        data = random_document(n, seed)
        for pricing, cover in (("auto", False), ("pairs", False), ("none", True)):
            options = args(method, pricing, cover)
            assert command._takes_small_path(data, options)
            assert command._solve_small(command._small(data), options) == command._solve(
                command._game(data), options
            ), (n, seed, method, pricing)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
def test_small_figures_agree_with_the_engine_to_1e_12(n: int) -> None:
    for seed in range(5):
        data = random_document(n, seed)
        game = command._game(data)
        assert isinstance(game, ExplicitGame)
        tiny = command._small(data)
        assert tiny.table == tuple(game.table)
        for method in small.CLOSED_FORM:
            amounts, _ = small.allocate(tiny, method)
            reference = allocate_costs(game, method)
            assert amounts == pytest.approx(list(reference.amounts), rel=1e-12, abs=1e-12)
            ours = small.core_test(tiny, amounts)
            theirs = core_test(game, reference)
            assert (ours.in_core, ours.violating_coalition) == (
                theirs.in_core,
                theirs.violating_coalition,
            )
            assert ours.violation == pytest.approx(theirs.violation, abs=1e-9)
        assert small.subadditive_cover(tiny).table == tuple(subadditive_cover(game).table)
        assert small.pricing_check(tiny).as_dict() == pricing_check(game).as_dict()


def without_rule_note(output: dict[str, object]) -> dict[str, object]:
    """The JSON of one method without the detail of its « Règle de répartition » step."""
    explanation = output["explanation"]
    assert isinstance(explanation, dict)
    steps = [
        {**step, "formula": None} if step["label"] == "Règle de répartition" else step
        for step in explanation["steps"]
    ]
    return {**output, "explanation": {**explanation, "steps": steps}}


@pytest.mark.parametrize("n", range(1, small.SMALL_PLAYERS + 1))
def test_small_path_prints_the_nucleolus_json_of_the_highs_path(n: int) -> None:
    """Every method through `all`, whose nucleolus may be an error (pooling dearer), on
    the game and on its subadditive cover."""
    for seed, cover in ((0, False), (1, False), (2, True)):
        data = random_document(n, seed)
        options = args("all", "none" if cover else "auto", cover)
        assert command._takes_small_path(data, options)
        game = command._small(data)
        ours = command._solve_small(game, options)
        theirs = command._solve(command._game(data), options)
        for method in ("nucleolus", "prenucleolus"):
            if "error" in theirs[method]:
                assert ours[method] == theirs[method]
            else:
                solved = small.subadditive_cover(game) if cover else game
                assert_same_report(ours[method], theirs[method], solved)


def assert_same_report(
    ours: dict[str, object], theirs: dict[str, object], game: small.SmallGame
) -> None:
    """The same JSON, but for the note and, among coalitions that tie for the largest
    excess, the one named: HiGHS's noise may break the tie that exact shares leave."""

    def named(output: dict[str, object]) -> tuple[str, ...] | None:
        core = output["core"]
        assert isinstance(core, dict)
        found = core["violating_coalition"]
        return None if found is None else tuple(found)

    def without_coalition(output: dict[str, object]) -> dict[str, object]:
        output = without_rule_note(output)
        core = output["core"]
        explanation = output["explanation"]
        assert isinstance(core, dict) and isinstance(explanation, dict)
        steps = [s for s in explanation["steps"] if s["label"] != "Test du cœur"]
        return {
            **output,
            "core": {**core, "violating_coalition": None},
            "explanation": {**explanation, "steps": steps},
        }

    assert without_coalition(ours) == without_coalition(theirs)
    if named(ours) != named(theirs):
        amounts, _ = small.allocate(game, str(ours["method"]))
        index = {p: i for i, p in enumerate(game.players)}

        def excess(coalition: tuple[str, ...] | None) -> float:
            assert coalition is not None
            mask = sum(1 << index[p] for p in coalition)
            return sum(amounts[index[p]] for p in coalition) - game.table[mask]

        assert excess(named(ours)) == pytest.approx(excess(named(theirs)), abs=1e-9)


@pytest.mark.parametrize("n", range(2, small.SMALL_PLAYERS + 1))
def test_small_path_prints_the_least_core_value_and_a_point_of_it(n: int) -> None:
    for seed in range(2):
        data = random_document(n, seed)
        game = command._small(data)
        ours = command._solve_small(game, args("least-core"))
        theirs = command._solve(command._game(data), args("least-core"))
        value = least_core(command._game(data)).value
        for output in (ours, theirs):
            note = output["explanation"]["steps"][1]["formula"]
            assert note.startswith("moindre cœur : plus grand excédent minimisé, ε* = ")
            # ε* to the cent; an exact half cent may print either way from HiGHS's float.
            assert float(note.rsplit(" ", 1)[1]) == pytest.approx(value, abs=0.005 + 1e-9)
            assert output["total"] == theirs["total"]
        amounts, _ = small.allocate(game, "least-core")
        assert small.core_test(game, amounts).violation == pytest.approx(max(value, 0.0), abs=1e-9)


def test_all_methods_take_the_small_path_with_the_errors_of_the_engine() -> None:
    """Pooling dearer than alone: the nucleolus is refused in French by both paths."""
    data = {"players": ["A", "B"], "costs": {"A": 10, "B": 10, "A+B": 30}}
    ours = command._solve_small(command._small(data), args("all"))
    theirs = command._solve(command._game(data), args("all"))
    assert list(ours) == list(theirs) == list(METHODS)
    assert ours["nucleolus"] == theirs["nucleolus"]
    assert "ensemble des imputations est vide" in ours["nucleolus"]["error"]
    for method in ("shapley", "prenucleolus", "scrb", "proportional", "equal-savings"):
        assert_same_report(ours[method], theirs[method], command._small(data))


@pytest.mark.parametrize("method", ["shapley", "nucleolus", "least-core", "all"])
def test_a_small_game_is_solved_without_importing_numpy(tmp_path: Path, method: str) -> None:
    costs = {"A": 120, "B": 90, "C": 80, "A+B": 170, "A+C": 160, "B+C": 150, "A+B+C": 220}
    path = tmp_path / "jeu.json"
    path.write_text(json.dumps({"players": ["A", "B", "C"], "costs": costs}), encoding="utf-8")
    probe = (
        "import sys\n"
        "from mutualis.cli import main\n"
        f"code = main(['games', 'solve', {str(path)!r}, '--method', {method!r}])\n"
        "assert code == 0, code\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('numpy', 'scipy', 'highspy', 'django'))\n"
        "print(loaded, file=sys.stderr)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_a_game_of_nine_members_takes_the_engine() -> None:
    data = random_document(small.SMALL_PLAYERS, 0)
    assert command._takes_small_path(data, args("nucleolus"))
    assert command._takes_small_path(data, args("all"))
    for method in ("shapley", "nucleolus", "all"):
        assert not command._takes_small_path(random_document(9, 0), args(method))


def test_bulk_reader_agrees_with_the_key_by_key_reader() -> None:
    data = random_document(command.BULK_READ_ABOVE + 1, 4)
    players, costs = command._explicit_players(data)
    shuffled = dict(sorted(costs.items(), key=lambda item: hash(item[0])))
    # Keys in another member order name the same coalitions.
    reordered = {"+".join(reversed(key.split("+"))): value for key, value in costs.items()}
    expected = command._keyed_table(players, costs)
    for variant in (costs, shuffled, reordered):
        table = command._bulk_table(players, variant)
        assert table is not None
        assert table.tolist() == expected


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c.pop("M0+M1"), '« costs["M0+M1"] » manque'),
        (lambda c: c.update({"M0+M1": -1}), '« costs["M0+M1"] » ne peut pas être négatif'),
        (lambda c: c.update({"M0+M1": "12"}), '« costs["M0+M1"] » doit être un nombre'),
        (lambda c: c.update({"M0+X": c.pop("M0+M1")}), "membre inconnu « X »"),
        (lambda c: c.update({"M0+M0": c.pop("M0+M1")}), "un membre y apparaît deux fois"),
        (lambda c: c.update({"M1+M0": c.pop("M0")}), "cette coalition est donnée deux fois"),
    ],
)
def test_bulk_reader_leaves_errors_to_the_named_reading(change, message: str) -> None:
    data = random_document(command.BULK_READ_ABOVE + 1, 5)
    players, costs = command._explicit_players(data)
    change(costs)
    assert command._bulk_table(players, costs) is None
    with pytest.raises(command.InputError, match=re.escape(message)):
        command._explicit(data)


def test_spaced_keys_are_still_read() -> None:
    data = random_document(command.BULK_READ_ABOVE + 1, 6)
    players, costs = command._explicit_players(data)
    spaced = {key.replace("+", " + "): value for key, value in costs.items()}
    table = command._explicit({"players": list(players), "costs": spaced}).table
    assert table.tolist() == command._keyed_table(players, costs)


def test_limits_are_those_of_the_documentation() -> None:
    assert (MAX_AMOUNT, MAX_POOLED_PLAYERS, MAX_WORKLOAD) == (10**10, 2000, 10**7)
    assert command.MAX_EXPLICIT_PLAYERS <= MAX_EXPLICIT_PLAYERS
