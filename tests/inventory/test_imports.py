"""Imports never lose work: preview, stamp and conflicts, refusals, grouped errors, undo."""

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
from mutualis.inventory.services import InventoryError
from mutualis.sheets import rows_label
from tests.factories import PoolingBodyFactory
from tests.inventory.factories import CampaignFactory, ContractFactory
from tests.inventory.test_workbook import snapshot
from tests.inventory.workbook_helpers import append, edit

pytestmark = pytest.mark.django_db

NEW_CONTRACT = {
    "Code membre": "21002",
    "Fournisseur": "Ciril",
    "Produit ou objet": "Civil Net RH",
    "Type": "logiciel",
    "Coût annuel (€)": 900,
    "Début": "01/01/2025",
}


def apply(inventory, data: bytes, **kwargs):
    return imports.apply_import(inventory.campaign, data, file_name="x.xlsx", **kwargs)


def preview(inventory, data: bytes, **kwargs):
    return imports.preview_import(inventory.campaign, data, file_name="x.xlsx", **kwargs)


def without_row(data: bytes, sheet: str, number: int) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    wb[sheet].delete_rows(number)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def cleared(data: bytes, number: int) -> bytes:
    """The Services row `number` left unanswered: its domain is removed at import."""
    answers = (
        "Mode de gestion",
        "Volume d'activité",
        "Unité",
        "Satisfaction (1 à 5)",
        "Besoins",
        "Difficultés",
    )
    return edit(data, "Services", {(number, header): None for header in answers})


def problems_of(caught) -> str:
    return "\n".join(str(p) for p in caught.value.problems)


def test_the_preview_lists_creations_updates_and_deletions_and_writes_nothing(inventory):
    data = workbook.export_workbook(inventory.campaign)
    data = edit(data, "Personnel", {(3, "ETP"): "0,5"})
    data, _row = append(data, "Contrats", NEW_CONTRACT)
    data = without_row(data, "Equipements", 3)
    before = snapshot(inventory.campaign)
    plan = preview(inventory, data)
    assert snapshot(inventory.campaign) == before
    assert (plan.count_create, plan.count_update, plan.count_delete) == (1, 1, 1)
    update = next(c for c in plan.changes if c.action == "update")
    assert update.text == "modification, ligne 3 : rh — c (ETP : 0,3 → 0,5)"
    names = {inventory.world.other_commune.pk: "Bourg-Témoin"}
    assert [(s.member, s.sheet) for s in plan.sections(names)] == [
        ("Bourg-Témoin", "Personnel"),
        ("Bourg-Témoin", "Equipements"),
        ("Bourg-Témoin", "Contrats"),
    ]
    assert "suppression : salle des fêtes" in "\n".join(plan.lines(names))


def test_a_stale_workbook_does_not_delete_a_contract_added_on_the_web(inventory):
    world = inventory.world
    data = workbook.export_workbook(inventory.campaign)
    added = ContractFactory(
        campaign=inventory.campaign, member=world.other_commune, vendor="Ciril", product="RH"
    )
    result = apply(inventory, data)
    assert result.log is None
    [conflict] = result.plan.conflicts
    assert (conflict.sheet, conflict.action) == ("Contrats", "delete")
    assert conflict.reason == "ajoutée dans Mutualis depuis l'export du classeur"
    assert Contract.objects.filter(pk=added.pk).exists()


def test_a_row_changed_on_the_web_since_the_export_is_a_conflict_left_untouched(inventory):
    data = workbook.export_workbook(inventory.campaign)
    line = StaffLine.objects.get()
    line.fte = Decimal("0.80")  # edited on the web after the export
    line.save()
    data = edit(data, "Personnel", {(3, "ETP"): "0,5"})
    data = edit(data, "Services", {(3, "Besoins"): "Un agent de plus."})
    result = apply(inventory, data)
    [conflict] = result.plan.conflicts
    assert (conflict.key, conflict.reason) == (
        "21002|rh|c",
        "modifiée dans Mutualis depuis l'export du classeur",
    )
    assert [f.old + " → " + f.new for f in conflict.fields] == ["0,8 → 0,5"]
    line.refresh_from_db()
    assert line.fte == Decimal("0.80")
    assert ServiceRecord.objects.get().needs == "Un agent de plus."  # the rest is applied
    assert result.log.conflict_count == 1


def test_the_user_may_choose_to_overwrite_conflicts(inventory):
    data = workbook.export_workbook(inventory.campaign)
    StaffLine.objects.update(fte=Decimal("0.80"))
    data = edit(data, "Personnel", {(3, "ETP"): "0,5"})
    result = apply(inventory, data, overwrite=True)
    assert not result.plan.conflicts and result.log.overwrite
    assert StaffLine.objects.get().fte == Decimal("0.50")


