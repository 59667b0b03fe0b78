"""Pages people can read: names not codes, a favicon, fictitious sample file names."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from mutualis.jobs.models import Job
from tests.inventory.test_views import url

pytestmark = pytest.mark.django_db


def test_the_matrix_shows_domain_names(inventory, client_for):
    html = (
        client_for(inventory.world.pooling_admin).get(url("campaign", inventory)).content.decode()
    )
    assert '<th scope="col">Ressources humaines</th>' in html
    assert "<abbr" not in html


def test_every_page_links_a_favicon_served_by_the_app(inventory, client_for):
    html = (
        client_for(inventory.world.pooling_admin).get(url("campaign", inventory)).content.decode()
    )
    assert 'rel="icon"' in html and "favicon" in html
    assert finders.find("mutualis/favicon.svg")


def test_sample_downloads_say_they_are_fictitious(inventory, client_for):
    inventory.campaign.is_sample = True
    inventory.campaign.save()
    client = client_for(inventory.world.pooling_admin)
    body, campaign = inventory.world.body.pk, inventory.campaign.pk
    for name, extension in (("diagnostic:report_pdf", "pdf"), ("diagnostic:report_xlsx", "xlsx")):
        # The export runs as a background job (at once in tests); its file is then downloaded.
        assert client.post(reverse(name, args=[body, campaign])).status_code == 302
        job = Job.objects.latest("pk")
        response = client.get(reverse("jobs:download", args=[body, job.pk]))
        assert (
            f'filename="diagnostic-2025-exemple-fictif.{extension}"'
            in response["Content-Disposition"]
        )


def test_the_score_chart_has_a_visible_title(inventory, client_for):
    response = client_for(inventory.world.pooling_admin).get(
        reverse("diagnostic:dashboard", args=[inventory.world.body.pk, inventory.campaign.pk])
    )
    assert "<figcaption>Score d" in response.content.decode()
