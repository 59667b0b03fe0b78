"""The results of a scenario, from the inventory through the engine."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mutualis.commands import games
from mutualis.engine.games import PooledCost, PooledMember, PooledServiceGame
from mutualis.inventory.models import CostLine, ServiceRecord
from mutualis.scenarios import analysis, queries, services
from mutualis.scenarios.analysis.results import perimeter_advice
from mutualis.scenarios.models import Scenario, ScenarioSnapshot
from tests.factories import AttributeFactory, MemberFactory
from tests.scenarios.conftest import ScenarioWorld, ads_territory

FAIR = ("shapley", "scrb", "proportional", "nucleolus")


def test_report_lists_every_member_with_before_and_after(sworld: ScenarioWorld) -> None:
    doc = queries.scenario_report(sworld.scenario)
    assert [m["insee_code"] for m in doc["members"]] == ["21002", "21001", "21003"]
    totals = doc["totals"]
    before = sum(Decimal(m["cost_before"]) for m in doc["members"])
    assert Decimal(totals["cost_before"]) == before
    assert Decimal(totals["saving"]) == before - Decimal(totals["cost_after"])
    assert doc["scenario"]["legal_form"] == "service_commun"
    assert doc["members"][0]["explanation"]["steps"]


@pytest.mark.parametrize(
    "method", [*analysis.ENGINE_METHODS, "key:population_municipale", "key:km_voirie"]
)
def test_allocation_totals_equal_the_pooled_cost_to_the_cent(sworld: ScenarioWorld, method):
    for member in sworld.scenario.members.all():
        AttributeFactory(member=member, key="km_voirie", value=7 + member.pk)
    sworld.scenario.method = method
    sworld.scenario.save()
    doc = queries.scenario_report(sworld.scenario)
    chosen = doc["allocations"][0]
    assert chosen["method"] == method and chosen["available"], chosen.get("error")
    for allocation in doc["allocations"]:
        amounts = [Decimal(m["allocations"][allocation["method"]]) for m in doc["members"]]
        assert sum(amounts) == Decimal(doc["totals"]["cost_after"]) == Decimal(allocation["total"])


def test_fair_allocations_equal_the_games_command_on_the_same_game(
    sworld: ScenarioWorld, tmp_path, capsys
) -> None:
    doc = queries.scenario_report(sworld.scenario)
    path = tmp_path / "jeu.json"
    path.write_text(json.dumps(doc["game"]), encoding="utf-8")
    capsys.readouterr()
    assert games.main(["solve", str(path)]) == 0
    solved = json.loads(capsys.readouterr().out)
    for method in FAIR:
        ours = {m["insee_code"]: m["allocations"][method] for m in doc["members"]}
        assert ours == solved[method]["allocation"], method
        allocation = next(a for a in doc["allocations"] if a["method"] == method)
        assert allocation["core"]["in_core"] == solved[method]["core"]["in_core"]


def test_a_snapshot_is_unchanged_after_the_inventory_changes(sworld: ScenarioWorld) -> None:
    snapshot = services.take_snapshot(sworld.scenario, sworld.world.pooling_admin, "Conseil")
    frozen = json.dumps(snapshot.payload, sort_keys=True)
    CostLine.objects.filter(service__campaign=sworld.campaign).update(amount=Decimal("99999.00"))
    ServiceRecord.objects.filter(campaign=sworld.campaign).update(activity_volume=Decimal(900))
    live = queries.scenario_report(sworld.scenario)
    assert live["totals"] != snapshot.payload["totals"]
    again = ScenarioSnapshot.objects.get(pk=snapshot.pk)
    assert json.dumps(again.payload, sort_keys=True) == frozen
    assert again.engine_version and again.payload["format"] == analysis.FORMAT


def test_a_member_without_data_is_kept_with_its_assumption(sworld: ScenarioWorld) -> None:
    silent = MemberFactory(
        pooling_body=sworld.world.body, name="Muette", insee_code="21009", population_municipale=800
    )
    sworld.scenario.members.add(silent)
    doc = queries.scenario_report(sworld.scenario)
    line = next(m for m in doc["members"] if m["insee_code"] == "21009")
    assert line["workload"] > 0 and Decimal(line["cost_before"]) > 0
    assert "aucune fiche pour ce domaine" in line["assumptions"][0]
    assert any(a.startswith("Muette (21009)") for a in doc["assumptions"])


def test_the_core_test_names_the_communes_in_plain_french(sworld: ScenarioWorld) -> None:
    doc = queries.scenario_report(sworld.scenario)
    verdicts = [a["core"]["verdict"] for a in doc["allocations"] if a["available"]]
    assert all(v.startswith(("Répartition stable", "La commune", "Les communes")) for v in verdicts)
    unstable = [a for a in doc["allocations"] if a["available"] and not a["core"]["in_core"]]
    for allocation in unstable:
        names = {m["insee_code"]: m["name"] for m in doc["members"]}
        for code in allocation["core"]["violating_coalition"]:
            assert names[code] in allocation["core"]["verdict"]
        assert "de moins en s'organisant seul" in allocation["core"]["verdict"]


def test_defaults_are_listed_with_their_source(sworld: ScenarioWorld) -> None:
    doc = queries.scenario_report(sworld.scenario)
    assert "productivity" in doc["defaults"]
    assert any("hypothèse à valider" in a for a in doc["assumptions"])
    # the B cost is the inventory's own average, not the national default
    assert "moyenne de l'état des lieux" in doc["defaults"]["cost_per_fte.B"]


def test_reading_a_scenario_takes_the_same_queries_for_2_or_14_members(world) -> None:
    members = [MemberFactory(pooling_body=world.body, insee_code=f"{30000 + i}") for i in range(14)]
    campaign, ads = ads_territory(world.body, members)
    for member in members:
        AttributeFactory(member=member, key="km_voirie")
    counts = []
    for size in (2, 14):
        scenario = services.create_scenario(
            world.body,
            campaign=campaign,
            name=f"{size} membres",
            domain=ads,
            legal_form="entente",
            members=members[:size],
            start_year=2026,
            horizon_years=3,
            method="scrb",
        )
        scenario = Scenario.objects.select_related("pooling_body", "domain", "campaign").get(
            pk=scenario.pk
        )
        with CaptureQueriesContext(connection) as captured:
            queries.load_inputs(scenario)
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 9


def test_perimeter_advice_splits_every_member_in_two_and_three_services_at_158() -> None:
    """No member-count limit any more: the splits of 158 communes take milliseconds."""
    service = PooledCost(fixed=15_000, cost_per_etp=46_000, productivity=250, step="0.5")
    members = [
        SimpleNamespace(insee_code=f"{64000 + i}", name=f"Commune {i}", workload=1 + i * 7 % 90)
        for i in range(158)
    ]
    game = PooledServiceGame.build(
        [PooledMember(m.insee_code, 460.0 * m.workload, m.workload) for m in members], service
    )
    perimeter_advice(game, members)  # type: ignore[arg-type]  # imports scipy (seconds)
    start = time.perf_counter()
    advice = perimeter_advice(game, members)  # type: ignore[arg-type]
    assert time.perf_counter() - start < 1.0  # about 0.1 s on a loaded machine
    assert advice.errors == ()
    assert [len(p.groups) for p in advice.partitions] == [1, 2, 3]
    for split in advice.partitions[1:]:
        assert split.proven and not split.left_alone
        assert sorted(p for g in split.groups for p in g.members) == sorted(game.players)
        assert split.explanation.steps[-1].label == "Méthode"


def test_the_results_key_is_the_same_for_a_scenario_just_saved_and_read_back(
    sworld: ScenarioWorld,
) -> None:
    """create_scenario's object holds Decimal("250"), the database gives Decimal("250.00")."""
    fresh = queries.load_inputs(sworld.scenario)
    read_back = queries.load_inputs(Scenario.objects.get(pk=sworld.scenario.pk))
    assert analysis.results_key(fresh, "v") == analysis.results_key(read_back, "v")
    changed = queries.load_inputs(sworld.scenario)
    sworld.scenario.productivity += 1
    assert analysis.results_key(queries.load_inputs(sworld.scenario), "v") != (
        analysis.results_key(changed, "v")
    )
