"""The exact simplex of `exact` against HiGHS (`cores`) on games of two to eight members.

The nucleolus and the prenucleolus are single points: both paths must give them to
10⁻⁹, and the exact one must satisfy Kohlberg's criterion (see test_nucleolus). The least
core is a set: both must give its value ε* to 10⁻⁹, and the exact point must reach it
exactly, in rationals. The games: every explicit game of tests/engine/games, and random
ones drawn by Hypothesis (empty cores, empty imputation sets, symmetric members, zero
costs, ties that make the programmes degenerate, pooled-service games).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutualis.engine.games import (
    EmptyImputationSet,
    ExplicitGame,
    allocate_costs,
    assess,
    exact,
    least_core,
    nucleolus,
    prenucleolus,
    small,
    to_explicit,
)
from mutualis.engine.games.stability import tolerance
from tests.engine.games.helpers import random_explicit_game, random_pooled_game, subadditive_game
from tests.engine.games.test_nucleolus import kohlberg

KINDS = ("random", "integers", "subadditive", "symmetric", "zeros", "dear", "pooled")


def drawn_table(kind: str, n: int, seed: int) -> np.ndarray:
    """A cost table of one kind; "dear" pools at more than everyone alone."""
    rng = np.random.default_rng(seed)
    if kind == "random":
        table = np.round(random_explicit_game(rng, n).table, 2)
    elif kind == "integers":  # many ties: degenerate programmes
        table = rng.integers(0, 4, size=1 << n).astype(float)
    elif kind == "subadditive":
        table = subadditive_game(rng, n).table
    elif kind == "symmetric":  # c(S) depends on |S| only, or on |S ∩ {0, 1}| and |S|
        by_size = np.round(rng.uniform(10, 100, size=n + 1) * np.arange(n + 1) ** 0.7, 2)
        extra = float(rng.integers(0, 2)) * 7.5
        table = np.array(
            [by_size[m.bit_count()] + extra * (m & 3).bit_count() for m in range(1 << n)]
        )
    elif kind == "zeros":
        table = np.round(random_explicit_game(rng, n).table, 0)
        table[rng.random(1 << n) < 0.5] = 0.0
    elif kind == "dear":
        table = np.round(random_explicit_game(rng, n).table, 2)
        table[-1] = sum(table[1 << i] for i in range(n)) + float(rng.integers(1, 50))
    else:
        table = to_explicit(random_pooled_game(rng, n)).table
    table[0] = 0.0
    return table


def players(n: int) -> tuple[str, ...]:
    return tuple(f"P{i}" for i in range(n))


def excess_top(table: tuple[float, ...], amounts: tuple[Fraction, ...]) -> Fraction:
    """max over ∅ ≠ S ≠ N of x(S) − c(S), in rationals."""
    n = len(amounts)
    sums = [Fraction(0)]
    for amount in amounts:
        sums += [s + amount for s in sums]
    proper = range(1, (1 << n) - 1)
    return max((sums[m] - exact.rational(table[m]) for m in proper), default=Fraction(0))


def assert_agrees_with_highs(table: np.ndarray) -> None:
    n = int(table.size).bit_length() - 1
    game = ExplicitGame(players(n), table)
    costs = tuple(float(c) for c in table)
    near = {"rel": 1e-12, "abs": 1e-9}

    pre = exact.prenucleolus(costs)
    assert pre.floats() == pytest.approx(list(prenucleolus(game).amounts), **near)
    assert sum(pre.amounts) == exact.rational(costs[-1])
    assert kohlberg(game, np.array(pre.floats()), imputations=False)

    core = exact.least_core(costs)
    assert float(core.value) == pytest.approx(least_core(game).value, **near)
    assert sum(core.amounts) == exact.rational(costs[-1])
    assert excess_top(costs, core.amounts) == core.value

    try:
        reference = nucleolus(game).amounts
    except EmptyImputationSet as caught:
        with pytest.raises(exact.EmptyImputationSet) as ours:
            exact.nucleolus(costs, tolerance(game))
        assert ours.value.message == caught.message
        return
    found = exact.nucleolus(costs, tolerance(game))
    assert found.floats() == pytest.approx(list(reference), **near)
    assert kohlberg(game, np.array(found.floats()), imputations=True)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_exact_and_highs_agree_on_games_of_each_kind(kind: str, n: int) -> None:
    for seed in range(3):
        assert_agrees_with_highs(drawn_table(kind, n, seed))


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(KINDS),
    st.integers(min_value=2, max_value=small.SMALL_PLAYERS),
    st.integers(min_value=0, max_value=2**32 - 1),
)
def test_exact_and_highs_agree_on_random_games_up_to_eight_members(
    kind: str, n: int, seed: int
) -> None:
    assert_agrees_with_highs(drawn_table(kind, n, seed))


TEXTBOOK = {
    "glove market (test_textbook)": [0.0, 0, 0, -1, 0, -1, 0, -1],
    "prenucleolus above the stand-alone cost (test_nucleolus)": [0.0, 10, 10, 20, 10, 20, 5, 24],
    "three identical members (test_nucleolus)": [0.0, 10, 10, 15, 10, 15, 15, 20],
    "pooling dearer than alone (test_nucleolus)": [0.0, 10, 10, 30],
    "every cost zero": [0.0] * 16,
    "one member alone": [0.0, 42.5],
}


@pytest.mark.parametrize("table", TEXTBOOK.values(), ids=TEXTBOOK.keys())
def test_exact_and_highs_agree_on_the_games_of_the_other_tests(table: list[float]) -> None:
    assert_agrees_with_highs(np.array(table))


@pytest.mark.parametrize("seed", range(12))
def test_exact_and_highs_agree_on_the_games_of_the_kohlberg_tests(seed: int) -> None:
    """The three families of test_nucleolus (`_games`), at the sizes it draws."""
    rng = np.random.default_rng(seed)
    n = 2 + seed % 5
    kind = seed % 3
    if kind == 0:
        game = subadditive_game(rng, n)
    elif kind == 1:
        game = random_explicit_game(rng, n)
    else:
        game = to_explicit(random_pooled_game(rng, n))
    assert_agrees_with_highs(game.table)


def test_worked_example_exactly() -> None:
    """c(i) = 10, c(12) = c(13) = 20, c(23) = 5, c(N) = 24 (worked in test_nucleolus):
    prenucleolus (29/2, 19/4, 19/4), nucleolus (10, 7, 7), least-core value 9/2 (the
    largest excesses e({1}) = 14 − 2b and e({2,3}) = 2b − 5 meet at b = 19/4)."""
    table = (0.0, 10, 10, 20, 10, 20, 5, 24)
    assert exact.prenucleolus(table).amounts == (Fraction(29, 2), Fraction(19, 4), Fraction(19, 4))
    assert exact.nucleolus(table, 1e-6).amounts == (10, 7, 7)
    assert exact.least_core(table).value == Fraction(9, 2)


def test_costs_are_read_as_the_decimals_they_print_as() -> None:
    assert exact.rational(0.1) == Fraction(1, 10)
    assert exact.rational(120.35) == Fraction(12035, 100)
    table = (0.0, 0.1, 0.2, 0.3)
    assert exact.prenucleolus(table).amounts == (Fraction(1, 10), Fraction(2, 10))


def test_within_the_tolerance_an_empty_imputation_set_gives_its_nearest_point() -> None:
    table = (0.0, 10.0, 10.0, 20.000_000_5)
    found = exact.nucleolus(table, 1e-6)
    assert found.amounts == (Fraction(400000010, 40000000),) * 2
    assert found.levels == 0


@pytest.mark.parametrize("method", small.LINEAR)
@pytest.mark.parametrize("kind", ["symmetric", "random", "pooled"])
def test_the_cents_are_those_of_the_highs_path(method: str, kind: str) -> None:
    """Same cents, equal members paying equal cents (spare cents in member order)."""
    for seed in range(4):
        n = 3 + seed
        table = drawn_table(kind, n, seed)
        game = ExplicitGame(players(n), table)
        tiny = small.SmallGame(game.players, tuple(float(c) for c in table))
        try:
            reference = assess(game, allocate_costs(game, method))
        except EmptyImputationSet:
            continue
        ours = small.solve(tiny, method)
        if method == "least-core":  # a set: the two points may differ
            continue
        assert ours.amounts == reference.amounts
        if kind == "symmetric":  # members 0 and 1 alike, and 2, 3… alike
            cents = list(ours.amounts.values())
            for group in (cents[:2], cents[2:]):
                assert group == sorted(group, reverse=True)
                assert group[0] - group[-1] <= Decimal("0.01")
