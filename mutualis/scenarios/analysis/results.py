"""`evaluate`: every result of a scenario, with the allocations side by side, their
stability and the perimeter suggestions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from mutualis.engine.errors import EngineError
from mutualis.engine.explain import Explanation, Step
from mutualis.engine.games import (
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
from mutualis.engine.money import ZERO, D, format_euros, to_cents
from mutualis.engine.optimise import Partition, best_partition, best_split
from mutualis.engine.projection import Projection
from mutualis.scenarios.analysis.costs import (
    MemberCost,
    StaffPlan,
    cost_after_explanation,
    member_costs,
    pooled_cost,
    project_costs,
    staff_plan,
)
from mutualis.scenarios.analysis.inputs import (
    COMPARED_METHODS,
    KEY_PREFIX,
    MemberData,
    ScenarioInputs,
    default_label,
    method_title,
)

PERIMETER_TIME_LIMIT = 5.0


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


def method_result(
    game: PooledServiceGame, method: str, inputs: ScenarioInputs, total: Decimal
) -> MethodResult:
    """One sharing method's allocation of `total` (c(N) in cents), checked by the engine
    (`assess`: rationality, core test, explanation); an engine error is kept as text."""
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


def perimeter_advice(game: PooledServiceGame, members: Sequence[MemberCost]) -> PerimeterAdvice:
    """Remaining benefit r_i = c({i}) − (c(N) − c(N∖i)), the best perimeter (who should
    pool, the others staying alone) and the best split of every member into 2 and 3
    services (engine.optimise.best_split, milliseconds at 158 members)."""
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
            try:
                if groups == 1:
                    partitions.append(best_partition(game, 1, time_limit=PERIMETER_TIME_LIMIT))
                else:
                    partitions.append(best_split(game, groups, time_limit=PERIMETER_TIME_LIMIT))
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


def cost_game(members: Sequence[MemberCost], service: PooledCost) -> PooledServiceGame:
    """The pooled service's cost game of the members (engine.games.PooledServiceGame)."""
    return PooledServiceGame.build(
        [
            PooledMember(m.insee_code, float(m.cost_before), m.workload, float(m.own_cost))
            for m in members
        ],
        service,
    )


def evaluate(inputs: ScenarioInputs, *, perimeter: bool = True) -> ScenarioResult:
    """Every result of a scenario (see the module docstring)."""
    if not inputs.members:
        raise EngineError("Le scénario ne compte aucun membre.", field="members")
    members, general = member_costs(inputs)
    service = pooled_cost(inputs.cost_model)
    game = cost_game(members, service)
    plan = staff_plan(inputs.cost_model, service, members)
    cost_before = sum((m.cost_before for m in members), ZERO)
    cost_after = to_cents(game.grand_cost())
    own = sum((m.own_cost for m in members), ZERO)
    methods = tuple(
        method_result(game, method, inputs, cost_after)
        for method in dict.fromkeys((inputs.method, *COMPARED_METHODS))
    )
    assumptions = general + tuple(
        f"{m.name} ({m.insee_code}) : {text}" for m in members for text in m.assumptions
    )
    assumptions += tuple(
        f"{default_label(name)} : {source}" for name, source in sorted(inputs.defaults.items())
    )
    return ScenarioResult(
        inputs=inputs,
        members=members,
        game=game,
        service=service,
        cost_before=cost_before,
        cost_after=cost_after,
        cost_after_explanation=cost_after_explanation(
            inputs.cost_model, service, plan, own, cost_after
        ),
        staff=plan,
        projection=project_costs(inputs, members, service, plan, cost_after),
        methods=methods,
        perimeter=perimeter_advice(game, members) if perimeter else None,
        assumptions=assumptions,
    )
