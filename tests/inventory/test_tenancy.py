"""Every inventory view: outsider 404, anonymous to login, référent edits only its commune."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mutualis.inventory.models import Campaign, ImportLog, PendingImport, ServiceRecord, Submission
from tests.conftest import World
from tests.factories import DomainFactory, RoleFactory, UserFactory
from tests.inventory.factories import CampaignFactory
from tests.inventory.test_dashboard import DASHBOARD_ROUTES

Route = Callable[[World], str]


def _campaign(w: World) -> Campaign:
    found = Campaign.objects.filter(pooling_body=w.body, year=2025).first()
    if found is None:
        found = CampaignFactory(pooling_body=w.body, domains=[DomainFactory(pooling_body=w.body)])
    return found


def _campaign_url(name: str) -> Route:
    return lambda w: reverse(name, args=[w.body.pk, _campaign(w).pk])


def _pending(w: World) -> PendingImport:
    found = PendingImport.objects.filter(token="jeton-de-test").first()
    if found is None:
        found = PendingImport.objects.create(
            token="jeton-de-test",
            campaign=_campaign(w),
            user=w.pooling_admin,
            file_name="x.xlsx",
            data=b"",
            sha256="0" * 64,
            expires_at=timezone.now() + timedelta(hours=1),
        )
    return found


def _log(w: World) -> ImportLog:
    found = ImportLog.objects.filter(campaign=_campaign(w)).first()
    if found is None:
        found = ImportLog.objects.create(campaign=_campaign(w), file_name="x.xlsx", sha256="0")
        found.members.set([w.other_commune])
    return found


def _log_url(name: str) -> Route:
    return lambda w: reverse(name, args=[w.body.pk, _campaign(w).pk, _log(w).pk])


def _member_url(name: str) -> Route:
    return lambda w: reverse(name, args=[w.body.pk, _campaign(w).pk, w.other_commune.pk])


__all__ = ["DASHBOARD_ROUTES", "INVENTORY_ROUTES"]  # both tables are read by the coverage test

INVENTORY_ROUTES: dict[str, Route] = {
    "inventory:campaigns": lambda w: reverse("inventory:campaigns", args=[w.body.pk]),
    "inventory:campaign": _campaign_url("inventory:campaign"),
    "inventory:campaign_status": _campaign_url("inventory:campaign_status"),
    "inventory:remind": _campaign_url("inventory:remind"),
    "inventory:export": _campaign_url("inventory:export"),
    "inventory:import": _campaign_url("inventory:import"),
    "inventory:import_preview": lambda w: reverse(
        "inventory:import_preview", args=[w.body.pk, _campaign(w).pk, _pending(w).token]
    ),
    "inventory:imports": _campaign_url("inventory:imports"),
    "inventory:import_log": _log_url("inventory:import_log"),
    "inventory:import_undo": _log_url("inventory:import_undo"),
    "inventory:member": _member_url("inventory:member"),
    "inventory:service_edit": lambda w: reverse(
        "inventory:service_edit",
        args=[w.body.pk, _campaign(w).pk, w.other_commune.pk, _campaign(w).domains.get().pk],
    ),
    "inventory:assets": _member_url("inventory:assets"),
    "inventory:contracts": _member_url("inventory:contracts"),
    "inventory:submit": _member_url("inventory:submit"),
    "inventory:reopen": _member_url("inventory:reopen"),
}

MEMBER_EDIT_ROUTES = [
    "inventory:service_edit",
    "inventory:assets",
    "inventory:contracts",
    "inventory:submit",
]
MANAGE_ROUTES = ["inventory:campaign_status", "inventory:remind", "inventory:reopen"]


@pytest.mark.parametrize("route", sorted(INVENTORY_ROUTES))
@pytest.mark.parametrize("method", ["get", "post"])
def test_outsider_gets_404_on_another_body(world: World, client_for, route: str, method: str):
    url = INVENTORY_ROUTES[route](world)
    response = getattr(client_for(world.outsider), method)(url, {"status": "closed"})
    assert response.status_code == 404
    assert _campaign(world).status == "open"


@pytest.mark.parametrize("route", sorted(INVENTORY_ROUTES))
def test_anonymous_is_sent_to_login(world: World, client, route: str):
    response = client.get(INVENTORY_ROUTES[route](world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_another_body_campaign_is_404_even_inside_own_body_url(world: World, client_for):
    foreign = CampaignFactory(pooling_body=world.other_body)
    url = reverse("inventory:campaign", args=[world.body.pk, foreign.pk])
    assert client_for(world.pooling_admin).get(url).status_code == 404


def test_member_of_another_body_is_404_inside_own_campaign(world: World, client_for):
    url = reverse(
        "inventory:member", args=[world.body.pk, _campaign(world).pk, world.foreign_commune.pk]
    )
    assert client_for(world.pooling_admin).get(url).status_code == 404


@pytest.mark.parametrize("route", MEMBER_EDIT_ROUTES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_referent_cannot_edit_another_commune(world: World, client_for, route: str, method: str):
    url = INVENTORY_ROUTES[route](world)
    response = getattr(client_for(world.member_agent), method)(
        url, {"service-mode": "regie", "rows-TOTAL_FORMS": "0", "rows-INITIAL_FORMS": "0"}
    )
    assert response.status_code == 403
    assert not ServiceRecord.objects.filter(member=world.other_commune).exists()
    assert not Submission.objects.filter(member=world.other_commune).exists()


def test_referent_cannot_read_another_commune_entry(world: World, client_for):
    response = client_for(world.member_agent).get(INVENTORY_ROUTES["inventory:member"](world))
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["elected_official", "finance_officer", "member_agent"])
@pytest.mark.parametrize("route", MANAGE_ROUTES)
def test_only_the_coordinator_steers_the_campaign(world: World, client_for, persona, route):
    response = client_for(world.persona(persona)).post(
        INVENTORY_ROUTES[route](world), {"status": "closed"}
    )
    assert response.status_code == 403
    assert _campaign(world).status == "open"


@pytest.mark.parametrize("persona", ["elected_official", "finance_officer"])
@pytest.mark.parametrize("route", MEMBER_EDIT_ROUTES)
def test_read_only_roles_cannot_edit(world: World, client_for, persona: str, route: str):
    url = INVENTORY_ROUTES[route](world).replace(
        f"/membres/{world.other_commune.pk}/", f"/membres/{world.own_commune.pk}/"
    )
    assert (
        client_for(world.persona(persona)).post(url, {"service-mode": "regie"}).status_code == 403
    )
    assert not ServiceRecord.objects.exists()


@pytest.mark.parametrize("persona", ["elected_official", "finance_officer"])
def test_read_only_roles_cannot_open_a_campaign_or_import(world: World, client_for, persona):
    client = client_for(world.persona(persona))
    assert (
        client.post(INVENTORY_ROUTES["inventory:campaigns"](world), {"year": "2030"}).status_code
        == 403
    )
    assert client.get(INVENTORY_ROUTES["inventory:import"](world)).status_code == 403
    assert not Campaign.objects.filter(year=2030).exists()


@pytest.mark.parametrize(
    "persona", ["pooling_admin", "finance_officer", "elected_official", "platform_admin"]
)
def test_every_reader_sees_the_completion_matrix_and_entries(world: World, client_for, persona):
    client = client_for(world.persona(persona))
    response = client.get(INVENTORY_ROUTES["inventory:campaign"](world))
    assert response.status_code == 200
    assert "Bourg-Témoin" in response.content.decode()
    assert "Lointaine" not in response.content.decode()
    assert client.get(INVENTORY_ROUTES["inventory:member"](world)).status_code == 200


def test_an_upload_waiting_for_confirmation_is_its_uploader_s_alone(world: World, client_for):
    url = INVENTORY_ROUTES["inventory:import_preview"](world)
    other_admin = UserFactory()
    RoleFactory(user=other_admin, pooling_body=world.body, name="admin")
    for user in (other_admin, world.member_agent):
        assert client_for(user).post(url, {"cancel": ""}).status_code == 404
    assert PendingImport.objects.filter(token="jeton-de-test").exists()


@pytest.mark.parametrize("persona", ["elected_official", "finance_officer", "member_agent"])
@pytest.mark.parametrize("route", ["inventory:import_log", "inventory:import_undo"])
def test_only_who_may_import_all_its_communes_reads_or_undoes_an_import(
    world: World, client_for, persona: str, route: str
):
    """The log touched Bourg-Témoin: not the référent of Saint-Essai, not readers."""
    response = client_for(world.persona(persona)).post(INVENTORY_ROUTES[route](world))
    assert response.status_code == 403
    assert not _log(world).is_undone


def test_a_referent_reads_the_imports_of_its_own_commune_only(world: World, client_for):
    own = ImportLog.objects.create(campaign=_campaign(world), file_name="mien.xlsx", sha256="0")
    own.members.set([world.own_commune])
    _log(world)
    response = client_for(world.member_agent).get(INVENTORY_ROUTES["inventory:imports"](world))
    assert [log.file_name for log in response.context["logs"]] == ["mien.xlsx"]
    url = reverse("inventory:import_log", args=[world.body.pk, _campaign(world).pk, own.pk])
    assert client_for(world.member_agent).get(url).status_code == 200
