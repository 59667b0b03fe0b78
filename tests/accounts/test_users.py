"""The users page: list, change, deactivate, unlock, communes without a reachable référent."""

from __future__ import annotations

from html import unescape

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from mutualis.accounts.models import Invitation, Role
from mutualis.accounts.queries import members_without_reachable_referent
from tests.factories import MemberFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def _page(client, world) -> str:
    response = client.get(reverse("accounts:roles", args=[world.body.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_lists_the_body_users_and_invitations_only(world, client_for):
    Invitation.objects.create(
        pooling_body=world.body,
        email="attente@val.example",
        name="viewer",
        token_hash="a" * 64,
        sent_at=timezone.now(),
        expires_at=timezone.now(),
    )
    Invitation.objects.create(
        pooling_body=world.other_body,
        email="ailleurs@val.example",
        name="viewer",
        token_hash="b" * 64,
        sent_at=timezone.now(),
        expires_at=timezone.now(),
    )
    page = _page(client_for(world.pooling_admin), world)
    for name in ("pooling_admin", "finance_officer", "elected_official", "member_agent"):
        assert name in page
    assert "outsider" not in page and "platform_admin" not in page
    assert "attente@val.example" in page and "(expirée)" in page
    assert "ailleurs@val.example" not in page


def test_a_commune_is_unreachable_without_an_active_referent_with_a_password(world):
    assert [m.name for m in members_without_reachable_referent(world.body)] == ["Bourg-Témoin"]
    invited = UserFactory(username="sans-mdp")
    invited.set_unusable_password()
    invited.save()
    RoleFactory(user=invited, pooling_body=world.body, name="referent", member=world.other_commune)
    assert [m.name for m in members_without_reachable_referent(world.body)] == ["Bourg-Témoin"]
    world.member_agent.is_active = False
    world.member_agent.save()
    assert {m.name for m in members_without_reachable_referent(world.body)} == {
        "Bourg-Témoin",
        "Saint-Essai",
    }


def test_the_page_names_the_communes_without_a_reachable_referent(world, client_for):
    page = _page(client_for(world.pooling_admin), world)
    assert "1 commune n'a aucun·e référent·e" in unescape(page)
    assert "<li>Bourg-Témoin</li>" in page
    assert "<li>Saint-Essai</li>" not in page


def test_the_page_query_count_does_not_grow_with_users(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world.pooling_admin)
    _page(client, world)
    with django_assert_max_num_queries(14) as small:
        _page(client, world)
    for _ in range(15):
        member = MemberFactory(pooling_body=world.body)
        RoleFactory(pooling_body=world.body, name="referent", member=member)
    with django_assert_max_num_queries(len(small.captured_queries)):
        _page(client, world)


def test_admin_changes_a_role_and_its_commune(world, client_for):
    role = Role.objects.get(user=world.member_agent)
    response = client_for(world.pooling_admin).post(
        reverse("accounts:role_edit", args=[world.body.pk, role.pk]),
        {"name": "referent", "member": world.other_commune.pk},
    )
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.member == world.other_commune
    assert role.history.first().history_user == world.pooling_admin


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "referent", "member": ""}, "désigne une commune"),
        ({"name": "viewer", "member": "own"}, "Seul un rôle de référent·e"),
        ({"name": "referent", "member": "foreign"}, "Sélectionnez un choix valide"),
    ],
)
def test_a_bad_role_change_is_refused_in_french(world, client_for, data, message):
    role = Role.objects.get(user=world.member_agent)
    members = {"own": world.own_commune.pk, "foreign": world.foreign_commune.pk, "": ""}
    data = {**data, "member": members[data["member"]]}
    response = client_for(world.pooling_admin).post(
        reverse("accounts:role_edit", args=[world.body.pk, role.pk]), data
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    role.refresh_from_db()
    assert (role.name, role.member) == ("referent", world.own_commune)


def test_the_last_admin_cannot_demote_themself(world, client_for):
    role = Role.objects.get(user=world.pooling_admin)
    response = client_for(world.pooling_admin).post(
        reverse("accounts:role_edit", args=[world.body.pk, role.pk]), {"name": "viewer"}
    )
    assert "dernier administrateur" in response.content.decode()
    role.refresh_from_db()
    assert role.name == "admin"


def test_a_role_change_into_an_existing_role_is_refused(world, client_for):
    RoleFactory(user=world.elected_official, pooling_body=world.body, name="finance")
    role = Role.objects.get(user=world.elected_official, name="viewer")
    response = client_for(world.pooling_admin).post(
        reverse("accounts:role_edit", args=[world.body.pk, role.pk]), {"name": "finance"}
    )
    assert "déjà ce rôle" in response.content.decode()
    assert Role.objects.filter(pk=role.pk, name="viewer").exists()


def test_admin_deactivates_a_user_who_can_no_longer_log_in(world, client_for, client):
    response = client_for(world.pooling_admin).post(
        reverse("accounts:user_deactivate", args=[world.body.pk, world.elected_official.pk]),
        follow=True,
    )
    assert "désactivé" in response.content.decode()
    world.elected_official.refresh_from_db()
    assert not world.elected_official.is_active
    assert Role.objects.filter(user=world.elected_official).exists()
    client.logout()
    client.post(
        reverse("accounts:login"), {"username": "elected_official", "password": "motdepasse-test"}
    )
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("pooling_admin", "votre propre compte"),
        ("shared", "une autre structure"),
        ("superuser", "administrateur de la plateforme"),
    ],
)
def test_deactivation_is_refused_when_it_would_reach_beyond_the_body(
    world, client_for, target, message
):
    if target == "shared":
        user = world.finance_officer
        RoleFactory(user=user, pooling_body=world.other_body, name="viewer")
    elif target == "superuser":
        user = world.platform_admin
        RoleFactory(user=user, pooling_body=world.body, name="viewer")
    else:
        user = world.pooling_admin
    response = client_for(world.pooling_admin).post(
        reverse("accounts:user_deactivate", args=[world.body.pk, user.pk]), follow=True
    )
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.is_active


