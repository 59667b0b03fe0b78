"""The pilot's walk in one browser session: an administrator invites a référent, who sets a
password through the link, logs in, enters and transmits its commune's inventory; the
coordinator then imports a workbook, reaches its preview from the campaign page and
confirms it."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from mutualis.inventory.models import ServiceRecord, Submission
from tests.factories import DomainFactory
from tests.inventory.factories import CampaignFactory, ServiceRecordFactory
from tests.inventory.workbook_helpers import edit, rows

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login_as_coordinator(page, live_server, world) -> None:
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Nom d’utilisateur").fill("pooling_admin")
    page.get_by_label("Mot de passe").fill("motdepasse-test")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/s/{world.body.pk}/")


def _invite_and_accept(page, live_server, world) -> None:
    _login_as_coordinator(page, live_server, world)
    page.get_by_role("link", name="Rôles des utilisateurs").click()
    assert (
        "Bourg-Témoin"
        in page.get_by_role("region", name="Communes sans référent·e joignable").inner_text()
    )
    page.get_by_role("link", name="Inviter une personne").click()
    page.get_by_label("Adresse électronique").fill("nouvelle@commune.example")
    page.get_by_label("Rôle").select_option(label="Référent·e communal·e")
    page.get_by_label("Commune (pour un·e référent·e)").select_option(label="Bourg-Témoin")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    page.wait_for_url(f"{live_server.url}/s/{world.body.pk}/roles/")
    invitations = page.get_by_role("table", name="Invitations en attente")
    assert "nouvelle@commune.example" in invitations.inner_text()
    page.get_by_role("button", name="Se déconnecter").click()

    link = re.search(r"https?://\S+/invitation/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    assert "nouvelle@commune.example" in page.get_by_role("main").inner_text()
    page.get_by_label("Nouveau mot de passe *", exact=True).fill("Un-mot-de-passe-long")
    page.get_by_label("Confirmation du nouveau mot de passe").fill("Un-mot-de-passe-long")
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    page.wait_for_url(f"{live_server.url}/s/{world.body.pk}/")
    assert "Bienvenue" in page.get_by_role("status").inner_text()
    page.get_by_role("button", name="Se déconnecter").click()

    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Nom d’utilisateur").fill("nouvelle@commune.example")
    page.get_by_label("Mot de passe").fill("Un-mot-de-passe-long")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/s/{world.body.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "CC du Val de Test"

    page.goto(link)
    assert "déjà été utilisée" in page.get_by_role("main").inner_text()


def _enter_and_transmit(page, live_server, world) -> None:
    """The new référent enters its commune's answer and transmits it."""
    page.goto(f"{live_server.url}/s/{world.body.pk}/diagnostic/")
    page.get_by_role("link", name="Saisir l'état des lieux 2025 de Bourg-Témoin").click()
    page.get_by_role("link", name="Renseigner Ressources humaines").click()
    page.get_by_label("Mode de gestion").select_option("regie")
    page.get_by_label("Catégorie C — ETP").fill("0,5")
    page.get_by_label("Catégorie C — coût annuel chargé (€)").fill("15 000")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.get_by_text("brouillon enregistré", exact=False).first.wait_for()
    page.get_by_role("link", name="Transmettre l'état des lieux…").click()
    page.get_by_role("button", name="Confirmer la transmission").click()
    page.get_by_text("Cet état des lieux a été transmis", exact=False).first.wait_for()
    page.get_by_role("button", name="Se déconnecter").click()


def _import_preview_and_confirm(page, live_server, world, campaign, tmp_path) -> None:
    """The coordinator imports a workbook (one answer of Saint-Essai changed), leaves the
    preview, comes back to it from the campaign page and confirms it."""
    _login_as_coordinator(page, live_server, world)
    campaign_url = f"{live_server.url}/s/{world.body.pk}/etat-des-lieux/{campaign.pk}/"
    page.goto(campaign_url)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le classeur Excel").click()
    with open(download.value.path(), "rb") as exported:
        data = exported.read()
    number = next(
        i for i, row in enumerate(rows(data, "Services"), start=3) if "Saint-Essai" in row.values()
    )
    workbook = tmp_path / "classeur-rempli.xlsx"
    workbook.write_bytes(edit(data, "Services", {(number, "Besoins"): "Un agent de plus."}))
    page.get_by_role("link", name="Importer un classeur rempli").click()
    page.get_by_label("Classeur rempli (.xlsx)").set_input_files(workbook)
    page.get_by_role("button", name="Vérifier et voir l'aperçu").click()
    page.get_by_role("heading", level=1, name="Aperçu de l'import", exact=False).wait_for()
    assert "Un agent de plus." in page.content()
    page.goto(campaign_url)
    page.get_by_role("link", name="Voir l'aperçu de « classeur-rempli.xlsx » et confirmer").click()
    page.get_by_role("button", name="Confirmer l'import").click()
    page.wait_for_load_state()


def test_invite_set_password_enter_transmit_then_import_preview_and_confirm(
    world, live_server, browser, tmp_path
):
    rh = DomainFactory(pooling_body=world.body, code="rh", name="Ressources humaines")
    campaign = CampaignFactory(pooling_body=world.body, year=2025, domains=[rh])
    ServiceRecordFactory(campaign=campaign, member=world.own_commune, domain=rh, needs="")
    world.pooling_admin.set_password("motdepasse-test")
    world.pooling_admin.save()
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    _invite_and_accept(page, live_server, world)
    _enter_and_transmit(page, live_server, world)
    assert Submission.objects.get(member=world.other_commune).status == "submitted"
    _import_preview_and_confirm(page, live_server, world, campaign, tmp_path)
    record = ServiceRecord.objects.get(campaign=campaign, member=world.own_commune, domain=rh)
    assert record.needs == "Un agent de plus."
    assert ServiceRecord.objects.get(campaign=campaign, member=world.other_commune).mode == "regie"
    context.close()
