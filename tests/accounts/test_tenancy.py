"""Every accounts view: outsider 404, anonymous to login; public pages need no login."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse
from django.utils import timezone

from mutualis.accounts.models import Invitation, Role
from tests.conftest import World

Route = Callable[[World], str]


def _invitation(w: World) -> Invitation:
    invitation, _created = Invitation.objects.get_or_create(
        pooling_body=w.body,
        email="attente@val.example",
        defaults={
            "name": Role.Name.VIEWER,
            "token_hash": "d" * 64,
            "sent_at": timezone.now(),
            "expires_at": timezone.now(),
        },
    )
    return invitation


def _user_url(name: str) -> Route:
    return lambda w: reverse(name, args=[w.body.pk, w.member_agent.pk])


# name -> builder of a URL pointing at `world.body`'s objects
ACCOUNTS_ROUTES: dict[str, Route] = {
    "accounts:invite": lambda w: reverse("accounts:invite", args=[w.body.pk]),
    "accounts:role_edit": lambda w: reverse(
        "accounts:role_edit", args=[w.body.pk, Role.objects.get(user=w.member_agent).pk]
    ),
    "accounts:invitation_resend": lambda w: reverse(
        "accounts:invitation_resend", args=[w.body.pk, _invitation(w).pk]
    ),
    "accounts:user_deactivate": _user_url("accounts:user_deactivate"),
    "accounts:user_reinvite": _user_url("accounts:user_reinvite"),
    "accounts:user_unlock": _user_url("accounts:user_unlock"),
}
POST_ONLY = {
    "accounts:invitation_resend",
    "accounts:user_deactivate",
    "accounts:user_reinvite",
    "accounts:user_unlock",
}
# Pages for anyone (login, password reset, invitation link) or for any logged-in user.
ACCOUNTS_GLOBAL_ROUTES = {
    "accounts:password_change",
    "accounts:password_change_done",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "accounts:invitation_accept",
}


@pytest.mark.parametrize("route", sorted(ACCOUNTS_ROUTES))
@pytest.mark.parametrize("method", ["get", "post"])
def test_outsider_gets_404_on_another_body(world: World, client_for, route: str, method: str):
    url = ACCOUNTS_ROUTES[route](world)
    invitation = _invitation(world)
    response = getattr(client_for(world.outsider), method)(
        url, {"email": "x@y.example", "name": "admin"}
    )
    assert response.status_code == (405 if method == "get" and route in POST_ONLY else 404)
    world.member_agent.refresh_from_db()
    assert world.member_agent.is_active
    assert Invitation.objects.get().token_hash == invitation.token_hash
    assert Role.objects.get(user=world.member_agent).name == Role.Name.REFERENT


@pytest.mark.parametrize("route", sorted(ACCOUNTS_ROUTES))
def test_anonymous_is_sent_to_login(world: World, client, route: str):
    response = client.post(ACCOUNTS_ROUTES[route](world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "route", ["accounts:password_reset", "accounts:password_reset_done", "accounts:login"]
)
def test_public_pages_need_no_login(client, db, route: str):
    assert client.get(reverse(route)).status_code == 200
