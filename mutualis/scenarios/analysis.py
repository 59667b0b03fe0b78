"""A scenario's results from plain values: assembles engine calls, no database.

`queries.load_inputs(scenario)` reads the inventory into `ScenarioInputs`; `evaluate`
turns them into a `ScenarioResult` (members' current costs, the pooled-service cost game,
staff plan, projection, allocations side by side with their stability, perimeter
suggestions, AC deductions, assumptions); `report_document` gives the JSON document of
docs/scenarios.md, which is also what a snapshot stores and what every page and document
renders. Arithmetic is the engine's: this module only assembles its calls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from mutualis.engine import ENGINE_VERSION
from mutualis.engine.annualised import Equipment, annualised_costs
from mutualis.engine.errors import EngineError
from mutualis.engine.explain import Explanation, Step
from mutualis.engine.games import (
    METHOD_TITLES,
    Allocation,
    PooledCost,
    PooledMember,
    PooledServiceGame,
    SharingReport,
    allocate_costs,
    assess,
    separable_costs,
)
from mutualis.engine.keys import AttributeKey, MemberFacts
from mutualis.engine.money import ZERO, D, format_euros, format_number, format_percent, to_cents
from mutualis.engine.optimise import Partition, best_partition
from mutualis.engine.projection import OneOffCost, Projection, project
from mutualis.scenarios import defaults

FORMAT = "mutualis.scenario/1"
ENGINE_METHODS = ("shapley", "nucleolus", "least-core", "scrb", "proportional", "equal-savings")
KEY_PREFIX = "key:"
COMPARED_METHODS = ("shapley", "scrb", "proportional", "key:population_municipale", "nucleolus")
AC_REFERENCE = "CGCT art. L.5211-4-2 ; CGI art. 1609 nonies C"
SERVICE_REFERENCE = "CGCT art. L.5211-4-2 (service commun)"
FTE = Decimal("0.01")
PERIMETER_TIME_LIMIT = 5.0
SPLIT_MAX_MEMBERS = 40  # 2- and 3-way splits beyond this take minutes: on request only
PERSONNEL = "personnel"
OTHER = "autres charges"

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


# --- results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberCost:
    """A member's current cost and workload as used in the game, and why."""

    insee_code: str
    name: str
    population: int | None
    workload: int
    cost_before: Decimal
    staff_cost_before: Decimal
    own_cost: Decimal
    fte_today: Mapping[str, Decimal]
    assumptions: tuple[str, ...]
    explanation: Explanation


@dataclass(frozen=True)
class MethodResult:
    method: str
    title: str
    report: SharingReport | None
    error: str = ""


@dataclass(frozen=True)
class PerimeterAdvice:
    """Who adds savings by joining (r_i > 0) and whose joining costs the others."""

    contributions: tuple[tuple[str, Decimal], ...]
    partitions: tuple[Partition, ...]
    errors: tuple[str, ...]
    explanation: Explanation


@dataclass(frozen=True)
class StaffPlan:
    workload: int
    staff_fte: Decimal
    managers: int
    fte_needed: Decimal
    fte_today: Mapping[str, Decimal]
    explanation: Explanation


@dataclass(frozen=True)
class ScenarioResult:
    inputs: ScenarioInputs
    members: tuple[MemberCost, ...]
    game: PooledServiceGame
    service: PooledCost
    cost_before: Decimal
    cost_after: Decimal
    cost_after_explanation: Explanation
    staff: StaffPlan
    projection: Projection
    methods: tuple[MethodResult, ...]
    perimeter: PerimeterAdvice | None
    assumptions: tuple[str, ...]

    @property
    def saving(self) -> Decimal:
        return self.cost_before - self.cost_after

    @property
    def chosen(self) -> MethodResult:
        return self.methods[0]


