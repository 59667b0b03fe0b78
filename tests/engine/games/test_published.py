"""Allocations checked against published tables, each figure copied from a cited source.

Source of the Swedish example: H. P. Young, N. Okada and T. Hashimoto, "Cost Allocation
in Water Resources Development — A Case Study of Sweden", IIASA Working Paper
WP-79-77, September 1979 (http://pure.iiasa.ac.at/1106/; later in Water Resources
Research 18(3), 1982). Six municipalities of Skåne: A, H, K, L, M, T; amounts in millions
of Swedish crowns.

- Table 8, "Individual and Marginal Costs for Swedish Example": the individual
  alternative cost c({i}) and the marginal cost c(N) − c(N∖i) of each municipality;
- Table 7, "Cost Allocations of 83.82 Million Crowns by Seven Methods": c(N) = 83.82 and
  the row "S.C.R.B.".

The figures were read in the text of the working paper as reproduced at
https://9dok.net/article/comparison-methods-allocation-water-resources-development-study-sweden.yj75e485
(section "Comparison of methods", Tables 7 and 8) and
https://paperzz.com/doc/6944954/cost-allocation-in-water-resources-development.

SCRB needs nothing else: m_i = c(N) − c(N∖i) is the marginal cost of Table 8. The
paper's cost of every other coalition (needed for its Shapley and nucleolus rows) could
not be found in a source that could be checked, so those rows are not tested here.
"""

from __future__ import annotations

import numpy as np
import pytest

from mutualis.engine.games import OracleGame, scrb, separable_costs, small

SWEDEN = ("A", "H", "K", "L", "M", "T")
GRAND_COST = 83.82
"""Table 7, title: the total cost allocated, in millions of crowns."""
INDIVIDUAL = (21.95, 17.08, 10.91, 15.88, 20.81, 21.98)
"""Table 8, row "Individual Alternative Costs"."""
MARGINAL = (17.36, 9.85, 0.82, 6.40, 12.90, 14.06)
"""Table 8, row "Marginal Costs" (c(N) − c(N∖i))."""
PUBLISHED_SCRB = (19.54, 13.28, 5.62, 10.90, 16.66, 17.82)
"""Table 7, row "S.C.R.B."."""
ROUNDING = 0.01
"""The inputs are published to the hundredth: the recomputed shares may differ from the
published ones by one unit of the last digit (K: 5.613 here, 5.62 in the paper)."""


def sweden_game() -> OracleGame:
    """c({i}), c(N∖i) and c(N) from Tables 7 and 8; no other coalition is published."""
    n = len(SWEDEN)
    known = {frozenset([i]): cost for i, cost in enumerate(INDIVIDUAL)}
    known |= {
        frozenset(range(n)) - {i}: GRAND_COST - marginal for i, marginal in enumerate(MARGINAL)
    }
    known[frozenset(range(n))] = GRAND_COST

    def cost(membership: np.ndarray) -> np.ndarray:
        return np.array(
            [known.get(frozenset(np.flatnonzero(row).tolist()), np.nan) for row in membership]
        )

    return OracleGame(SWEDEN, cost)


def test_the_marginal_costs_are_the_separable_costs() -> None:
    assert separable_costs(sweden_game()) == pytest.approx(MARGINAL, abs=1e-12)


def test_scrb_reproduces_the_published_swedish_row() -> None:
    amounts = scrb(sweden_game()).amounts
    assert np.all(np.isfinite(amounts))
    assert amounts.sum() == pytest.approx(GRAND_COST, abs=1e-9)
    assert amounts == pytest.approx(PUBLISHED_SCRB, abs=ROUNDING)
    # By hand: non-separable cost 83.82 − 61.39 = 22.43, remaining benefits
    # r = c({i}) − m_i = (4.59, 7.23, 10.09, 9.48, 7.91, 7.92), Σ r = 47.22.
    remaining = np.array([4.59, 7.23, 10.09, 9.48, 7.91, 7.92])
    assert amounts == pytest.approx(np.array(MARGINAL) + remaining / 47.22 * 22.43, abs=1e-9)


def test_scrb_charges_no_municipality_more_than_its_alternative() -> None:
    assert np.all(scrb(sweden_game()).amounts <= np.array(INDIVIDUAL))


def test_the_small_path_gives_the_same_swedish_row() -> None:
    n = len(SWEDEN)
    table = [float("nan")] * (1 << n)
    table[0] = 0.0
    full = (1 << n) - 1
    for i in range(n):
        table[1 << i] = INDIVIDUAL[i]
        table[full ^ (1 << i)] = GRAND_COST - MARGINAL[i]
    table[full] = GRAND_COST
    amounts, _ = small.scrb_amounts(small.SmallGame(SWEDEN, tuple(table)))
    assert amounts == pytest.approx(list(scrb(sweden_game()).amounts), rel=1e-12)
