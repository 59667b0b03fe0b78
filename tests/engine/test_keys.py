"""Clés de répartition: worked examples, one test per error, reconciliation properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutualis.engine.composed_keys import BoundedKey, CompositeKey
from mutualis.engine.errors import (
    EmptyPerimeter,
    EngineError,
    InfeasibleBounds,
    InvalidParameter,
    MissingAttribute,
    NegativeValue,
    UnknownMember,
    WeightsNotNormalised,
    ZeroWeights,
)
from mutualis.engine.explain import Explanation
from mutualis.engine.keys import (
    AttributeKey,
    EqualKey,
    FixedPlusVariableKey,
    MemberFacts,
    UnitsKey,
)


def member(code: str, population: int, km: str = "0") -> MemberFacts:
    return MemberFacts(
        code,
        f"Commune {code}",
        {"population_municipale": Decimal(population), "km_voirie": Decimal(km)},
    )


# Three communes of 1 000, 3 000 and 6 000 inhabitants, given out of code order.
MEMBERS = (member("64003", 3000, "12.5"), member("64001", 1000, "30"), member("64002", 6000, "7.5"))


def test_equal_key_gives_the_leftover_cent_to_the_first_code() -> None:
    """100,00 / 3 = 33,333…: each gets 33,33 and the cent left goes to 64001."""
    result = EqualKey().allocate("100", MEMBERS)
    assert result.amounts == {
        "64001": Decimal("33.34"),
        "64002": Decimal("33.33"),
        "64003": Decimal("33.33"),
    }
    assert [line.code for line in result.lines] == ["64001", "64002", "64003"]


def test_population_key_worked_example() -> None:
    """10 000 inhabitants in all; 1 000,00 € → 100,00 / 600,00 / 300,00 €."""
    result = AttributeKey("population_municipale").allocate("1000", MEMBERS)
    assert result.amounts == {
        "64001": Decimal("100.00"),
        "64002": Decimal("600.00"),
        "64003": Decimal("300.00"),
    }
    assert result.shares["64002"] == Decimal("0.6")
    text = result.explain().text()
    assert "6\u202f000 / 10\u202f000 × 1\u202f000,00\u00a0€" in text
    assert "population municipale" in text


def test_any_numeric_attribute_works() -> None:
    """km of roads 30 + 7,5 + 12,5 = 50; 500,00 € → 300,00 / 75,00 / 125,00 €."""
    result = AttributeKey("km_voirie").allocate("500", MEMBERS)
    assert result.amounts == {
        "64001": Decimal("300.00"),
        "64002": Decimal("75.00"),
        "64003": Decimal("125.00"),
    }


def test_units_key_absent_member_has_zero_units() -> None:
    """120 + 80 = 200 actes; 1 000,00 € → 600,00 / 400,00 / 0,00 €."""
    result = UnitsKey({"64001": 120, "64003": 80}, unit_label="actes").allocate("1000", MEMBERS)
    assert result.amounts == {
        "64001": Decimal("600.00"),
        "64002": Decimal("0.00"),
        "64003": Decimal("400.00"),
    }


def test_fixed_plus_variable_worked_example() -> None:
    """Fixed 100,00 € × 3 = 300,00; 700,00 left by population: 70 / 420 / 210.

    Amounts: 170,00 / 520,00 / 310,00 € (sum 1 000,00 €).
    """
    key = FixedPlusVariableKey("100", AttributeKey("population_municipale"))
    assert key.allocate("1000", MEMBERS).amounts == {
        "64001": Decimal("170.00"),
        "64002": Decimal("520.00"),
        "64003": Decimal("310.00"),
    }


def test_composite_worked_example() -> None:
    """50 % equal (500 / 3 = 166,666…) + 50 % population (50 / 300 / 150).

    Exact: 216,666… / 466,666… / 316,666… → floors 216,66 / 466,66 / 316,66 (999,98);
    two cents to the largest remainders, equal, so to 64001 and 64002 by code order.
    """
    key = CompositeKey(
        ((Decimal("0.5"), EqualKey()), (Decimal("0.5"), AttributeKey("population_municipale")))
    )
    assert key.allocate("1000", MEMBERS).amounts == {
        "64001": Decimal("216.67"),
        "64002": Decimal("466.67"),
        "64003": Decimal("316.66"),
    }


def test_caps_and_floors_redistribute_until_stable() -> None:
    """Population key on 1 000,00 €: 100 / 600 / 300; cap 400 on 64002, floor 150 for all.

    64002 capped at 400 and 64001 raised to 150: 64003 pays the rest, 1 000 − 550 = 450,
    which is within its bounds, so the procedure is stable.
    """
    key = BoundedKey(
        AttributeKey("population_municipale"), caps={"64002": "400"}, default_floor="150"
    )
    result = key.allocate("1000", MEMBERS)
    assert result.amounts == {
        "64001": Decimal("150.00"),
        "64002": Decimal("400.00"),
        "64003": Decimal("450.00"),
    }
    assert "plafond" in result.explain().text()


def test_cap_excess_cascades_to_a_second_cap() -> None:
    """Caps 350 on 64002 and 64003: after 64002 is capped (600 → 350), 64003 would get
    300 + 250 × 3/4 = 487,50 > 350, so it is capped too and 64001 pays 1 000 − 700 = 300."""
    key = BoundedKey(AttributeKey("population_municipale"), default_cap="350")
    assert key.allocate("1000", MEMBERS).amounts == {
        "64001": Decimal("300.00"),
        "64002": Decimal("350.00"),
        "64003": Decimal("350.00"),
    }


def test_every_result_explains_itself() -> None:
    explanation = EqualKey().allocate("10", MEMBERS).explain()
    assert isinstance(explanation, Explanation)
    assert explanation.as_dict()["title"] == explanation.title


# --- errors, one per case -------------------------------------------------------------


def test_empty_perimeter_is_an_error() -> None:
    with pytest.raises(EmptyPerimeter):
        EqualKey().allocate("10", ())


def test_repeated_member_code_is_an_error() -> None:
    with pytest.raises(EngineError, match="plusieurs fois"):
        EqualKey().allocate("10", (member("1", 1), member("1", 2)))


def test_negative_total_is_an_error() -> None:
    with pytest.raises(NegativeValue, match="négatif"):
        EqualKey().allocate("-10", MEMBERS)


def test_negative_attribute_is_an_error() -> None:
    with pytest.raises(NegativeValue, match="population municipale"):
        AttributeKey("population_municipale").allocate("10", (member("1", -5),))


def test_missing_attribute_is_an_error() -> None:
    with pytest.raises(MissingAttribute, match="agents"):
        AttributeKey("agents").allocate("10", MEMBERS)


def test_all_zero_weights_is_an_error() -> None:
    with pytest.raises(ZeroWeights, match="valeur nulle"):
        AttributeKey("population_municipale").allocate("10", (member("1", 0), member("2", 0)))


def test_negative_units_is_an_error() -> None:
    with pytest.raises(NegativeValue, match="unités"):
        UnitsKey({"64001": -1}).allocate("10", MEMBERS)


def test_unknown_member_in_units_is_an_error() -> None:
    with pytest.raises(UnknownMember, match="99999"):
        UnitsKey({"99999": 3}).allocate("10", MEMBERS)


def test_composite_weights_must_sum_to_one() -> None:
    key = CompositeKey(((Decimal("0.5"), EqualKey()), (Decimal("0.4"), EqualKey())))
    with pytest.raises(WeightsNotNormalised, match="100"):
        key.allocate("10", MEMBERS)


def test_fixed_parts_above_total_are_infeasible() -> None:
    with pytest.raises(InfeasibleBounds, match="parts fixes"):
        FixedPlusVariableKey("400", EqualKey()).allocate("1000", MEMBERS)


def test_caps_below_total_are_infeasible() -> None:
    with pytest.raises(InfeasibleBounds, match="somme des plafonds"):
        BoundedKey(EqualKey(), default_cap="300").allocate("1000", MEMBERS)


def test_floors_above_total_are_infeasible() -> None:
    with pytest.raises(InfeasibleBounds, match="somme des planchers"):
        BoundedKey(EqualKey(), default_floor="400").allocate("1000", MEMBERS)


def test_cap_below_floor_is_an_error() -> None:
    with pytest.raises(InvalidParameter, match="inférieur"):
        BoundedKey(EqualKey(), floors={"64001": "50"}, caps={"64001": "10"}).allocate(
            "100", MEMBERS
        )


def test_bound_for_unknown_member_is_an_error() -> None:
    with pytest.raises(UnknownMember):
        BoundedKey(EqualKey(), caps={"00000": "10"}).allocate("100", MEMBERS)


# --- properties -----------------------------------------------------------------------

totals = st.integers(min_value=0, max_value=10**10).map(lambda c: Decimal(c) / 100)
populations = st.lists(st.integers(min_value=0, max_value=500_000), min_size=1, max_size=25)


def members_for(values: list[int]) -> list[MemberFacts]:
    return [member(f"{i:05d}", p) for i, p in enumerate(values)]


@given(totals, populations)
def test_population_key_reconciles_and_is_deterministic(total: Decimal, pops: list[int]) -> None:
    if sum(pops) == 0 and total:
        return
    members = members_for(pops)
    key = AttributeKey("population_municipale")
    result = key.allocate(total, members)
    assert sum(result.amounts.values()) == total
    assert all(v >= 0 for v in result.amounts.values())
    assert result.amounts == key.allocate(total, list(reversed(members))).amounts


@given(totals, populations, st.integers(0, 24), st.integers(1, 100_000))
def test_population_key_is_monotone_in_a_members_weight(
    total: Decimal, pops: list[int], index: int, extra: int
) -> None:
    if sum(pops) == 0:
        return
    index %= len(pops)
    code = f"{index:05d}"
    bigger = list(pops)
    bigger[index] += extra
    key = AttributeKey("population_municipale")
    before = key.allocate(total, members_for(pops)).amounts[code]
    assert key.allocate(total, members_for(bigger)).amounts[code] >= before


@given(
    totals,
    populations,
    st.integers(min_value=1, max_value=100),
    st.integers(min_value=0, max_value=100),
)
def test_bounded_key_respects_caps_and_floors(
    total: Decimal, pops: list[int], cap_percent: int, floor_percent: int
) -> None:
    count = len(pops)
    cap = (total * cap_percent / 100).quantize(Decimal("0.01"))
    floor = min(cap, (total * floor_percent / 100 / count).quantize(Decimal("0.01")))
    key = BoundedKey(AttributeKey("population_municipale"), default_cap=cap, default_floor=floor)
    try:
        result = key.allocate(total, members_for(pops))
    except (InfeasibleBounds, ZeroWeights):
        positive = sum(1 for p in pops if p > 0)
        assert (
            floor * count > total
            or cap * positive + floor * (count - positive) < total
            or positive == 0
        )
        return
    amounts = result.amounts
    assert sum(amounts.values()) == total
    assert all(floor <= v <= cap for v in amounts.values())
