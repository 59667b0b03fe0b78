from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tests.inventory.factories import AssetFactory, CampaignFactory, ContractFactory

pytestmark = pytest.mark.django_db


def test_asset_annualised_cost_is_net_cost_over_life_plus_running_cost():
    asset = AssetFactory()
    # (300 000 − 60 000) / 30 + 4 200 = 12 200
    assert asset.annualised_cost_amount == Decimal("12200.00")
    assert "CGI" in asset.annualised.explain().steps[0].reference


def test_asset_without_useful_life_has_no_annualised_cost():
    assert AssetFactory(useful_life_years=None).annualised_cost_amount is None


def test_campaign_is_unique_per_body_and_year():
    campaign = CampaignFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignFactory(pooling_body=campaign.pooling_body, year=campaign.year)


def test_contract_cannot_end_before_it_starts():
    contract = ContractFactory()
    contract.end_on = contract.start_on.replace(year=contract.start_on.year - 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        contract.save()


def test_money_changes_are_kept_in_history():
    asset = AssetFactory()
    asset.running_cost_amount = Decimal("5000.00")
    asset.save()
    assert [h.running_cost_amount for h in asset.history.all()] == [
        Decimal("5000.00"),
        Decimal("4200.00"),
    ]