def _lock(username: str) -> None:
    AccessAttempt.objects.create(
        username=username,
        ip_address="127.0.0.1",
        user_agent="test",
        get_data="",
        post_data="",
        http_accept="*/*",
        path_info="/connexion/",
        failures_since_start=5,
    )


@pytest.mark.parametrize("persona", ["pooling_admin", "platform_admin"])
def test_admin_or_superuser_unlocks_a_locked_out_user(world, client_for, client, persona):
    world.member_agent.set_password("motdepasse-test")
    world.member_agent.save()
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "member_agent", "password": "x"})
    assert (
        client.post(
            reverse("accounts:login"), {"username": "member_agent", "password": "motdepasse-test"}
        ).status_code
        == 429
    )
    admin = client_for(world.persona(persona))
    page = _page(admin, world)
    assert "Bloqué" in page
    response = admin.post(
        reverse("accounts:user_unlock", args=[world.body.pk, world.member_agent.pk]), follow=True
    )
    assert "débloqué" in response.content.decode()
    assert not AccessAttempt.objects.filter(username="member_agent").exists()
    client.logout()
    response = client.post(
        reverse("accounts:login"), {"username": "member_agent", "password": "motdepasse-test"}
    )
    assert response.status_code == 302


def test_only_locked_users_are_shown_as_locked(world, client_for):
    _lock("finance_officer")
    page = _page(client_for(world.pooling_admin), world)
    assert page.count("Bloqué (trop d") == 1
    assert page.count(">Débloquer<") == 1


PERSONA_ACTIONS = [
    ("accounts:roles", "get", lambda w: [w.body.pk]),
    ("accounts:invite", "get", lambda w: [w.body.pk]),
    ("accounts:role_edit", "get", lambda w: [w.body.pk, Role.objects.get(user=w.member_agent).pk]),
    ("accounts:user_deactivate", "post", lambda w: [w.body.pk, w.member_agent.pk]),
    ("accounts:user_reinvite", "post", lambda w: [w.body.pk, w.member_agent.pk]),
    ("accounts:user_unlock", "post", lambda w: [w.body.pk, w.member_agent.pk]),
]


@pytest.mark.parametrize("persona", ["finance_officer", "elected_official", "member_agent"])
@pytest.mark.parametrize(("route", "method", "args"), PERSONA_ACTIONS)
def test_only_body_admins_manage_users(world, client_for, persona, route, method, args):
    _lock("member_agent")
    client = client_for(world.persona(persona))
    response = getattr(client, method)(reverse(route, args=args(world)), {"email": "x@y.fr"})
    assert response.status_code == 403
    world.member_agent.refresh_from_db()
    assert world.member_agent.is_active
    assert AccessAttempt.objects.filter(username="member_agent").exists()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    "route", ["accounts:user_deactivate", "accounts:user_reinvite", "accounts:user_unlock"]
)
def test_a_user_of_another_body_is_404_inside_own_body_url(world, client_for, route):
    _lock("outsider")
    world.outsider.email = "outsider@ailleurs.example"
    world.outsider.save()
    url = reverse(route, args=[world.body.pk, world.outsider.pk])
    assert client_for(world.pooling_admin).post(url).status_code == 404
    world.outsider.refresh_from_db()
    assert world.outsider.is_active
    assert AccessAttempt.objects.filter(username="outsider").exists()
    assert not Invitation.objects.exists()


def test_another_body_invitation_and_role_are_404_inside_own_body_url(world, client_for):
    foreign = Invitation.objects.create(
        pooling_body=world.other_body,
        email="ailleurs@val.example",
        name="viewer",
        token_hash="c" * 64,
        sent_at=timezone.now(),
        expires_at=timezone.now(),
    )
    client = client_for(world.pooling_admin)
    url = reverse("accounts:invitation_resend", args=[world.body.pk, foreign.pk])
    assert client.post(url).status_code == 404
    foreign_role = Role.objects.get(user=world.outsider)
    url = reverse("accounts:role_edit", args=[world.body.pk, foreign_role.pk])
    assert client.post(url, {"name": "viewer"}).status_code == 404
    foreign_role.refresh_from_db()
    assert foreign_role.name == "admin"
    foreign.refresh_from_db()
    assert foreign.token_hash == "c" * 64
