"""A body administrator invites people by e-mail; the link sets the password once."""

from __future__ import annotations

import re
import smtplib
from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mutualis.accounts.models import Invitation, Role
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^/\s]+(/invitation/[^\s]+/)")


def _invite(client, world, **data):
    payload = {"email": "nouvelle@commune.example", "name": "referent"}
    payload["member"] = world.other_commune.pk
    payload.update(data)
    return client.post(reverse("accounts:invite", args=[world.body.pk]), payload)


def _link() -> str:
    match = LINK.search(mail.outbox[-1].body)
    assert match is not None, mail.outbox[-1].body
    return match.group(1)


def test_admin_invites_a_referent_by_email(world, client_for):
    response = _invite(client_for(world.pooling_admin), world, email="Nouvelle@Commune.example")
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.name) == ("nouvelle@commune.example", "referent")
    assert invitation.member == world.other_commune
    assert invitation.invited_by == world.pooling_admin
    assert invitation.expires_at - invitation.sent_at == timedelta(days=7)
    assert not Role.objects.filter(member=world.other_commune).exists()  # granted on acceptance
    message = mail.outbox[-1]
    assert message.to == ["nouvelle@commune.example"]
    assert "CC du Val de Test" in message.subject
    assert "Référent·e communal·e de Bourg-Témoin" in message.body
    secret = _link().split("/")[2]
    assert invitation.token_hash not in message.body
    assert invitation.token_hash != secret  # only a hash of the secret is stored


