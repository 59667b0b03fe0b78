"""Coalitions priced honestly: pooling versus alone, and dearer-than-split coalitions."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from mutualis.engine.games import ExplicitGame, PooledCost, PooledMember, PooledServiceGame
from mutualis.engine.games.model import TooManyPlayers
from mutualis.engine.games.pricing import cover_table, pricing_check, subadditive_cover
from tests.engine.games.helpers import random_explicit_game, random_pooled_game


@pytest.mark.parametrize("n", [2, 3, 5, 7])
def test_cover_is_the_cheapest_partition(n: int) -> None:
    game = random_explicit_game(np.random.default_rng(n), n)

    @cache
    def brute(mask: int) -> float:
        best = float(game.table[mask])
        sub = (mask - 1) & mask
        while sub:
            best = min(best, brute(sub) + brute(mask ^ sub))
            sub = (sub - 1) & mask
        return best

    cover = cover_table(game.table, n)
    assert cover[1:] == pytest.approx([brute(m) for m in range(1, 1 << n)])
    assert subadditive_cover(game).table == pytest.approx(cover)


def test_overpriced_coalitions_are_named_with_their_split() -> None:
    """c(A) = 10, c(B) = 10, c(C) = 10, c(AB) = 25 (> 20), c(AC) = 15, c(BC) = 15,
    c(ABC) = 40 (> c(AC) + c(B) = 25). Pooling does not save: 40 > 30."""
    costs = {"A": 10, "B": 10, "C": 10, "A+B": 25, "A+C": 15, "B+C": 15, "A+B+C": 40}
    game = ExplicitGame.from_mapping(
        ("A", "B", "C"), {frozenset(k.split("+")): v for k, v in costs.items()}
    )
    check = pricing_check(game)
    assert check.scope == "all"
    assert not check.pooling_saves
    assert check.overpriced_count == 2
    assert check.worst[0].coalition == ("A", "B", "C")
    assert check.worst[0].split_cost == 25
    assert sorted(check.worst[0].split) == [("A", "C"), ("B",)]
    assert check.worst[1].coalition == ("A", "B")
    text = check.explain().text()
    assert "non, surcoût 10,00\u00a0€" in text
    assert "{A, B, C}" in text
    assert subadditive_cover(game).grand_cost() == 25


def test_pairs_at_158_members_match_the_explicit_costs() -> None:
    game = random_pooled_game(np.random.default_rng(7), 158)
    check = pricing_check(game)
    assert check.scope == "pairs"
    for item in check.worst:
        i, j = (game.players.index(p) for p in item.coalition)
        membership = np.zeros((1, 158), dtype=np.bool_)
        membership[0, [i, j]] = True
        assert item.cost == pytest.approx(float(game.costs(membership)[0]))
        assert item.split_cost == pytest.approx(game.standalone()[[i, j]].sum())


def test_an_honest_pooled_game_reports_nothing() -> None:
    service = PooledCost(fixed=1000, cost_per_etp=40000, productivity=100, step="0.5")
    members = [PooledMember(f"M{i}", 30000.0, 50) for i in range(5)]
    check = pricing_check(PooledServiceGame.build(members, service))
    assert check.pooling_saves
    assert check.overpriced_count == 0
    assert "tarification cohérente" in check.explain().text()


def test_cover_is_refused_above_16_members() -> None:
    with pytest.raises(TooManyPlayers, match="16 membres"):
        subadditive_cover(random_pooled_game(np.random.default_rng(1), 17))
