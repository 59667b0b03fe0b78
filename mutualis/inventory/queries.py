"""Read helpers of the inventory: the members and domains a campaign covers."""

from __future__ import annotations

from django.db.models import QuerySet

from mutualis.inventory.models import Campaign
from mutualis.territories.models import Domain, Member


def campaign_domains(campaign: Campaign) -> QuerySet[Domain]:
    return campaign.domains.order_by("family", "position", "name")


def campaign_members(campaign: Campaign) -> QuerySet[Member]:
    """Every member of the body is asked, whatever its joining date (documented rule)."""
    return Member.objects.filter(pooling_body_id=campaign.pooling_body_id).order_by(
        "name", "insee_code"
    )