def test_accepting_sets_the_password_grants_the_role_and_logs_in(world, client_for, client):
    _invite(client_for(world.pooling_admin), world)
    client.logout()
    link = _link()
    page = client.get(link)
    assert page.status_code == 200
    assert "nouvelle@commune.example" in page.content.decode()
    response = client.post(
        link, {"new_password1": "Un-mot-de-passe-long", "new_password2": "Un-mot-de-passe-long"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("territories:detail", args=[world.body.pk])
    user = get_user_model().objects.get(email="nouvelle@commune.example")
    assert user.username == "nouvelle@commune.example"
    assert user.check_password("Un-mot-de-passe-long")
    assert Role.objects.filter(user=user, name="referent", member=world.other_commune).exists()
    assert int(client.session["_auth_user_id"]) == user.pk
    assert Invitation.objects.get().accepted_at is not None


def test_a_weak_password_is_refused_in_french_and_nothing_is_stored(world, client_for, client):
    _invite(client_for(world.pooling_admin), world)
    client.logout()
    response = client.post(_link(), {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200
    assert "Ce mot de passe est trop court" in response.content.decode()
    assert not get_user_model().objects.filter(email="nouvelle@commune.example").exists()
    assert Invitation.objects.get().accepted_at is None


def _accept(client, link: str) -> object:
    return client.post(
        link, {"new_password1": "Un-mot-de-passe-long", "new_password2": "Un-mot-de-passe-long"}
    )


def test_a_used_invitation_cannot_be_used_again(world, client_for, client):
    _invite(client_for(world.pooling_admin), world)
    client.logout()
    link = _link()
    _accept(client, link)
    client.logout()
    for response in (client.get(link), _accept(client, link)):
        assert response.status_code == 400
        assert "déjà été utilisée" in response.content.decode()
    assert Role.objects.filter(member=world.other_commune).count() == 1


def test_an_expired_invitation_is_refused_and_changes_nothing(world, client_for, client):
    _invite(client_for(world.pooling_admin), world)
    client.logout()
    link = _link()
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        for response in (client.get(link), _accept(client, link)):
            assert response.status_code == 400
            assert "a expiré" in response.content.decode()
    assert not get_user_model().objects.filter(email="nouvelle@commune.example").exists()
    assert Invitation.objects.get().accepted_at is None


def test_a_tampered_link_is_refused(world, client_for, client):
    _invite(client_for(world.pooling_admin), world)
    client.logout()
    response = client.get(_link()[:-5] + "xxxx/")
    assert response.status_code == 400
    assert "pas valide" in response.content.decode()


def test_resending_replaces_the_link_and_extends_the_expiry(world, client_for, client):
    admin = client_for(world.pooling_admin)
    _invite(admin, world)
    old_link = _link()
    invitation = Invitation.objects.get()
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        admin.post(reverse("accounts:invitation_resend", args=[world.body.pk, invitation.pk]))
        new_link = _link()
        client.logout()
        assert new_link != old_link
        assert "remplacé" in client.get(old_link).content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=12)):
        assert _accept(client, new_link).status_code == 302
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"member": ""}, "Un rôle de référent·e désigne une commune."),
        ({"name": "viewer"}, "Seul un rôle de référent·e désigne une commune."),
        ({"email": "pas-une-adresse"}, "Saisissez une adresse de courriel valide."),
        ({"name": "toutpuissant"}, "Sélectionnez un choix valide"),
    ],
)
def test_bad_invitations_are_refused_in_french(world, client_for, data, message):
    response = _invite(client_for(world.pooling_admin), world, **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox


def test_a_commune_of_another_body_cannot_be_named(world, client_for):
    response = _invite(client_for(world.pooling_admin), world, member=world.foreign_commune.pk)
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Invitation.objects.exists()


def test_an_email_already_used_in_the_body_is_refused(world, client_for):
    world.elected_official.email = "elu@val.example"
    world.elected_official.save()
    client = client_for(world.pooling_admin)
    response = _invite(client, world, email="ELU@val.example")
    assert "déjà celle d'un compte de la structure" in unescape(response.content.decode())
    _invite(client, world)
    response = _invite(client, world, name="viewer", member="")
    assert "déjà en attente" in response.content.decode()
    assert Invitation.objects.count() == 1 and len(mail.outbox) == 1


def test_an_account_elsewhere_gets_the_same_answer_and_keeps_one_account(world, client_for, client):
    world.outsider.email = "ailleurs@example.org"
    world.outsider.save()
    response = _invite(client_for(world.pooling_admin), world, email="ailleurs@example.org")
    assert response.status_code == 302  # same answer as for a new address
    client.logout()
    _accept(client, _link())
    world.outsider.refresh_from_db()
    assert world.outsider.check_password("Un-mot-de-passe-long")
    assert get_user_model().objects.filter(email="ailleurs@example.org").count() == 1
    assert Role.objects.filter(user=world.outsider, pooling_body=world.body).exists()


def test_a_mail_failure_stores_nothing(world, client_for, monkeypatch):
    def broken(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr("mutualis.accounts.services.send_mail", broken)
    response = _invite(client_for(world.pooling_admin), world)
    assert response.status_code == 200
    assert "n'a pas pu être envoyé" in unescape(response.content.decode())
    assert not Invitation.objects.exists()


def test_a_referent_of_another_member_still_counts_as_new(world, client_for):
    second = MemberFactory(pooling_body=world.body, name="Troisième")
    response = _invite(client_for(world.pooling_admin), world, member=second.pk)
    assert response.status_code == 302
    assert Invitation.objects.get().member == second


def test_reinviting_a_deactivated_user_reactivates_them(world, client_for, client):
    agent = world.member_agent
    agent.email = "agent@val.example"
    agent.is_active = False
    agent.save()
    admin = client_for(world.pooling_admin)
    admin.post(reverse("accounts:user_reinvite", args=[world.body.pk, agent.pk]))
    invitation = Invitation.objects.get()
    assert (invitation.name, invitation.member) == ("referent", world.own_commune)
    client.logout()
    _accept(client, _link())
    agent.refresh_from_db()
    assert agent.is_active and agent.check_password("Un-mot-de-passe-long")
    assert Role.objects.filter(user=agent).count() == 1


def test_reinviting_a_user_without_email_is_refused(world, client_for):
    response = client_for(world.pooling_admin).post(
        reverse("accounts:user_reinvite", args=[world.body.pk, world.member_agent.pk]),
        follow=True,
    )
    assert "pas d'adresse électronique" in unescape(response.content.decode())
    assert not Invitation.objects.exists()


def test_an_invited_user_logs_in_with_the_email(world, client_for, client):
    _invite(client_for(world.pooling_admin), world)
    client.logout()
    _accept(client, _link())
    client.logout()
    response = client.post(
        reverse("accounts:login"),
        {"username": "nouvelle@commune.example", "password": "Un-mot-de-passe-long"},
    )
    assert response.status_code == 302


def test_a_deactivated_account_comes_back_only_for_the_inviting_body(world, client_for, client):
    world.outsider.email = "ailleurs@example.org"
    world.outsider.is_active = False
    world.outsider.save()
    _invite(
        client_for(world.pooling_admin),
        world,
        email="ailleurs@example.org",
        name="viewer",
        member="",
    )
    client.logout()
    _accept(client, _link())
    world.outsider.refresh_from_db()
    assert world.outsider.is_active
    assert set(Role.objects.filter(user=world.outsider).values_list("pooling_body", flat=True)) == {
        world.body.pk
    }
