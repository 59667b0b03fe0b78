"""Every scenario page reads as many queries at 3 members as at 9 (no query per member)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mutualis.scenarios import services
from mutualis.scenarios.models import Scenario
from tests.factories import AttributeFactory, MemberFactory
from tests.scenarios.conftest import ScenarioWorld, fill_ads

Page = Callable[[ScenarioWorld, int], str]  # (world, id of the copy) -> URL, at each size


def _args(sworld: ScenarioWorld) -> list[int]:
    return [sworld.world.body.pk, sworld.scenario.pk]


PAGES: dict[str, Page] = {
    "list": lambda s, copy: reverse("scenarios:list", args=[s.world.body.pk]),
    "create": lambda s, copy: reverse("scenarios:create", args=[s.world.body.pk]),
    "detail": lambda s, copy: reverse("scenarios:detail", args=_args(s)),
    "edit": lambda s, copy: reverse("scenarios:edit", args=_args(s)),
    "compare": lambda s, copy: (
        f"{reverse('scenarios:compare', args=[s.world.body.pk])}"
        f"?scenarios={s.scenario.pk}&scenarios={copy}"
    ),
    "sheet": lambda s, copy: reverse(
        "scenarios:sheet", args=[*_args(s), s.world.own_commune.insee_code]
    ),
    "snapshot_detail": lambda s, copy: reverse(
        "scenarios:snapshot_detail",
        args=[*_args(s), services.take_snapshot(s.scenario, None, "Conseil").pk],
    ),
    "workbook": lambda s, copy: reverse("scenarios:workbook", args=_args(s)),
    "report_json": lambda s, copy: reverse("scenarios:report_json", args=_args(s)),
}


def _count(client, url: str) -> int:  # type: ignore[no-untyped-def]
    client.get(url)  # computes and stores the results of inputs that changed
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_scenario_page_reads_the_same_queries_for_three_times_the_members(
    sworld: ScenarioWorld, client_for, page: str
) -> None:
    client = client_for(sworld.world.pooling_admin)
    copy = services.duplicate_scenario(sworld.scenario, None)
    small = _count(client, PAGES[page](sworld, copy.pk))
    for i in range(6):
        member = MemberFactory(pooling_body=sworld.world.body, insee_code=f"2120{i}")
        fill_ads(sworld.campaign, sworld.ads, member, 12 + i)
        sworld.scenario.members.add(member)
        copy.members.add(member)
    assert sworld.scenario.members.count() == 9
    assert _count(client, PAGES[page](sworld, copy.pk)) == small


def _recompute_queries(scenario: Scenario) -> int:
    scenario = Scenario.objects.select_related("pooling_body", "domain", "campaign").get(
        pk=scenario.pk
    )
    with CaptureQueriesContext(connection) as queries:
        services.compute_results(scenario, services.stored_results(scenario))
    return len(queries)


def test_a_recomputation_reads_and_stores_in_the_same_queries_for_three_times_the_members(
    sworld: ScenarioWorld,
) -> None:
    """Inputs read as values (members, inventory, attributes), results stored in one update."""
    small = _recompute_queries(sworld.scenario)
    assert small <= 10
    for i in range(6):
        member = MemberFactory(pooling_body=sworld.world.body, insee_code=f"2120{i}")
        fill_ads(sworld.campaign, sworld.ads, member, 12 + i)
        AttributeFactory(member=member, key="km_voirie", year=2024, value=Decimal(i + 3))
        sworld.scenario.members.add(member)
    assert _recompute_queries(sworld.scenario) == small