def _whole(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _member_costs(inputs: ScenarioInputs) -> tuple[tuple[MemberCost, ...], tuple[str, ...]]:
    """Current cost and workload of each member; missing data is assumed and said so."""
    known = [m for m in inputs.members if m.has_service and m.workload is not None]
    general: list[str] = []
    known_workload = sum((m.workload or ZERO for m in known), ZERO)
    known_people = sum((m.population or 0 for m in known if m.population), 0)
    per_inhabitant = known_workload / known_people if known_people else ZERO
    costs: dict[str, Decimal] = {}
    for m in known:
        costs[m.insee_code] = _current_cost(m)[0]
    per_unit = sum(costs.values(), ZERO) / known_workload if known_workload else ZERO
    result = []
    unit = inputs.cost_model.workload_unit
    for m in inputs.members:
        assumed: list[str] = []
        override = inputs.overrides.get(m.insee_code, {})
        if m.insee_code in costs:
            cost, steps = _current_cost(m)
            workload = _whole(m.workload or ZERO)
            staff_cost = m.staff_cost
            if not m.has_operating_lines and m.contracts_cost:
                assumed.append(
                    "aucune charge de fonctionnement déclarée : contrats du domaine comptés "
                    f"({format_euros(m.contracts_cost)})"
                )
        else:
            people = m.population or 0
            workload = _whole(per_inhabitant * people)
            cost = to_cents(per_unit * workload)
            staff_cost = ZERO
            what = "aucune fiche pour ce domaine" if not m.has_service else "volume non déclaré"
            assumed.append(
                f"{what} : charge supposée {workload} {unit} ({format_number(people)} hab. × "
                f"ratio moyen des autres membres), coût actuel supposé {format_euros(cost)} "
                "(coût moyen par unité des autres membres) — hypothèse à valider"
            )
            steps = [
                Step(
                    "Coût actuel supposé",
                    f"{workload} {unit} × {format_euros(per_unit)} par unité (moyenne des "
                    "membres renseignés)",
                    format_euros(cost),
                )
            ]
        if "workload" in override:
            workload = _whole(D(override["workload"]))
            assumed.append(f"charge saisie : {workload} {unit}")
        if "cost_before" in override:
            cost = to_cents(override["cost_before"])
            staff_cost = min(staff_cost, cost)
            steps = [Step("Coût actuel saisi pour le scénario", result=format_euros(cost))]
            assumed.append(f"coût actuel saisi : {format_euros(cost)}")
        own = to_cents(override.get("own_cost", 0))
        if own:
            steps.append(
                Step("Coût restant à la commune après mutualisation", "", format_euros(own))
            )
        result.append(
            MemberCost(
                m.insee_code,
                m.name,
                m.population,
                workload,
                cost,
                staff_cost,
                own,
                dict(m.fte_by_category),
                tuple(assumed),
                Explanation(f"Coût actuel — {m.name}", tuple(steps)),
            )
        )
    return tuple(result), tuple(general)


def _current_cost(m: MemberData) -> tuple[Decimal, list[Step]]:
    equipment = annualised_costs(m.equipments)
    contracts = ZERO if m.has_operating_lines else m.contracts_cost
    total = to_cents(m.staff_cost + m.operating_cost + equipment.annual_cost + contracts)
    steps = [
        Step(
            "Personnel (lignes de personnel de l'état des lieux)", result=format_euros(m.staff_cost)
        ),
        Step("Charges de fonctionnement (chapitres M57)", result=format_euros(m.operating_cost)),
        Step(
            "Équipements annualisés",
            " + ".join(format_euros(i.annual_cost) for i in equipment.items) or "aucun",
            format_euros(equipment.annual_cost),
            "CGI art. 1609 nonies C",
        ),
    ]
    if contracts:
        steps.append(Step("Contrats du domaine", result=format_euros(contracts)))
    steps.append(
        Step(
            "Coût actuel",
            "personnel + fonctionnement + équipements annualisés"
            + (" + contrats" if contracts else ""),
            format_euros(total),
        )
    )
    return total, steps


def pooled_cost(model: CostModel) -> PooledCost:
    return PooledCost(
        fixed=model.fixed_costs,
        per_unit=model.cost_per_unit,
        cost_per_etp=model.staff_cost_per_fte,
        productivity=model.productivity,
        step=model.staffing_step,
        manager_span=model.manager_span,
    )


def _staff_plan(model: CostModel, service: PooledCost, members: Sequence[MemberCost]) -> StaffPlan:
    workload = sum(m.workload for m in members)
    level = service.level(workload)
    staff = D(str(float(service.staff_etp(level)))).quantize(FTE)
    managers = service.managers(level)
    today: dict[str, Decimal] = {}
    for m in members:
        for category, fte in m.fte_today.items():
            today[category] = today.get(category, ZERO) + fte
    steps = (
        Step("Charge totale", f"Σ charges des membres ({model.workload_unit})", str(workload)),
        Step(
            "Agents nécessaires",
            f"{workload} / {format_number(model.productivity)} par ETP, arrondi au pas de "
            f"{format_number(model.staffing_step)} ETP supérieur",
            f"{format_number(staff)} ETP",
        ),
        Step(
            "Encadrement",
            f"{format_number(staff)} ETP / {model.manager_span} agents par encadrant, arrondi "
            "à l'unité supérieure"
            if model.manager_span
            else "aucun encadrant dédié",
            f"{managers} ETP",
        ),
        Step(
            "ETP aujourd'hui (état des lieux)",
            ", ".join(f"{c} : {format_number(v)}" for c, v in sorted(today.items())) or "aucun",
            format_number(sum(today.values(), ZERO)),
        ),
    )
    return StaffPlan(
        workload,
        staff,
        managers,
        staff + managers,
        today,
        Explanation("Plan de charge du service mutualisé", steps),
    )


def _cost_after_explanation(
    model: CostModel, service: PooledCost, plan: StaffPlan, own: Decimal, total: Decimal
) -> Explanation:
    personnel = to_cents(service.level_cost(service.level(plan.workload)))
    steps = (
        Step("Coûts fixes annuels", result=format_euros(model.fixed_costs)),
        Step(
            "Coût proportionnel à la charge",
            f"{plan.workload} {model.workload_unit} × {format_euros(model.cost_per_unit)}",
            format_euros(to_cents(model.cost_per_unit * plan.workload)),
        ),
        Step(
            "Personnel du service",
            f"({format_number(plan.staff_fte)} + {plan.managers}) ETP × "
            f"{format_euros(model.staff_cost_per_fte)} (catégorie {model.staff_category})",
            format_euros(personnel),
            SERVICE_REFERENCE,
        ),
        Step("Coûts restant aux communes", result=format_euros(own)),
        Step(
            "Coût du service mutualisé",
            "fixes + proportionnels + personnel + coûts restant aux communes",
            format_euros(total),
        ),
    )
    return Explanation("Coût après mutualisation (année de référence)", steps)


def _projection(
    inputs: ScenarioInputs,
    members: Sequence[MemberCost],
    service: PooledCost,
    plan: StaffPlan,
    cost_after: Decimal,
) -> Projection:
    model = inputs.cost_model
    staff_before = sum((m.staff_cost_before for m in members), ZERO)
    before_total = sum((m.cost_before for m in members), ZERO)
    personnel_after = to_cents(service.level_cost(service.level(plan.workload)))
    years = range(inputs.start_year, inputs.start_year + inputs.horizon_years)
    one_offs = (
        [OneOffCost(inputs.start_year, "Coûts de transition", model.transition_costs)]
        if model.transition_costs
        else []
    )
    return project(
        years,
        {PERSONNEL: staff_before, OTHER: before_total - staff_before},
        {PERSONNEL: personnel_after, OTHER: cost_after - personnel_after},
        indexation={PERSONNEL: model.staff_indexation_rate, OTHER: model.other_indexation_rate},
        one_offs=one_offs,
        discount_rate=model.discount_rate,
        base_year=min(inputs.campaign_year, inputs.start_year),
    )


def _allocate(
    game: PooledServiceGame, method: str, inputs: ScenarioInputs, total: Decimal
) -> MethodResult:
    title = method_title(method)
    try:
        if method.startswith(KEY_PREFIX):
            key = AttributeKey(method[len(KEY_PREFIX) :])
            facts = [MemberFacts(m.insee_code, m.name, _facts(m)) for m in inputs.members]
            split = key.allocate(total, facts)
            report = assess(game, Allocation.given(game.players, split.amounts))
            explanation = Explanation(
                split.explanation.title,
                split.explanation.steps + report.explanation.steps[-1:],
            )
            report = SharingReport(
                method, report.total, report.lines, report.core, True, explanation
            )
        else:
            report = assess(game, allocate_costs(game, method))
    except EngineError as exc:
        return MethodResult(method, title, None, exc.message)
    return MethodResult(method, title, report)


def _facts(m: MemberData) -> dict[str, Decimal]:
    facts = dict(m.attributes)
    if m.population is not None:
        facts.setdefault("population_municipale", D(m.population))
    return facts


def _perimeter(game: PooledServiceGame, members: Sequence[MemberCost]) -> PerimeterAdvice:
    """Remaining benefit r_i = c({i}) − (c(N) − c(N∖i)) and the best 1-, 2-, 3-way splits."""
    names = {m.insee_code: m.name for m in members}
    separable = separable_costs(game)
    contributions = tuple(
        (player, to_cents(float(alone) - float(extra)))
        for player, alone, extra in zip(game.players, game.standalone(), separable, strict=True)
    )
    partitions: list[Partition] = []
    errors: list[str] = []
    if game.n >= 2:
        for groups in (1, 2, 3):
            if groups > game.n // 2:
                break
            if groups > 1 and game.n > SPLIT_MAX_MEMBERS:
                errors.append(
                    f"Découpage en {groups} services non calculé au-delà de "
                    f"{SPLIT_MAX_MEMBERS} membres (utilisez « mutualis games optimise »)."
                )
                continue
            try:
                partitions.append(best_partition(game, groups, time_limit=PERIMETER_TIME_LIMIT))
            except EngineError as exc:
                errors.append(exc.message)
    steps = tuple(
        Step(
            names[player],
            "coût seul − (coût de tous − coût de tous sans ce membre)",
            f"{'apporte' if value >= 0 else 'coûte aux autres'} {format_euros(abs(value))}",
        )
        for player, value in contributions
    )
    return PerimeterAdvice(
        contributions,
        tuple(partitions),
        tuple(errors),
        Explanation("Apport de chaque membre aux économies du service", steps),
    )


def evaluate(inputs: ScenarioInputs, *, perimeter: bool = True) -> ScenarioResult:
    """Every result of a scenario (see the module docstring)."""
    if not inputs.members:
        raise EngineError("Le scénario ne compte aucun membre.", field="members")
    members, general = _member_costs(inputs)
    service = pooled_cost(inputs.cost_model)
    game = PooledServiceGame.build(
        [
            PooledMember(m.insee_code, float(m.cost_before), m.workload, float(m.own_cost))
            for m in members
        ],
        service,
    )
    plan = _staff_plan(inputs.cost_model, service, members)
    cost_before = sum((m.cost_before for m in members), ZERO)
    cost_after = to_cents(game.grand_cost())
    own = sum((m.own_cost for m in members), ZERO)
    methods = tuple(
        _allocate(game, method, inputs, cost_after)
        for method in dict.fromkeys((inputs.method, *COMPARED_METHODS))
    )
    assumptions = general + tuple(
        f"{m.name} ({m.insee_code}) : {text}" for m in members for text in m.assumptions
    )
    assumptions += tuple(
        f"{_label(name)} : {source}" for name, source in sorted(inputs.defaults.items())
    )
    return ScenarioResult(
        inputs=inputs,
        members=members,
        game=game,
        service=service,
        cost_before=cost_before,
        cost_after=cost_after,
        cost_after_explanation=_cost_after_explanation(
            inputs.cost_model, service, plan, own, cost_after
        ),
        staff=plan,
        projection=_projection(inputs, members, service, plan, cost_after),
        methods=methods,
        perimeter=_perimeter(game, members) if perimeter else None,
        assumptions=assumptions,
    )


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


def _label(name: str) -> str:
    return "Valeur par défaut — " + FIELD_LABELS.get(name, name)


# --- the JSON document -----------------------------------------------------------------


def _money(value: Decimal | float) -> str:
    return str(to_cents(value))


def _percent(part: Decimal, whole: Decimal) -> str | None:
    return None if not whole else str((part / whole * 100).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _names(codes: Sequence[str], names: Mapping[str, str]) -> str:
    labels = [names.get(c, c) for c in codes]
    if len(labels) == 1:
        return labels[0]
    return ", ".join(labels[:-1]) + " et " + labels[-1]


def core_verdict(report: SharingReport, names: Mapping[str, str]) -> str:
    """The core test in plain French, naming the group that would do better alone."""
    core = report.core
    if core.violating_coalition is None:
        return (
            "Répartition stable : aucune commune ni aucun groupe de communes ne paierait moins "
            "en s'organisant seul."
        )
    group = core.violating_coalition
    who = "La commune" if len(group) == 1 else "Les communes"
    verb = "paierait" if len(group) == 1 else "paieraient"
    return (
        f"{who} {_names(group, names)} {verb} {format_euros(core.violation)} de moins en "
        "s'organisant seule" + ("" if len(group) == 1 else "s") + "."
    )


def _method_document(result: MethodResult, names: Mapping[str, str]) -> dict[str, Any]:
    if result.report is None:
        return {
            "method": result.method,
            "title": result.title,
            "available": False,
            "error": result.error,
        }
    report = result.report
    core = report.core
    return {
        "method": result.method,
        "title": result.title,
        "available": True,
        "total": str(report.total),
        "exact": report.exact,
        "individually_rational": report.individually_rational,
        "core": {
            "in_core": core.in_core,
            "violating_coalition": None
            if core.violating_coalition is None
            else list(core.violating_coalition),
            "violation": _money(core.violation),
            "method": core.method,
            "verdict": core_verdict(report, names),
        },
        "explanation": report.explanation.as_dict(),
    }


def game_document(result: ScenarioResult) -> dict[str, Any]:
    """The scenario's cost game in the input format of `mutualis games solve`.

    That format takes JSON numbers: the games engine computes in floats and turns its
    results into cents once (engine.money.to_cents).
    """
    model = result.inputs.cost_model
    pooled: dict[str, Any] = {
        "fixed": float(model.fixed_costs),
        "per_unit": float(model.cost_per_unit),
        "cost_per_etp": float(model.staff_cost_per_fte),
        "productivity": float(model.productivity),
        "step": float(model.staffing_step),
    }
    if model.manager_span is not None:
        pooled["manager_span"] = model.manager_span
    return {
        "players": [
            {
                "id": m.insee_code,
                "standalone": float(m.cost_before),
                "workload": m.workload,
                "own_cost": float(m.own_cost),
            }
            for m in result.members
        ],
        "pooled_cost": pooled,
    }


def _cost_model_document(model: CostModel) -> dict[str, Any]:
    return {
        "workload_unit": model.workload_unit,
        "productivity": float(model.productivity),
        "staff_category": model.staff_category,
        "cost_per_fte": {c: str(v) for c, v in sorted(model.cost_per_fte.items())},
        "fixed_costs": str(model.fixed_costs),
        "cost_per_unit": str(model.cost_per_unit),
        "transition_costs": str(model.transition_costs),
        "staff_indexation_rate": str(model.staff_indexation_rate),
        "other_indexation_rate": str(model.other_indexation_rate),
        "discount_rate": str(model.discount_rate),
        "staffing_step": str(model.staffing_step),
        "manager_span": model.manager_span,
    }


def report_document(result: ScenarioResult) -> dict[str, Any]:
    """The JSON document of the scenario's results (docs/scenarios.md)."""
    inputs = result.inputs
    names = {m.insee_code: m.name for m in result.members}
    chosen = result.chosen.report
    ac = (
        inputs.legal_form == "service_commun"
        and inputs.fiscalite_professionnelle_unique
        and chosen is not None
    )
    members = []
    for i, m in enumerate(result.members):
        allocations = {r.method: str(r.report.lines[i].amount) for r in result.methods if r.report}
        rational = {
            r.method: r.report.lines[i].individually_rational for r in result.methods if r.report
        }
        amount = chosen.lines[i].amount if chosen else None
        saving = m.cost_before - amount if amount is not None else None
        fte_needed = (
            (result.staff.fte_needed * m.workload / result.staff.workload).quantize(FTE)
            if result.staff.workload
            else ZERO
        )
        members.append(
            {
                "insee_code": m.insee_code,
                "name": m.name,
                "population": m.population,
                "workload": m.workload,
                "cost_before": str(m.cost_before),
                "own_cost": float(m.own_cost),
                "cost_after": None if amount is None else str(amount),
                "allocations": allocations,
                "saving": None if saving is None else str(saving),
                "saving_percent": None if saving is None else _percent(saving, m.cost_before),
                "individually_rational": None
                if chosen is None
                else chosen.lines[i].individually_rational,
                "rational": rational,
                "fte_today": {c: str(v) for c, v in sorted(m.fte_today.items())},
                "fte_needed": str(fte_needed),
                "assumptions": list(m.assumptions),
                "ac_deduction": None if not ac or amount is None else str(amount),
                "ac_monthly": None if not ac or amount is None else str(to_cents(amount / 12)),
                "explanation": m.explanation.as_dict(),
            }
        )
    projection = result.projection
    perimeter = result.perimeter
    return {
        "format": FORMAT,
        "engine_version": ENGINE_VERSION,
        "scenario": {
            "id": inputs.scenario_id,
            "name": inputs.name,
            "pooling_body": {"name": inputs.body_name, "siren": inputs.body_siren},
            "domain": {"code": inputs.domain_code, "name": inputs.domain_name},
            "legal_form": inputs.legal_form,
            "legal_form_label": inputs.legal_form_label,
            "members": [m.insee_code for m in inputs.members],
            "campaign_year": inputs.campaign_year,
            "start_year": inputs.start_year,
            "horizon_years": inputs.horizon_years,
            "method": inputs.method,
            "method_title": method_title(inputs.method),
            "status": inputs.status,
            "is_sample": inputs.is_sample,
        },
        "cost_model": _cost_model_document(inputs.cost_model),
        "defaults": dict(sorted(inputs.defaults.items())),
        "totals": {
            "cost_before": str(result.cost_before),
            "cost_after": str(result.cost_after),
            "saving": str(result.saving),
            "saving_percent": _percent(result.saving, result.cost_before),
            "workload": result.staff.workload,
            "fte_today": str(sum(result.staff.fte_today.values(), ZERO)),
            "fte_needed": str(result.staff.fte_needed),
            "staff_fte": str(result.staff.staff_fte),
            "managers": result.staff.managers,
        },
        "members": members,
        "allocations": [_method_document(r, names) for r in result.methods],
        "core_test": _method_document(result.chosen, names).get("core"),
        "ac_charged": ac,
        "projection": {
            "base_year": projection.base_year,
            "rows": [
                {
                    "year": row.year,
                    "before": str(row.before),
                    "after": str(row.after),
                    "one_off": str(row.one_off),
                    "savings": str(row.savings),
                    "cumulative_savings": str(row.cumulative_savings),
                }
                for row in projection.rows
            ],
            "explanation": projection.explain().as_dict(),
        },
        "payback_year": projection.payback_year,
        "net_present_value": str(projection.net_present_value),
        "perimeter": None
        if perimeter is None
        else {
            "contributions": [
                {"insee_code": p, "name": names[p], "saving_added": str(v)}
                for p, v in perimeter.contributions
            ],
            "partitions": [
                {
                    "groups": [
                        {
                            "members": list(g.members),
                            "names": [names[p] for p in g.members],
                            "cost": _money(g.cost),
                            "standalone": _money(g.standalone_total),
                            "savings": _money(g.savings),
                        }
                        for g in partition.groups
                    ],
                    "savings": _money(partition.savings),
                    "left_alone": list(partition.left_alone),
                    "method": partition.method,
                    "explanation": partition.explanation.as_dict(),
                }
                for partition in perimeter.partitions
            ],
            "errors": list(perimeter.errors),
            "explanation": perimeter.explanation.as_dict(),
        },
        "assumptions": list(result.assumptions),
        "explanations": {
            "cost_after": result.cost_after_explanation.as_dict(),
            "staff": result.staff.explanation.as_dict(),
        },
        "game": game_document(result),
    }


def saving_text(saving: Decimal) -> str:
    """« économie de 1 234,00 € » or « surcoût de … »."""
    if saving >= 0:
        return f"économie de {format_euros(saving)}"
    return f"surcoût de {format_euros(-saving)}"


__all__ = [
    "CostModel",
    "MemberData",
    "Problem",
    "ScenarioInputs",
    "ScenarioResult",
    "check_inputs",
    "evaluate",
    "format_percent",
    "prefill",
    "report_document",
]
