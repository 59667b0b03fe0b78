"""The decree's unit-cost determination and billing (CGCT D.5211-16, R.5111-1).

The worked example of docs/engine.md, reproduced by hand below.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutualis.engine.errors import EngineError, InvalidParameter, NegativeValue
from mutualis.engine.reimbursement import ChargeCategory
from mutualis.engine.unit_cost import (
    DECREE_COMMUNES,
    AccountCharge,
    BudgetAdjustment,
    Usage,
    bill,
    budget_deadline,
    determine_unit_cost,
    first_year_deadline,
    first_year_notification,
    format_unit_cost,
    regularise_on_actual_cost,
    yearly_notification,
)

CHARGES = (
    AccountCharge("Agents instructeurs", Decimal("180000"), ChargeCategory.PERSONNEL),
    AccountCharge("Fournitures de bureau", Decimal("6000"), ChargeCategory.SUPPLIES),
    AccountCharge("Logiciel d'instruction", Decimal("14000"), ChargeCategory.SERVICE_CONTRACTS),
    AccountCharge("Intérêts d'emprunt", Decimal("5000"), ChargeCategory.OTHER),
    AccountCharge(
        "Affranchissement",
        Decimal("1000"),
        ChargeCategory.OTHER,
        eligible=True,
        reason="envoi des arrêtés, propre au service",
    ),
)
ADJUSTMENTS = (
    BudgetAdjustment(
        "Revalorisation du point d'indice",
        Decimal("9000"),
        "hausse de la valeur du point votée au budget primitif 2026",
        ChargeCategory.PERSONNEL,
    ),
)
USAGE = (
    Usage("C1", "Commune 1", 825),
    Usage("C2", "Commune 2", 1200),
    Usage("EPCI", "Communauté", 450, own_use=True),
)


def determination(notified_on: date | None = date(2026, 3, 20)):  # type: ignore[no-untyped-def]
    return determine_unit_cost(
        CHARGES,
        3000,
        year=2026,
        accounts_year=2024,
        adjustments=ADJUSTMENTS,
        notification=yearly_notification(2026, notified_on),
        provider="la Communauté",
        unit_label="actes",
    )


def test_worked_example_by_hand() -> None:
    """Eligible: 180 000 + 6 000 + 14 000 + 1 000 (« autre », with a reason) = 201 000 €;
    excluded: 5 000 € of interest (« autre », no reason). Budget: + 9 000 € → 210 000 €.
    Forecast 3 000 actes → 70 €/acte. Notified 20/03/2026, before 15/04/2026.

    Billing at 70 €: C1 825 × 70 = 57 750,00 €; C2 1 200 × 70 = 84 000,00 €; own use
    450 × 70 = 31 500,00 € (not billed). Billed 141 750,00 €.
    """
    result = determination()
    assert result.eligible_total == Decimal("201000.00")
    assert result.excluded_total == Decimal("5000.00")
    assert result.cost_base == Decimal("210000.00")
    assert result.unit_cost == Decimal(70)
    assert result.notification.on_time
    assert result.warnings == ()
    statement = bill(result, USAGE, period="Année 2026")
    assert statement.amounts == {
        "C1": Decimal("57750.00"),
        "C2": Decimal("84000.00"),
        "EPCI": Decimal("31500.00"),
    }
    assert statement.billed_total == Decimal("141750.00")
    text = statement.explain_member("C1").text()
    assert "70,00 €/acte × 825 actes" in text
    assert "CGCT art. D.5211-16" in text
    assert "envoi des arrêtés" in text
    assert "non éligible par défaut" in text
    assert "hausse de la valeur du point" in text


def test_actual_cost_regularisation_is_a_named_clause() -> None:
    """Under a contractual clause only: actual cost 210 000 € / actual 2 475 actes =
    84,848484…; C1 due 825 × 210 000 / 2 475 = 70 000,00 € (the figure the old engine
    billed), + 12 250,00 €; C2 1 200 × 210 000 / 2 475 = 101 818,1818… → 101 818,18 €,
    + 17 818,18 €.
    """
    statement = bill(determination(), USAGE, period="Année 2026")
    clause = regularise_on_actual_cost(
        statement, Decimal("210000"), clause="article 7 de la convention"
    )
    assert clause.amounts == {"C1": Decimal("12250.00"), "C2": Decimal("17818.18")}
    assert {line.code: line.due for line in clause.lines} == {
        "C1": Decimal("70000.00"),
        "C2": Decimal("101818.18"),
    }
    text = clause.explain().text()
    assert "clause contractuelle" in text
    assert "article 7 de la convention" in text
    assert "D.5211-16" not in text.replace("ne découle pas du décret", "")
    with pytest.raises(InvalidParameter, match="clause"):
        regularise_on_actual_cost(statement, Decimal(1), clause=" ")


def test_small_unit_cost_keeps_its_precision() -> None:
    """30 000 € over 2 000 000 copies is 0,015 €/copie, not 0,02: 1 000 000 copies pay
    15 000,00 €, not 20 000,00 €."""
    result = determine_unit_cost(
        [AccountCharge("Copieurs", 30000, ChargeCategory.SERVICE_CONTRACTS)],
        2_000_000,
        year=2026,
        accounts_year=2025,
        notification=yearly_notification(2026, date(2026, 1, 10)),
        unit_label="copies",
    )
    assert result.unit_cost == Decimal("0.015")
    assert format_unit_cost(result.unit_cost) == "0,015"
    statement = bill(result, [Usage("A", "A", 1_000_000), Usage("B", "B", 1_000_000)], period="")
    assert statement.amounts == {"A": Decimal("15000.00"), "B": Decimal("15000.00")}


def test_full_precision_display_of_a_repeating_unit_cost() -> None:
    assert format_unit_cost(Decimal(100) / Decimal(3)) == "33,333333…"
    assert format_unit_cost(Decimal(70)) == "70,00"


def test_deadlines() -> None:
    assert budget_deadline(2026) == date(2026, 4, 15)
    assert budget_deadline(2026, renewal_year=True) == date(2026, 4, 30)
    assert first_year_deadline(date(2026, 11, 30)) == date(2027, 2, 28)
    assert first_year_deadline(date(2026, 5, 12)) == date(2026, 8, 12)


def test_late_notification_is_a_french_warning_on_the_statement() -> None:
    late = determination(date(2026, 4, 20))
    assert not late.notification.on_time
    statement = bill(late, USAGE, period="Année 2026")
    assert statement.warnings == (
        "Le coût unitaire a été notifié le 20/04/2026, soit 5 jour(s) après la date limite "
        "du 15/04/2026 (date d'adoption du budget, CGCT art. L.1612-2 (15 avril)).",
    )
    assert "HORS DÉLAI" in statement.explain_member("C1").text()
    assert "Avertissement" in statement.explain().text()
    missing = determination(None)
    assert "n'a pas été notifié" in missing.warnings[0]


def test_first_year_notification() -> None:
    notification = first_year_notification(date(2026, 6, 1), date(2026, 8, 30))
    assert notification.on_time
    assert notification.deadline == date(2026, 9, 1)


def test_conventions_between_communes_cite_r5111_1() -> None:
    result = determine_unit_cost(
        CHARGES[:1],
        10,
        year=2026,
        accounts_year=2024,
        notification=yearly_notification(2026, date(2026, 1, 5)),
        reference=DECREE_COMMUNES,
    )
    text = result.explain().text()
    assert "CGCT art. R.5111-1" in text
    assert "D.5211-16" not in text


@pytest.mark.parametrize("units", [0, -5])
def test_forecast_units_must_be_positive(units: int) -> None:
    with pytest.raises(InvalidParameter, match="Unités prévisionnelles") as caught:
        determine_unit_cost(
            CHARGES,
            units,
            year=2026,
            accounts_year=2024,
            notification=yearly_notification(2026, None),
        )
    assert caught.value.fields["field"] == "forecast_units"


@pytest.mark.parametrize("category", [ChargeCategory.OTHER, None])
def test_other_or_blank_charge_needs_a_reason(category: ChargeCategory | None) -> None:
    charge = AccountCharge("Divers", 10, category, eligible=True)
    with pytest.raises(InvalidParameter, match="motif") as caught:
        determine_unit_cost(
            [charge], 1, year=2026, accounts_year=2025, notification=yearly_notification(2026, None)
        )
    assert caught.value.fields["field"] == "reason"
    blank = determine_unit_cost(
        [AccountCharge("Vide", 10), AccountCharge("Agents", 5, ChargeCategory.PERSONNEL)],
        1,
        year=2026,
        accounts_year=2025,
        notification=yearly_notification(2026, None),
    )
    assert blank.eligible_total == Decimal("5.00")
    assert blank.excluded_total == Decimal("10.00")


def test_bad_inputs_name_their_field() -> None:
    notification = yearly_notification(2026, None)
    with pytest.raises(InvalidParameter, match="motif"):
        determine_unit_cost(
            CHARGES,
            1,
            year=2026,
            accounts_year=2024,
            notification=notification,
            adjustments=[BudgetAdjustment("Hausse", 10, "")],
        )
    with pytest.raises(NegativeValue, match="montant est négatif"):
        determine_unit_cost(
            [AccountCharge("X", -1, ChargeCategory.PERSONNEL)],
            1,
            year=2026,
            accounts_year=2024,
            notification=notification,
        )
    with pytest.raises(InvalidParameter, match="compte administratif"):
        determine_unit_cost(CHARGES, 1, year=2026, accounts_year=2026, notification=notification)
    with pytest.raises(InvalidParameter, match="négatif"):
        determine_unit_cost(
            CHARGES[:1],
            1,
            year=2026,
            accounts_year=2024,
            notification=notification,
            adjustments=[BudgetAdjustment("Baisse", -999999, "fin du service")],
        )
    good = determination()
    with pytest.raises(InvalidParameter, match="Périodicité") as caught:
        bill(good, USAGE, period="", periodicity_months=13)
    assert caught.value.fields["field"] == "periodicity_months"
    with pytest.raises(NegativeValue):
        bill(good, [Usage("A", "A", -1)], period="")
    with pytest.raises(EngineError, match="plusieurs lignes"):
        bill(good, [Usage("A", "A", 1), Usage("A", "A", 2)], period="")


@given(
    st.decimals(min_value=1, max_value=10**7, places=2),
    st.integers(min_value=1, max_value=10**6),
    st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=8),
)
def test_each_amount_is_the_unit_cost_times_units_to_the_cent(
    cost: Decimal, forecast: int, units: list[int]
) -> None:
    result = determine_unit_cost(
        [AccountCharge("Agents", cost, ChargeCategory.PERSONNEL)],
        forecast,
        year=2026,
        accounts_year=2025,
        notification=yearly_notification(2026, None),
    )
    usage = [Usage(f"M{i}", f"M{i}", u) for i, u in enumerate(units)]
    statement = bill(result, usage, period="")
    for line in statement.lines:
        exact = cost * line.units / forecast
        assert abs(line.amount - exact) <= Decimal("0.005")
