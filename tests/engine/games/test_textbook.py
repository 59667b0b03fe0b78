"""Games from the literature with their published values.

The Tennessee Valley Authority example (Straffin & Heaney 1981) that used to be here was
cited from memory; its coalition costs could not be checked against a published source,
so it was removed (issue 11).
"""

from __future__ import annotations

import numpy as np
import pytest

from mutualis.engine.games import ExplicitGame, least_core, nucleolus


def test_glove_game_nucleolus_is_the_single_core_point() -> None:
    """Glove market with one left and two right gloves: the core is {(1, 0, 0)} and so is
    the nucleolus (Maschler, Solan & Zamir 2013, Game Theory, ch. 17-20). Cost game c = −v."""
    worth = {1: 0, 2: 0, 4: 0, 3: 1, 5: 1, 6: 0, 7: 1}
    table = np.array([0.0] + [-float(worth[m]) for m in range(1, 8)])
    game = ExplicitGame(("L", "R1", "R2"), table)
    assert nucleolus(game).amounts == pytest.approx([-1, 0, 0], abs=1e-9)
    assert least_core(game).value == pytest.approx(0, abs=1e-9)
