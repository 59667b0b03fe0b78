"""Reading a scenario's inputs from the inventory, in a fixed number of queries.

These small functions are the scenarios app's only door to inventory data, so that the
analysis gets plain values (`analysis.ScenarioInputs`) whatever the number of members.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db.models import F, QuerySet, Sum

from mutualis.engine.annualised import Equipment
from mutualis.fields import LegalForm
from mutualis.inventory.models import Asset, Campaign, Contract, CostLine, ServiceRecord, StaffLine
from mutualis.jobs.models import Job
from mutualis.scenarios.analysis import (
    CostModel,
    MemberData,
    ScenarioInputs,
    ScenarioResult,
    evaluate,
    report_document,
)
from mutualis.scenarios.models import Scenario, ScenarioSnapshot
from mutualis.territories.models import Domain, Member, MemberAttribute, PoolingBody, member_code

ZERO = Decimal(0)
POPULATION_FIELDS = ("population_municipale", "population_totale", "population_dgf")
MEMBER_VALUES = ("pk", "insee_code", "siren", "name", *POPULATION_FIELDS)


def latest_campaign(body: PoolingBody) -> Campaign | None:
    return Campaign.objects.filter(pooling_body=body).order_by("-year").first()


def scenarios_for(body: PoolingBody, *, published_only: bool) -> QuerySet[Scenario]:
    scenarios = (
        Scenario.objects.filter(pooling_body=body)
        .select_related("domain", "campaign")
        .defer("results")
    )
    if published_only:
        scenarios = scenarios.filter(status=Scenario.Status.PUBLISHED)
    return scenarios.order_by("-created_at", "name")


def snapshots_of(scenario: Scenario) -> QuerySet[ScenarioSnapshot]:
    return scenario.snapshots.select_related("created_by").defer("payload")


def is_fpu(body: PoolingBody) -> bool:
    """Under the fiscalité professionnelle unique the AC can carry a service commun's cost."""
    epci = body.source_epci
    return body.kind == PoolingBody.Kind.EPCI and (epci is None or epci.fiscal_regime == "FPU")


def member_data(
    campaign: Campaign, domain: Domain, members: QuerySet[Member] | Sequence[Member]
) -> list[MemberData]:
    """What the campaign holds about each member for one domain, in six queries (and one
    more to read a queryset of members).

    A queryset of members is read as plain values and serves as a subquery of the six:
    no model instance is built and no list of ids is prepared for each query.
    """
    if isinstance(members, QuerySet):
        rows = list(members.values(*MEMBER_VALUES))
        chosen: Iterable[int] = members.values_list("pk", flat=True)
    else:
        rows = [{name: getattr(m, name) for name in MEMBER_VALUES} for m in members]
        chosen = [m.pk for m in members]
    scope = {"campaign": campaign, "domain": domain, "member_id__in": chosen}
    services = {
        "service__campaign": campaign,
        "service__domain": domain,
        "service__member_id__in": chosen,
    }
    records = {
        row["member_id"]: row
        for row in ServiceRecord.objects.filter(**scope)
        .order_by()
        .values("id", "member_id", "activity_volume")
    }
    staff: dict[int, dict[str, tuple[Decimal, Decimal]]] = {}
    for row in (
        StaffLine.objects.filter(**services)
        .order_by()
        .values("service_id", "category", "fte", "cost_amount")
    ):
        staff.setdefault(row["service_id"], {})[row["category"]] = (row["fte"], row["cost_amount"])
    operating = {
        row["service_id"]: row["total"]
        for row in CostLine.objects.filter(**services)
        .order_by()
        .values("service_id")
        .annotate(total=Sum("amount"))
    }
    contracts = {
        row["member_id"]: row["total"]
        for row in Contract.objects.filter(**scope)
        .order_by()
        .values("member_id")
        .annotate(total=Sum("yearly_cost_amount"))
    }
    equipments: dict[int, list[Equipment]] = {}
    for asset in (
        Asset.objects.filter(
            **scope, acquisition_cost_amount__isnull=False, useful_life_years__isnull=False
        )
        .filter(subsidies_amount__lte=F("acquisition_cost_amount"))
        .order_by("name")
        .values(
            "member_id",
            "name",
            "acquisition_cost_amount",
            "subsidies_amount",
            "useful_life_years",
            "running_cost_amount",
        )
    ):
        cost, life = asset["acquisition_cost_amount"], asset["useful_life_years"]
        if cost is None or life is None:  # excluded by the filter; narrows the types
            continue
        equipments.setdefault(asset["member_id"], []).append(
            Equipment(
                label=asset["name"],
                cost=cost,
                useful_life_years=life,
                subsidies=asset["subsidies_amount"],
                upkeep_per_year=asset["running_cost_amount"],
            )
        )
    attributes: dict[int, dict[str, Decimal]] = {}
    for fact in (
        MemberAttribute.objects.filter(member_id__in=chosen)
        .order_by("member_id", "key", "year")
        .values("member_id", "key", "value")
    ):
        attributes.setdefault(fact["member_id"], {})[fact["key"]] = fact["value"]  # latest year
    result = []
    for m in rows:
        record = records.get(m["pk"])
        lines = staff.get(record["id"], {}) if record is not None else {}
        facts = dict(attributes.get(m["pk"], {}))
        for name in POPULATION_FIELDS:
            if m[name] is not None:
                facts[name] = Decimal(m[name])
        result.append(
            MemberData(
                insee_code=member_code(m["insee_code"], m["siren"]),
                name=m["name"],
                population=m["population_municipale"],
                attributes=facts,
                has_service=record is not None,
                workload=None if record is None else record["activity_volume"],
                staff_cost=sum((cost for _, cost in lines.values()), ZERO),
                operating_cost=operating.get(record["id"], ZERO) if record is not None else ZERO,
                has_operating_lines=record is not None and record["id"] in operating,
                contracts_cost=contracts.get(m["pk"], ZERO),
                equipments=tuple(equipments.get(m["pk"], ())),
                fte_by_category={c: fte for c, (fte, _) in lines.items() if fte},
            )
        )
    return result


