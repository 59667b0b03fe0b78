"""The diagnostic dashboard: content, tenancy and a query count that ignores the body's size."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mutualis.inventory.models import Campaign
from mutualis.jobs.models import Job
from tests.conftest import World
from tests.factories import DomainFactory, MemberFactory
from tests.inventory.factories import (
    AssetFactory,
    CampaignFactory,
    ContractFactory,
    CostLineFactory,
    ServiceRecordFactory,
    StaffLineFactory,
    SubmissionFactory,
)

Route = Callable[[World], str]
TODAY = "2025-06-02 10:00 +0200"


def _campaign(w: World) -> Campaign:
    found = Campaign.objects.filter(pooling_body=w.body, year=2025).first()
    if found is None:
        found = CampaignFactory(pooling_body=w.body, domains=[DomainFactory(pooling_body=w.body)])
    return found


def _url(name: str) -> Route:
    return lambda w: reverse(name, args=[w.body.pk, _campaign(w).pk])


DASHBOARD_ROUTES: dict[str, Route] = {
    "diagnostic:dashboard": _url("diagnostic:dashboard"),
    "diagnostic:domain": lambda w: reverse(
        "diagnostic:domain",
        args=[w.body.pk, _campaign(w).pk, _campaign(w).domains.order_by("pk").first().pk],
    ),
    "diagnostic:report_pdf": _url("diagnostic:report_pdf"),
    "diagnostic:report_xlsx": _url("diagnostic:report_xlsx"),
    "diagnostic:calendar_ics": _url("diagnostic:calendar_ics"),
}
PAGES = ["diagnostic:dashboard", "diagnostic:domain", "diagnostic:calendar_ics"]
READERS = ["pooling_admin", "finance_officer", "elected_official", "member_agent", "platform_admin"]


@pytest.mark.parametrize("route", sorted(DASHBOARD_ROUTES))
@pytest.mark.parametrize("method", ["get", "post"])
def test_outsider_gets_404(world: World, client_for, route: str, method: str):
    url = DASHBOARD_ROUTES[route](world)
    assert getattr(client_for(world.outsider), method)(url).status_code == 404


@pytest.mark.parametrize("route", sorted(DASHBOARD_ROUTES))
def test_anonymous_is_sent_to_login(world: World, client, route: str):
    response = client.get(DASHBOARD_ROUTES[route](world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", READERS)
@pytest.mark.parametrize("route", PAGES)
def test_every_role_of_the_body_reads_the_diagnostic(world, client_for, persona, route):
    """Référents and elected officials included: the diagnostic is read-only and shared."""
    response = client_for(world.persona(persona)).get(DASHBOARD_ROUTES[route](world))
    assert response.status_code == 200
    assert world.body.name in response.content.decode().replace("\r\n ", "")


EXPORTS = ["diagnostic:report_pdf", "diagnostic:report_xlsx"]


@pytest.mark.parametrize("route", PAGES)
def test_the_diagnostic_is_read_only(world: World, client_for, route: str):
    response = client_for(world.pooling_admin).post(DASHBOARD_ROUTES[route](world))
    assert response.status_code == 405


@pytest.mark.parametrize("route", EXPORTS)
def test_an_export_is_asked_for_by_post_only(world: World, client_for, route: str):
    response = client_for(world.pooling_admin).get(DASHBOARD_ROUTES[route](world))
    assert response.status_code == 405
    assert not Job.objects.exists()


def test_a_domain_outside_the_campaign_is_404(world: World, client_for):
    campaign = _campaign(world)
    stranger = DomainFactory(pooling_body=world.body)
    url = reverse("diagnostic:domain", args=[world.body.pk, campaign.pk, stranger.pk])
    assert client_for(world.pooling_admin).get(url).status_code == 404


def test_a_campaign_of_another_body_is_404_even_inside_own_body_url(world: World, client_for):
    foreign = CampaignFactory(pooling_body=world.other_body)
    url = reverse("diagnostic:dashboard", args=[world.body.pk, foreign.pk])
    assert client_for(world.pooling_admin).get(url).status_code == 404


@time_machine.travel(TODAY, tick=False)
def test_dashboard_shows_the_territory_synthesis(inventory, client_for):
    body, campaign = inventory.world.body, inventory.campaign
    url = reverse("diagnostic:dashboard", args=[body.pk, campaign.pk])
    html = client_for(inventory.world.elected_official).get(url).content.decode()
    assert "Ressources humaines" in html and "Voirie" in html
    assert "13\u202f250,50\u00a0€" in html  # 11 400,00 staff + 1 850,50 operating
    assert "26,50\u00a0€" in html  # / 500 inhabitants of Bourg-Témoin
    assert "0,30" in html  # ETP with two decimals
    assert "Berger-Levrault" in html  # contract ending 31/12/2026, within 24 months
    assert "Salle des fêtes" in html  # shareable, used at 25 %
    assert 'role="img"' in html and "<title" in html
    assert reverse("diagnostic:report_pdf", args=[body.pk, campaign.pk]) in html
    assert reverse("diagnostic:domain", args=[body.pk, campaign.pk, inventory.rh.pk]) in html
    assert "Données fictives de démonstration" not in html


@time_machine.travel(TODAY, tick=False)
def test_domain_page_explains_its_score(inventory, client_for):
    body, campaign = inventory.world.body, inventory.campaign
    url = reverse("diagnostic:domain", args=[body.pk, campaign.pk, inventory.rh.pk])
    html = client_for(inventory.world.elected_official).get(url).content.decode()
    assert "Bourg-Témoin" in html
    assert "En régie" in html
    assert "fonction tenue par moins de 0,5 ETP" in html
    assert "e.magnus Paie" in html
    assert "Sécuriser la paie pendant les congés." in html
    assert "Fragilité des services en régie (poids 25)" in html
    # 25 (1 fragile / 1 in-house) + 15 (1 contract window / 1 answer)
    # + 15 (1 need / 1 answer) = 55
    assert "55 / 100" in html


def test_sample_campaign_shows_a_banner(inventory, client_for):
    inventory.campaign.is_sample = True
    inventory.campaign.save()
    client = client_for(inventory.world.pooling_admin)
    for route in ("diagnostic:dashboard", "diagnostic:domain"):
        html = client.get(DASHBOARD_ROUTES[route](inventory.world)).content.decode()
        assert "Données fictives de démonstration" in html


def _download(client, url: str):  # type: ignore[no-untyped-def]
    """Ask for an export (a background job, run at once in tests), then fetch its file."""
    progress = client.post(url, follow=True)
    job = progress.context["job"]
    assert job.status == Job.Status.DONE, job.message
    return client.get(reverse("jobs:download", args=[job.pooling_body_id, job.pk]))


def test_downloads_are_files(inventory, client_for):
    client = client_for(inventory.world.finance_officer)
    pdf = _download(client, DASHBOARD_ROUTES["diagnostic:report_pdf"](inventory.world))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert 'filename="diagnostic-2025.pdf"' in pdf["Content-Disposition"]
    xlsx = _download(client, DASHBOARD_ROUTES["diagnostic:report_xlsx"](inventory.world))
    assert b"".join(xlsx.streaming_content).startswith(b"PK")
    assert 'filename="diagnostic-2025.xlsx"' in xlsx["Content-Disposition"]


def _fill(world: World, members: int) -> Campaign:
    """A campaign on world.body with `members` more communes answering every domain."""
    campaign = _campaign(world)
    domains = [*campaign.domains.all(), DomainFactory(pooling_body=world.body)]
    campaign.domains.set(domains)
    for i in range(members):
        commune = MemberFactory(pooling_body=world.body, population_municipale=800 + i)
        SubmissionFactory(campaign=campaign, member=commune, status="submitted")
        for domain in domains:
            record = ServiceRecordFactory(
                campaign=campaign, member=commune, domain=domain, needs="Un besoin"
            )
            StaffLineFactory(service=record, fte=Decimal("0.80"))
            CostLineFactory(service=record)
            ContractFactory(campaign=campaign, member=commune, domain=domain)
            AssetFactory(campaign=campaign, member=commune, domain=domain)
    return campaign


@pytest.mark.parametrize("route", ["diagnostic:dashboard", "diagnostic:domain"])
def test_query_count_does_not_grow_with_the_number_of_members(
    world: World, client_for, django_assert_max_num_queries, route: str
):
    client = client_for(world.pooling_admin)
    _fill(world, 5)
    url = DASHBOARD_ROUTES[route](world)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _fill(world, 35)
    with django_assert_max_num_queries(len(small)):
        response = client.get(url)
    assert response.status_code == 200
    if route == "diagnostic:dashboard":
        assert response.context["diagnostic"].territory.answered_count == 40


def test_excel_export_query_count_does_not_grow_with_the_number_of_members(
    world: World, django_assert_max_num_queries
):
    from mutualis.inventory.exports import DIAGNOSTIC_XLSX, diagnostic_params

    campaign = _fill(world, 5)
    job = Job.objects.create(
        pooling_body=world.body,
        kind=DIAGNOSTIC_XLSX.name,
        params=diagnostic_params(campaign, campaign.created_at.date()),
    )
    with CaptureQueriesContext(connection) as small:
        DIAGNOSTIC_XLSX.build(job, lambda percent, message: None)
    _fill(world, 35)
    with django_assert_max_num_queries(len(small)):
        produced = DIAGNOSTIC_XLSX.build(job, lambda percent, message: None)
    assert produced.content.startswith(b"PK")
