"""A coordinator builds a scenario from the inventory, reads before/after, the fair
allocations and the stability verdict, compares two scenarios, and downloads the council
PDF and one commune's sheet; nothing leaves 127.0.0.1."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.scenarios.conftest import build_sworld

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_coordinator_builds_compares_and_downloads(world, live_server, browser):
    sworld = build_sworld(world)
    world.pooling_admin.set_password("motdepasse-test")
    world.pooling_admin.save()
    requested: list[str] = []
    context = browser.new_context(locale="fr-FR", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(120_000)  # PDFs on a loaded CI machine
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Nom d’utilisateur").fill("pooling_admin")
    page.get_by_label("Mot de passe").fill("motdepasse-test")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/s/{world.body.pk}/scenarios/")
    page.get_by_role("link", name="Nouveau scénario").click()
    page.get_by_label("Intitulé").fill("ADS à deux communes")
    page.get_by_label("Domaine").select_option(label="Instruction ADS")
    page.get_by_label("Forme juridique").select_option("entente")
    page.get_by_label("Saint-Essai").check()
    page.get_by_label("Bourg-Témoin").check()
    page.get_by_label("Année de démarrage").fill("2026")
    page.get_by_label("Horizon (années)").fill("5")
    page.get_by_role("button", name="Créer le scénario").click()
    page.get_by_role("heading", name="Avant et après").wait_for()
    summary = page.get_by_role("table", name="Coût annuel du domaine", exact=False).inner_text()
    assert "Coût avant mutualisation" in summary and "€" in summary
    allocations = page.get_by_role("table", name="Ce que chaque commune paierait", exact=False)
    assert "Valeur de Shapley" in allocations.inner_text()
    assert "Nucléole" in allocations.inner_text()
    stability = page.get_by_role("table", name="Test du cœur", exact=False).inner_text()
    assert "Répartition stable" in stability or "de moins en s'organisant seul" in stability

    page.get_by_role("link", name="Tous les scénarios").click()
    page.get_by_label("Comparer ADS à deux communes").check()
    page.get_by_label("Comparer Service commun ADS").check()
    page.get_by_role("button", name="Comparer les scénarios cochés", exact=False).click()
    comparison = page.get_by_role("table", name="Les scénarios côte à côte").inner_text()
    assert "ADS à deux communes" in comparison and "Service commun ADS" in comparison

    page.goto(f"{live_server.url}/s/{world.body.pk}/scenarios/{sworld.scenario.pk}/")
    page.get_by_role("button", name="Préparer le dossier du conseil (PDF)").click()
    with page.expect_download() as pack:
        page.get_by_role("link", name="Télécharger dossier-", exact=False).click()
    assert pack.value.suggested_filename.endswith(".pdf")
    assert pack.value.path().read_bytes()[:4] == b"%PDF"
    page.go_back()
    with page.expect_download() as sheet:
        page.get_by_role("link", name="Saint-Essai").first.click()
    assert sheet.value.suggested_filename.startswith("fiche-21001")

    hosts = {urlsplit(url).hostname for url in requested if not url.startswith("data:")}
    assert hosts <= {"localhost", "127.0.0.1"}
    context.close()
