"""Service verbs of the inventory: domain errors in French, state changes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from mutualis.inventory import services
from mutualis.inventory.models import ServiceRecord, Submission
from tests.factories import DomainFactory, PoolingBodyFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_open_campaign_takes_every_active_domain_by_default(world):
    DomainFactory(pooling_body=world.body, code="rh")
    DomainFactory(pooling_body=world.body, code="ancien", is_active=False)
    campaign = services.open_campaign(world.body, 2026)
    assert list(campaign.domains.values_list("code", flat=True)) == ["rh"]
    with pytest.raises(services.InventoryError, match="existe déjà pour l'année 2026"):
        services.open_campaign(world.body, 2026)


def test_open_campaign_refuses_another_body_domain(world):
    foreign = DomainFactory(pooling_body=PoolingBodyFactory())
    with pytest.raises(services.InventoryError, match="n'appartient pas"):
        services.open_campaign(world.body, 2026, domains=[foreign])


def test_save_service_record_refuses_a_domain_outside_the_campaign(inventory):
    other = DomainFactory(pooling_body=inventory.world.body, code="sport")
    with pytest.raises(services.InventoryError, match="ne fait pas partie de la campagne"):
        services.save_service_record(
            inventory.campaign, inventory.world.own_commune, other, values={"mode": "regie"}
        )


def test_submitted_entry_is_locked_for_the_referent_but_not_the_coordinator(inventory):
    world, campaign = inventory.world, inventory.campaign
    services.submit_inventory(campaign, world.other_commune, world.member_agent)
    with pytest.raises(services.InventoryError, match="a été transmise"):
        services.save_service_record(
            campaign, world.other_commune, inventory.rh, values={"mode": "mutualise"}
        )
    services.save_service_record(
        campaign,
        world.other_commune,
        inventory.rh,
        values={"mode": "mutualise"},
        staff=[services.StaffInput("A", Decimal("0.1"), Decimal("5000"))],
        as_manager=True,
    )
    record = ServiceRecord.objects.get(member=world.other_commune, domain=inventory.rh)
    assert record.mode == "mutualise"
    assert [s.category for s in record.staff_lines.all()] == ["A"]
    assert not record.cost_lines.exists()


def test_submit_twice_and_reopen_a_draft_are_refused(inventory):
    world, campaign = inventory.world, inventory.campaign
    services.submit_inventory(campaign, world.other_commune, None)
    with pytest.raises(services.InventoryError, match="déjà été transmise"):
        services.submit_inventory(campaign, world.other_commune, None)
    with pytest.raises(services.InventoryError, match="Seule une saisie transmise"):
        services.reopen_submission(campaign, world.own_commune)
    assert services.reopen_submission(campaign, world.other_commune).status == "reopened"


def test_completion_counts_answers_per_domain_and_status(inventory):
    table = services.completion(inventory.campaign)
    assert [d.code for d in table.domains] == ["rh", "voirie"]
    assert table.per_domain == (1, 0)
    statuses = {row.member.name: row.status for row in table.rows}
    assert statuses == {"Bourg-Témoin": "not_started", "Saint-Essai": "not_started"}


def test_reminders_skip_submitted_members_and_report_those_without_referent(inventory):
    world, campaign = inventory.world, inventory.campaign
    referent = UserFactory(username="ref-bourg", email="ref@bourg.example")
    RoleFactory(user=referent, pooling_body=world.body, name="referent", member=world.other_commune)
    result = services.send_reminders(campaign)
    assert result.sent_to == ("ref@bourg.example",)
    assert [m.name for m in result.members_without_referent] == ["Saint-Essai"]
    assert "Bourg-Témoin" in mail.outbox[0].subject
    Submission.objects.create(campaign=campaign, member=world.other_commune, status="submitted")
    mail.outbox.clear()
    assert services.send_reminders(campaign).sent_to == ()
    assert mail.outbox == []
