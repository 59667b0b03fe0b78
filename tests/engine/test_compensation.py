"""Service commun charged on the attribution de compensation (CGI art. 1609 nonies C).

The worked example of docs/engine.md, reproduced by hand below.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutualis.engine.compensation import ac_balance, ac_deduction
from mutualis.engine.errors import InvalidParameter, NegativeValue, UnknownMember

WEIGHTS = {"C1": 7, "C2": 5, "C3": 3}
ATTRIBUTIONS = {"C1": Decimal("300000"), "C2": Decimal("85000"), "C3": Decimal("10000")}
NAMES = {"C1": "Commune 1", "C2": "Commune 2", "C3": "Commune 3"}
CONVENTION = "convention du service commun RH du 12/12/2025, article 6"


def deduction():  # type: ignore[no-untyped-def]
    return ac_deduction(
        2026,
        Decimal("120000"),
        WEIGHTS,
        ATTRIBUTIONS,
        convention=CONVENTION,
        names=NAMES,
        key_label="agents gérés",
    )


def test_worked_example_by_hand() -> None:
    """120 000 € by agents 7 / 5 / 3 (15): 56 000, 40 000, 24 000 €.

    Net AC: 300 000 − 56 000 = 244 000; 85 000 − 40 000 = 45 000; 10 000 − 24 000 =
    −14 000 (commune 3 pays the EPCI). Twelfths: 56 000 / 12 = 4 666,666… → 4 666,66 × 12
    = 55 999,92, 8 cents left → 4 666,67 in January to August, 4 666,66 after;
    40 000 / 12 → 3 333,34 in January to April, 3 333,33 after; 24 000 / 12 = 2 000,00.
    """
    result = deduction()
    assert result.deductions == {
        "C1": Decimal("56000.00"),
        "C2": Decimal("40000.00"),
        "C3": Decimal("24000.00"),
    }
    assert result.line("C3").net_attribution == Decimal("-14000.00")
    assert result.line("C1").net_attribution == Decimal("244000.00")
    assert result.line("C1").monthly == (Decimal("4666.67"),) * 8 + (Decimal("4666.66"),) * 4
    assert result.line("C2").monthly == (Decimal("3333.34"),) * 4 + (Decimal("3333.33"),) * 8
    assert result.line("C3").monthly == (Decimal("2000.00"),) * 12
    text = result.explain().text()
    assert CONVENTION in text
    assert "CGI art. 1609 nonies C" in text
    assert "CGCT art. L.5211-4-2" in text
    assert "D.5211-16" not in text
    assert "Commune 3 verse 14" in result.explain_member("C3").text()


def test_year_end_balance_by_hand() -> None:
    """Actual cost 126 000 € by the same key: 58 800, 42 000, 25 200 €; balances
    + 2 800, + 2 000, + 1 200 (total + 6 000 = 126 000 − 120 000). With the actual
    activity 8 / 5 / 2 instead: 67 200, 42 000, 16 800 → + 11 200, + 2 000, − 7 200."""
    balance = ac_balance(deduction(), Decimal("126000"))
    assert balance.balances == {
        "C1": Decimal("2800.00"),
        "C2": Decimal("2000.00"),
        "C3": Decimal("1200.00"),
    }
    assert balance.total == Decimal("6000.00")
    assert "1609 nonies C" in balance.explain().text()
    by_activity = ac_balance(deduction(), Decimal("126000"), {"C1": 8, "C2": 5, "C3": 2})
    assert by_activity.balances == {
        "C1": Decimal("11200.00"),
        "C2": Decimal("2000.00"),
        "C3": Decimal("-7200.00"),
    }
    assert "reversement au membre" in by_activity.explain().text()


def test_bad_inputs() -> None:
    with pytest.raises(InvalidParameter, match="Convention"):
        ac_deduction(2026, 1, WEIGHTS, ATTRIBUTIONS, convention=" ")
    with pytest.raises(NegativeValue, match="Coût prévisionnel"):
        ac_deduction(2026, -1, WEIGHTS, ATTRIBUTIONS, convention=CONVENTION)
    with pytest.raises(UnknownMember, match="manquante"):
        ac_deduction(2026, 1, WEIGHTS, {"C1": 1}, convention=CONVENTION)
    with pytest.raises(UnknownMember, match="mêmes membres"):
        ac_balance(deduction(), 1, {"C1": 1})


@given(
    st.decimals(min_value=0, max_value=10**8, places=2),
    st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=10).filter(any),
)
def test_twelfths_reconcile_to_the_cent(cost: Decimal, weights: list[int]) -> None:
    key = {f"M{i:02d}": w for i, w in enumerate(weights)}
    result = ac_deduction(2026, cost, key, dict.fromkeys(key, 0), convention=CONVENTION)
    assert result.total == cost
    for line in result.lines:
        assert sum(line.monthly) == line.deduction
        assert max(line.monthly) - min(line.monthly) <= Decimal("0.01")
