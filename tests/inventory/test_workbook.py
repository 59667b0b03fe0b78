"""The Excel round trip: export, import, idempotence, and every kind of bad input."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from mutualis.inventory import imports, services, workbook
from mutualis.inventory.imports import ImportRejected
from mutualis.inventory.models import (
    Asset,
    Contract,
    CostLine,
    ImportLog,
    ServiceRecord,
    StaffLine,
    Submission,
)
from tests.inventory.workbook_helpers import append, delete_header, edit, rows

pytestmark = pytest.mark.django_db


def snapshot(campaign) -> dict[str, list]:
    """Everything a campaign holds, comparable across imports."""
    return {
        "services": sorted(
            ServiceRecord.objects.filter(campaign=campaign).values_list(
                "member_id",
                "domain_id",
                "mode",
                "activity_volume",
                "activity_unit",
                "satisfaction",
                "needs",
                "difficulties",
            )
        ),
        "staff": sorted(
            StaffLine.objects.filter(service__campaign=campaign).values_list(
                "service__member_id", "service__domain_id", "category", "fte", "cost_amount"
            )
        ),
        "costs": sorted(
            CostLine.objects.filter(service__campaign=campaign).values_list(
                "service__member_id", "service__domain_id", "chapter", "amount"
            )
        ),
        "assets": sorted(
            Asset.objects.filter(campaign=campaign).values_list(
                "member_id",
                "name",
                "kind",
                "domain_id",
                "address",
                "latitude",
                "longitude",
                "capacity",
                "acquisition_year",
                "acquisition_cost_amount",
                "subsidies_amount",
                "useful_life_years",
                "running_cost_amount",
                "utilisation_rate",
                "shareable",
            )
        ),
        "contracts": sorted(
            Contract.objects.filter(campaign=campaign).values_list(
                "member_id",
                "vendor",
                "product",
                "kind",
                "domain_id",
                "yearly_cost_amount",
                "start_on",
                "end_on",
                "notice_period_months",
            )
        ),
    }


def do_import(inventory, data: bytes, name: str = "etat-des-lieux.xlsx", **kwargs):
    """Apply a workbook; the log entry, or None when the file changes nothing."""
    return imports.apply_import(inventory.campaign, data, file_name=name, **kwargs).log


def rejected(inventory, data: bytes, name: str = "etat-des-lieux.xlsx", **kwargs) -> list[str]:
    before = snapshot(inventory.campaign)
    with pytest.raises(ImportRejected) as caught:
        do_import(inventory, data, name, **kwargs)
    assert snapshot(inventory.campaign) == before
    assert ImportLog.objects.count() == 0
    return [str(p) for p in caught.value.problems]


def test_template_has_every_sheet_and_the_campaign_members_and_domains(inventory):
    data = workbook.export_workbook(inventory.campaign)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [
        "Instructions",
        "Paramètres",
        "Services",
        "Personnel",
        "Charges",
        "Equipements",
        "Contrats",
        "Listes",
        "Tampon",
    ]
    assert wb["Tampon"].sheet_state == "hidden" and wb["Tampon"].protection.sheet
    services_rows = rows(data, "Services")
    # every member of the body × every domain of the campaign, answered or not
    assert {(r["Code membre"], r["Code domaine"]) for r in services_rows} == {
        ("21001", "rh"),
        ("21001", "voirie"),
        ("21002", "rh"),
        ("21002", "voirie"),
    }
    answered = next(
        r for r in services_rows if r["Code membre"] == "21002" and r["Code domaine"] == "rh"
    )
    assert answered["Mode de gestion"] == "regie"
    assert answered["Besoins"] == "Sécuriser la paie pendant les congés."
    assert rows(data, "Personnel") == [
        {
            "Code membre": "21002",
            "Membre": "Bourg-Témoin",
            "Code domaine": "rh",
            "Catégorie": "C",
            "ETP": 0.3,
            "Coût annuel chargé (€)": 11400,
        }
    ]
    assert "69001" not in str(rows(data, "Listes"))  # no other body's commune
    validations = {
        str(dv.sqref): dv.formula1 for dv in wb["Services"].data_validations.dataValidation
    }
    assert validations["A3:A2000"].startswith("'Listes'!$A$3")
    assert "Paramètres" in wb.sheetnames and wb["Paramètres"]["B3"].value == "200000001"
    assert "Instructions" in wb.sheetnames
    assert "ne renommez pas" in str(wb["Instructions"]["A5"].value).lower()


def test_export_then_import_leaves_the_database_unchanged(inventory):
    before = snapshot(inventory.campaign)
    data = workbook.export_workbook(inventory.campaign)
    assert do_import(inventory, data, user=inventory.world.pooling_admin) is None
    assert snapshot(inventory.campaign) == before
    assert not ImportLog.objects.exists()


def test_an_import_is_logged_with_who_what_and_the_old_values(inventory):
    data = workbook.export_workbook(inventory.campaign)
    data = edit(data, "Personnel", {(3, "ETP"): "0,5"})
    log = do_import(inventory, data, user=inventory.world.pooling_admin)
    assert (log.created_count, log.updated_count, log.deleted_count) == (0, 1, 0)
    assert log.user == inventory.world.pooling_admin
    assert len(log.sha256) == 64
    assert log.row_counts == {"Personnel": 1}
    [change] = log.changes
    assert (change["sheet"], change["key"], change["action"]) == (
        "Personnel",
        "21002|rh|c",
        "update",
    )
    assert (change["old"]["fte"], change["new"]["fte"]) == ("0.3", "0.5")
    assert change["fields"] == ["fte"]


def test_importing_the_same_file_twice_changes_nothing_the_second_time(inventory):
    data = workbook.export_workbook(inventory.campaign)
    data = edit(
        data,
        "Services",
        {(5, "Mode de gestion"): "externalise", (5, "Satisfaction (1 à 5)"): 4},
    )
    first = do_import(inventory, data)
    after_first = snapshot(inventory.campaign)
    history_count = ServiceRecord.history.count()
    second = do_import(inventory, data)
    assert snapshot(inventory.campaign) == after_first
    assert ServiceRecord.history.count() == history_count
    assert first.created_count == 1
    assert second is None
    assert ImportLog.objects.count() == 1


def test_import_creates_updates_and_removes_rows_of_the_members_in_the_file(inventory):
    world = inventory.world
    data = workbook.export_workbook(inventory.campaign)
    data, _row = append(
        data,
        "Contrats",
        {
            "Code membre": "21001",
            "Fournisseur": "JVS-Mairistem",
            "Produit ou objet": "Horizon Villages",
            "Type": "logiciel",
            "Coût annuel (€)": "2 400,50",
            "Début": "01/01/2024",
            "Fin": date(2028, 12, 31),
            "Préavis (mois)": 6,
        },
    )
    # the asset of Bourg-Témoin is removed from the file: it is deleted at import
    wb = load_workbook(io.BytesIO(data))
    wb["Equipements"].delete_rows(3)
    buffer = io.BytesIO()
    wb.save(buffer)
    log = do_import(inventory, buffer.getvalue())
    contract = Contract.objects.get(member=world.own_commune)
    assert contract.yearly_cost_amount == Decimal("2400.50")
    assert contract.start_on == date(2024, 1, 1)
    assert not Asset.objects.filter(member=world.other_commune).exists()
    assert log.deleted_count == 1
    assert Submission.objects.get(member=world.own_commune).status == "draft"


def test_rows_of_members_absent_from_the_file_are_kept(inventory):
    data = workbook.export_workbook(
        inventory.campaign, member_ids=frozenset({inventory.world.own_commune.pk})
    )
    do_import(inventory, data)
    assert ServiceRecord.objects.filter(member=inventory.world.other_commune).count() == 1
    assert Asset.objects.filter(member=inventory.world.other_commune).count() == 1


def test_every_error_is_listed_with_sheet_row_and_column_and_nothing_is_stored(inventory):
    data = workbook.export_workbook(inventory.campaign)
    data = edit(
        data,
        "Services",
        {
            (3, "Mode de gestion"): "en sous-traitance",
            (4, "Code domaine"): "astronomie",
            (5, "Mode de gestion"): "regie",
            (5, "Volume d'activité"): -3,
            (5, "Unité"): "km",
            (6, "Code membre"): "99999",
            (6, "Mode de gestion"): "regie",
        },
    )
    data = edit(data, "Personnel", {(3, "ETP"): "beaucoup"})
    data = edit(data, "Contrats", {(3, "Début"): date(2027, 1, 1), (3, "Fin"): date(2026, 1, 1)})
    data = edit(data, "Equipements", {(3, "Subventions (€)"): 900000})
    problems = rejected(inventory, data)
    expected = [
        "Feuille « Services », ligne 3, colonne « Mode de gestion » : « en sous-traitance » "
        "n'est pas une valeur autorisée (voir la feuille Listes).",
        "Feuille « Services », ligne 4, colonne « Code domaine » : « astronomie » n'est pas "
        "un domaine de la campagne.",
        "Feuille « Services », ligne 5, colonne « Volume d'activité » : le nombre ne peut pas "
        "être négatif (-3).",
        "Feuille « Services », ligne 6, colonne « Code membre » : « 99999 » n'est pas un "
        "membre de CC du Val de Test.",
        "Feuille « Personnel », ligne 3, colonne « ETP » : « beaucoup » n'est pas un nombre.",
        "Feuille « Equipements », ligne 3, colonne « Subventions (€) » : les subventions "
        "dépassent le coût d'acquisition.",
        "Feuille « Contrats », ligne 3, colonne « Fin » : la date de fin précède la date de début.",
    ]
    for message in expected:
        assert message in problems
    assert len(problems) == len(expected)


def test_missing_and_unknown_columns_are_reported(inventory):
    data = workbook.export_workbook(inventory.campaign)
    data = delete_header(data, "Personnel", "ETP")
    data = edit(data, "Charges", {(2, "Montant (€)"): "Montant TTC"})
    problems = rejected(inventory, data)
    assert "Feuille « Personnel », ligne 2, colonne « ETP » : colonne obligatoire absente." in (
        problems
    )
    assert "Feuille « Charges », ligne 2, colonne « Montant TTC » : colonne inconnue." in problems
    assert (
        "Feuille « Charges », ligne 2, colonne « Montant (€) » : colonne obligatoire absente."
        in (problems)
    )


def test_a_missing_sheet_is_reported(inventory):
    wb = load_workbook(io.BytesIO(workbook.export_workbook(inventory.campaign)))
    del wb["Contrats"]
    buffer = io.BytesIO()
    wb.save(buffer)
    assert "Feuille « Contrats » : la feuille « Contrats » est absente." in rejected(
        inventory, buffer.getvalue()
    )


def test_staff_of_a_domain_without_a_services_row_is_refused(inventory):
    data = workbook.export_workbook(inventory.campaign)
    data, row = append(
        data,
        "Personnel",
        {
            "Code membre": "21001",
            "Code domaine": "voirie",
            "Catégorie": "C",
            "ETP": 1,
            "Coût annuel chargé (€)": 38000,
        },
    )
    problems = rejected(inventory, data)
    assert any(
        p.startswith(f"Feuille « Personnel », ligne {row}, colonne « Code domaine »")
        for p in problems
    )


def test_duplicate_rows_are_refused(inventory):
    data = workbook.export_workbook(inventory.campaign)
    data, row = append(
        data,
        "Charges",
        {"Code membre": "21002", "Code domaine": "rh", "Chapitre M57": "011", "Montant (€)": 10},
    )
    assert f"Feuille « Charges », ligne {row} : doublon de la ligne 3." in rejected(inventory, data)


def test_a_file_that_is_not_xlsx_is_refused_in_french(inventory):
    problems = rejected(inventory, b"Code membre;ETP\n21001;1\n", name="inventaire.csv")
    assert problems == ["« inventaire.csv » n'est pas un classeur Excel au format .xlsx."]
    problems = rejected(inventory, b"PK\x03\x04 not really a zip", name="faux.xlsx")
    assert problems == ["« faux.xlsx » n'est pas un classeur Excel au format .xlsx."]


def test_a_file_over_the_size_limit_is_refused(inventory, settings):
    settings.INVENTORY_MAX_UPLOAD_BYTES = 1000
    data = workbook.export_workbook(inventory.campaign)
    assert rejected(inventory, data) == ["Le fichier dépasse la taille maximale de 0,000954 Mo."]


def test_a_referent_import_reads_only_its_own_commune_rows(inventory):
    world = inventory.world
    before = snapshot(inventory.campaign)
    data = workbook.export_workbook(inventory.campaign)  # holds both communes
    data = edit(data, "Services", {(3, "Mode de gestion"): "externalise"})  # Bourg-Témoin
    plan = imports.preview_import(
        inventory.campaign, data, file_name="x.xlsx", member_ids=frozenset({world.own_commune.pk})
    )
    assert plan.is_empty
    assert [str(g) for g in plan.skipped] == [
        "Feuille « Services », lignes 3 et 4 : lignes de Bourg-Témoin ignorées : vous "
        "n'importez que votre commune.",
        "Feuille « Personnel », ligne 3 : lignes de Bourg-Témoin ignorées : vous n'importez "
        "que votre commune.",
        "Feuille « Charges », ligne 3 : lignes de Bourg-Témoin ignorées : vous n'importez "
        "que votre commune.",
        "Feuille « Equipements », ligne 3 : lignes de Bourg-Témoin ignorées : vous "
        "n'importez que votre commune.",
        "Feuille « Contrats », ligne 3 : lignes de Bourg-Témoin ignorées : vous n'importez "
        "que votre commune.",
    ]
    assert do_import(inventory, data, member_ids=frozenset({world.own_commune.pk})) is None
    assert snapshot(inventory.campaign) == before


def test_a_referent_imports_its_own_commune(inventory):
    world = inventory.world
    data = workbook.export_workbook(
        inventory.campaign, member_ids=frozenset({world.own_commune.pk})
    )
    data = edit(data, "Services", {(3, "Mode de gestion"): "mutualise"})
    do_import(
        inventory, data, member_ids=frozenset({world.own_commune.pk}), user=world.member_agent
    )
    assert ServiceRecord.objects.get(member=world.own_commune).mode == "mutualise"


def test_a_transmitted_submission_is_not_changed_by_an_import(inventory):
    world = inventory.world
    services.submit_inventory(inventory.campaign, world.other_commune, world.pooling_admin)
    before = snapshot(inventory.campaign)
    data = workbook.export_workbook(inventory.campaign)
    data = edit(data, "Services", {(3, "Besoins"): "Autre chose", (5, "Mode de gestion"): "regie"})
    result = imports.apply_import(inventory.campaign, data, file_name="x.xlsx")
    [refused] = result.plan.refused
    assert (refused.sheet, refused.key, refused.action) == ("Services", "21002|rh", "update")
    assert "réouverture" in refused.reason
    after = snapshot(inventory.campaign)
    assert [s for s in after["services"] if s[0] == world.other_commune.pk] == before["services"]
    assert ServiceRecord.objects.get(member=world.own_commune).mode == "regie"
    assert result.log.refused_count == 1
    services.reopen_submission(inventory.campaign, world.other_commune)
    result = imports.apply_import(inventory.campaign, data, file_name="x.xlsx")
    assert result.plan.applied[0].key == "21002|rh"
    assert ServiceRecord.objects.get(member=world.other_commune).needs == "Autre chose"


def test_a_workbook_of_another_year_is_refused(inventory):
    data = edit(workbook.export_workbook(inventory.campaign), "Paramètres", {})
    wb = load_workbook(io.BytesIO(data))
    wb["Paramètres"]["B4"] = 2024
    buffer = io.BytesIO()
    wb.save(buffer)
    assert (
        "Feuille « Paramètres », colonne « Année de référence » : ce classeur concerne "
        "l'année 2024, pas la campagne 2025."
    ) in rejected(inventory, buffer.getvalue())


def test_labels_are_accepted_as_well_as_codes(inventory):
    data = workbook.export_workbook(inventory.campaign)
    data = edit(
        data,
        "Services",
        {
            (3, "Mode de gestion"): "Externalisé",
            (3, "Volume d'activité"): 12,
            (3, "Unité"): "km de voirie",
        },
    )
    do_import(inventory, data)
    record = ServiceRecord.objects.get(member=inventory.world.other_commune, domain=inventory.rh)
    assert (record.mode, record.activity_unit) == ("externalise", "km")


def test_sample_campaign_workbook_carries_the_banner(inventory):
    inventory.campaign.is_sample = True
    inventory.campaign.save()
    wb = load_workbook(io.BytesIO(workbook.export_workbook(inventory.campaign)))
    for sheet in ("Instructions", "Services", "Personnel", "Contrats"):
        assert "DONNÉES FICTIVES DE DÉMONSTRATION" in wb[sheet]["A1"].value


def test_read_campaign_key_reads_siren_and_year(inventory):
    data = workbook.export_workbook(inventory.campaign)
    assert workbook.read_campaign_key(data, "x.xlsx") == ("200000001", 2025, [])
