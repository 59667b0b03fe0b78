"""An administrator invites a référent, who sets a password through the link and logs in."""

from __future__ import annotations

import re

import pytest
from django.core import mail

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_invite_then_set_password_then_log_in(world, live_server, browser):
    world.pooling_admin.set_password("motdepasse-test")
    world.pooling_admin.save()
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Nom d’utilisateur").fill("pooling_admin")
    page.get_by_label("Mot de passe").fill("motdepasse-test")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/s/{world.body.pk}/")

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
    context.close()
