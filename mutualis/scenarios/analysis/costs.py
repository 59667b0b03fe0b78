"""Members' current costs, the pooled service's staff plan and cost, the projection:
the parts of a scenario's results that do not depend on the sharing method.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from mutualis.engine.annualised import annualised_costs
from mutualis.engine.explain import Explanation, Step
from mutualis.engine.games import (
    PooledCost,
)
from mutualis.engine.money import ZERO, D, format_euros, format_number, to_cents
from mutualis.engine.projection import OneOffCost, Projection, project
from mutualis.scenarios.analysis.inputs import CostModel, MemberData, ScenarioInputs

AC_REFERENCE = "CGCT art. L.5211-4-2 ; CGI art. 1609 nonies C"
SERVICE_REFERENCE = "CGCT art. L.5211-4-2 (service commun)"
FTE = Decimal("0.01")
PERSONNEL = "personnel"
OTHER = "autres charges"


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
class StaffPlan:
    workload: int
    staff_fte: Decimal
    managers: int
    fte_needed: Decimal
    fte_today: Mapping[str, Decimal]
    explanation: Explanation


def _whole(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def member_costs(inputs: ScenarioInputs) -> tuple[tuple[MemberCost, ...], tuple[str, ...]]:
    """Current cost and workload of each member; missing data is assumed and said so."""
    known = [m for m in inputs.members if m.has_service and m.workload is not None]
    general: list[str] = []
    known_workload = sum((m.workload or ZERO for m in known), ZERO)
    known_people = sum((m.population or 0 for m in known if m.population), 0)
    per_inhabitant = known_workload / known_people if known_people else ZERO
    costs = {m.insee_code: _current_cost(m) for m in known}
    per_unit = (
        sum((cost for cost, _ in costs.values()), ZERO) / known_workload if known_workload else ZERO
    )
    result = []
    unit = inputs.cost_model.workload_unit
    for m in inputs.members:
        assumed: list[str] = []
        override = inputs.overrides.get(m.insee_code, {})
        if m.insee_code in costs:
            cost, steps = costs[m.insee_code]
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


def staff_plan(model: CostModel, service: PooledCost, members: Sequence[MemberCost]) -> StaffPlan:
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


def cost_after_explanation(
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


def project_costs(
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
