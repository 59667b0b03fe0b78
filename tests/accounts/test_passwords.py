"""Password reset by e-mail and password change, with the site's French pages."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

RESET_LINK = re.compile(r"https?://[^/\s]+(/mot-de-passe/nouveau/[^\s]+/)")


def test_reset_mails_a_link_that_sets_a_new_password_once(world, client):
    world.member_agent.email = "agent@val.example"
    world.member_agent.save()
    response = client.post(reverse("accounts:password_reset"), {"email": "AGENT@val.example"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    message = mail.outbox[-1]
    assert message.to == ["agent@val.example"]
    assert message.subject == "Mutualis : choisir un nouveau mot de passe"
    assert "Votre identifiant : member_agent." in message.body
    link = RESET_LINK.search(message.body).group(1)
    form_page = client.get(link, follow=True)
    assert "Nouveau mot de passe" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(
        set_url, {"new_password1": "Nouveau-secret-42", "new_password2": "Nouveau-secret-42"}
    )
    assert response["Location"] == reverse("accounts:password_reset_complete")
    world.member_agent.refresh_from_db()
    assert world.member_agent.check_password("Nouveau-secret-42")
    page = client.get(link, follow=True).content.decode()
    assert "il a déjà servi ou il a expiré" in page


def test_reset_gives_the_same_answer_for_an_unknown_address(world, client):
    response = client.post(reverse("accounts:password_reset"), {"email": "personne@nulle.part"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []
    page = client.get(reverse("accounts:password_reset_done")).content.decode()
    assert "Si un compte actif utilise cette adresse" in page


def test_the_login_page_offers_the_reset(client, db):
    page = client.get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:password_reset") in page
    assert "Mot de passe oublié ?" in page


@pytest.mark.parametrize(
    "persona", ["pooling_admin", "finance_officer", "elected_official", "member_agent", "outsider"]
)
def test_every_user_changes_their_password(world, client_for, persona):
    client = client_for(world.persona(persona))
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert "Ancien mot de passe" in page
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "motdepasse-test",
            "new_password1": "Nouveau-secret-42",
            "new_password2": "Nouveau-secret-42",
        },
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    user = world.persona(persona)
    user.refresh_from_db()
    assert user.check_password("Nouveau-secret-42")
    assert "_auth_user_id" in client.session  # the session survives the change


def test_a_wrong_old_password_is_refused_in_french(world, client_for):
    client = client_for(world.member_agent)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "faux", "new_password1": "Nouveau-secret-42", "new_password2": "x"},
    )
    assert response.status_code == 200
    assert "ancien mot de passe est incorrect" in response.content.decode()
    world.member_agent.refresh_from_db()
    assert world.member_agent.check_password("motdepasse-test")


def test_password_change_needs_a_login(client, db):
    response = client.get(reverse("accounts:password_change"))
    assert response["Location"].startswith(reverse("accounts:login"))
