"""The results of a scenario, from the inventory through the engine."""

from __future__ import annotations

from decimal import Decimal

from mutualis.scenarios import queries
from tests.scenarios.conftest import ScenarioWorld


def test_report_lists_every_member_with_before_and_after(sworld: ScenarioWorld) -> None:
    doc = queries.scenario_report(sworld.scenario)
    assert [m["insee_code"] for m in doc["members"]] == ["21002", "21001", "21003"]
    totals = doc["totals"]
    before = sum(Decimal(m["cost_before"]) for m in doc["members"])
    assert Decimal(totals["cost_before"]) == before
    assert Decimal(totals["saving"]) == before - Decimal(totals["cost_after"])
