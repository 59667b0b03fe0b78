"""Every conventions view: outsider 404, anonymous to login, référent limited to its commune."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from mutualis.conventions import services
from mutualis.conventions.models import Convention, ConventionVersion, Deliberation
from tests.conftest import World
from tests.conventions.factories import SENT, draft, signed, version_of

Route = Callable[[World], str]


def _signed(w: World) -> ConventionVersion:
    found = ConventionVersion.objects.filter(
        convention__pooling_body=w.body, status="signed"
    ).first()
    return found or signed(w.body, [w.own_commune, w.other_commune], title="Signée")


def _draft(w: World) -> Convention:
    found = Convention.objects.filter(pooling_body=w.body, title="Projet").first()
    return found or draft(w.body, [w.own_commune, w.other_commune], title="Projet")


def _c(name: str, signed_one: bool = False) -> Route:
    def build(w: World) -> str:
        pk = _signed(w).convention_id if signed_one else _draft(w).pk
        return reverse(name, args=[w.body.pk, pk])

    return build


def _v(name: str, *extra: object) -> Route:
    return lambda w: reverse(name, args=[w.body.pk, _signed(w).convention_id, 1, *extra])


CONVENTION_ROUTES: dict[str, Route] = {
    "conventions:index": lambda w: reverse("conventions:index", args=[w.body.pk]),
    "conventions:create": lambda w: reverse("conventions:create", args=[w.body.pk]),
    "conventions:calendar": lambda w: reverse("conventions:calendar", args=[w.body.pk]),
    "conventions:templates": lambda w: reverse("conventions:templates", args=[w.body.pk]),
    "conventions:detail": _c("conventions:detail"),
    "conventions:edit": _c("conventions:edit"),
    "conventions:parties": _c("conventions:parties"),
    "conventions:staff": _c("conventions:staff"),
    "conventions:send": _c("conventions:send"),
    "conventions:sign": _c("conventions:sign"),
    "conventions:avenant": _c("conventions:avenant", signed_one=True),
    "conventions:terminate": _c("conventions:terminate", signed_one=True),
    "conventions:deliberation": lambda w: reverse(
        "conventions:deliberation",
        args=[
            w.body.pk,
            _draft(w).pk,
            version_of(_draft(w)).parties.get(member=w.other_commune).pk,
        ],
    ),
    "conventions:pack": _v("conventions:pack"),
    "conventions:scan": _v("conventions:scan"),
    "conventions:document": _v("conventions:document", "convention", "pdf"),
    "conventions:deliberation_document": lambda w: reverse(
        "conventions:deliberation_document",
        args=[
            w.body.pk,
            _signed(w).convention_id,
            1,
            _signed(w).parties.get(member=w.own_commune).pk,
            "docx",
        ],
    ),
}
POST_ONLY = {"conventions:send", "conventions:sign", "conventions:avenant", "conventions:terminate"}
MANAGE_ROUTES = [
    "conventions:create",
    "conventions:templates",
    "conventions:edit",
    "conventions:parties",
    "conventions:staff",
]


def _state() -> list[tuple[object, ...]]:
    return sorted(
        ConventionVersion.objects.values_list("pk", "status", "subject", "charges_amount")
    )


@pytest.mark.parametrize("route", sorted(CONVENTION_ROUTES))
@pytest.mark.parametrize("method", ["get", "post"])
def test_outsider_gets_404_on_another_body(world: World, client_for, route: str, method: str):
    url = CONVENTION_ROUTES[route](world)
    before = _state()
    response = getattr(client_for(world.outsider), method)(url, {"sent_on": "2026-10-01"})
    expected = 405 if method == "get" and route in POST_ONLY else 404
    assert response.status_code == expected
    assert _state() == before


@pytest.mark.parametrize("route", sorted(CONVENTION_ROUTES))
def test_anonymous_is_sent_to_login(world: World, client, route: str):
    response = client.get(CONVENTION_ROUTES[route](world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_another_body_convention_is_404_inside_own_body_url(world: World, client_for):
    foreign = draft(world.other_body, [world.foreign_commune])
    url = reverse("conventions:detail", args=[world.body.pk, foreign.pk])
    assert client_for(world.pooling_admin).get(url).status_code == 404


def test_referent_sees_only_its_commune_conventions(world: World, client_for):
    own = _draft(world)
    without = draft(world.body, [world.other_commune], title="Sans Saint-Essai")
    client = client_for(world.member_agent)
    assert (
        client.get(reverse("conventions:detail", args=[world.body.pk, own.pk])).status_code == 200
    )
    assert (
        client.get(reverse("conventions:detail", args=[world.body.pk, without.pk])).status_code
        == 404
    )
    listing = client.get(reverse("conventions:index", args=[world.body.pk])).content.decode()
    assert "Projet" in listing and "Sans Saint-Essai" not in listing
    pdf = reverse("conventions:document", args=[world.body.pk, own.pk, 1, "convention", "pdf"])
    assert client.get(pdf).status_code == 200


def test_referent_records_only_its_commune_deliberation(world: World, client_for):
    version = version_of(_draft(world))
    services.send_to_parties(version, SENT)
    client = client_for(world.member_agent)
    data = {
        "deciding_body": "conseil_municipal",
        "voted_on": "2026-10-12",
        "number": "2026-42",
        "votes_for": "11",
        "votes_against": "0",
        "abstentions": "1",
    }
    other = version.parties.get(member=world.other_commune)
    url = reverse("conventions:deliberation", args=[world.body.pk, version.convention_id, other.pk])
    assert client.post(url, data).status_code == 403
    assert not Deliberation.objects.exists()
    own = version.parties.get(member=world.own_commune)
    url = reverse("conventions:deliberation", args=[world.body.pk, version.convention_id, own.pk])
    assert client.post(url, data).status_code == 302
    assert Deliberation.objects.get().party == own


@pytest.mark.parametrize("persona", ["finance_officer", "elected_official"])
def test_finance_and_read_only_roles_see_every_convention(world: World, client_for, persona):
    other = draft(world.body, [world.other_commune], title="Sans Saint-Essai")
    client = client_for(world.persona(persona))
    assert (
        client.get(reverse("conventions:detail", args=[world.body.pk, other.pk])).status_code == 200
    )
    assert (
        "Sans Saint-Essai"
        in client.get(reverse("conventions:index", args=[world.body.pk])).content.decode()
    )


@pytest.mark.parametrize("persona", ["finance_officer", "elected_official", "member_agent"])
@pytest.mark.parametrize("route", MANAGE_ROUTES)
def test_only_the_coordinator_drafts(world: World, client_for, persona, route):
    url = CONVENTION_ROUTES[route](world)
    before = _state()
    response = client_for(world.persona(persona)).post(url, {})
    assert response.status_code == 403
    assert _state() == before


@pytest.mark.parametrize("persona", ["finance_officer", "elected_official", "member_agent"])
@pytest.mark.parametrize("route", sorted(POST_ONLY))
def test_only_the_coordinator_moves_the_lifecycle(world: World, client_for, persona, route):
    url = CONVENTION_ROUTES[route](world)
    before = _state()
    response = client_for(world.persona(persona)).post(
        url, {"sent_on": "2026-10-01", "reason": "x"}
    )
    assert response.status_code == 403
    assert _state() == before
