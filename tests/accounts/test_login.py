from __future__ import annotations

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2():
    user = UserFactory(password="un-mot-de-passe-solide")
    assert identify_hasher(user.password).algorithm == "argon2"


def test_login_lands_on_the_only_pooling_body(world, client):
    world.pooling_admin.set_password("motdepasse-test")
    world.pooling_admin.save()
    response = client.post(
        reverse("accounts:login"),
        {"username": "pooling_admin", "password": "motdepasse-test"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("territories:detail", args=[world.body.pk])
    assert "CC du Val de Test" in response.content.decode()


def test_wrong_password_is_refused_in_french(world, client):
    response = client.post(
        reverse("accounts:login"), {"username": "pooling_admin", "password": "faux"}
    )
    assert response.status_code == 200
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_is_throttled_after_five_failures(world, client):
    world.pooling_admin.set_password("motdepasse-test")
    world.pooling_admin.save()
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "pooling_admin", "password": "x"})
    response = client.post(
        reverse("accounts:login"),
        {"username": "pooling_admin", "password": "motdepasse-test"},
    )
    assert response.status_code == 429
    assert "temporairement bloquée" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_requires_post_and_ends_the_session(world, client_for):
    client = client_for(world.pooling_admin)
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_home_lists_only_bodies_with_a_role(world, client_for):
    other = UserFactory()
    response = client_for(other).get(reverse("home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "aucune structure porteuse" in page
    assert "CC du Val de Test" not in page


def test_platform_admin_sees_every_body_and_may_create(world, client_for):
    page = client_for(world.platform_admin).get(reverse("home")).content.decode()
    assert "CC du Val de Test" in page and "CA d&#x27;Ailleurs" in page
    assert reverse("territories:create") in page


@pytest.mark.parametrize("persona", ["pooling_admin", "outsider", "member_agent"])
def test_only_platform_admins_create_pooling_bodies(world, client_for, persona):
    response = client_for(world.persona(persona)).post(
        reverse("territories:create"), {"siren": "200039063"}
    )
    assert response.status_code == 403
