"""A scenario's inputs as plain values: the members' inventory data, the cost model,
the rules checked on every input (form, JSON import, CLI) and the pre-filled values.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from decimal import Decimal
from typing import Any

from mutualis.engine.annualised import Equipment
from mutualis.engine.errors import EngineError
from mutualis.engine.games import (
    METHOD_TITLES,
)
from mutualis.engine.keys import AttributeKey
from mutualis.engine.money import ZERO, D, format_euros, format_number, to_cents
from mutualis.scenarios import defaults

FORMAT = "mutualis.scenario/1"
ENGINE_METHODS = ("shapley", "nucleolus", "least-core", "scrb", "proportional", "equal-savings")
KEY_PREFIX = "key:"
COMPARED_METHODS = ("shapley", "scrb", "proportional", "key:population_municipale", "nucleolus")
LEGAL_FORMS = (
    "service_commun",
    "mad_ascendante",
    "mad_descendante",
    "prestation",
    "convention_communes",
    "entente",
    "groupement_commandes",
    "syndicat_gip",
)
CATEGORIES = ("A", "B", "C")

# --- inputs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberData:
    """What the inventory says about one participating member, for the scenario's domain."""

    insee_code: str
    name: str
    population: int | None
    attributes: Mapping[str, Decimal] = field(default_factory=dict)
    has_service: bool = False
    workload: Decimal | None = None
    staff_cost: Decimal = ZERO
    operating_cost: Decimal = ZERO
    has_operating_lines: bool = False
    contracts_cost: Decimal = ZERO
    equipments: tuple[Equipment, ...] = ()
    fte_by_category: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class CostModel:
    workload_unit: str
    productivity: Decimal
    staff_category: str
    cost_per_fte: Mapping[str, Decimal]
    fixed_costs: Decimal
    cost_per_unit: Decimal
    transition_costs: Decimal
    staff_indexation_rate: Decimal
    other_indexation_rate: Decimal
    discount_rate: Decimal
    staffing_step: Decimal
    manager_span: int | None

    @property
    def staff_cost_per_fte(self) -> Decimal:
        return self.cost_per_fte[self.staff_category]


@dataclass(frozen=True)
class ScenarioInputs:
    scenario_id: int | None
    name: str
    body_name: str
    body_siren: str
    fiscalite_professionnelle_unique: bool
    domain_code: str
    domain_name: str
    legal_form: str
    legal_form_label: str
    campaign_year: int
    start_year: int
    horizon_years: int
    method: str
    status: str
    is_sample: bool
    cost_model: CostModel
    members: tuple[MemberData, ...]
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    defaults: Mapping[str, str] = field(default_factory=dict)


def results_key(inputs: ScenarioInputs, engine_version: str) -> str:
    """The SHA-256 of every input that the results depend on, and of the engine version.

    The scenario's id, name and status are left out: the document shows them but is not
    computed from them, so a renamed or published scenario keeps its stored results
    (relabelled on reading, `relabel`).
    """
    unlabelled = replace(inputs, scenario_id=None, name="", status="")
    text = json.dumps(
        [engine_version, unlabelled], sort_keys=True, default=_plain, ensure_ascii=True
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: object) -> object:
    """JSON value of what `json` cannot write: a dataclass's fields (one level, json walks
    on), a Decimal by its value (250 and 250.00 alike: a scenario read back from the
    database must hash as the one just saved)."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in fields(value)}
    return str(value)


def relabel(document: dict[str, Any], inputs: ScenarioInputs) -> dict[str, Any]:
    """The stored document with the scenario's current id, name and status."""
    scenario = {
        **document["scenario"],
        "id": inputs.scenario_id,
        "name": inputs.name,
        "status": inputs.status,
    }
    return {**document, "scenario": scenario}


