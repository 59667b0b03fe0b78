"""Money: Decimal construction, French display, exact splits and instalments."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutualis.engine.errors import EngineError, NegativeValue, ZeroWeights
from mutualis.engine.money import (
    NBSP,
    NNBSP,
    D,
    allocate,
    format_euros,
    format_number,
    format_percent,
    instalments,
    to_cents,
)

cents = st.integers(min_value=0, max_value=10**11).map(lambda c: Decimal(c) / 100)
weights = st.lists(
    st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False), min_size=1, max_size=30
)


def test_d_builds_exact_decimals_from_french_text() -> None:
    assert D("1 234,56") == Decimal("1234.56")
    assert D(0.1) == Decimal("0.1")


def test_d_refuses_non_numbers_in_french() -> None:
    with pytest.raises(EngineError, match="n'est pas un nombre"):
        D("abc")


def test_to_cents_rounds_half_up() -> None:
    assert to_cents("0.005") == Decimal("0.01")
    assert to_cents("2.675") == Decimal("2.68")


def test_format_euros_and_numbers_use_french_spaces() -> None:
    assert format_euros("412318") == f"412{NNBSP}318,00{NBSP}€"
    assert format_number("1873") == f"1{NNBSP}873"
    assert format_number("0.125", 2) == "0,13"
    assert format_percent("0.12345") == f"12,35{NBSP}%"


def test_allocate_hands_leftover_cents_to_largest_remainders_then_code_order() -> None:
    """100,00 € in thirds: 33,33 each and one cent left, to the first code (A)."""
    assert allocate("100", {"A": 1, "B": 1, "C": 1}) == {
        "A": Decimal("33.34"),
        "B": Decimal("33.33"),
        "C": Decimal("33.33"),
    }


def test_allocate_errors() -> None:
    with pytest.raises(ZeroWeights):
        allocate("10", {"A": 0, "B": 0})
    with pytest.raises(NegativeValue):
        allocate("10", {"A": -1, "B": 2})


def test_instalments_worked_example() -> None:
    """1 000,00 € over 12 months: 83,33 × 12 = 999,96, the 4 cents left go to months 1-4."""
    parts = instalments("1000", 12)
    assert parts[:4] == (Decimal("83.34"),) * 4
    assert parts[4:] == (Decimal("83.33"),) * 8


def test_instalments_of_a_refund_are_negative() -> None:
    assert instalments("-100", 3) == (Decimal("-33.34"), Decimal("-33.33"), Decimal("-33.33"))


def test_instalments_need_at_least_one_period() -> None:
    with pytest.raises(EngineError, match="échéances"):
        instalments("100", 0)


@given(cents, weights)
def test_allocations_sum_exactly_and_are_never_negative(total: Decimal, ws: list[Decimal]) -> None:
    keyed = {f"M{i:03d}": w for i, w in enumerate(ws)}
    if sum(ws) == 0 and total != 0:
        return
    result = allocate(total, keyed)
    assert sum(result.values()) == total
    assert all(v >= 0 for v in result.values())
    assert result == allocate(total, keyed)


@given(cents, weights, st.integers(min_value=0, max_value=29), st.decimals(0, 1000, places=2))
def test_allocation_is_monotone_in_a_members_weight(
    total: Decimal, ws: list[Decimal], index: int, extra: Decimal
) -> None:
    index %= len(ws)
    before = {f"M{i:03d}": w for i, w in enumerate(ws)}
    if sum(ws) == 0:
        return
    after = dict(before)
    after[f"M{index:03d}"] += extra
    key = f"M{index:03d}"
    assert allocate(total, after)[key] >= allocate(total, before)[key]


@given(st.integers(-(10**9), 10**9).map(lambda c: Decimal(c) / 100), st.integers(1, 12))
def test_instalments_sum_to_the_amount(amount: Decimal, count: int) -> None:
    parts = instalments(amount, count)
    assert len(parts) == count
    assert sum(parts) == amount
    assert max(parts) - min(parts) <= Decimal("0.01")
