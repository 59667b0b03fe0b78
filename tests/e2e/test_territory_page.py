"""A coordinator logs in and reads the territory page; nothing leaves 127.0.0.1."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.factories import MembershipFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_login_then_territory_page_stays_on_localhost(world, live_server, browser):
    MembershipFactory(member=world.own_commune, joined_on="2019-01-01", left_on="2020-12-31")
    world.pooling_admin.set_password("motdepasse-test")
    world.pooling_admin.save()
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Nom d’utilisateur").fill("pooling_admin")
    page.get_by_label("Mot de passe").fill("motdepasse-test")
    page.get_by_role("button", name="Se connecter").click()

    page.wait_for_url(f"{live_server.url}/s/{world.body.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "CC du Val de Test"
    table = page.get_by_role("table", name="Communes et organismes membres")
    assert table.get_by_role("row", name="Saint-Essai").is_visible()
    assert "depuis le 01/01/2019 jusqu'au 31/12/2020" in table.inner_text()
    assert "Lointaine" not in page.content()

    page.get_by_role("link", name="Saint-Essai").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Saint-Essai"

    hosts = {urlsplit(url).hostname for url in requested if not url.startswith("data:")}
    assert hosts and hosts <= {"localhost", "127.0.0.1"}
    assert len(requested) >= 4  # pages plus the stylesheet and script, all local
    context.close()
