"""Who sees what: a référent reads its commune in full and the territory's totals; the other
communes' detail only when the body turns on « transparence entre communes »."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from mutualis.accounts.access import Abilities
from mutualis.inventory.access import campaign_rights
from tests.conftest import World
from tests.factories import DomainFactory
from tests.inventory.factories import (
    CampaignFactory,
    ContractFactory,
    ServiceRecordFactory,
    StaffLineFactory,
)


@pytest.fixture
def filled(world: World):
    domain = DomainFactory(pooling_body=world.body, name="Paie")
    campaign = CampaignFactory(pooling_body=world.body, domains=[domain])
    for member, vendor in (
        (world.own_commune, "Éditeur-Maison"),
        (world.other_commune, "Éditeur-Voisin"),
    ):
        record = ServiceRecordFactory(campaign=campaign, member=member, domain=domain)
        StaffLineFactory(service=record)
        ContractFactory(
            campaign=campaign,
            member=member,
            domain=domain,
            vendor=vendor,
            end_on=date(2027, 6, 30),
        )
    return campaign, domain


def test_transparency_is_off_by_default(world: World):
    assert world.body.communes_transparency is False


def test_transparency_opens_the_read_scope_of_a_referent_not_its_imports():
    abilities = Abilities(frozenset({"referent"}), frozenset({7}))
    rights = campaign_rights(abilities, transparency=True)
    assert rights.read_scope is None and not rights.is_scoped
    assert rights.import_scope == frozenset({7})


def _pages(world: World, campaign, domain) -> dict[str, str]:
    return {
        "member": reverse(
            "inventory:member", args=[world.body.pk, campaign.pk, world.other_commune.pk]
        ),
        "dashboard": reverse("diagnostic:dashboard", args=[world.body.pk, campaign.pk]),
        "domain": reverse("diagnostic:domain", args=[world.body.pk, campaign.pk, domain.pk]),
    }


def test_without_transparency_a_referent_sees_only_its_commune_detail(world, filled, client_for):
    campaign, domain = filled
    client = client_for(world.member_agent)
    pages = _pages(world, campaign, domain)
    assert client.get(pages["member"]).status_code == 403
    for name in ("dashboard", "domain"):
        html = client.get(pages[name]).content.decode()
        assert "Éditeur-Maison" in html, name
        assert "transparence entre communes" in html
    assert "Éditeur-Voisin" not in client.get(pages["dashboard"]).content.decode()
    domain_html = client.get(pages["domain"]).content.decode()
    assert "Saint-Essai" in domain_html and "Bourg-Témoin" not in domain_html


def test_with_transparency_a_referent_reads_every_commune_but_edits_its_own(
    world, filled, client_for
):
    campaign, domain = filled
    world.body.communes_transparency = True
    world.body.save()
    client = client_for(world.member_agent)
    pages = _pages(world, campaign, domain)
    assert client.get(pages["member"]).status_code == 200
    for name in ("dashboard", "domain"):
        assert "Éditeur-Voisin" in client.get(pages[name]).content.decode(), name
    contracts = reverse(
        "inventory:contracts", args=[world.body.pk, campaign.pk, world.other_commune.pk]
    )
    assert (
        client.post(contracts, {"rows-TOTAL_FORMS": "0", "rows-INITIAL_FORMS": "0"}).status_code
        == 403
    )


def test_the_body_admin_turns_transparency_on(world: World, client_for):
    url = reverse("territories:settings", args=[world.body.pk])
    response = client_for(world.pooling_admin).post(url, {"communes_transparency": "on"})
    assert response.status_code == 302
    world.body.refresh_from_db()
    assert world.body.communes_transparency is True


@pytest.mark.parametrize("persona", ["member_agent", "finance_officer", "elected_official"])
def test_only_the_body_admin_edits_the_settings(world: World, client_for, persona: str):
    url = reverse("territories:settings", args=[world.body.pk])
    assert (
        client_for(world.persona(persona)).post(url, {"communes_transparency": "on"}).status_code
        == 403
    )
    world.body.refresh_from_db()
    assert world.body.communes_transparency is False
