"""The yearly cycle of D.5211-16 through the services, worked by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from mutualis.operations import services
from mutualis.operations.analysis import Frequency
from mutualis.operations.models import FrozenStatement, Statement, StatementLine, UnitEntry
from mutualis.operations.services import ImportRejected, OperationsError, UnitRow
from tests.operations.conftest import Ops, make_service, quarter_units


def test_unit_cost_is_eligible_charges_over_forecast_units(ops: Ops) -> None:
    notice = services.notify_unit_cost(ops.notice, date(2026, 3, 20))
    assert notice.eligible_amount == Decimal("412318.00")
    assert notice.forecast_units == Decimal(1873)
    assert notice.unit_cost == Decimal("220.137747")
    assert not notice.is_late
    steps = " ".join(str(step) for step in notice.explanation["steps"])
    assert "méthode retenue par la convention (choix contractuel)" in steps
    assert "Intérêts d'emprunt (Autres charges), exclue" in steps
    assert "marché de fournitures renégocié" in steps


def test_late_notification_is_flagged(ops: Ops) -> None:
    notice = services.notify_unit_cost(ops.notice, date(2026, 5, 2))
    assert notice.deadline_on == date(2026, 4, 30)
    assert notice.is_late


def test_unit_cost_for_a_year_without_accounts_is_refused(ops: Ops) -> None:
    empty = services.notice_for(ops.service, 2027)
    with pytest.raises(OperationsError, match="compte administratif 2026"):
        services.notify_unit_cost(empty, date(2027, 3, 1))
    empty.refresh_from_db()
    assert empty.notified_on is None


def test_statement_is_notified_unit_cost_times_actual_units(ops: Ops) -> None:
    """Q1: Saint-Essai 40 + 45 + 50 = 135 actes × 220,137747 = 29 718,595845 → 29 718,60 €;
    Bourg-Témoin 30 + 25 + 27 = 82 × 220,137747 = 18 051,295254 → 18 051,30 €."""
    services.notify_unit_cost(ops.notice, date(2026, 3, 20))
    quarter_units(ops)
    result = services.generate_statements(ops.world.body, 2026, Frequency.QUARTERLY, 1)
    totals = {s.member.insee_code: s.total_amount for s in result.created}
    assert totals == {"21001": Decimal("29718.60"), "21002": Decimal("18051.30")}
    line = StatementLine.objects.get(statement__member=ops.world.own_commune)
    assert "220,137747… €/acte × 135 actes" in line.formula.replace("\u202f", " ")


def test_periods_add_up_to_the_yearly_amount_to_the_cent(ops: Ops) -> None:
    services.notify_unit_cost(ops.notice, date(2026, 3, 20))
    rows = [UnitRow(m, "21001", m, Decimal("3.3")) for m in range(1, 13)]
    services.record_units(ops.service, 2026, rows, origin="typed")
    total = Decimal(0)
    for quarter in range(1, 5):
        result = services.generate_statements(ops.world.body, 2026, Frequency.QUARTERLY, quarter)
        total += sum(s.total_amount for s in result.created if s.member == ops.world.own_commune)
    # 39,6 × 220,137747 = 8 717,4548 → 8 717,45
    assert total == Decimal("8717.45")


def test_units_for_a_member_outside_the_service_are_refused(ops: Ops) -> None:
    participation = ops.service.participations.get(member=ops.world.other_commune)
    participation.end_on = date(2026, 1, 31)
    participation.save()
    with pytest.raises(ImportRejected) as caught:
        services.record_units(
            ops.service,
            2026,
            [
                UnitRow(1, "21001", 2, Decimal(3)),
                UnitRow(2, "21002", 2, Decimal(4)),
                UnitRow(3, "21001", 3, Decimal(-1)),
                UnitRow(4, "69001", 3, Decimal(1)),
            ],
            origin="import",
        )
    messages = [str(p) for p in caught.value.problems]
    assert len(messages) == 3
    assert "ne participe pas au service en 02/2026" in messages[0]
    assert "négatives" in messages[1]
    assert "69001" in messages[2]
    assert UnitEntry.objects.count() == 0


def test_issued_statement_is_frozen_and_corrected_by_a_new_one(ops: Ops) -> None:
    services.notify_unit_cost(ops.notice, date(2026, 3, 20))
    quarter_units(ops)
    statement = services.generate_statements(ops.world.body, 2026, Frequency.QUARTERLY, 1).created[
        0
    ]
    services.change_status(statement, "validate")
    services.change_status(statement, "issue")
    statement.refresh_from_db()
    statement.total_amount = Decimal("1")
    with pytest.raises(FrozenStatement):
        statement.save()
    with pytest.raises(FrozenStatement):
        statement.lines.first().delete()
    with pytest.raises(FrozenStatement):
        Statement.objects.get(pk=statement.pk).delete()
    with pytest.raises(ImportRejected, match="rien"):
        services.record_units(
            ops.service, 2026, [UnitRow(1, "21001", 2, Decimal(1))], origin="import"
        )
    line = statement.lines.get()
    correction = services.correct_statement(statement, {line.pk: Decimal(136)}, "Un acte oublié")
    assert correction.corrects == statement
    assert correction.kind == Statement.Kind.CORRECTIVE
    # 136 × 220,137747 = 29 938,733592 → 29 938,73; − 29 718,60
    assert correction.total_amount == Decimal("220.13")
    services.change_status(Statement.objects.get(pk=statement.pk), "pay", on=date(2026, 5, 1))
    assert Statement.objects.get(pk=statement.pk).status == "paid"


def test_subscription_ending_before_it_starts_is_refused(ops: Ops) -> None:
    with pytest.raises(OperationsError, match="avant de commencer"):
        services.subscribe(ops.offer, ops.world.own_commune, date(2026, 5, 1), date(2026, 4, 1))


def test_subscriptions_are_billed_through_the_same_statements(ops: Ops) -> None:
    """Saint-Essai (500 hab., band < 2 000 → 800 €) from 15 February: Q1 = Feb + Mar
    twelfths = 66,67 + 66,67 (800 / 12 = 66,66…, 8 cents on January–August)."""
    services.subscribe(ops.offer, ops.world.own_commune, date(2026, 2, 15), None)
    result = services.generate_statements(ops.world.body, 2026, Frequency.QUARTERLY, 1)
    statement = result.created[0]
    assert statement.total_amount == Decimal("133.34")
    assert "population municipale INSEE" in str(statement.lines.get().explanation)


def test_provisional_calls_split_the_forecast_into_instalments(ops: Ops) -> None:
    """Saint-Essai: 1 000 actes × 220,137747 = 220 137,75 €, in quarters of 55 034,44 (×3)
    and 55 034,43; the four calls total the yearly amount to the cent."""
    services.notify_unit_cost(ops.notice, date(2026, 3, 20))
    calls = [services.generate_provisional(ops.service, 2026, q) for q in range(1, 5)]
    own = [s for batch in calls for s in batch if s.member == ops.world.own_commune]
    assert [s.total_amount for s in own] == [Decimal("55034.44")] * 3 + [Decimal("55034.43")]
    assert sum(s.total_amount for s in own) == Decimal("220137.75")
    with pytest.raises(OperationsError, match="inexistante"):
        services.generate_provisional(ops.service, 2026, 5)


def test_contractual_regularisation_is_labelled_and_needs_the_clause(ops: Ops) -> None:
    services.notify_unit_cost(ops.notice, date(2026, 3, 20))
    quarter_units(ops)
    for statement in services.generate_statements(
        ops.world.body, 2026, Frequency.QUARTERLY, 1
    ).created:
        services.change_status(statement, "validate")
        services.change_status(statement, "issue")
    with pytest.raises(OperationsError, match="ne prévoit pas"):
        services.regularise_on_actual_cost(ops.service, 2026)
    ops.service.regularisation_clause = True
    ops.service.save()
    actual = services.notice_for(ops.service, 2027)
    services.add_charge(
        actual, source="accounts", category="personnel", label="Réel 2026", amount=Decimal("21700")
    )
    created = services.regularise_on_actual_cost(ops.service, 2026)
    # actual cost 21 700 / 217 actes = 100 €/acte; Saint-Essai 135 × 100 − 29 718,60
    own = next(s for s in created if s.member == ops.world.own_commune)
    assert own.total_amount == Decimal("-16218.60")
    assert "hors décret" in own.lines.get().label
    assert own.kind == Statement.Kind.REGULARISATION


def test_admin_shows_an_issued_statement_read_only(ops: Ops, rf) -> None:
    from django.contrib import admin

    services.notify_unit_cost(ops.notice, date(2026, 3, 20))
    quarter_units(ops)
    statement = services.generate_statements(ops.world.body, 2026, Frequency.QUARTERLY, 1).created[
        0
    ]
    model_admin = admin.site._registry[Statement]
    request = rf.get("/")
    assert "total_amount" not in model_admin.get_readonly_fields(request, statement)
    services.change_status(statement, "validate")
    services.change_status(statement, "issue")
    assert "total_amount" in model_admin.get_readonly_fields(request, statement)
    assert not model_admin.has_delete_permission(request, statement)


def test_hand_worked_notified_unit_cost_times_actual_units(world) -> None:
    """docs/engine.md, worked by hand through the services, for a mise à disposition
    (D.5211-16 by law). CA 2025: agents 180 000 + fournitures 6 000 + logiciel 14 000 +
    affranchissement (autre, retained with its reason) 1 000 = 201 000 €; intérêts (autre)
    5 000 € excluded; BP 2026 + 9 000 € → 210 000 €. Forecast 1 200 + 1 350 + 450 own use
    = 3 000 actes → 70 €/acte. Q1 actual: 825 actes → 825 × 70 = 57 750,00 €;
    1 200 actes → 84 000,00 €."""
    service = make_service(world, legal_form="mad_descendante", name="ADS")
    notice = services.notice_for(service, 2026)
    for category, label, amount, eligible, reason in (
        ("personnel", "Agents instructeurs", "180000", True, ""),
        ("fournitures", "Fournitures de bureau", "6000", True, ""),
        ("contrats de services", "Logiciel d'instruction", "14000", True, ""),
        ("autre", "Intérêts d'emprunt", "5000", False, ""),
        ("autre", "Affranchissement", "1000", True, "envoi des arrêtés, propre au service"),
    ):
        services.add_charge(
            notice,
            source="accounts",
            category=category,
            label=label,
            amount=Decimal(amount),
            eligible=eligible,
            reason=reason,
        )
    with pytest.raises(OperationsError, match="Motif"):
        services.add_charge(
            notice, source="budget", category="personnel", label="Point", amount=Decimal(1)
        )
    services.add_charge(
        notice,
        source="budget",
        category="personnel",
        label="Point d'indice",
        amount=Decimal("9000"),
        reason="revalorisation du point d'indice",
    )
    services.set_forecast(notice, world.own_commune, Decimal(1200))
    services.set_forecast(notice, world.other_commune, Decimal(1350))
    services.set_own_use(notice, Decimal(450))
    notice = services.notify_unit_cost(notice, date(2026, 3, 20))
    assert notice.eligible_amount == Decimal("210000.00")
    assert notice.unit_cost == Decimal("70")
    assert notice.deadline_on == date(2026, 4, 30)  # council-renewal year (L.1612-2)
    services.record_units(
        service,
        2026,
        [
            UnitRow(1, "21001", 1, Decimal(300)),
            UnitRow(2, "21001", 2, Decimal(275)),
            UnitRow(3, "21001", 3, Decimal(250)),
            UnitRow(4, "21002", 2, Decimal(1200)),
        ],
        origin="typed",
    )
    result = services.generate_statements(world.body, 2026, Frequency.QUARTERLY, 1)
    totals = {s.member.insee_code: s.total_amount for s in result.created}
    assert totals == {"21001": Decimal("57750.00"), "21002": Decimal("84000.00")}
    line = StatementLine.objects.get(statement__member=world.own_commune)
    assert line.formula.replace("\u202f", " ") == "70,00 €/acte × 825 actes"
    text = str(line.explanation)
    assert "CGCT art. D.5211-16" in text and "choix contractuel" not in text
    assert "envoi des arrêtés, propre au service" in text
    assert "Intérêts d'emprunt (Autres charges), exclue" in text


def test_statements_bill_the_full_precision_unit_cost(ops: Ops) -> None:
    """412 318 / 1 873 = 220,13774693005…: 100 000 actes × that cost = 22 013 774,69 €
    (a cost rounded to 220,137747 would bill 22 013 774,70 €)."""
    services.notify_unit_cost(ops.notice, date(2026, 3, 20))
    services.record_units(
        ops.service, 2026, [UnitRow(1, "21001", 1, Decimal(100000))], origin="typed"
    )
    result = services.generate_statements(ops.world.body, 2026, Frequency.QUARTERLY, 1)
    assert [s.total_amount for s in result.created] == [Decimal("22013774.69")]


def test_the_admin_refuses_to_change_an_issued_statement(ops: Ops, client_for) -> None:
    """A POST to the admin's change form of an issued statement changes nothing."""
    from django.urls import reverse

    services.notify_unit_cost(ops.notice, date(2026, 3, 20))
    quarter_units(ops)
    statement = services.generate_statements(ops.world.body, 2026, Frequency.QUARTERLY, 1).created[
        0
    ]
    services.change_status(statement, "validate")
    services.change_status(statement, "issue")
    line = statement.lines.get()
    client = client_for(ops.world.platform_admin)
    url = reverse("admin:operations_statement_change", args=[statement.pk])
    assert client.get(url).status_code == 200
    client.post(
        url,
        {
            "number": statement.number,
            "total_amount": "1.00",
            "status": "draft",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "1",
            "lines-0-id": str(line.pk),
            "lines-0-statement": str(statement.pk),
            "lines-0-amount": "1.00",
            "lines-0-label": "x",
        },
    )
    stored = Statement.objects.get(pk=statement.pk)
    assert (stored.status, stored.total_amount) == ("issued", statement.total_amount)
    assert stored.lines.get().amount == line.amount
    delete = reverse("admin:operations_statement_delete", args=[statement.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Statement.objects.filter(pk=statement.pk).exists()
