"""Reimbursement by unit operating cost (CGCT art. D.5211-16), regularisation, instalments."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutualis.engine.errors import (
    EmptyPerimeter,
    EngineError,
    NegativeValue,
    UnknownMember,
    ZeroUnits,
)
from mutualis.engine.regularisation import regularise, regularise_forecast
from mutualis.engine.reimbursement import (
    ChargeCategory,
    ChargeLine,
    Frequency,
    RoundingMode,
    UnitLine,
    compute_reimbursement,
    instalment_schedule,
)

CHARGES = (
    ChargeLine(ChargeCategory.PERSONNEL, "Agents instructeurs", Decimal("350000")),
    ChargeLine(ChargeCategory.SUPPLIES, "Fournitures de bureau", Decimal("12318")),
    ChargeLine(ChargeCategory.SERVICE_CONTRACTS, "Logiciel d'instruction", Decimal("50000")),
    ChargeLine(ChargeCategory.OTHER, "Intérêts d'emprunt", Decimal("1000"), eligible=False),
)
UNITS = (
    UnitLine("64001", "Commune A", Decimal(1000)),
    UnitLine("64002", "Commune B", Decimal(600)),
    UnitLine("EPCI", "Communauté", Decimal(273), own_use=True),
)


def test_unit_cost_and_lines_worked_example() -> None:
    """Eligible charges 350 000 + 12 318 + 50 000 = 412 318,00 € (1 000 € of interest
    excluded); units 1 000 + 600 + 273 (own use) = 1 873 actes.

    Unit cost 412 318 / 1 873 = 220,1377… → 220,14 €/acte. Lines: 220,14 × 1 000 =
    220 140,00; × 600 = 132 084,00; × 273 = 60 098,22 (own use, not billed). Lines total
    412 322,22 €, 4,22 € above the charges (1 873 × 0,0023 of unit-cost rounding).
    """
    result = compute_reimbursement(CHARGES, UNITS, unit_label="actes")
    assert result.eligible_total == Decimal("412318.00")
    assert result.excluded_total == Decimal("1000.00")
    assert result.total_units == 1873
    assert result.unit_cost == Decimal("220.14")
    assert result.amounts == {
        "64001": Decimal("220140.00"),
        "64002": Decimal("132084.00"),
        "EPCI": Decimal("60098.22"),
    }
    assert result.billed_amounts == {"64001": Decimal("220140.00"), "64002": Decimal("132084.00")}
    assert result.rounding_gap == Decimal("4.22")
    text = result.explain().text()
    assert "412\u202f318,00\u00a0€ / 1\u202f873 actes" in text
    assert "220,14 €/acte" in text
    assert "CGCT art. D.5211-16" in text
    assert "écart d'arrondi" in text


def test_reconciled_mode_sums_exactly_to_eligible_charges() -> None:
    """412 318 × 1 000 / 1 873 = 220 137,7469… ; × 600 = 132 082,6481… ; × 273 = 60 097,6049….
    Floors 220 137,74 + 132 082,64 + 60 097,60 = 412 317,98; the two cents go to the
    largest remainders in cents, 0,81 (64002) and 0,69 (64001), not 0,49 (EPCI)."""
    result = compute_reimbursement(CHARGES, UNITS, mode=RoundingMode.RECONCILED)
    assert result.amounts == {
        "64001": Decimal("220137.75"),
        "64002": Decimal("132082.65"),
        "EPCI": Decimal("60097.60"),
    }
    assert result.lines_total == result.eligible_total
    assert result.rounding_gap == 0


def test_member_explanation_names_its_own_line() -> None:
    explanation = compute_reimbursement(CHARGES, UNITS).explain_member("64002")
    assert "Commune B" in explanation.title
    assert "132\u202f084,00\u00a0€" in explanation.text()


def test_regularisation_worked_example() -> None:
    """Forecast: 400 000 € on 1 600 + 400 units = 2 000 → 200 €/unit, so A billed 320 000
    (1 600 units) and B 80 000. Actual: 412 318 € on 1 873 units → 220,14 €/unit:
    A due 220 140,00 − 320 000 = −99 860,00 (refund); B due 132 084,00 − 80 000 = 52 084,00."""
    forecast = compute_reimbursement(
        (ChargeLine(ChargeCategory.PERSONNEL, "Budget", Decimal(400000)),),
        (
            UnitLine("64001", "Commune A", Decimal(1600)),
            UnitLine("64002", "Commune B", Decimal(400)),
        ),
    )
    assert forecast.billed_amounts == {"64001": Decimal("320000.00"), "64002": Decimal("80000.00")}
    actual = compute_reimbursement(CHARGES, UNITS)
    result = regularise_forecast(forecast, actual)
    assert result.amounts == {"64001": Decimal("-99860.00"), "64002": Decimal("52084.00")}
    assert "trop-perçu" in result.explain().text()


def test_quarterly_schedule_worked_example() -> None:
    """52 084,01 € in four quarters: 13 021,00 × 4 = 52 084,00, one cent to Q1."""
    schedule = instalment_schedule("52084.01", Frequency.QUARTERLY, 2026)
    assert [i.amount for i in schedule.instalments] == [
        Decimal("13021.01"),
        Decimal("13021.00"),
        Decimal("13021.00"),
        Decimal("13021.00"),
    ]
    assert schedule.instalments[0].label == "1er trimestre 2026"


def test_monthly_schedule_has_french_month_labels() -> None:
    schedule = instalment_schedule("1200", Frequency.MONTHLY, 2027)
    assert [i.label for i in schedule.instalments][:2] == ["janvier 2027", "février 2027"]
    assert "Échéancier 2027" in schedule.explain().text()


# --- errors, one per case -------------------------------------------------------------


def test_negative_charge_is_an_error() -> None:
    charge = ChargeLine(ChargeCategory.SUPPLIES, "Avoir", Decimal("-5"))
    with pytest.raises(NegativeValue, match="Avoir"):
        compute_reimbursement((charge,), UNITS)


def test_negative_units_is_an_error() -> None:
    with pytest.raises(NegativeValue, match="unités"):
        compute_reimbursement(CHARGES, (UnitLine("64001", "Commune A", Decimal(-1)),))


def test_zero_units_with_charges_is_an_error() -> None:
    with pytest.raises(ZeroUnits, match="Aucune unité"):
        compute_reimbursement(CHARGES, (UnitLine("64001", "Commune A", Decimal(0)),))


def test_zero_units_and_zero_charges_cost_nothing() -> None:
    result = compute_reimbursement((), (UnitLine("64001", "Commune A", Decimal(0)),))
    assert result.amounts == {"64001": Decimal("0.00")}


def test_no_unit_line_is_an_error() -> None:
    with pytest.raises(EmptyPerimeter):
        compute_reimbursement(CHARGES, ())


def test_repeated_code_is_an_error() -> None:
    with pytest.raises(EngineError, match="plusieurs lignes"):
        compute_reimbursement(CHARGES, (UNITS[0], UNITS[0]))


def test_unknown_member_in_billed_amounts_is_an_error() -> None:
    with pytest.raises(UnknownMember, match="99999"):
        regularise(compute_reimbursement(CHARGES, UNITS), {"99999": "10"})


# --- properties -----------------------------------------------------------------------

amounts = st.integers(min_value=0, max_value=10**10).map(lambda c: Decimal(c) / 100)
unit_lists = st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=20)


@given(amounts, unit_lists, st.lists(amounts, min_size=20, max_size=20))
def test_billed_plus_regularisation_equals_actual_due(
    charges: Decimal, units: list[int], billed: list[Decimal]
) -> None:
    if sum(units) == 0 and charges:
        return
    lines = [UnitLine(f"{i:05d}", f"M{i}", Decimal(u)) for i, u in enumerate(units)]
    actual = compute_reimbursement(
        (ChargeLine(ChargeCategory.PERSONNEL, "Charges", charges),), lines
    )
    already = {line.code: billed[i] for i, line in enumerate(lines)}
    result = regularise(actual, already)
    for line in result.lines:
        assert line.billed + line.regularisation == line.due


@given(amounts, unit_lists)
def test_reconciled_lines_sum_to_the_eligible_charges(charges: Decimal, units: list[int]) -> None:
    if sum(units) == 0 and charges:
        return
    lines = [UnitLine(f"{i:05d}", f"M{i}", Decimal(u)) for i, u in enumerate(units)]
    result = compute_reimbursement(
        (ChargeLine(ChargeCategory.PERSONNEL, "Charges", charges),),
        lines,
        mode=RoundingMode.RECONCILED,
    )
    assert result.lines_total == charges
    assert all(line.amount >= 0 for line in result.lines)


@given(st.integers(-(10**10), 10**10).map(lambda c: Decimal(c) / 100), st.sampled_from(Frequency))
def test_instalment_schedules_sum_to_the_amount(amount: Decimal, frequency: Frequency) -> None:
    schedule = instalment_schedule(amount, frequency, 2026)
    assert len(schedule.instalments) == frequency.periods
    assert sum(i.amount for i in schedule.instalments) == amount
