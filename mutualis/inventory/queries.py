"""Read helpers of the inventory: the members and domains a campaign covers, its imports."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from mutualis.accounts.access import User
from mutualis.inventory.models import Campaign, ImportLog, PendingImport, ServiceRecord
from mutualis.territories.models import Domain, Member


def campaign_domains(campaign: Campaign) -> QuerySet[Domain]:
    return campaign.domains.order_by("family", "position", "name")


def campaign_members(campaign: Campaign) -> QuerySet[Member]:
    """Every member of the body is asked, whatever its joining date (documented rule)."""
    return Member.objects.filter(pooling_body_id=campaign.pooling_body_id).order_by(
        "name", "insee_code"
    )


def import_logs(campaign: Campaign, member_scope: frozenset[int] | None) -> QuerySet[ImportLog]:
    """The campaign's imports, latest first; with a scope, those touching only its members."""
    logs = (
        ImportLog.objects.filter(campaign=campaign)
        .select_related("user", "undone_by")
        .order_by("-at", "-pk")
    )
    if member_scope is not None:
        others = Member.objects.filter(pooling_body_id=campaign.pooling_body_id).exclude(
            pk__in=member_scope
        )
        logs = logs.exclude(members__in=others)
    return logs


def unanswered_domains(campaign: Campaign, member: Member) -> QuerySet[Domain]:
    """The campaign's domains the member has not answered yet (listed before transmitting)."""
    answered = ServiceRecord.objects.filter(campaign=campaign, member=member).values("domain_id")
    return campaign_domains(campaign).exclude(pk__in=answered)


def pending_imports(campaign: Campaign, user: User) -> QuerySet[PendingImport]:
    """The user's uploaded workbooks still waiting for their preview to be confirmed."""
    return (
        PendingImport.objects.filter(
            campaign=campaign, user_id=user.pk or 0, expires_at__gt=timezone.now()
        )
        .defer("data")
        .order_by("-created_at", "-pk")
    )