@dataclass(frozen=True)
class Problem:
    """One bad input: the field (or member) concerned and a French message."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field} : {self.message}"


OVERRIDE_FIELDS = ("workload", "cost_before", "own_cost")


def check_inputs(values: Mapping[str, Any]) -> list[Problem]:
    """The rules of a scenario, written once for the form, the JSON import and the API.

    `values` holds the cost model and perimeter (names as in the JSON document); returns
    every problem found, in French.
    """
    problems: list[Problem] = []
    _check_costs(values, problems)
    _check_periods(values, problems)
    _check_choices(values, problems)
    _check_overrides(values, problems)
    return problems


def _number(values: Mapping[str, Any], name: str, problems: list[Problem]) -> Decimal | None:
    value = values.get(name)
    if value is None:
        return None
    try:
        return D(value)
    except EngineError:
        problems.append(Problem(name, "doit être un nombre."))
        return None


def _non_negative(where: str, value: Any, message: str, problems: list[Problem]) -> None:
    try:
        negative = D(value) < 0
    except EngineError:
        problems.append(Problem(where, "doit être un nombre."))
        return
    if negative:
        problems.append(Problem(where, message))


def _check_costs(values: Mapping[str, Any], problems: list[Problem]) -> None:
    productivity = _number(values, "productivity", problems)
    if productivity is not None and productivity <= 0:
        problems.append(Problem("productivity", "la productivité doit être strictement positive."))
    for name in ("fixed_costs", "cost_per_unit", "transition_costs"):
        amount = _number(values, name, problems)
        if amount is not None and amount < 0:
            problems.append(Problem(name, "un coût ne peut pas être négatif."))
    for category, amount in (values.get("cost_per_fte") or {}).items():
        _non_negative(
            f"cost_per_fte.{category}", amount, "un coût ne peut pas être négatif.", problems
        )
    step = _number(values, "staffing_step", problems)
    if step is not None and step <= 0:
        problems.append(Problem("staffing_step", "le pas de recrutement doit être positif."))
    span = values.get("manager_span")
    if span is not None and (not isinstance(span, int) or isinstance(span, bool) or span < 1):
        problems.append(Problem("manager_span", "doit être un entier d'au moins 1."))


def _check_periods(values: Mapping[str, Any], problems: list[Problem]) -> None:
    horizon = values.get("horizon_years")
    if horizon is not None and (isinstance(horizon, bool) or not 1 <= int(horizon) <= 30):
        problems.append(Problem("horizon_years", "l'horizon doit compter de 1 à 30 ans."))
    for name in ("discount_rate", "staff_indexation_rate", "other_indexation_rate"):
        rate = _number(values, name, problems)
        if rate is not None and rate <= -1:
            problems.append(Problem(name, "le taux doit être supérieur à −100 %."))


def _check_choices(values: Mapping[str, Any], problems: list[Problem]) -> None:
    if "members" in values and not values["members"]:
        problems.append(Problem("members", "le scénario doit compter au moins un membre."))
    category = values.get("staff_category")
    if category is not None and category not in CATEGORIES:
        problems.append(Problem("staff_category", "catégorie attendue : A, B ou C."))
    legal_form = values.get("legal_form")
    if legal_form is not None and legal_form not in LEGAL_FORMS:
        problems.append(Problem("legal_form", f"forme juridique inconnue « {legal_form} »."))
    method = values.get("method")
    if method is not None and not is_known_method(str(method)):
        problems.append(Problem("method", f"méthode de répartition inconnue « {method} »."))


def _check_overrides(values: Mapping[str, Any], problems: list[Problem]) -> None:
    for code, override in (values.get("member_overrides") or {}).items():
        for name, value in override.items():
            where = f"member_overrides.{code}.{name}"
            if name not in OVERRIDE_FIELDS:
                problems.append(Problem(where, "valeur inconnue."))
                continue
            _non_negative(where, value, "ne peut pas être négatif.", problems)


def is_known_method(method: str) -> bool:
    return method in ENGINE_METHODS or (
        method.startswith(KEY_PREFIX) and len(method) > len(KEY_PREFIX)
    )


def method_title(method: str) -> str:
    if method.startswith(KEY_PREFIX):
        return "clé : " + AttributeKey(method[len(KEY_PREFIX) :]).attribute_label
    return METHOD_TITLES.get(method, method)


FIELD_LABELS = {
    "workload_unit": "unité de charge",
    "productivity": "productivité",
    "staff_category": "catégorie des agents",
    "fixed_costs": "coûts fixes",
    "cost_per_unit": "coût par unité",
    "transition_costs": "coûts de transition",
    "staffing_step": "pas de recrutement",
    "manager_span": "agents par encadrant",
    "staff_indexation_rate": "indexation du personnel",
    "other_indexation_rate": "indexation des autres charges",
    "discount_rate": "taux d'actualisation",
    "cost_per_fte.A": "coût d'un ETP de catégorie A",
    "cost_per_fte.B": "coût d'un ETP de catégorie B",
    "cost_per_fte.C": "coût d'un ETP de catégorie C",
}


def default_label(name: str) -> str:
    return "Valeur par défaut — " + FIELD_LABELS.get(name, name)


# --- pre-filling -----------------------------------------------------------------------


@dataclass(frozen=True)
class Prefill:
    """Cost-model values offered for a new scenario, each with its source."""

    values: dict[str, Any]
    sources: dict[str, str]


def prefill(domain_code: str, members: Sequence[MemberData], campaign_year: int) -> Prefill:
    """Per-domain defaults, replaced by what the inventory shows where it can.

    The loaded cost of an ETP of a category is the inventory's average for that category
    (Σ cost / Σ ETP) when some member declares one; the productivity is the domain's
    documented ratio (the inventory's own ratio is shown beside it, not used: today's
    scattered part-time ETP are not a pooled service's productivity).
    """
    base = defaults.for_domain(domain_code)
    values: dict[str, Any] = {
        "workload_unit": base.workload_unit,
        "productivity": base.productivity,
        "staff_category": base.staff_category,
        "fixed_costs": base.fixed_costs,
        "cost_per_unit": base.cost_per_unit,
        "transition_costs": base.transition_costs,
        "staffing_step": base.staffing_step,
        "manager_span": base.manager_span,
        "staff_indexation_rate": defaults.STAFF_INDEXATION,
        "other_indexation_rate": defaults.OTHER_INDEXATION,
        "discount_rate": defaults.DISCOUNT_RATE,
    }
    sources = {name: base.source for name in list(values)[:8]}
    for name in ("staff_indexation_rate", "other_indexation_rate", "discount_rate"):
        sources[name] = defaults.RATES_SOURCE
    cost_per_fte: dict[str, Decimal] = {}
    for category in CATEGORIES:
        fte = sum((m.fte_by_category.get(category, ZERO) for m in members), ZERO)
        if fte > 0:
            cost = sum((m.staff_cost for m in members if category in m.fte_by_category), ZERO)
            single = [m for m in members if set(m.fte_by_category) == {category}]
            if single:
                fte = sum((m.fte_by_category[category] for m in single), ZERO)
                cost = sum((m.staff_cost for m in single), ZERO)
                cost_per_fte[category] = to_cents(cost / fte)
                sources[f"cost_per_fte.{category}"] = (
                    f"moyenne de l'état des lieux {campaign_year} : {format_euros(cost)} / "
                    f"{format_number(fte)} ETP"
                )
                continue
        cost_per_fte[category] = defaults.COST_PER_FTE[category]
        sources[f"cost_per_fte.{category}"] = defaults.COST_PER_FTE_SOURCE
    values["cost_per_fte"] = cost_per_fte
    return Prefill(values, sources)