def test_a_web_edit_left_alone_by_the_file_is_still_a_conflict_and_kept(inventory):
    data = workbook.export_workbook(inventory.campaign)
    ServiceRecord.objects.update(needs="Saisi sur le web")
    result = apply(inventory, data)
    assert [c.key for c in result.plan.conflicts] == ["21002|rh"]
    assert ServiceRecord.objects.get().needs == "Saisi sur le web"


def test_a_line_whose_service_is_held_is_held_too(inventory):
    data = workbook.export_workbook(inventory.campaign)
    data = cleared(data, 3)
    data = without_row(without_row(data, "Personnel", 3), "Charges", 3)
    StaffLine.objects.update(fte=Decimal("2"))  # web edit: this line is kept
    result = apply(inventory, data, allow_delete=True)
    held = {c.sheet: c.reason for c in result.plan.conflicts}
    assert held["Services"] == "des lignes Personnel ou Charges de ce domaine sont conservées"
    assert ServiceRecord.objects.exists() and StaffLine.objects.exists()
    assert not CostLine.objects.exists()


def test_an_import_that_changes_nothing_moves_no_status(inventory):
    data = workbook.export_workbook(inventory.campaign)
    assert not Submission.objects.filter(member=inventory.world.own_commune).exists()
    assert apply(inventory, data).log is None
    assert not Submission.objects.exists()
    assert not ImportLog.objects.exists()


def test_a_file_that_deletes_needs_allow_delete(inventory):
    data = without_row(workbook.export_workbook(inventory.campaign), "Contrats", 3)
    before = snapshot(inventory.campaign)
    with pytest.raises(ImportRejected) as caught:
        apply(inventory, data, allow_delete=False)
    assert "supprimerait 1 ligne(s)" in str(caught.value.problems[0])
    assert snapshot(inventory.campaign) == before
    apply(inventory, data, allow_delete=True)
    assert not Contract.objects.exists()


def test_a_confirmation_of_an_outdated_preview_is_refused(inventory):
    data = edit(workbook.export_workbook(inventory.campaign), "Personnel", {(3, "ETP"): 2})
    digest = preview(inventory, data).digest
    StaffLine.objects.update(fte=Decimal("3"))
    with pytest.raises(ImportRejected) as caught:
        apply(inventory, data, expected_digest=digest)
    assert "ont changé depuis l'aperçu" in problems_of(caught)
    assert StaffLine.objects.get().fte == Decimal("3")


def test_a_workbook_of_another_campaign_or_body_is_refused_in_french(inventory):
    data = workbook.export_workbook(inventory.campaign)
    later = CampaignFactory(pooling_body=inventory.world.body, year=2026, domains=[inventory.rh])
    with pytest.raises(ImportRejected) as caught:
        imports.preview_import(later, data, file_name="x.xlsx")
    assert [str(p) for p in caught.value.problems] == [
        "Feuille « Tampon » : ce classeur a été exporté pour la campagne 2025, pas pour la "
        "campagne 2026."
    ]
    other = CampaignFactory(pooling_body=PoolingBodyFactory(siren="200000099"), year=2025)
    with pytest.raises(ImportRejected) as caught:
        imports.preview_import(other, data, file_name="x.xlsx")
    assert "exporté par une autre structure porteuse (SIREN 200000001)" in str(
        caught.value.problems[0]
    )


def test_a_tampered_or_missing_stamp_is_refused(inventory):
    data = workbook.export_workbook(inventory.campaign)
    wb = load_workbook(io.BytesIO(data))
    wb["Tampon"]["C12"] = "0000000000000000"
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(ImportRejected) as caught:
        apply(inventory, out.getvalue())
    assert "a été modifié" in problems_of(caught)
    del wb["Tampon"]
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(ImportRejected) as caught:
        apply(inventory, out.getvalue())
    assert "ne porte pas le tampon" in problems_of(caught)


def test_one_mistake_repeated_gives_one_grouped_message(inventory):
    data = workbook.export_workbook(inventory.campaign)
    data = edit(data, "Services", {(n, "Satisfaction (1 à 5)"): "bof" for n in range(3, 7)})
    with pytest.raises(ImportRejected) as caught:
        apply(inventory, data)
    assert len(caught.value.problems) == 4
    [group] = caught.value.groups
    assert str(group).startswith(
        "Feuille « Services », lignes 3 à 6, colonne « Satisfaction (1 à 5) » : « bof » "
    )


