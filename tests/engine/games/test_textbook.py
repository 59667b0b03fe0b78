"""Games from the literature with their published values."""

from __future__ import annotations

import numpy as np
import pytest

from mutualis.engine.games import ExplicitGame, core_test, least_core, nucleolus, scrb


def tva_game() -> ExplicitGame:
    """Tennessee Valley Authority, 1933 projects (Straffin & Heaney 1981, Int. J. Game
    Theory 10:35-43; Young 1994, Handbook of Game Theory vol. 2, ch. 34). Costs in
    thousands of dollars; 1 navigation, 2 flood control, 3 power."""
    costs = {
        "1": 163_520,
        "2": 140_826,
        "3": 250_096,
        "1+2": 301_607,
        "1+3": 378_821,
        "2+3": 367_370,
        "1+2+3": 412_584,
    }
    return ExplicitGame.from_mapping(
        ("1", "2", "3"), {frozenset(k.split("+")): v for k, v in costs.items()}
    )


def test_tva_nucleolus_matches_straffin_heaney() -> None:
    """Published nucleolus of the TVA game: 116 234 / 93 540 / 202 810."""
    assert nucleolus(tva_game()).amounts == pytest.approx([116_234, 93_540, 202_810])


def test_tva_scrb_follows_the_separable_costs_formula() -> None:
    """SCRB by hand: m = (45 214, 33 763, 110 977), r = (118 306, 107 063, 139 119),
    non-separable cost 222 630 split in proportion to r."""
    m = np.array([45_214, 33_763, 110_977.0])
    r = np.array([118_306, 107_063, 139_119.0])
    expected = m + r / r.sum() * 222_630
    assert scrb(tva_game()).amounts == pytest.approx(expected)
    assert core_test(tva_game(), scrb(tva_game())).in_core


def test_tva_core_is_not_empty() -> None:
    value = least_core(tva_game()).value
    assert value < 0
    assert core_test(tva_game(), nucleolus(tva_game())).in_core


def test_glove_game_nucleolus_is_the_single_core_point() -> None:
    """Glove market with one left and two right gloves: the core is {(1, 0, 0)} and so is
    the nucleolus (Maschler, Solan & Zamir 2013, Game Theory, ch. 17-20). Cost game c = −v."""
    worth = {1: 0, 2: 0, 4: 0, 3: 1, 5: 1, 6: 0, 7: 1}
    table = np.array([0.0] + [-float(worth[m]) for m in range(1, 8)])
    game = ExplicitGame(("L", "R1", "R2"), table)
    assert nucleolus(game).amounts == pytest.approx([-1, 0, 0], abs=1e-9)
    assert least_core(game).value == pytest.approx(0, abs=1e-9)
