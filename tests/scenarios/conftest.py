"""A scenario world: `world.body` with an ADS inventory for its two communes and more."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from mutualis.inventory.models import Campaign
from mutualis.scenarios import services
from mutualis.scenarios.models import Scenario
from mutualis.territories.models import Domain, Member, PoolingBody
from tests.conftest import World
from tests.factories import DomainFactory, MemberFactory
from tests.inventory.factories import (
    CampaignFactory,
    CostLineFactory,
    ServiceRecordFactory,
    StaffLineFactory,
)


@dataclass
class ScenarioWorld:
    world: World
    campaign: Campaign
    ads: Domain
    scenario: Scenario


def fill_ads(campaign: Campaign, domain: Domain, member: Member, permits: int) -> None:
    """An ADS record: `permits` équivalents PC, instructed by part of a B agent."""
    record = ServiceRecordFactory(
        campaign=campaign,
        member=member,
        domain=domain,
        activity_volume=Decimal(permits),
        activity_unit="equivalent_pc",
    )
    fte = (Decimal(permits) / 120).quantize(Decimal("0.01"))
    StaffLineFactory(service=record, category="B", fte=fte, cost_amount=(fte * 46000))
    CostLineFactory(service=record, chapter="011", amount=Decimal(permits * 30))


def ads_territory(body: PoolingBody, members: list[Member]) -> tuple[Campaign, Domain]:
    ads = DomainFactory(pooling_body=body, code="ads", name="Instruction ADS")
    campaign = CampaignFactory(pooling_body=body, domains=[ads])
    for index, member in enumerate(members):
        fill_ads(campaign, ads, member, 20 + 15 * index)
    return campaign, ads


@pytest.fixture
def sworld(world: World) -> ScenarioWorld:
    third = MemberFactory(pooling_body=world.body, name="Val-Troisième", insee_code="21003")
    members = [world.own_commune, world.other_commune, third]
    campaign, ads = ads_territory(world.body, members)
    scenario = services.create_scenario(
        world.body,
        campaign=campaign,
        name="Service commun ADS",
        domain=ads,
        legal_form="service_commun",
        members=members,
        start_year=2026,
        horizon_years=6,
        method="shapley",
        user=world.pooling_admin,
    )
    return ScenarioWorld(world, campaign, ads, scenario)
