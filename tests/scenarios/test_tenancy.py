"""Every scenario view: outsider 404, anonymous to login, référents see published only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from mutualis.jobs.models import Job
from mutualis.scenarios import services
from mutualis.scenarios.models import Scenario, ScenarioSnapshot
from tests.conftest import World
from tests.scenarios.conftest import ScenarioWorld

Route = Callable[[ScenarioWorld], str]


def _scenario(w: ScenarioWorld) -> Scenario:
    return w.scenario


def _body_url(name: str) -> Route:
    return lambda w: reverse(name, args=[w.world.body.pk])


def _scenario_url(name: str) -> Route:
    return lambda w: reverse(name, args=[w.world.body.pk, w.scenario.pk])


def _snapshot(w: ScenarioWorld) -> ScenarioSnapshot:
    found = w.scenario.snapshots.first()
    return found or services.take_snapshot(w.scenario, None)


SCENARIO_ROUTES: dict[str, Route] = {
    "scenarios:list": _body_url("scenarios:list"),
    "scenarios:create": _body_url("scenarios:create"),
    "scenarios:compare": lambda w: (
        reverse("scenarios:compare", args=[w.world.body.pk])
        + f"?scenarios={w.scenario.pk}&scenarios={services.duplicate_scenario(w.scenario, None).pk}"
    ),
    "scenarios:compare_pack": lambda w: (
        reverse("scenarios:compare_pack", args=[w.world.body.pk])
        + f"?scenarios={w.scenario.pk}&scenarios={services.duplicate_scenario(w.scenario, None).pk}"
    ),
    "scenarios:detail": _scenario_url("scenarios:detail"),
    "scenarios:edit": _scenario_url("scenarios:edit"),
    "scenarios:duplicate": _scenario_url("scenarios:duplicate"),
    "scenarios:status": _scenario_url("scenarios:status"),
    "scenarios:snapshot": _scenario_url("scenarios:snapshot"),
    "scenarios:snapshot_detail": lambda w: reverse(
        "scenarios:snapshot_detail", args=[w.world.body.pk, w.scenario.pk, _snapshot(w).pk]
    ),
    "scenarios:pack": _scenario_url("scenarios:pack"),
    "scenarios:sheets": _scenario_url("scenarios:sheets"),
    "scenarios:sheet": lambda w: reverse(
        "scenarios:sheet", args=[w.world.body.pk, w.scenario.pk, w.world.other_commune.insee_code]
    ),
    "scenarios:workbook": _scenario_url("scenarios:workbook"),
    "scenarios:report_json": _scenario_url("scenarios:report_json"),
}
POST_ONLY = {
    "scenarios:duplicate",
    "scenarios:status",
    "scenarios:snapshot",
    "scenarios:pack",
    "scenarios:sheets",
    "scenarios:compare_pack",
}
SCENARIO_PAGES = sorted(
    set(SCENARIO_ROUTES)
    - {"scenarios:list", "scenarios:create"}
    - {"scenarios:compare", "scenarios:compare_pack"}
)


def _state() -> tuple[int, int, int, list[str]]:
    return (
        Scenario.objects.count(),
        ScenarioSnapshot.objects.count(),
        Job.objects.count(),
        list(Scenario.objects.order_by("pk").values_list("status", flat=True)),
    )


@pytest.mark.parametrize("route", sorted(SCENARIO_ROUTES))
@pytest.mark.parametrize("method", ["get", "post"])
def test_outsider_gets_404_on_another_body(sworld: ScenarioWorld, client_for, route, method):
    url = SCENARIO_ROUTES[route](sworld)
    before = _state()
    response = getattr(client_for(sworld.world.outsider), method)(url, {"status": "published"})
    assert response.status_code == (405 if method == "get" and route in POST_ONLY else 404)
    assert _state() == before


@pytest.mark.parametrize("route", sorted(SCENARIO_ROUTES))
def test_anonymous_is_sent_to_login(sworld: ScenarioWorld, client, route: str):
    response = client.post(SCENARIO_ROUTES[route](sworld))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("route", SCENARIO_PAGES)
def test_referent_cannot_see_a_draft(sworld: ScenarioWorld, client_for, route: str):
    url = SCENARIO_ROUTES[route](sworld)
    before = _state()
    client = client_for(sworld.world.member_agent)
    response = client.post(url, {"status": "published"}) if route in POST_ONLY else client.get(url)
    assert response.status_code == 404
    assert _state() == before


def test_referent_sees_published_scenarios_only(sworld: ScenarioWorld, client_for):
    draft = services.duplicate_scenario(sworld.scenario, None)
    services.set_status(sworld.scenario, "published")
    client = client_for(sworld.world.member_agent)
    page = client.get(reverse("scenarios:list", args=[sworld.world.body.pk])).content.decode()
    assert "Service commun ADS</a>" in page
    assert "(copie)" not in page
    detail = reverse("scenarios:detail", args=[sworld.world.body.pk, sworld.scenario.pk])
    assert client.get(detail).status_code == 200
    assert (
        client.get(reverse("scenarios:detail", args=[sworld.world.body.pk, draft.pk])).status_code
        == 404
    )


@pytest.mark.parametrize("persona", ["finance_officer", "elected_official", "member_agent"])
@pytest.mark.parametrize(
    "route",
    [
        "scenarios:edit",
        "scenarios:duplicate",
        "scenarios:status",
        "scenarios:snapshot",
        "scenarios:create",
    ],
)
def test_only_the_coordination_changes_scenarios(sworld, client_for, persona, route):
    services.set_status(sworld.scenario, "published")
    url = SCENARIO_ROUTES[route](sworld)
    before = _state()
    response = client_for(sworld.world.persona(persona)).post(url, {"status": "draft", "name": "x"})
    assert response.status_code == 403
    assert _state() == before


def test_another_body_scenario_is_404_inside_own_body_url(sworld: ScenarioWorld, client_for):
    world: World = sworld.world
    url = reverse("scenarios:detail", args=[world.other_body.pk, sworld.scenario.pk])
    assert client_for(world.outsider).get(url).status_code == 404
