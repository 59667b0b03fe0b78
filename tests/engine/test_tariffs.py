"""Catalogue tariffs and monthly proration, worked by hand at the edges."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutualis.engine.errors import InvalidParameter, NegativeValue
from mutualis.engine.tariffs import (
    Band,
    BandMode,
    BandTariff,
    Bounds,
    FlatTariff,
    InvalidPeriod,
    OverlappingBands,
    PerInhabitantTariff,
    PerUserTariff,
    PopulationOutsideBands,
    TariffInput,
    active_months,
    prorate_by_month,
)

BANDS = (
    Band(0, 2000, Decimal("1.50")),
    Band(2000, 10000, Decimal("1.00")),
    Band(10000, None, Decimal("0.50")),
)
FLAT_BANDS = (
    Band(0, 2000, Decimal("800")),
    Band(2000, 10000, Decimal("2500")),
    Band(10000, None, Decimal("6000")),
)


def pop(n: int, users: int = 0) -> TariffInput:
    return TariffInput(population=n, users=users)


def test_flat_tariff_ignores_population() -> None:
    assert FlatTariff(Decimal("1200")).price(pop(50000)).amount == Decimal("1200.00")


def test_per_inhabitant_rounds_once_to_the_cent() -> None:
    """0,123 €/hab. × 1 873 hab. = 230,379 → 230,38 €."""
    assert PerInhabitantTariff(Decimal("0.123")).price(pop(1873)).amount == Decimal("230.38")


def test_per_user_with_minimum_and_maximum() -> None:
    tariff = PerUserTariff(Decimal("40"), Bounds(Decimal("200"), Decimal("1000")))
    assert tariff.price(pop(0, users=2)).amount == Decimal("200.00")  # 80 → minimum
    assert tariff.price(pop(0, users=10)).amount == Decimal("400.00")
    result = tariff.price(pop(0, users=30))  # 1 200 → capped
    assert result.amount == Decimal("1000.00")
    assert "Plafond" in result.explain().text()


@pytest.mark.parametrize(
    ("population", "expected"),
    [(0, "800"), (1999, "800"), (2000, "2500"), (2001, "2500"), (9999, "2500"), (10000, "6000")],
)
def test_flat_bands_at_their_edges(population: int, expected: str) -> None:
    tariff = BandTariff(FLAT_BANDS, BandMode.FLAT)
    assert tariff.price(pop(population)).amount == Decimal(expected)


@pytest.mark.parametrize(
    ("population", "expected"),
    [
        (1999, "2998.50"),  # 1 999 × 1,50
        (2000, "3000.00"),  # 2 000 × 1,50
        (2001, "3001.00"),  # 3 000 + 1 × 1,00
        (10000, "11000.00"),  # 3 000 + 8 000 × 1,00
        (10001, "11000.50"),  # + 1 × 0,50
    ],
)
def test_progressive_bands_at_their_edges(population: int, expected: str) -> None:
    tariff = BandTariff(BANDS, BandMode.PROGRESSIVE)
    assert tariff.price(pop(population)).amount == Decimal(expected)


def test_progressive_explanation_lists_each_band() -> None:
    text = BandTariff(BANDS, BandMode.PROGRESSIVE).price(pop(10001)).explain().text()
    assert "1,5 €/hab. × 2 000 hab." in text.replace("\u202f", " ")
    assert "10 000 hab. et plus" in text.replace("\u202f", " ")


def test_overlapping_bands_are_refused() -> None:
    with pytest.raises(OverlappingBands, match="chevauchent"):
        BandTariff((Band(0, 2000, Decimal(1)), Band(1500, None, Decimal(1))))
    with pytest.raises(OverlappingBands):
        BandTariff((Band(0, None, Decimal(1)), Band(5000, None, Decimal(1))))


def test_band_gap_is_an_error_in_flat_mode_only() -> None:
    bands = (Band(0, 1000, Decimal(100)), Band(2000, None, Decimal(300)))
    with pytest.raises(PopulationOutsideBands, match="1\u202f500"):
        BandTariff(bands, BandMode.FLAT).price(pop(1500))
    assert BandTariff(bands, BandMode.PROGRESSIVE).price(pop(1500)).amount == Decimal("100000.00")


def test_bad_parameters_are_refused_in_french() -> None:
    with pytest.raises(NegativeValue):
        FlatTariff(Decimal("-1"))
    with pytest.raises(InvalidParameter, match="minimum"):
        Bounds(Decimal(10), Decimal(5))
    with pytest.raises(InvalidParameter, match="seuil haut"):
        BandTariff((Band(100, 100, Decimal(1)),))


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2026, 1, 31), date(2026, 2, 1), (1, 2)),
        (date(2026, 3, 1), date(2026, 3, 31), (3,)),
        (date(2025, 12, 31), None, tuple(range(1, 13))),
        (date(2026, 12, 31), None, (12,)),
        (date(2025, 1, 1), date(2025, 12, 31), ()),
        (date(2026, 6, 30), date(2026, 7, 1), (6, 7)),
    ],
)
def test_active_months_at_month_edges(start: date, end: date | None, months: tuple) -> None:
    assert active_months(2026, start, end) == months


def test_proration_of_a_full_year_is_the_yearly_amount() -> None:
    """100,00 € / 12 = 8,33 × 12 = 99,96; the 4 cents left go to January–April."""
    result = prorate_by_month(Decimal("100"), 2026, date(2026, 1, 1), None)
    assert result.amount == Decimal("100.00")
    march_only = prorate_by_month(Decimal("100"), 2026, date(2026, 3, 15), date(2026, 3, 16))
    assert march_only.amount == Decimal("8.34")
    may_only = prorate_by_month(Decimal("100"), 2026, date(2026, 5, 1), date(2026, 5, 31))
    assert may_only.amount == Decimal("8.33")


def test_subscription_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidPeriod, match="avant son début"):
        prorate_by_month(Decimal("100"), 2026, date(2026, 5, 1), date(2026, 4, 30))


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.decimals(min_value=0, max_value=10**7, places=2),
    st.sets(st.integers(1, 12), min_size=1, max_size=12),
)
def test_twelfths_of_complementary_periods_sum_to_the_year(yearly, cut) -> None:
    """Months split between two subscribers reconcile to the yearly amount."""
    first = sum(
        (prorate_by_month(yearly, 2026, date(2026, m, 1), date(2026, m, 1)).amount for m in cut),
        Decimal(0),
    )
    rest = sum(
        (
            prorate_by_month(yearly, 2026, date(2026, m, 1), date(2026, m, 28)).amount
            for m in range(1, 13)
            if m not in cut
        ),
        Decimal(0),
    )
    assert first + rest == yearly.quantize(Decimal("0.01"))


@given(st.integers(0, 200000), st.integers(0, 200000))
def test_progressive_bands_are_monotonic(a: int, b: int) -> None:
    tariff = BandTariff(BANDS, BandMode.PROGRESSIVE)
    low, high = sorted((a, b))
    assert tariff.price(pop(low)).amount <= tariff.price(pop(high)).amount


@given(st.integers(0, 200000), st.integers(0, 5000))
def test_bounds_always_hold(population: int, users: int) -> None:
    bounds = Bounds(Decimal("150"), Decimal("4000"))
    for tariff in (
        PerInhabitantTariff(Decimal("0.35"), bounds),
        PerUserTariff(Decimal("12"), bounds),
        BandTariff(BANDS, BandMode.PROGRESSIVE, bounds),
    ):
        amount = tariff.price(pop(population, users)).amount
        assert Decimal("150") <= amount <= Decimal("4000")


def test_quarters_of_a_subscription_add_up_to_its_year() -> None:
    """Start 15 February: 11 months of 1 000,00 € (83,34 × 4 + 83,33 × 8, Jan unbilled)."""
    start = date(2026, 2, 15)
    year = prorate_by_month(Decimal("1000"), 2026, start, None).amount
    quarters = [
        prorate_by_month(Decimal("1000"), 2026, start, None, within=months).amount
        for months in ((1, 2, 3), (4, 5, 6), (7, 8, 9), (10, 11, 12))
    ]
    assert quarters[0] == Decimal("166.68")
    assert sum(quarters) == year == Decimal("916.66")
