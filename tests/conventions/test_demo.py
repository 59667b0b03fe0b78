"""The demo convention: drafted from the sample scenario, sent, two deliberations, sample."""

from __future__ import annotations

from mutualis.conventions.demo import create_sample_convention
from mutualis.conventions.models import Deliberation
from tests.conftest import World
from tests.conventions.factories import report_payload, snapshot


def test_sample_convention_from_a_sample_snapshot(world: World):
    members = [world.own_commune, world.other_commune]
    payload = report_payload(members, ["300.00", "200.00"])
    payload["scenario"]["is_sample"] = True
    snap = snapshot(world.body, members, payload)
    snap.scenario.is_sample = True
    snap.scenario.save()
    convention = create_sample_convention(world.body)
    assert convention.is_sample and convention.source_snapshot == snap
    assert convention.versions.get().status == "sent"
    assert Deliberation.objects.count() == 2
    assert create_sample_convention(world.body) == convention


def test_sample_convention_without_scenario_is_still_marked(world: World):
    convention = create_sample_convention(world.body)
    assert convention.is_sample
    assert convention.versions.get().parties.count() == 3
