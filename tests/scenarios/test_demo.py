"""The demo's two sample scenarios: flagged, computable, idempotent."""

from __future__ import annotations

import pytest

from mutualis.inventory.demo import create_sample_campaign
from mutualis.scenarios import queries
from mutualis.scenarios.demo import create_sample_scenarios
from mutualis.scenarios.models import Scenario
from mutualis.territories.services import seed_default_domains
from tests.factories import MemberFactory, PoolingBodyFactory

pytestmark = pytest.mark.django_db


def test_two_sample_scenarios_are_created_once_and_computed() -> None:
    body = PoolingBodyFactory(name="CC Forêts, Seine et Suzon", siren="200039063")
    seed_default_domains(body)
    for i, people in enumerate((95, 150, 240, 380, 520, 800, 1200, 3100)):
        MemberFactory(
            pooling_body=body, insee_code=f"21{500 + i:03d}", population_municipale=people
        )
    campaign = create_sample_campaign(body)
    first = create_sample_scenarios(body, campaign)
    assert create_sample_scenarios(body, campaign) == first
    assert Scenario.objects.count() == 2
    ads, it = first
    assert ads.domain.code == "ads" and ads.legal_form == "service_commun"
    assert it.domain.code == "informatique" and it.method == "key:postes_informatiques"
    for scenario in first:
        assert scenario.is_sample and scenario.members.count() == 8
        doc = queries.scenario_report(scenario)
        assert doc["scenario"]["is_sample"] is True
        assert len(doc["members"]) == 8