def test_rows_label_writes_ranges_in_french():
    assert rows_label([4]) == "ligne 4"
    assert rows_label(list(range(4, 181))) == "lignes 4 à 180"
    assert rows_label([3, 5, 7, 8, 9]) == "lignes 3, 5 et 7 à 9"
    assert rows_label([4, 5]) == "lignes 4 et 5"


def test_the_last_import_can_be_undone(inventory):
    world = inventory.world
    before = snapshot(inventory.campaign)
    data = workbook.export_workbook(inventory.campaign)
    data = edit(data, "Personnel", {(3, "ETP"): "0,5"})
    data = edit(data, "Services", {(5, "Mode de gestion"): "regie"})
    data, _row = append(data, "Contrats", NEW_CONTRACT)
    data = without_row(data, "Equipements", 3)
    # the whole domain rh of Bourg-Témoin goes: its Services row and its lines
    data = cleared(data, 3)
    data = without_row(without_row(data, "Personnel", 3), "Charges", 3)
    log = apply(inventory, data, user=world.pooling_admin).log
    assert not ServiceRecord.objects.filter(member=world.other_commune).exists()
    assert Submission.objects.get(member=world.own_commune).status == "draft"
    assert imports.undo_problem(log) is None
    imports.undo_import(log, world.pooling_admin)
    assert snapshot(inventory.campaign) == before
    assert not Submission.objects.filter(member=world.own_commune).exists()
    log.refresh_from_db()
    assert log.is_undone and log.undone_by == world.pooling_admin
    with pytest.raises(InventoryError, match="déjà été annulé"):
        imports.undo_import(log, world.pooling_admin)


def test_an_import_cannot_be_undone_once_its_rows_changed_or_a_later_one_exists(inventory):
    data = workbook.export_workbook(inventory.campaign)
    first = apply(inventory, edit(data, "Personnel", {(3, "ETP"): "0,5"})).log
    StaffLine.objects.update(fte=Decimal("0.60"))
    assert imports.undo_problem(first) == (
        "La ligne « 21002|rh|c » (feuille Personnel) a changé depuis l'import : l'annuler "
        "effacerait ce changement."
    )
    StaffLine.objects.update(fte=Decimal("0.50"))
    data = workbook.export_workbook(inventory.campaign)
    second = apply(inventory, edit(data, "Charges", {(3, "Montant (€)"): 10})).log
    assert imports.undo_problem(first) == "Seul le dernier import de la campagne peut être annulé."
    imports.undo_import(second, None)
    assert imports.undo_problem(first) is None


def test_an_import_cannot_be_undone_over_a_transmitted_submission(inventory):
    world = inventory.world
    data = workbook.export_workbook(inventory.campaign)
    log = apply(inventory, edit(data, "Contrats", {(3, "Fin"): date(2030, 1, 1)})).log
    services.submit_inventory(inventory.campaign, world.other_commune, world.member_agent)
    assert "a été transmise depuis l'import" in imports.undo_problem(log)
    with pytest.raises(InventoryError):
        imports.undo_import(log, None)
    assert Contract.objects.get().end_on == date(2030, 1, 1)


def test_a_pending_upload_expires(inventory, settings):
    settings.INVENTORY_IMPORT_PREVIEW_MINUTES = 0
    data = workbook.export_workbook(inventory.campaign)
    pending = imports.stage_import(
        inventory.campaign, data, file_name="x.xlsx", user=inventory.world.pooling_admin
    )
    assert pending.expires_at <= pending.created_at
    assert Asset.objects.count() == 1  # staging writes no inventory data


@pytest.mark.parametrize("persona", ["pooling_admin", "member_agent"])
def test_the_campaign_page_links_to_a_pending_preview_of_its_uploader(
    inventory, client_for, persona
):
    from django.urls import reverse

    world = inventory.world
    user = world.persona(persona)
    pending = imports.stage_import(
        inventory.campaign,
        workbook.export_workbook(inventory.campaign),
        file_name="classeur-rempli.xlsx",
        user=user,
    )
    page = reverse("inventory:campaign", args=[world.body.pk, inventory.campaign.pk])
    preview_url = reverse(
        "inventory:import_preview", args=[world.body.pk, inventory.campaign.pk, pending.token]
    )
    html = client_for(user).get(page).content.decode()
    assert "Imports en attente de votre confirmation" in html
    assert preview_url in html and "classeur-rempli.xlsx" in html
    assert reverse("inventory:imports", args=[world.body.pk, inventory.campaign.pk]) in html
    other = world.finance_officer if persona == "pooling_admin" else world.pooling_admin
    assert preview_url not in client_for(other).get(page).content.decode()
