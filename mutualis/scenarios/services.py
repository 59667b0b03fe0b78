"""Verbs on scenarios: create (pre-filled from the inventory), import a JSON document,
update, duplicate, change status, snapshot. Each runs in one transaction; bad input raises
`ScenarioRejected` with every problem, in French, and stores nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from mutualis.engine import ENGINE_VERSION
from mutualis.engine.errors import EngineError
from mutualis.engine.money import D
from mutualis.inventory.models import Campaign
from mutualis.scenarios import analysis, queries
from mutualis.scenarios.analysis import Problem
from mutualis.scenarios.models import COST_FIELDS, FTE_FIELDS, Scenario, ScenarioSnapshot
from mutualis.territories.models import Domain, Member, PoolingBody

# JSON / analysis name -> model field of the cost model.


class ScenarioRejected(Exception):
    """Bad input: every problem found; nothing was stored."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = list(problems)


def _check(values: Mapping[str, Any]) -> None:
    problems = analysis.check_inputs(values)
    if problems:
        raise ScenarioRejected(problems)


def _apply_cost_model(scenario: Scenario, values: Mapping[str, Any]) -> None:
    for name, field in COST_FIELDS.items():
        if name in values:
            value = values[name]
            if value is not None and name not in (
                "workload_unit",
                "staff_category",
                "manager_span",
            ):
                value = D(value)
            setattr(scenario, field, value)
    for category, amount in (values.get("cost_per_fte") or {}).items():
        setattr(scenario, FTE_FIELDS[category], D(amount))


def cost_model_values(scenario: Scenario) -> dict[str, Any]:
    """The scenario's cost model under its JSON names."""
    values: dict[str, Any] = {name: getattr(scenario, field) for name, field in COST_FIELDS.items()}
    values["cost_per_fte"] = {c: getattr(scenario, f) for c, f in FTE_FIELDS.items()}
    return values


def prefilled(campaign: Campaign, domain: Domain, members: Sequence[Member]) -> analysis.Prefill:
    return analysis.prefill(
        domain.code, queries.member_data(campaign, domain, members), campaign.year
    )


@transaction.atomic
def create_scenario(
    body: PoolingBody,
    *,
    campaign: Campaign,
    name: str,
    domain: Domain,
    legal_form: str,
    members: Sequence[Member],
    start_year: int,
    horizon_years: int,
    method: str,
    cost_model: Mapping[str, Any] | None = None,
    member_overrides: Mapping[str, Mapping[str, Any]] | None = None,
    user: User | None = None,
    is_sample: bool = False,
) -> Scenario:
    """A new draft scenario; cost-model values left out are pre-filled (with their source)."""
    given = dict(cost_model or {})
    _check(
        {
            **given,
            "members": list(members),
            "horizon_years": horizon_years,
            "legal_form": legal_form,
            "method": method,
            "member_overrides": member_overrides or {},
        }
    )
    if any(m.pooling_body_id != body.pk for m in members) or domain.pooling_body_id != body.pk:
        raise ScenarioRejected([Problem("members", "membre hors de la structure porteuse.")])
    base = prefilled(campaign, domain, members)
    values = {**base.values, **given}
    values["cost_per_fte"] = {**base.values["cost_per_fte"], **given.get("cost_per_fte", {})}
    sources = {
        name: source
        for name, source in base.sources.items()
        if name.split(".")[0] not in given
        or (name.startswith("cost_per_fte.") and name[-1] not in given.get("cost_per_fte", {}))
    }
    scenario = Scenario(
        pooling_body=body,
        campaign=campaign,
        name=name,
        domain=domain,
        legal_form=legal_form,
        start_year=start_year,
        horizon_years=horizon_years,
        method=method,
        member_overrides={
            k: {f: str(v) for f, v in o.items()} for k, o in (member_overrides or {}).items()
        },
        defaults=sources,
        is_sample=is_sample,
        created_by=user,
    )
    _apply_cost_model(scenario, values)
    scenario.save()
    scenario.members.set(members)
    return scenario


