"""A référent fills in and submits its commune's inventory; the coordinator sees it,
round-trips the Excel template and downloads the diagnostic PDF."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.factories import DomainFactory
from tests.inventory.factories import CampaignFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/connexion/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill("motdepasse-test")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def test_referent_fills_saves_and_submits_then_coordinator_sees_it(
    world, live_server, browser, tmp_path
):
    rh = DomainFactory(pooling_body=world.body, code="rh", name="Ressources humaines")
    campaign = CampaignFactory(pooling_body=world.body, year=2025, domains=[rh])
    for user in (world.member_agent, world.pooling_admin):
        user.set_password("motdepasse-test")
        user.save()
    requested: list[str] = []

    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.on("request", lambda request: requested.append(request.url))
    _login(page, live_server.url, "member_agent")
    page.goto(f"{live_server.url}/s/{world.body.pk}/diagnostic/")
    page.get_by_role("link", name="Saisir l'état des lieux 2025 de Saint-Essai").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Saint-Essai"

    page.get_by_role("link", name="Renseigner Ressources humaines").click()
    page.get_by_label("Mode de gestion").select_option("regie")
    page.get_by_label("Volume d'activité").fill("36")
    page.get_by_label("Unité d'activité").select_option("bulletins")
    page.get_by_label("Catégorie C — ETP").fill("0,3")
    page.get_by_label("Catégorie C — coût annuel chargé (€)").fill("11 400")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.get_by_text("brouillon enregistré", exact=False).first.wait_for()
    assert (
        "Brouillon" in page.get_by_text("Réponse :").inner_text() or "Brouillon" in page.content()
    )

    page.get_by_role("link", name="Transmettre l'état des lieux…").click()
    page.get_by_role("button", name="Confirmer la transmission").click()
    page.get_by_text("Cet état des lieux a été transmis", exact=False).first.wait_for()
    context.close()

    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.on("request", lambda request: requested.append(request.url))
    _login(page, live_server.url, "pooling_admin")
    page.goto(f"{live_server.url}/s/{world.body.pk}/etat-des-lieux/{campaign.pk}/")
    matrix = page.get_by_role("table", name="Avancement par membre et par domaine")
    row = matrix.get_by_role("row", name="Saint-Essai")
    assert "Transmise" in row.inner_text()
    assert "1 / 1" in row.inner_text()
    assert "Non commencée" in matrix.get_by_role("row", name="Bourg-Témoin").inner_text()

    # The coordinator's round trip: template out, template back in, diagnostic PDF out.
    with page.expect_download() as template:
        page.get_by_role("link", name="Télécharger le classeur Excel").click()
    assert template.value.suggested_filename.endswith(".xlsx")
    workbook = tmp_path / template.value.suggested_filename
    template.value.save_as(workbook)
    page.get_by_role("link", name="Importer un classeur rempli").click()
    page.get_by_label("Classeur rempli (.xlsx)").set_input_files(workbook)
    page.get_by_role("button", name="Vérifier et voir l'aperçu").click()
    # The unchanged workbook is previewed, nothing is written until confirmed.
    page.get_by_role("heading", level=1, name="Aperçu de l'import", exact=False).wait_for()
    assert "Rien n'est encore enregistré." in page.content()
    page.get_by_role("button", name="Abandonner").click()
    page.get_by_text("Import abandonné", exact=False).wait_for()

    page.get_by_role("link", name="Voir le diagnostic").click()
    page.get_by_role("heading", level=1, name="Diagnostic du territoire", exact=False).wait_for()
    page.get_by_role("button", name="Préparer le rapport (PDF)").click()
    with page.expect_download() as report:
        page.get_by_role("link", name="Télécharger diagnostic-2025.pdf").click()
    with open(report.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    context.close()

    hosts = {urlsplit(url).hostname for url in requested if not url.startswith("data:")}
    assert hosts <= {"localhost", "127.0.0.1"}
