"""Multi-year projection: indexation, one-off costs, cumulative savings, payback, NPV."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mutualis.engine.errors import InvalidParameter, NegativeValue
from mutualis.engine.projection import OneOffCost, project

BEFORE = {"personnel": Decimal(400000), "autre": Decimal(100000)}
AFTER = {"personnel": Decimal(360000), "autre": Decimal(90000)}
RATES = {"personnel": Decimal("0.025"), "autre": Decimal("0.02")}


def test_projection_worked_example() -> None:
    """Before 2026: 500 000; 2027: 400 000 × 1,025 + 100 000 × 1,02 = 512 000.
    After 2026: 450 000; 2027: 369 000 + 91 800 = 460 800.
    2026 savings 50 000 − 80 000 migration = −30 000; 2027: 51 200, cumul 21 200 → payback
    2027. 2028: before 420 250 + 104 040 = 524 290, after 378 225 + 93 636 = 471 861,
    savings 52 429. NPV at 4 %: −30 000 + 51 200 / 1,04 + 52 429 / 1,0816
    = −30 000 + 49 230,769… + 48 473,558… = 67 704,33 €.
    """
    result = project(
        [2026, 2027, 2028],
        BEFORE,
        AFTER,
        indexation=RATES,
        one_offs=[OneOffCost(2026, "Migration du système d'information", Decimal(80000))],
        discount_rate=Decimal("0.04"),
    )
    rows = result.rows
    assert [r.before for r in rows] == [
        Decimal("500000.00"),
        Decimal("512000.00"),
        Decimal("524290.00"),
    ]
    assert [r.after for r in rows] == [
        Decimal("450000.00"),
        Decimal("460800.00"),
        Decimal("471861.00"),
    ]
    assert [r.savings for r in rows] == [
        Decimal("-30000.00"),
        Decimal("51200.00"),
        Decimal("52429.00"),
    ]
    assert rows[-1].cumulative_savings == Decimal("73629.00")
    assert result.payback_year == 2027
    assert result.net_present_value == Decimal("67704.33")
    assert "Valeur actuelle nette" in result.explain().text()


def test_default_rate_applies_to_unlisted_categories() -> None:
    """No rate for « autre »: the default 10 % gives 100 000 × 1,1 = 110 000 in 2027."""
    result = project([2026, 2027], {"autre": 100000}, {}, default_rate=Decimal("0.1"))
    assert result.rows[1].before == Decimal("110000.00")


def test_payback_is_none_when_savings_never_cover_one_offs() -> None:
    result = project(
        [2026, 2027], {"x": 100}, {"x": 90}, one_offs=[OneOffCost(2026, "Formation", Decimal(50))]
    )
    assert result.payback_year is None
    assert "non atteinte" in result.explain().text()


def test_base_year_before_horizon_indexes_from_it() -> None:
    """Costs of 2025 at +2 %: 2027 is 100 × 1,02² = 104,04."""
    result = project([2027], {"x": 100}, {}, indexation={"x": "0.02"}, base_year=2025)
    assert result.rows[0].before == Decimal("104.04")


def test_empty_horizon_is_an_error() -> None:
    with pytest.raises(InvalidParameter, match="aucune année"):
        project([], BEFORE, AFTER)


def test_years_out_of_order_are_an_error() -> None:
    with pytest.raises(InvalidParameter, match="croissantes"):
        project([2027, 2026], BEFORE, AFTER)


def test_one_off_outside_horizon_is_an_error() -> None:
    with pytest.raises(InvalidParameter, match="hors de l'horizon"):
        project([2026], BEFORE, AFTER, one_offs=[OneOffCost(2030, "Formation", Decimal(1))])


def test_negative_cost_is_an_error() -> None:
    with pytest.raises(NegativeValue, match="personnel"):
        project([2026], {"personnel": -1}, AFTER)


def test_discount_rate_at_minus_100_percent_is_an_error() -> None:
    with pytest.raises(InvalidParameter, match="actualisation"):
        project([2026], BEFORE, AFTER, discount_rate=-1)