@transaction.atomic
def update_scenario(
    scenario: Scenario,
    *,
    fields: Mapping[str, Any],
    cost_model: Mapping[str, Any],
    members: Sequence[Member],
) -> Scenario:
    """Save edited values; a cost-model value that changed is no longer a default."""
    _check({**cost_model, **fields, "members": list(members)})
    before = cost_model_values(scenario)
    for name, value in fields.items():
        setattr(scenario, name, value)
    _apply_cost_model(scenario, cost_model)
    after = cost_model_values(scenario)
    defaults = dict(scenario.defaults)
    for name in COST_FIELDS:
        if before[name] != after[name]:
            defaults.pop(name, None)
    for category in FTE_FIELDS:
        if before["cost_per_fte"][category] != after["cost_per_fte"][category]:
            defaults.pop(f"cost_per_fte.{category}", None)
    scenario.defaults = defaults
    scenario.save()
    scenario.members.set(members)
    return scenario


@transaction.atomic
def duplicate_scenario(scenario: Scenario, user: User | None) -> Scenario:
    """A draft copy, « (copie) », with the same members and cost model."""
    members = list(scenario.members.all())
    copy = Scenario.objects.get(pk=scenario.pk)
    copy.pk = None
    copy.id = None
    copy.name = f"{scenario.name} (copie)"[:200]
    copy.status = Scenario.Status.DRAFT
    copy.created_by = user
    copy.save()
    copy.members.set(members)
    return copy


@transaction.atomic
def set_status(scenario: Scenario, status: str) -> Scenario:
    scenario.status = Scenario.Status(status)
    scenario.save(update_fields=["status", "updated_at"])
    return scenario


@dataclass(frozen=True)
class StoredResults:
    """The scenario's inputs, their hash and the stored report if it matches them."""

    inputs: analysis.ScenarioInputs
    key: str
    document: dict[str, Any] | None  # None: never computed, or the inputs changed since

    @property
    def member_count(self) -> int:
        return len(self.inputs.members)


def stored_results(scenario: Scenario) -> StoredResults:
    """Read the inputs (a fixed number of queries) and the results stored for them, if any."""
    inputs = queries.load_inputs(scenario)
    key = analysis.results_key(inputs, ENGINE_VERSION)
    if scenario.results_key == key and scenario.results is not None:
        return StoredResults(inputs, key, analysis.relabel(scenario.results, inputs))
    return StoredResults(inputs, key, None)


def compute_results(scenario: Scenario, stored: StoredResults) -> dict[str, Any]:
    """Compute the report for `stored.inputs` and store it with their hash."""
    document = analysis.report_document(analysis.evaluate(stored.inputs))
    with transaction.atomic():
        Scenario.objects.filter(pk=scenario.pk).update(results=document, results_key=stored.key)
    scenario.results, scenario.results_key = document, stored.key
    return document


def current_report(scenario: Scenario) -> dict[str, Any]:
    """The scenario's report document, computed once per state of its inputs.

    The inputs are hashed with the engine version; when the hash is the one stored with
    the last results, those are returned, else the results are computed and stored with
    their hash. A computation error (EngineError) propagates and stores nothing.
    """
    stored = stored_results(scenario)
    if stored.document is not None:
        return stored.document
    return compute_results(scenario, stored)


@transaction.atomic
def take_snapshot(scenario: Scenario, user: User | None, label: str = "") -> ScenarioSnapshot:
    """Freeze the scenario's results as presented: the report document and engine version."""
    document = current_report(scenario)
    return ScenarioSnapshot.objects.create(
        scenario=scenario,
        label=label,
        created_by=user,
        engine_version=ENGINE_VERSION,
        payload=document,
    )


# --- the JSON import ------------------------------------------------------------------

TOP_KEYS = {
    "name": str,
    "domain": str,
    "legal_form": str,
    "members": list,
    "start_year": int,
    "horizon_years": int,
    "method": str,
    "campaign_year": int,
    "cost_model": dict,
    "member_overrides": dict,
}
REQUIRED = ("name", "domain", "legal_form", "members", "start_year", "horizon_years")
NUMBER_KEYS = {
    "productivity",
    "fixed_costs",
    "cost_per_unit",
    "transition_costs",
    "staff_indexation_rate",
    "other_indexation_rate",
    "discount_rate",
    "staffing_step",
}


def _type_name(kind: type) -> str:
    return {str: "une chaîne", int: "un entier", list: "une liste", dict: "un objet"}[kind]


def _is_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float | Decimal):
        return True
    if isinstance(value, str):
        try:
            D(value)
        except EngineError:
            return False
        return True
    return False


