"""A campaign on `world.body` with two domains and one filled-in answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from mutualis.inventory.models import Campaign, ServiceRecord
from mutualis.territories.models import Domain
from tests.conftest import World
from tests.factories import DomainFactory
from tests.inventory.factories import (
    AssetFactory,
    CampaignFactory,
    ContractFactory,
    CostLineFactory,
    ServiceRecordFactory,
    StaffLineFactory,
)


@dataclass
class Inventory:
    world: World
    campaign: Campaign
    rh: Domain
    voirie: Domain
    answer: ServiceRecord


@pytest.fixture
def inventory(world: World) -> Inventory:
    rh = DomainFactory(pooling_body=world.body, code="rh", name="Ressources humaines", position=0)
    voirie = DomainFactory(
        pooling_body=world.body,
        code="voirie",
        name="Voirie",
        family=Domain.Family.OPERATIONAL,
        position=1,
    )
    campaign = CampaignFactory(
        pooling_body=world.body, year=2025, deadline=date(2025, 6, 30), domains=[rh, voirie]
    )
    answer = ServiceRecordFactory(
        campaign=campaign,
        member=world.other_commune,
        domain=rh,
        activity_volume=Decimal("240"),
        activity_unit="bulletins",
        needs="Sécuriser la paie pendant les congés.",
    )
    StaffLineFactory(service=answer, category="C", fte=Decimal("0.30"), cost_amount="11400.00")
    CostLineFactory(service=answer, chapter="011", amount="1850.50")
    AssetFactory(
        campaign=campaign,
        member=world.other_commune,
        name="Salle des fêtes",
        domain=None,
        address="1 place de la Mairie",
        latitude=Decimal("47.435100"),
        longitude=Decimal("4.784200"),
        capacity=180,
    )
    ContractFactory(
        campaign=campaign,
        member=world.other_commune,
        domain=rh,
        vendor="Berger-Levrault",
        product="e.magnus Paie",
    )
    return Inventory(world, campaign, rh, voirie, answer)
