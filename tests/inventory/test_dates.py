"""Submission and dates: confirmation before transmitting, reopening recorded, late
deadline, ended contract, passed notice date; every date against an explicit `on`."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from mutualis.inventory import rules
from mutualis.inventory.models import Submission
from tests.inventory.factories import ContractFactory
from tests.inventory.test_views import url

pytestmark = pytest.mark.django_db


def test_contract_dates_against_an_explicit_day():
    running = rules.contract_dates(date(2026, 12, 31), 3, on=date(2026, 8, 1))
    assert running.notice_by == date(2026, 9, 30)
    assert not running.ended and not running.notice_passed
    late = rules.contract_dates(date(2026, 12, 31), 3, on=date(2026, 10, 1))
    assert late.notice_passed and not late.ended
    ended = rules.contract_dates(date(2026, 12, 31), 3, on=date(2027, 1, 1))
    assert ended.ended and not ended.notice_passed
    assert rules.contract_dates(None, None, on=date(2026, 1, 1)).notice_by is None


def test_deadline_is_passed_from_the_next_day():
    assert not rules.deadline_passed(date(2025, 6, 30), date(2025, 6, 30))
    assert rules.deadline_passed(date(2025, 6, 30), date(2025, 7, 1))
    assert not rules.deadline_passed(None, date(2025, 7, 1))


def test_transmit_asks_for_confirmation_naming_unanswered_domains(inventory, client_for):
    world = inventory.world
    client = client_for(world.member_agent)
    member_page = client.get(url("member", inventory, world.own_commune)).content.decode()
    assert url("submit", inventory, world.own_commune) in member_page
    # The other commune answered RH only; the own commune answered nothing yet.
    page = client.get(url("submit", inventory, world.own_commune))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Confirmer la transmission" in html
    assert "Ressources humaines" in html and "Voirie" in html
    assert not Submission.objects.filter(member=world.own_commune).exists()


def test_confirmation_lists_only_unanswered_domains(inventory, client_for):
    world = inventory.world
    world.other_commune  # noqa: B018 — answered RH in the fixture
    client = client_for(world.pooling_admin)
    html = client.get(url("submit", inventory, world.other_commune)).content.decode()
    assert "Voirie" in html
    assert "n'a pas encore de réponse" in html.replace("&#x27;", "'")


def test_reopening_records_who_and_when(inventory, client_for):
    world = inventory.world
    with time_machine.travel("2025-05-02 09:00 +0000", tick=False):
        client = client_for(world.pooling_admin)
        assert client.post(url("submit", inventory, world.other_commune)).status_code == 302
    with time_machine.travel("2025-05-20 14:30 +0000", tick=False):
        client = client_for(world.pooling_admin)  # a new session: the first one expired
        response = client.post(url("reopen", inventory, world.other_commune), follow=True)
        html = response.content.decode()
    submission = Submission.objects.get(member=world.other_commune)
    assert submission.status == "reopened"
    assert submission.reopened_by == world.pooling_admin
    assert submission.reopened_at.date() == date(2025, 5, 20)
    assert "Rouverte" in html and "20/05/2025" in html and "pooling_admin" in html
    assert "transmise auparavant le 02/05/2025" in html


def test_a_campaign_past_its_deadline_says_so(inventory, client_for):
    client = client_for(inventory.world.pooling_admin)
    with time_machine.travel("2025-06-30 12:00 +0000"):
        assert "est dépassée" not in client.get(url("campaign", inventory)).content.decode()
    with time_machine.travel("2025-07-01 12:00 +0000"):
        assert "est dépassée" in client.get(url("campaign", inventory)).content.decode()


def test_ended_contract_and_passed_notice_are_flagged(inventory, client_for):
    world = inventory.world
    ContractFactory(
        campaign=inventory.campaign,
        member=world.own_commune,
        vendor="Ancien",
        end_on=date(2025, 3, 31),
        notice_period_months=3,
    )
    ContractFactory(
        campaign=inventory.campaign,
        member=world.own_commune,
        vendor="Courant",
        end_on=date(2025, 12, 31),
        notice_period_months=6,
    )
    client = client_for(world.member_agent)
    with time_machine.travel("2025-08-01 12:00 +0000"):
        html = client.get(url("member", inventory, world.own_commune)).content.decode()
    assert html.count("terminé") == 1
    assert "date de préavis dépassée" in html and "avant le 30/06/2025" in html