def parse_document(data: object) -> tuple[dict[str, Any], list[Problem]]:
    """Check keys and types of an import document; returns it and every problem."""
    if not isinstance(data, dict):
        return {}, [Problem("document", "le fichier doit contenir un objet JSON.")]
    problems = _top_level_problems(data)
    model = data.get("cost_model")
    if isinstance(model, dict):
        for key, value in model.items():
            problems.extend(_cost_model_problems(f"cost_model.{key}", key, value))
    overrides = data.get("member_overrides")
    if isinstance(overrides, dict):
        problems.extend(_override_problems(overrides))
    return data, problems


def _top_level_problems(data: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    for key, value in data.items():
        if key not in TOP_KEYS:
            problems.append(Problem(key, "clé inconnue."))
        elif not isinstance(value, TOP_KEYS[key]) or isinstance(value, bool):
            problems.append(Problem(key, f"doit être {_type_name(TOP_KEYS[key])}."))
    problems.extend(Problem(key, "valeur manquante.") for key in REQUIRED if key not in data)
    members = data.get("members")
    if isinstance(members, list) and not all(isinstance(m, str) for m in members):
        problems.append(Problem("members", "doit être une liste de codes INSEE (chaînes)."))
    return problems


def _cost_model_problems(where: str, key: str, value: object) -> list[Problem]:
    if key in NUMBER_KEYS:
        return [] if _is_number(value) else [Problem(where, "doit être un nombre.")]
    if key in ("workload_unit", "staff_category"):
        return [] if isinstance(value, str) else [Problem(where, "doit être une chaîne.")]
    if key == "manager_span":
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            return [Problem(where, "doit être un entier ou null.")]
        return []
    if key != "cost_per_fte":
        return [Problem(where, "clé inconnue.")]
    if not isinstance(value, dict):
        return [Problem(where, "doit être un objet {A, B, C}.")]
    problems: list[Problem] = []
    for category, amount in value.items():
        if category not in FTE_FIELDS:
            problems.append(Problem(f"{where}.{category}", "catégorie inconnue."))
        elif not _is_number(amount):
            problems.append(Problem(f"{where}.{category}", "doit être un nombre."))
    return problems


def _override_problems(overrides: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    for code, values in overrides.items():
        if not isinstance(values, dict):
            problems.append(Problem(f"member_overrides.{code}", "doit être un objet."))
            continue
        problems.extend(
            Problem(f"member_overrides.{code}.{key}", "doit être un nombre.")
            for key, value in values.items()
            if key in analysis.OVERRIDE_FIELDS and not _is_number(value)
        )
    return problems


def import_scenario(body: PoolingBody, data: object, *, user: User | None = None) -> Scenario:
    """Create a scenario from a JSON document (docs/scenarios.md); all or nothing."""
    document, problems = parse_document(data)
    if problems:
        raise ScenarioRejected(problems)
    domain = Domain.objects.filter(pooling_body=body, code=document["domain"]).first()
    if domain is None:
        problems.append(Problem("domain", f"domaine inconnu « {document['domain']} »."))
    codes = document["members"]
    found = {
        m.insee_code: m for m in Member.objects.filter(pooling_body=body, insee_code__in=codes)
    }
    for code in codes:
        if code not in found:
            problems.append(
                Problem("members", f"la commune {code} n'est pas membre de {body.name}.")
            )
    for code in document.get("member_overrides", {}):
        if code not in codes:
            problems.append(Problem(f"member_overrides.{code}", "ce membre ne participe pas."))
    year = document.get("campaign_year")
    campaigns = Campaign.objects.filter(pooling_body=body).order_by("-year")
    campaign = campaigns.filter(year=year).first() if year else campaigns.first()
    if campaign is None:
        problems.append(Problem("campaign_year", "aucun état des lieux pour cette structure."))
    model = document.get("cost_model", {})
    problems += analysis.check_inputs(
        {
            **model,
            "members": codes,
            "horizon_years": document["horizon_years"],
            "legal_form": document["legal_form"],
            "method": document.get("method", "shapley"),
            "member_overrides": document.get("member_overrides", {}),
        }
    )
    if problems:
        raise ScenarioRejected(problems)
    assert campaign is not None and domain is not None  # noqa: S101 - checked above
    return create_scenario(
        body,
        campaign=campaign,
        name=document["name"],
        domain=domain,
        legal_form=document["legal_form"],
        members=[found[c] for c in dict.fromkeys(codes)],
        start_year=document["start_year"],
        horizon_years=document["horizon_years"],
        method=document.get("method", "shapley"),
        cost_model=model,
        member_overrides=document.get("member_overrides"),
        user=user,
    )
