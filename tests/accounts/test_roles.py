from __future__ import annotations

import re

import pytest
from django.urls import reverse

from mutualis.accounts.models import Role
from tests.factories import RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_admin_grants_a_referent_role_on_a_commune(world, client_for):
    newcomer = UserFactory(username="nouvelle")
    RoleFactory(user=newcomer, pooling_body=world.body, name=Role.Name.VIEWER)
    response = client_for(world.pooling_admin).post(
        reverse("accounts:roles", args=[world.body.pk]),
        {"username": "nouvelle", "name": "referent", "member": world.other_commune.pk},
    )
    assert response.status_code == 302
    role = Role.objects.get(user=newcomer, name="referent")
    assert (role.name, role.member) == ("referent", world.other_commune)
    assert role.history.first().history_user == world.pooling_admin


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "inconnu", "name": "viewer"}, "Aucun compte actif de la structure"),
        ({"username": "finance_officer", "name": "referent"}, "désigne une commune"),
        ({"username": "finance_officer", "name": "toutpuissant"}, "Sélectionnez un choix valide"),
    ],
)
def test_grant_form_rejects_bad_input_in_french(world, client_for, data, message):
    count = Role.objects.count()
    response = client_for(world.pooling_admin).post(
        reverse("accounts:roles", args=[world.body.pk]), data
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Role.objects.count() == count


def test_the_form_does_not_reveal_accounts_outside_the_body(world, client_for):
    client = client_for(world.pooling_admin)
    url = reverse("accounts:roles", args=[world.body.pk])
    answers = [
        re.sub(
            r'value="\w{64}"',
            "",
            client.post(url, {"username": name, "name": "viewer"}).content.decode(),
        )
        for name in ("outsider", "personne-de-ce-nom")
    ]
    message = "Aucun compte actif de la structure ne porte cet identifiant."
    assert all(message in answer for answer in answers)
    assert answers[0].replace("outsider", "X") == answers[1].replace("personne-de-ce-nom", "X")
    assert not Role.objects.filter(user=world.outsider, pooling_body=world.body).exists()


def test_platform_admin_grants_a_role_to_any_account(world, client_for):
    client_for(world.platform_admin).post(
        reverse("accounts:roles", args=[world.body.pk]), {"username": "outsider", "name": "viewer"}
    )
    assert Role.objects.filter(user=world.outsider, pooling_body=world.body).exists()


def test_a_commune_of_another_body_cannot_be_named(world, client_for):
    response = client_for(world.pooling_admin).post(
        reverse("accounts:roles", args=[world.body.pk]),
        {"username": "finance_officer", "name": "referent", "member": world.foreign_commune.pk},
    )
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Role.objects.filter(member=world.foreign_commune).exists()


def test_revoke_removes_the_role_but_not_the_last_own_admin_role(world, client_for):
    client = client_for(world.pooling_admin)
    viewer_role = Role.objects.get(user=world.elected_official)
    client.post(reverse("accounts:role_revoke", args=[world.body.pk, viewer_role.pk]))
    assert not Role.objects.filter(pk=viewer_role.pk).exists()
    own = Role.objects.get(user=world.pooling_admin)
    response = client.post(
        reverse("accounts:role_revoke", args=[world.body.pk, own.pk]), follow=True
    )
    assert "dernier administrateur" in response.content.decode()
    assert Role.objects.filter(pk=own.pk).exists()


@pytest.mark.parametrize("persona", ["finance_officer", "elected_official", "member_agent"])
def test_only_admins_manage_roles(world, client_for, persona):
    client = client_for(world.persona(persona))
    assert client.get(reverse("accounts:roles", args=[world.body.pk])).status_code == 403
    role = Role.objects.get(user=world.elected_official)
    url = reverse("accounts:role_revoke", args=[world.body.pk, role.pk])
    assert client.post(url).status_code == 403
    assert Role.objects.filter(pk=role.pk).exists()


def test_a_role_of_another_body_is_404_inside_own_body_url(world, client_for):
    foreign_role = Role.objects.get(user=world.outsider)
    url = reverse("accounts:role_revoke", args=[world.body.pk, foreign_role.pk])
    assert client_for(world.pooling_admin).post(url).status_code == 404
    assert Role.objects.filter(pk=foreign_role.pk).exists()
