"""Audit trails survive: a campaign with answers or imports is archived, never deleted."""

from __future__ import annotations

import pytest
from django.db.models import ProtectedError

from mutualis.inventory import services
from mutualis.inventory.models import Campaign, ImportLog
from tests.inventory.factories import CampaignFactory, SubmissionFactory


def test_an_empty_campaign_can_be_deleted(world):
    campaign = CampaignFactory(pooling_body=world.body)
    services.delete_campaign(campaign)
    assert not Campaign.objects.filter(pk=campaign.pk).exists()


def test_a_campaign_with_answers_is_refused_in_french_and_kept(world):
    campaign = CampaignFactory(pooling_body=world.body, year=2025)
    SubmissionFactory(campaign=campaign, member=world.own_commune)
    with pytest.raises(services.InventoryError, match="ne peut pas être supprimée, archivez-la"):
        services.delete_campaign(campaign)
    assert Campaign.objects.filter(pk=campaign.pk).exists()
    with pytest.raises(ProtectedError):
        campaign.delete()


def test_import_logs_are_never_cascade_deleted(world):
    campaign = CampaignFactory(pooling_body=world.body)
    ImportLog.objects.create(campaign=campaign, file_name="classeur.xlsx", sha256="0" * 64)
    with pytest.raises(ProtectedError):
        campaign.delete()
    assert ImportLog.objects.filter(campaign=campaign).count() == 1


def test_archiving_closes_the_campaign_and_keeps_everything(world):
    campaign = CampaignFactory(pooling_body=world.body)
    SubmissionFactory(campaign=campaign, member=world.own_commune)
    services.archive_campaign(campaign)
    campaign.refresh_from_db()
    assert campaign.is_archived and campaign.status == Campaign.Status.CLOSED
    assert campaign.submissions.count() == 1
