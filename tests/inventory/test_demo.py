"""The demo's sample campaign: plausible, deterministic, flagged, idempotent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Count, Sum

from mutualis.inventory.demo import create_sample_campaign
from mutualis.inventory.models import (
    Asset,
    Campaign,
    Contract,
    CostLine,
    ServiceRecord,
    StaffLine,
    Submission,
)
from mutualis.territories.services import seed_default_domains
from tests.factories import MemberFactory, PoolingBodyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_body():
    body = PoolingBodyFactory(name="CC Forêts, Seine et Suzon", siren="200039063")
    seed_default_domains(body)
    for i, people in enumerate((95, 150, 240, 380, 520, 800, 1200, 3100, 180, 310, 60, 410)):
        MemberFactory(
            pooling_body=body,
            name=f"Commune {i}",
            insee_code=f"21{500 + i:03d}",
            population_municipale=people,
        )
    return body


def _state() -> dict[str, object]:
    return {
        "services": list(
            ServiceRecord.objects.order_by("member__insee_code", "domain__code").values_list(
                "member__insee_code", "domain__code", "mode", "activity_volume"
            )
        ),
        "staff": StaffLine.objects.aggregate(Sum("fte"), Sum("cost_amount")),
        "costs": CostLine.objects.aggregate(Sum("amount")),
        "assets": Asset.objects.count(),
        "contracts": list(Contract.objects.order_by("pk").values_list("vendor", "end_on")),
    }


def test_sample_campaign_is_flagged_and_idempotent(demo_body):
    campaign = create_sample_campaign(demo_body)
    assert campaign.is_sample and campaign.year == 2025
    before = _state()
    assert create_sample_campaign(demo_body) == campaign
    assert Campaign.objects.count() == 1
    assert _state() == before


def test_sample_figures_are_deterministic(demo_body):
    create_sample_campaign(demo_body)
    first = _state()
    Submission.objects.all().delete()  # answers protect their campaign (audit trail)
    Campaign.objects.all().delete()
    create_sample_campaign(demo_body)
    assert _state() == first


def test_sample_campaign_is_plausible(demo_body):
    campaign = create_sample_campaign(demo_body)
    statuses = set(Submission.objects.values_list("status", flat=True))
    assert statuses == {"submitted", "draft"}
    assert Submission.objects.count() < demo_body.members.count()  # some not started
    assert StaffLine.objects.filter(fte__lt=1).exists()  # fractional ETP
    smallest = demo_body.members.order_by("population_municipale").first()
    small_total = (
        CostLine.objects.filter(service__member=smallest).aggregate(s=Sum("amount"))["s"]
        or Decimal(0)
    ) + (
        StaffLine.objects.filter(service__member=smallest).aggregate(s=Sum("cost_amount"))["s"]
        or Decimal(0)
    )
    assert small_total < Decimal(100_000)
    accounting = (
        Contract.objects.filter(
            product__in=[
                "e.magnus Gestion financière",
                "Horizon Villages On-line",
                "Coloris Finances",
            ]
        )
        .values("vendor")
        .annotate(n=Count("pk"))
    )
    assert len(accounting) >= 2
    years = {c.end_on.year for c in Contract.objects.all()}
    assert years <= set(range(2025, 2030)) and len(years) >= 3
    assert Asset.objects.filter(shareable=True, utilisation_rate__lt=30).exists()
    assert all(a.annualised_cost_amount is not None for a in Asset.objects.all())
    assert campaign.domains.filter(code="enfance-jeunesse").exists()


def test_sample_campaign_pages_and_workbook_show_the_banner(demo_body, client_for):
    from django.urls import reverse

    from tests.factories import RoleFactory, UserFactory

    campaign = create_sample_campaign(demo_body)
    admin = UserFactory(username="coord")
    RoleFactory(user=admin, pooling_body=demo_body, name="admin")
    client = client_for(admin)
    member = Submission.objects.filter(campaign=campaign).first().member
    for url in (
        reverse("inventory:campaign", args=[demo_body.pk, campaign.pk]),
        reverse("inventory:member", args=[demo_body.pk, campaign.pk, member.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "Données fictives de démonstration" in response.content.decode()
