"""Factories for the inventory models."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from mutualis.inventory.models import (
    Asset,
    Campaign,
    Contract,
    CostLine,
    ServiceRecord,
    StaffLine,
    Submission,
)
from tests.factories import DomainFactory, MemberFactory, PoolingBodyFactory


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    pooling_body = factory.SubFactory(PoolingBodyFactory)
    year = 2025
    deadline = date(2025, 6, 30)

    @factory.post_generation
    def domains(self, create: bool, extracted, **kwargs) -> None:  # type: ignore[no-untyped-def]
        if create and extracted:
            self.domains.set(extracted)


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    campaign = factory.SubFactory(CampaignFactory)
    member = factory.SubFactory(MemberFactory)


class ServiceRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceRecord

    campaign = factory.SubFactory(CampaignFactory)
    member = factory.SubFactory(MemberFactory)
    domain = factory.SubFactory(DomainFactory)
    mode = ServiceRecord.Mode.IN_HOUSE
    activity_volume = Decimal("120")
    activity_unit = "bulletins"
    satisfaction = 3


class StaffLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffLine

    service = factory.SubFactory(ServiceRecordFactory)
    category = StaffLine.Category.C
    fte = Decimal("0.50")
    cost_amount = Decimal("19000.00")


class CostLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostLine

    service = factory.SubFactory(ServiceRecordFactory)
    chapter = "011"
    amount = Decimal("2500.00")


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    campaign = factory.SubFactory(CampaignFactory)
    member = factory.SubFactory(MemberFactory)
    kind = Asset.Kind.BUILDING
    name = factory.Sequence(lambda n: f"Salle des fêtes {n}")
    acquisition_year = 2005
    acquisition_cost_amount = Decimal("300000.00")
    subsidies_amount = Decimal("60000.00")
    useful_life_years = 30
    running_cost_amount = Decimal("4200.00")
    utilisation_rate = Decimal("25")
    shareable = True


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    campaign = factory.SubFactory(CampaignFactory)
    member = factory.SubFactory(MemberFactory)
    vendor = factory.Sequence(lambda n: f"Éditeur {n}")
    product = "Comptabilité"
    yearly_cost_amount = Decimal("1800.00")
    start_on = date(2022, 1, 1)
    end_on = date(2026, 12, 31)
    notice_period_months = 3
