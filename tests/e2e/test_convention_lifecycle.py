"""The coordinator drafts a convention from a scenario snapshot, records two deliberations
(one by the référent of its own commune), signs it and downloads its documents."""

from __future__ import annotations

import pytest

from mutualis.conventions.prefill import draft_from_snapshot
from tests.conventions.factories import report_payload, snapshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/connexion/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill("motdepasse-test")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def _deliberation(page, number: str) -> None:
    page.get_by_label("Organe délibérant").select_option("conseil_municipal")
    page.get_by_label("Date de la séance").fill("2026-10-20")
    page.get_by_label("Numéro de la délibération").fill(number)
    page.get_by_label("Voix pour").fill("12")
    page.get_by_role("button", name="Enregistrer la délibération").click()
    page.get_by_text("enregistrée", exact=False).first.wait_for()


def test_draft_from_scenario_two_deliberations_sign_and_download(
    world, live_server, browser, tmp_path
):
    members = [world.own_commune, world.other_commune]
    snap = snapshot(world.body, members, report_payload(members, ["1200.00", "800.00"]))
    convention = draft_from_snapshot(snap)
    for user in (world.member_agent, world.pooling_admin):
        user.set_password("motdepasse-test")
        user.save()
    requested: list[str] = []
    base = live_server.url
    detail = f"{base}/s/{world.body.pk}/conventions/{convention.pk}/"

    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.on("request", lambda request: requested.append(request.url))
    _login(page, base, "pooling_admin")
    page.goto(f"{base}/s/{world.body.pk}/conventions/")
    page.get_by_role("link", name=convention.title).click()
    assert page.get_by_role("heading", level=1).inner_text() == convention.title
    page.get_by_label("Date de transmission aux parties").fill("2026-10-01")
    page.get_by_role("button", name="Transmettre aux parties").click()
    page.get_by_text("Convention transmise aux parties.").wait_for()
    page.get_by_role("link", name="Saisir la délibération — Bourg-Témoin").click()
    _deliberation(page, "2026-BT-12")
    context.close()

    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.on("request", lambda request: requested.append(request.url))
    _login(page, base, "member_agent")
    page.goto(detail)
    assert page.get_by_role("link", name="Saisir la délibération — Bourg-Témoin").count() == 0
    page.get_by_role("link", name="Saisir la délibération — Saint-Essai").click()
    _deliberation(page, "2026-SE-07")
    context.close()

    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.on("request", lambda request: requested.append(request.url))
    _login(page, base, "pooling_admin")
    page.goto(detail)
    page.get_by_role("link", name=f"Saisir la délibération — {world.body.name}").click()
    _deliberation(page, "2026-CC-01")
    scan = tmp_path / "signee.pdf"
    scan.write_bytes(PDF)
    page.get_by_label("Date de signature").fill("2026-11-02")
    page.get_by_label("Exemplaire signé (PDF)").set_input_files(scan)
    page.get_by_role("button", name="Enregistrer la signature").click()
    page.get_by_text("Convention signée", exact=False).first.wait_for()
    assert page.locator("#statut").inner_text() == "Signée"

    documents = page.locator("ul.documents > li")
    for row, link, suffix in (
        (0, "DOCX", ".docx"),
        (0, "ODT", ".odt"),
        (0, "PDF", ".pdf"),
        (1, "Excel", ".xlsx"),
    ):
        with page.expect_download() as download:
            documents.nth(row).get_by_role("link", name=link, exact=True).click()
        assert download.value.suggested_filename.endswith(suffix)
    with page.expect_download() as signed_copy:
        page.get_by_role("link", name="Exemplaire signé (PDF)").click()
    path = tmp_path / "copie.pdf"
    signed_copy.value.save_as(path)
    assert path.read_bytes() == PDF
    context.close()
    assert all(url.startswith(base) for url in requested), "a page loaded a third-party asset"
