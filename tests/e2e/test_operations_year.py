"""One service's year in the browser: unit cost notified, units imported, statements issued,
a correction made, the titles exported."""

from __future__ import annotations

import pytest

from tests.operations.conftest import determine, make_service

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/connexion/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill("motdepasse-test")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def test_a_service_year_from_unit_cost_to_titles(world, live_server, browser, tmp_path):
    service = make_service(world)
    determine(service)
    world.finance_officer.set_password("motdepasse-test")
    world.finance_officer.save()
    base = live_server.url
    requested: list[str] = []
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.on("request", lambda request: requested.append(request.url))
    _login(page, base, "finance_officer")

    page.goto(f"{base}/s/{world.body.pk}/pilotage/")
    page.get_by_role("link", name=service.name).click()
    page.get_by_label("Date de notification").fill("2026-03-20")
    page.get_by_role("button", name="Calculer et notifier").click()
    page.get_by_text("Coût unitaire notifié.").wait_for()
    assert "220,137747" in page.locator("#cout-unitaire").inner_text()

    units = tmp_path / "unites.csv"
    units.write_text("code;mois;unites\n21001;1;40\n21001;2;45\n21001;3;50\n21002;1;82\n")
    page.get_by_role("link", name="Importer les unités (Excel ou CSV)").click()
    page.get_by_label("Fichier d'unités (Excel .xlsx ou CSV)").set_input_files(units)
    page.get_by_role("button", name="Déposer").click()
    page.get_by_text("Aperçu : rien n'est encore enregistré").wait_for()
    page.get_by_label("Fichier d'unités (Excel .xlsx ou CSV)").set_input_files(units)
    page.get_by_label("Confirmer l'import", exact=False).check()
    page.get_by_role("button", name="Déposer").click()
    page.get_by_text("Import réussi", exact=False).wait_for()

    page.goto(f"{base}/s/{world.body.pk}/pilotage/exercice/2026/etats/")
    page.get_by_label("Périodicité").select_option("trimestrielle")
    page.get_by_label("Période", exact=False).fill("1")
    page.get_by_role("button", name="Établir les brouillons").click()
    page.get_by_text("2 état(s) brouillon établi(s).").wait_for()
    page.get_by_role("row", name="Saint-Essai").get_by_role("link").click()
    assert "29\u202f718,60\u00a0€" in page.locator("#total").inner_text()
    page.get_by_role("button", name="Valider").click()
    page.get_by_role("button", name="Émettre").click()
    page.get_by_text("Cet état est émis", exact=False).wait_for()

    page.get_by_role("link", name="Établir un état rectificatif").click()
    page.get_by_label("Motif de la rectification").fill("Un acte oublié en mars")
    page.get_by_label("quantité corrigée", exact=False).fill("136")
    page.get_by_role("button", name="Établir l'état rectificatif").click()
    assert "220,13\u00a0€" in page.locator("#total").inner_text()

    page.goto(f"{base}/s/{world.body.pk}/pilotage/exercice/2026/etats/")
    with page.expect_download() as titles:
        page.get_by_role("link", name="Bordereau des titres (CSV)").click()
    path = tmp_path / "titres.csv"
    titles.value.save_as(path)
    content = path.read_text(encoding="utf-8-sig")
    assert "Saint-Essai" in content and "29718,60" in content
    assert all(url.startswith(base) for url in requested)
    context.close()
