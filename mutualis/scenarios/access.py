"""Loading scenarios through the tenancy helpers of `accounts.access`.

Another body's scenario is a 404; so is a scenario that is not published yet for a user
who is only a référent communal. Rights on a scenario are computed once, here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from mutualis.accounts.access import Abilities, User, get_pooling_body_for
from mutualis.scenarios.models import Scenario, ScenarioSnapshot


@dataclass(frozen=True)
class ScenarioRights:
    """What the user may do with one scenario (templates read these flags only)."""

    can_edit: bool
    can_change_status: bool
    can_snapshot: bool
    can_duplicate: bool
    sees_drafts: bool


def scenario_rights(abilities: Abilities, scenario: Scenario | None = None) -> ScenarioRights:
    manage = abilities.can_manage
    return ScenarioRights(
        can_edit=manage,
        can_change_status=manage,
        can_snapshot=manage,
        can_duplicate=manage,
        sees_drafts=not abilities.is_referent_only,
    )


def get_scenario_for(
    user: User, body_pk: int, scenario_pk: int, *, edit: bool = False
) -> tuple[Scenario, ScenarioRights]:
    """A scenario the user may see, with the rights on it; 404 elsewhere, 403 for `edit`."""
    body, abilities = get_pooling_body_for(user, body_pk)
    scenario = (
        Scenario.objects.filter(pk=scenario_pk, pooling_body=body)
        .select_related("domain", "campaign")
        .first()
    )
    if scenario is None:
        raise Http404
    rights = scenario_rights(abilities, scenario)
    if not rights.sees_drafts and not scenario.is_published:
        raise Http404
    if edit and not rights.can_edit:
        raise PermissionDenied
    scenario.pooling_body = body
    return scenario, rights


def get_snapshot_for(
    user: User, body_pk: int, scenario_pk: int, snapshot_pk: int
) -> tuple[ScenarioSnapshot, ScenarioRights]:
    scenario, rights = get_scenario_for(user, body_pk, scenario_pk)
    snapshot = ScenarioSnapshot.objects.filter(pk=snapshot_pk, scenario=scenario).first()
    if snapshot is None:
        raise Http404
    snapshot.scenario = scenario
    return snapshot, rights
