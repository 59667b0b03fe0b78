"""Months added and elapsed, the calendar helpers of conventions and operations."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from mutualis.engine.dates import add_months, months_between


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 12, 31), -3) == date(2025, 9, 30)
    assert add_months(date(2025, 11, 15), 2) == date(2026, 1, 15)


def test_months_between_counts_whole_months():
    assert months_between(date(2026, 1, 15), date(2026, 3, 14)) == 1
    assert months_between(date(2026, 1, 15), date(2026, 3, 15)) == 2
    assert months_between(date(2026, 1, 1), date(2026, 1, 1)) == 0


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 1, 1)), st.integers(0, 600))
def test_adding_then_counting_gives_the_months_back(start, months):
    assert months_between(start, add_months(start, months)) == months or start.day > 28
