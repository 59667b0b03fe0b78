"""Optimistic locking: two people open the same form; the second save is refused."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from mutualis.inventory.models import Contract, ServiceRecord
from mutualis.locking import MissingVersion, StaleEdit, check_version, posted_version, version_of
from tests.inventory.factories import ContractFactory
from tests.inventory.test_views import service_post, url

pytestmark = pytest.mark.django_db


def _version(html: str) -> str:
    found = re.search(r'name="version" value="([0-9a-f]+)"', html)
    assert found, "the form carries no version"
    return found.group(1)


def _two_clients(world) -> tuple[Client, Client]:
    first, second = Client(), Client()
    first.force_login(world.member_agent)
    second.force_login(world.pooling_admin)
    return first, second


def test_check_version_names_both_values():
    with pytest.raises(StaleEdit) as caught:
        check_version(version_of({"Nom": "A"}), {"Nom": "B"}, {"Nom": "C"})
    message = str(caught.value)
    assert "votre valeur « C »" in message and "enregistrée entre-temps « B »" in message
    check_version(version_of({"Nom": "A"}), {"Nom": "A"}, {"Nom": "C"})  # same version: fine


def test_a_service_record_saved_meanwhile_is_not_overwritten(inventory):
    world = inventory.world
    first, second = _two_clients(world)
    page = url("service_edit", inventory, world.own_commune, inventory.rh.pk)
    version_first = _version(first.get(page).content.decode())
    version_second = _version(second.get(page).content.decode())
    assert version_first == version_second
    saved = second.post(
        page, service_post(**{"service-activity_volume": "200", "version": version_second})
    )
    assert saved.status_code == 302
    refused = first.post(
        page, service_post(**{"service-activity_volume": "150", "version": version_first})
    )
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "modifiée par quelqu" in html
    assert "« 150 »" in html and "« 200 »" in html
    record = ServiceRecord.objects.get(member=world.own_commune, domain=inventory.rh)
    assert record.activity_volume == 200
    # The refused page carries the new version: saving again, knowingly, works.
    again = first.post(
        page, service_post(**{"service-activity_volume": "150", "version": _version(html)})
    )
    assert again.status_code == 302
    record.refresh_from_db()
    assert record.activity_volume == 150


def _contract_post(version: str, contract: Contract, cost: str) -> dict[str, str]:
    return {
        "version": version,
        "rows-TOTAL_FORMS": "1",
        "rows-INITIAL_FORMS": "1",
        "rows-0-id": str(contract.pk),
        "rows-0-kind": "logiciel",
        "rows-0-vendor": contract.vendor,
        "rows-0-product": contract.product,
        "rows-0-yearly_cost_amount": cost,
        "rows-0-start_on": "2022-01-01",
        "rows-0-end_on": "2026-12-31",
        "rows-0-notice_period_months": "3",
    }


def test_contracts_changed_meanwhile_are_not_overwritten(inventory):
    world = inventory.world
    contract = ContractFactory(
        campaign=inventory.campaign, member=world.own_commune, kind="logiciel"
    )
    first, second = _two_clients(world)
    page = url("contracts", inventory, world.own_commune)
    version = _version(first.get(page).content.decode())
    assert second.post(page, _contract_post(version, contract, "2000")).status_code == 302
    refused = first.post(page, _contract_post(version, contract, "2500"), follow=True)
    html = refused.content.decode()
    assert "modifiée par quelqu" in html and "« 2500 »" in html and "« 2000 »" in html
    contract.refresh_from_db()
    assert contract.yearly_cost_amount == 2000


def test_a_member_edit_saved_meanwhile_is_not_overwritten(world):
    first, second = Client(), Client()
    first.force_login(world.pooling_admin)
    second.force_login(world.member_agent)
    page = reverse("territories:member_edit", args=[world.body.pk, world.own_commune.pk])
    version = _version(first.get(page).content.decode())
    second_response = second.post(page, {"population_dgf": "612", "version": version})
    assert second_response.status_code == 302, second_response.content.decode()[-3000:]
    refused = first.post(
        page, {"population_dgf": "700", "name": world.own_commune.name, "version": version}
    )
    assert refused.status_code == 200
    assert "« 700 »" in refused.content.decode() and "« 612 »" in refused.content.decode()
    world.own_commune.refresh_from_db()
    assert world.own_commune.population_dgf == 612


def test_a_domain_edit_saved_meanwhile_is_not_overwritten(world):
    from tests.factories import DomainFactory

    domain = DomainFactory(pooling_body=world.body, name="Paie")
    first, second = Client(), Client()
    first.force_login(world.pooling_admin)
    second.force_login(world.pooling_admin)
    page = reverse("territories:domain_edit", args=[world.body.pk, domain.pk])
    version = _version(first.get(page).content.decode())
    data = {
        "code": domain.code,
        "family": domain.family,
        "position": domain.position,
        "is_active": "on",
    }
    assert second.post(page, {**data, "name": "Paie et RH", "version": version}).status_code == 302
    refused = first.post(page, {**data, "name": "Ressources humaines", "version": version})
    assert refused.status_code == 200
    domain.refresh_from_db()
    assert domain.name == "Paie et RH"


MISSING = "ne porte pas la version"


def test_posted_version_refuses_a_form_without_it():
    with pytest.raises(MissingVersion):
        posted_version({})
    with pytest.raises(MissingVersion):
        posted_version({"version": "  "})
    assert posted_version({"version": "abc"}) == "abc"


def test_a_service_form_posted_without_its_version_is_refused(inventory):
    world = inventory.world
    client = Client()
    client.force_login(world.member_agent)
    page = url("service_edit", inventory, world.own_commune, inventory.rh.pk)
    refused = client.post(page, service_post(**{"service-activity_volume": "150"}))
    assert refused.status_code == 200
    html = refused.content.decode()
    assert MISSING in html
    assert not ServiceRecord.objects.filter(member=world.own_commune, domain=inventory.rh).exists()
    # The refused page carries the saved version: saving again works.
    again = client.post(
        page, service_post(**{"service-activity_volume": "150", "version": _version(html)})
    )
    assert again.status_code == 302


def test_a_contracts_form_posted_without_its_version_is_refused(inventory):
    world = inventory.world
    contract = ContractFactory(
        campaign=inventory.campaign, member=world.own_commune, kind="logiciel"
    )
    before = contract.yearly_cost_amount
    client = Client()
    client.force_login(world.member_agent)
    data = _contract_post("", contract, "2500")
    del data["version"]
    refused = client.post(url("contracts", inventory, world.own_commune), data, follow=True)
    assert MISSING in refused.content.decode()
    contract.refresh_from_db()
    assert contract.yearly_cost_amount == before


def test_a_member_edit_posted_without_its_version_is_refused(world):
    client = Client()
    client.force_login(world.pooling_admin)
    page = reverse("territories:member_edit", args=[world.body.pk, world.own_commune.pk])
    before = world.own_commune.population_dgf
    refused = client.post(page, {"population_dgf": "700", "name": world.own_commune.name})
    assert refused.status_code == 200
    assert MISSING in refused.content.decode()
    world.own_commune.refresh_from_db()
    assert world.own_commune.population_dgf == before
