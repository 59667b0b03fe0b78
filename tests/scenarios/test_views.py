"""Scenario pages through HTTP: create, edit with bad input, results, compare, documents."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from mutualis.jobs.models import Job
from mutualis.scenarios import services
from mutualis.scenarios.models import Scenario, ScenarioSnapshot
from tests.factories import MemberFactory
from tests.scenarios.conftest import ScenarioWorld, fill_ads


def _edit_data(scenario: Scenario, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": scenario.name,
        "domain": scenario.domain_id,
        "legal_form": scenario.legal_form,
        "members": [m.pk for m in scenario.members.all()],
        "start_year": scenario.start_year,
        "horizon_years": scenario.horizon_years,
        "method": scenario.method,
        "workload_unit": scenario.workload_unit,
        "productivity": scenario.productivity,
        "staff_category": scenario.staff_category,
        "cost_per_fte_a": scenario.cost_per_fte_a,
        "cost_per_fte_b": scenario.cost_per_fte_b,
        "cost_per_fte_c": scenario.cost_per_fte_c,
        "fixed_costs_amount": scenario.fixed_costs_amount,
        "cost_per_unit_amount": scenario.cost_per_unit_amount,
        "transition_costs_amount": scenario.transition_costs_amount,
        "staffing_step_fte": scenario.staffing_step_fte,
        "manager_span": "",
        "staff_indexation_rate": scenario.staff_indexation_rate,
        "other_indexation_rate": scenario.other_indexation_rate,
        "discount_rate": scenario.discount_rate,
    }
    data.update(changes)
    return data


def test_coordinator_creates_a_prefilled_scenario(sworld: ScenarioWorld, client_for):
    world = sworld.world
    client = client_for(world.pooling_admin)
    url = reverse("scenarios:create", args=[world.body.pk])
    assert "Nouveau scénario" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "name": "ADS à deux",
            "campaign": sworld.campaign.pk,
            "domain": sworld.ads.pk,
            "legal_form": "entente",
            "members": [world.own_commune.pk, world.other_commune.pk],
            "start_year": 2026,
            "horizon_years": 5,
            "method": "key:population_municipale",
        },
    )
    scenario = Scenario.objects.get(name="ADS à deux")
    assert response.status_code == 302
    assert scenario.productivity == Decimal(250) and "productivity" in scenario.defaults
    page = client.get(response["Location"]).content.decode()
    assert "Avant et après" in page and "Stabilité de chaque répartition" in page
    assert "Valeur par défaut — productivité" in page
    assert "hypothèse à valider" in page


EDIT_ERRORS = [
    ({"productivity": "0"}, "productivité"),
    ({"productivity": "-2"}, "productivité"),
    ({"fixed_costs_amount": "-10"}, "un coût ne peut pas être négatif"),
    ({"horizon_years": "0"}, "horizon"),
    ({"horizon_years": "31"}, "horizon"),
    ({"members": []}, "au moins un membre"),
    ({"discount_rate": "-1"}, "−100 %"),
    ({"discount_rate": "-1.5"}, "−100 %"),
]


@pytest.mark.parametrize(("changes", "message"), EDIT_ERRORS)
def test_bad_input_on_the_form_is_refused_in_french(sworld, client_for, changes, message):
    scenario = sworld.scenario
    before = Scenario.objects.filter(pk=scenario.pk).values().get()
    url = reverse("scenarios:edit", args=[sworld.world.body.pk, scenario.pk])
    response = client_for(sworld.world.pooling_admin).post(url, _edit_data(scenario, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Scenario.objects.filter(pk=scenario.pk).values().get() == before


def test_a_member_outside_the_body_cannot_be_chosen(sworld: ScenarioWorld, client_for):
    scenario = sworld.scenario
    url = reverse("scenarios:edit", args=[sworld.world.body.pk, scenario.pk])
    data = _edit_data(scenario, members=[sworld.world.foreign_commune.pk])
    response = client_for(sworld.world.pooling_admin).post(url, data)
    assert response.status_code == 200
    assert sworld.world.foreign_commune not in scenario.members.all()


def test_editing_a_default_value_drops_its_default_flag(sworld: ScenarioWorld, client_for):
    scenario = sworld.scenario
    url = reverse("scenarios:edit", args=[sworld.world.body.pk, scenario.pk])
    response = client_for(sworld.world.pooling_admin).post(
        url, _edit_data(scenario, productivity="220", name="ADS révisé")
    )
    assert response.status_code == 302
    scenario.refresh_from_db()
    assert scenario.productivity == Decimal(220) and scenario.name == "ADS révisé"
    assert "productivity" not in scenario.defaults and "fixed_costs" in scenario.defaults


def test_duplicate_status_and_snapshot(sworld: ScenarioWorld, client_for):
    world = sworld.world
    client = client_for(world.pooling_admin)
    args = [world.body.pk, sworld.scenario.pk]
    client.post(reverse("scenarios:duplicate", args=args))
    copy = Scenario.objects.get(name="Service commun ADS (copie)")
    assert copy.status == "draft" and copy.members.count() == 3
    client.post(reverse("scenarios:status", args=args), {"status": "published"})
    sworld.scenario.refresh_from_db()
    assert sworld.scenario.status == "published"
    response = client.post(reverse("scenarios:snapshot", args=args), {"label": "Conseil du 3"})
    snapshot = ScenarioSnapshot.objects.get()
    assert snapshot.label == "Conseil du 3" and snapshot.created_by == world.pooling_admin
    page = client.get(response["Location"]).content.decode()
    assert "Instantané figé" in page and "Conseil du 3" in page


def test_compare_puts_two_scenarios_side_by_side(sworld: ScenarioWorld, client_for):
    copy = services.duplicate_scenario(sworld.scenario, None)
    url = reverse("scenarios:compare", args=[sworld.world.body.pk])
    client = client_for(sworld.world.elected_official)
    page = client.get(url, {"scenarios": [sworld.scenario.pk, copy.pk]}).content.decode()
    assert "Les scénarios côte à côte" in page and "(copie)" in page
    alone = client.get(url, {"scenarios": [sworld.scenario.pk]}).content.decode()
    assert "Choisissez de 2 à 4 scénarios." in alone


def _job_file(client, url: str):  # type: ignore[no-untyped-def]
    """Ask for a document (a background job, run at once in tests), then fetch its file."""
    progress = client.post(url, follow=True)
    job = progress.context["job"]
    assert job.status == Job.Status.DONE, job.message
    return client.get(reverse("jobs:download", args=[job.pooling_body_id, job.pk]))


def test_the_comparison_pack_is_a_background_job(sworld: ScenarioWorld, client_for):
    world = sworld.world
    copy = services.duplicate_scenario(sworld.scenario, None)
    url = reverse("scenarios:compare_pack", args=[world.body.pk])
    client = client_for(world.pooling_admin)
    assert (
        client.get(f"{url}?scenarios={sworld.scenario.pk}&scenarios={copy.pk}").status_code == 405
    )
    pack = _job_file(client, f"{url}?scenarios={sworld.scenario.pk}&scenarios={copy.pk}")
    assert b"".join(pack.streaming_content).startswith(b"%PDF")
    assert 'filename="dossier-comparaison.pdf"' in pack["Content-Disposition"]
    one = client.post(f"{url}?scenarios={sworld.scenario.pk}")
    assert (
        one.status_code == 302
        and not Job.objects.filter(
            kind="scenarios.pack_pdf", params__scenario_pks=[sworld.scenario.pk]
        ).exists()
    )


def test_a_pack_job_of_a_deleted_scenario_fails_in_french(sworld: ScenarioWorld, client_for):
    from mutualis.jobs.services import execute_job, request_job
    from mutualis.scenarios import exports

    job = request_job(sworld.world.body, exports.SHEETS_PDF, None, {"scenario_pks": [0]})
    execute_job(job.pk)
    job.refresh_from_db()
    assert job.is_failed and "n'existe plus" in job.message


def test_documents_download(sworld: ScenarioWorld, client_for):
    world = sworld.world
    client = client_for(world.elected_official)
    args = [world.body.pk, sworld.scenario.pk]
    pack = _job_file(client, reverse("scenarios:pack", args=args))
    assert pack["Content-Type"] == "application/pdf"
    assert b"".join(pack.streaming_content).startswith(b"%PDF")
    assert 'filename="dossier-service-commun-ads.pdf"' in pack["Content-Disposition"]
    sheets = _job_file(client, reverse("scenarios:sheets", args=args))
    assert b"".join(sheets.streaming_content).startswith(b"%PDF")
    assert 'filename="fiches-service-commun-ads.pdf"' in sheets["Content-Disposition"]
    sheet = client.get(reverse("scenarios:sheet", args=[*args, world.own_commune.insee_code]))
    assert sheet.content.startswith(b"%PDF")
    missing = client.get(reverse("scenarios:sheet", args=[*args, "99999"]))
    assert missing.status_code == 404
    book = client.get(reverse("scenarios:workbook", args=args))
    assert book.content.startswith(b"PK")
    data = client.get(reverse("scenarios:report_json", args=args)).json()
    assert data["scenario"]["name"] == "Service commun ADS"


def test_the_results_are_computed_once_per_state_of_the_inputs(
    sworld: ScenarioWorld, client_for, monkeypatch
):
    from mutualis.scenarios import analysis

    client = client_for(sworld.world.pooling_admin)
    url = reverse("scenarios:detail", args=[sworld.world.body.pk, sworld.scenario.pk])
    assert client.get(url).status_code == 200
    sworld.scenario.refresh_from_db()
    stored_key = sworld.scenario.results_key
    assert stored_key and sworld.scenario.results is not None

    def fail(*args, **kwargs):
        raise AssertionError("recomputed")

    monkeypatch.setattr(analysis, "evaluate", fail)
    services.set_status(sworld.scenario, "presented")  # a label, not an input
    assert client.get(url).status_code == 200
    assert services.current_report(sworld.scenario)["scenario"]["status"] == "presented"
    monkeypatch.undo()
    fill_ads(sworld.campaign, sworld.ads, MemberFactory(pooling_body=sworld.world.body), 5)
    sworld.scenario.members.add(sworld.scenario.pooling_body.members.order_by("-pk").first())
    assert client.get(url).status_code == 200
    sworld.scenario.refresh_from_db()
    assert sworld.scenario.results_key != stored_key
    assert len(sworld.scenario.results["members"]) == sworld.scenario.members.count()


def test_a_large_scenario_is_computed_in_the_background_once(
    sworld: ScenarioWorld, client_for, settings, monkeypatch
):
    from mutualis.jobs.services import execute_job
    from mutualis.scenarios import analysis

    settings.SCENARIO_BACKGROUND_MEMBERS = 1  # the demo scenario counts more members
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued
    client = client_for(sworld.world.pooling_admin)
    url = reverse("scenarios:detail", args=[sworld.world.body.pk, sworld.scenario.pk])
    evaluate = analysis.evaluate

    def fail(*args, **kwargs):
        raise AssertionError("computed inside the request")

    monkeypatch.setattr(analysis, "evaluate", fail)
    page = client.get(url).content.decode()
    assert "en cours de calcul en arrière-plan" in page and "Suivre le calcul" in page
    client.get(url)  # a second look joins the same job
    jobs = Job.objects.filter(kind="scenarios.results_json")
    assert jobs.count() == 1
    args = [sworld.world.body.pk, sworld.scenario.pk]
    assert client.get(reverse("scenarios:report_json", args=args)).status_code == 302
    monkeypatch.setattr(analysis, "evaluate", evaluate)
    execute_job(jobs.get().pk)
    assert jobs.get().is_done
    monkeypatch.setattr(analysis, "evaluate", fail)
    page = client.get(url).content.decode()
    assert "en cours de calcul" not in page and jobs.count() == 1
    data = client.get(reverse("scenarios:report_json", args=args)).json()
    assert data["scenario"]["name"] == "Service commun ADS"
