"""Annualised equipment cost for the CLECT (CGI art. 1609 nonies C)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mutualis.engine.annualised import (
    Equipment,
    Method,
    annualised_cost,
    annualised_costs,
    annuity_factor,
)
from mutualis.engine.errors import InvalidParameter, NegativeValue

POOL = Equipment(
    "Piscine intercommunale",
    cost=Decimal("1200000"),
    useful_life_years=25,
    subsidies=Decimal("200000"),
    financial_charges_per_year=Decimal("15000"),
    upkeep_per_year=Decimal("80000"),
)


def test_straight_line_worked_example() -> None:
    """(1 200 000 − 200 000) / 25 = 40 000; + 15 000 interest + 80 000 upkeep = 135 000 €."""
    result = annualised_cost(POOL)
    assert result.net_cost == Decimal("1000000.00")
    assert result.capital_per_year == Decimal("40000.00")
    assert result.annual_cost == Decimal("135000.00")
    text = result.explain().text()
    assert "CGI art. 1609 nonies C" in text
    assert "1\u202f000\u202f000,00\u00a0€ / 25 ans" in text


def test_constant_annuity_worked_example() -> None:
    """1 000 000 × 0,03 / (1 − 1,03^−25): 1,03^25 = 2,093778, 1/… = 0,477606,
    0,03 / 0,522394 = 0,0574279 → 57 427,87 €; + 80 000 upkeep = 137 427,87 €."""
    equipment = Equipment(
        "Piscine", Decimal("1200000"), 25, Decimal("200000"), upkeep_per_year=Decimal("80000")
    )
    result = annualised_cost(equipment, Method.ANNUITY, Decimal("0.03"))
    assert result.capital_per_year == Decimal("57427.87")
    assert result.annual_cost == Decimal("137427.87")
    assert "Annuité constante" in result.explain().text()


def test_annuity_at_zero_rate_is_straight_line() -> None:
    assert annuity_factor(0, 4) == Decimal("0.25")


def test_several_equipments_add_up() -> None:
    total = annualised_costs([POOL, POOL])
    assert total.annual_cost == Decimal("270000.00")
    assert "Total des charges annualisées" in total.explain().text()


def test_subsidies_above_cost_are_an_error() -> None:
    with pytest.raises(NegativeValue, match="subventions"):
        annualised_cost(Equipment("Gymnase", Decimal(100), 10, subsidies=Decimal(200)))


def test_negative_upkeep_is_an_error() -> None:
    with pytest.raises(NegativeValue, match="entretien"):
        annualised_cost(Equipment("Gymnase", Decimal(100), 10, upkeep_per_year=Decimal(-1)))


def test_zero_useful_life_is_an_error() -> None:
    with pytest.raises(InvalidParameter, match="durée normale"):
        annualised_cost(Equipment("Gymnase", Decimal(100), 0))


def test_rate_at_minus_100_percent_is_an_error() -> None:
    with pytest.raises(InvalidParameter, match="taux"):
        annualised_cost(Equipment("Gymnase", Decimal(100), 10), Method.ANNUITY, -1)


def test_financial_charges_with_annuity_are_an_error() -> None:
    with pytest.raises(InvalidParameter, match="compris dans l'annuité"):
        annualised_cost(POOL, Method.ANNUITY, Decimal("0.03"))