def cost_model(scenario: Scenario) -> CostModel:
    return CostModel(
        workload_unit=scenario.workload_unit,
        productivity=scenario.productivity,
        staff_category=scenario.staff_category,
        cost_per_fte={
            "A": scenario.cost_per_fte_a,
            "B": scenario.cost_per_fte_b,
            "C": scenario.cost_per_fte_c,
        },
        fixed_costs=scenario.fixed_costs_amount,
        cost_per_unit=scenario.cost_per_unit_amount,
        transition_costs=scenario.transition_costs_amount,
        staff_indexation_rate=scenario.staff_indexation_rate,
        other_indexation_rate=scenario.other_indexation_rate,
        discount_rate=scenario.discount_rate,
        staffing_step=scenario.staffing_step_fte,
        manager_span=scenario.manager_span,
    )


def participating_members(scenario: Scenario) -> QuerySet[Member]:
    return scenario.members.order_by("name", "insee_code")


def load_inputs(scenario: Scenario) -> ScenarioInputs:
    """A scenario and its inventory data as plain values (a fixed number of queries)."""
    body = scenario.pooling_body
    return ScenarioInputs(
        scenario_id=scenario.pk,
        name=scenario.name,
        body_name=body.name,
        body_siren=body.siren,
        fiscalite_professionnelle_unique=is_fpu(body),
        domain_code=scenario.domain.code,
        domain_name=scenario.domain.name,
        legal_form=scenario.legal_form,
        legal_form_label=str(LegalForm(scenario.legal_form).label),
        campaign_year=scenario.campaign.year,
        start_year=scenario.start_year,
        horizon_years=scenario.horizon_years,
        method=scenario.method,
        status=scenario.status,
        is_sample=scenario.is_sample,
        cost_model=cost_model(scenario),
        members=tuple(
            member_data(scenario.campaign, scenario.domain, participating_members(scenario))
        ),
        overrides=scenario.member_overrides,
        defaults=scenario.defaults,
    )


def scenario_result(scenario: Scenario, *, perimeter: bool = True) -> ScenarioResult:
    return evaluate(load_inputs(scenario), perimeter=perimeter)


def scenario_report(scenario: Scenario) -> dict[str, object]:
    """The JSON document of docs/scenarios.md, computed from the current inventory."""
    return report_document(scenario_result(scenario))


def pending_job(scenario: Scenario, kind_name: str) -> Job | None:
    """The queued or running job of `kind_name` for this one scenario, if there is one."""
    jobs = Job.objects.filter(
        pooling_body_id=scenario.pooling_body_id,
        kind=kind_name,
        status__in=(Job.Status.QUEUED, Job.Status.RUNNING),
    ).order_by("-pk")
    return next((job for job in jobs if job.params.get("scenario_pks") == [scenario.pk]), None)
