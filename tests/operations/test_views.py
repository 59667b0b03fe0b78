"""The pilotage through HTTP: cycle, import with preview, statuses, files, public page."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from mutualis.operations import services
from mutualis.operations.analysis import Frequency
from mutualis.operations.models import Statement, UnitEntry
from mutualis.operations.services import UnitRow
from tests.operations.conftest import Ops, make_service, quarter_units

YEAR = 2026


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(name: str, content: bytes):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_notify_through_the_page_warns_when_late(ops: Ops, client_for) -> None:
    client = client_for(ops.world.finance_officer)
    url = reverse("operations:service", args=[ops.world.body.pk, ops.service.pk, YEAR])
    response = client.post(
        url, {"action": "notify", "notify-notified_on": "2026-05-04"}, follow=True
    )
    page = response.content.decode()
    assert "après la date limite" in page or "postérieure à la date limite" in page
    ops.notice.refresh_from_db()
    assert ops.notice.unit_cost == Decimal("220.137747")


def test_negative_accounts_charge_is_refused_by_the_form(ops: Ops, client_for) -> None:
    client = client_for(ops.world.pooling_admin)
    url = reverse("operations:service", args=[ops.world.body.pk, ops.service.pk, YEAR])
    before = ops.notice.charges.count()
    response = client.post(
        url,
        {
            "action": "charge",
            "charge-source": "accounts",
            "charge-category": "personnel",
            "charge-label": "x",
            "charge-amount": "-5",
        },
    )
    assert response.status_code == 200
    assert "ne peut pas être négative" in response.content.decode()
    assert ops.notice.charges.count() == before


def test_units_import_previews_then_confirms(ops: Ops, client_for) -> None:
    client = client_for(ops.world.pooling_admin)
    url = reverse("operations:units_import", args=[ops.world.body.pk, ops.service.pk, YEAR])
    content = _xlsx([["code", "mois", "unites"], ["21001", 1, 12], ["21002", 1, 7]])
    preview = client.post(url, {"file": _upload("u.xlsx", content)})
    assert "Aperçu" in preview.content.decode()
    assert UnitEntry.objects.count() == 0
    client.post(url, {"file": _upload("u.xlsx", content), "confirm": "1"})
    assert sorted(UnitEntry.objects.values_list("units", flat=True)) == [Decimal(7), Decimal(12)]


def test_units_import_lists_every_error_and_stores_nothing(ops: Ops, client_for) -> None:
    client = client_for(ops.world.pooling_admin)
    url = reverse("operations:units_import", args=[ops.world.body.pk, ops.service.pk, YEAR])
    content = b"code;mois;unites\n21001;1;-3\n99999;2;4\n21002;13;1\n21002;2;abc\n"
    page = client.post(url, {"file": _upload("u.csv", content), "confirm": "1"}).content.decode()
    assert "négatives" in page
    assert "99999" in page
    assert "entre 1 et 12" in page
    assert "pas un nombre" in page
    assert UnitEntry.objects.count() == 0


def test_statement_lifecycle_and_frozen_view(ops: Ops, client_for) -> None:
    services.notify_unit_cost(ops.notice, date(2026, 3, 20))
    quarter_units(ops)
    statement = services.generate_statements(ops.world.body, YEAR, Frequency.QUARTERLY, 1).created[
        0
    ]
    client = client_for(ops.world.finance_officer)
    action = reverse("operations:statement_action", args=[ops.world.body.pk, statement.pk])
    client.post(action, {"action": "validate"})
    client.post(action, {"action": "issue"})
    statement.refresh_from_db()
    assert statement.status == "issued"
    response = client.post(action, {"action": "delete"}, follow=True)
    assert "ne peut plus être modifié" in response.content.decode()
    assert Statement.objects.filter(pk=statement.pk).exists()
    titles = client.get(reverse("operations:titles", args=[ops.world.body.pk, YEAR, "csv"]))
    rows = list(csv.reader(io.StringIO(titles.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Débiteur", "SIREN", "Objet", "Montant", "Période", "Imputation", "État"]
    assert rows[1][0] == statement.member.name
    assert rows[1][3] == str(statement.total_amount).replace(".", ",")
    assert rows[1][5] == "70846"
    book = load_workbook(
        io.BytesIO(
            client.get(reverse("operations:titles", args=[ops.world.body.pk, YEAR, "xlsx"])).content
        )
    )
    assert Decimal(str(book.active.cell(2, 4).value)) == statement.total_amount


def test_statement_pdf_and_excel_explain_every_line(ops: Ops, client_for) -> None:
    services.notify_unit_cost(ops.notice, date(2026, 3, 20))
    quarter_units(ops)
    statement = services.generate_statements(ops.world.body, YEAR, Frequency.QUARTERLY, 1).created[
        0
    ]
    client = client_for(ops.world.pooling_admin)
    pdf = client.get(
        reverse("operations:statement_file", args=[ops.world.body.pk, statement.pk, "pdf"])
    )
    assert pdf.content.startswith(b"%PDF")
    xlsx = client.get(
        reverse("operations:statement_file", args=[ops.world.body.pk, statement.pk, "xlsx"])
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert "€/acte" in sheet.cell(2, 11).value
    page = client.get(
        reverse("operations:statement", args=[ops.world.body.pk, statement.pk])
    ).content.decode()
    assert "D.5211-16" in page


def test_public_catalogue_is_readable_only_when_published(ops: Ops, client) -> None:
    url = reverse("operations:public_catalogue", args=[ops.world.body.siren])
    assert client.get(url).status_code == 404
    services.set_catalogue_published(ops.world.body, True)
    page = client.get(url).content.decode()
    assert "SIG mutualisé" in page
    simulated = client.get(
        url, {"offer": "sig", "population": "2000", "users": "0"}
    ).content.decode()
    assert "2\u202f500,00\u00a0€" in simulated


def test_ac_table_reconciles_twelfths(world, client_for) -> None:
    from mutualis.operations.models import AcBase
    from tests.operations.conftest import determine

    service = make_service(world, billing_mode="ac_deduction")
    notice = determine(service)
    services.notify_unit_cost(notice, date(2026, 3, 1))
    AcBase.objects.create(member=world.own_commune, year=YEAR, amount=Decimal("500000"))
    rows = services.ac_table(world.body, YEAR)
    own = next(r for r in rows if r.code == "Saint-Essai")
    # 1 000 actes × 220,137747 = 220 137,747 → 220 137,75, in twelfths of 18 344,81 / 18 344,82
    assert own.planned == Decimal("220137.75")
    assert sum(own.twelfths) == own.planned
    assert own.ac_after == Decimal("500000.00")  # no actual units yet
    page = client_for(world.finance_officer).get(
        reverse("operations:ac", args=[world.body.pk, YEAR])
    )
    assert "AC après" in page.content.decode()


@pytest.mark.parametrize("mode", ["unit_cost", "key"])
def test_member_amounts_sum_to_the_cost_to_recover(world, mode) -> None:
    from tests.operations.conftest import determine

    service = make_service(world, billing_mode=mode, key="population" if mode == "key" else "")
    world.own_commune.population_municipale = 1234
    world.own_commune.save()
    notice = services.notify_unit_cost(determine(service), date(2026, 3, 1))
    rows = [
        UnitRow(m, code, m, Decimal(m + i))
        for i, code in enumerate(("21001", "21002"))
        for m in range(1, 13)
    ]
    services.record_units(service, YEAR, rows, origin="typed")
    total = Decimal(0)
    for quarter in range(1, 5):
        result = services.generate_statements(world.body, YEAR, Frequency.QUARTERLY, quarter)
        total += sum(s.total_amount for s in result.created)
    if mode == "key":
        assert total == notice.eligible_amount
    else:
        # 78 actes × 220,137746930… = 17 170,74 €; 90 × 220,137746930… = 19 812,40 €
        assert total == Decimal("17170.74") + Decimal("19812.40")


def test_pilotage_phase_opens_the_services_page(world, client_for) -> None:
    client = client_for(world.elected_official)
    response = client.get(
        reverse("territories:phase", args=[world.body.pk, "pilotage"]), follow=True
    )
    assert response.status_code == 200
    assert "Pilotage des services mutualisés" in response.content.decode()


def test_the_dashboard_lists_the_conventions_coming_to_an_end(world, client_for, settings):
    import time_machine

    from tests.conventions.factories import signed

    settings.CONVENTION_ALERT_DAYS = 60
    signed(world.body, [world.other_commune], title="ADS signée")
    url = reverse("operations:dashboard", args=[world.body.pk])
    with time_machine.travel(date(2029, 6, 1)):
        page = client_for(world.pooling_admin).get(url).content.decode()
        assert "Échéances des conventions dans les 60 jours" in page
        assert "ADS signée" in page and "30/06/2029" in page
        # A référent sees only the conventions its commune is party to.
        other = client_for(world.member_agent).get(url).content.decode()
        assert "ADS signée" not in other and "Aucune échéance de convention" in other
