"""Reading a campaign into the diagnostic's plain values, in a fixed number of queries."""

from __future__ import annotations

from datetime import date

from django.db.models import F, Sum

from mutualis.inventory.diagnostic.analysis import analyse
from mutualis.inventory.diagnostic.facts import (
    ZERO,
    AssetFact,
    ContractFact,
    Diagnostic,
    DomainInfo,
    Inputs,
    MemberInfo,
    ServiceFact,
)
from mutualis.inventory.models import (
    Asset,
    Campaign,
    Contract,
    CostLine,
    ServiceRecord,
    StaffLine,
    Submission,
)
from mutualis.territories.models import Domain, Member, member_code


def load_inputs(campaign: Campaign, *, domain_id: int | None = None) -> Inputs:
    """Read a campaign in eight queries, whatever the number of members and domains.

    With `domain_id`, only that domain's records are read (the domain page).
    """
    body = campaign.pooling_body
    members = tuple(
        MemberInfo(row["id"], row["name"], member_code(row["insee_code"], row["siren"]), row["pop"])
        for row in Member.objects.filter(pooling_body_id=body.pk)
        .order_by("name", "insee_code")
        .values("id", "name", "insee_code", "siren", pop=F("population_municipale"))
    )
    domain_rows = campaign.domains.order_by("family", "position", "name")
    if domain_id is not None:
        domain_rows = domain_rows.filter(pk=domain_id)
    families = dict(Domain.Family.choices)
    domains = tuple(
        DomainInfo(row["id"], row["code"], row["name"], str(families.get(row["family"], "")))
        for row in domain_rows.values("id", "code", "name", "family")
    )
    scope: dict[str, Campaign | int] = {"campaign": campaign}
    if domain_id is not None:
        scope["domain_id"] = domain_id
    # Summed in the database: exact NUMERIC on PostgreSQL; on SQLite the converter
    # quantises each sum back to the field's two decimals.
    lines = {f"service__{k}": v for k, v in scope.items()}
    staff = {
        row["service_id"]: (row["fte_sum"], row["cost_sum"])
        for row in StaffLine.objects.filter(**lines)
        .order_by()
        .values("service_id")
        .annotate(fte_sum=Sum("fte"), cost_sum=Sum("cost_amount"))
    }
    operating = {
        row["service_id"]: row["amount_sum"]
        for row in CostLine.objects.filter(**lines)
        .order_by()
        .values("service_id")
        .annotate(amount_sum=Sum("amount"))
    }
    services = tuple(
        ServiceFact(
            member_id=row["member_id"],
            domain_id=row["domain_id"],
            mode=row["mode"],
            fte=staff.get(row["id"], (ZERO, ZERO))[0],
            staff_cost=staff.get(row["id"], (ZERO, ZERO))[1],
            operating_cost=operating.get(row["id"], ZERO),
            needs=row["needs"],
            difficulties=row["difficulties"],
        )
        for row in ServiceRecord.objects.filter(**scope)
        .order_by()
        .values("id", "member_id", "domain_id", "mode", "needs", "difficulties")
    )
    contracts = tuple(
        ContractFact(**row)
        for row in Contract.objects.filter(**scope)
        .order_by()
        .values(
            "id",
            "member_id",
            "domain_id",
            "kind",
            "vendor",
            "product",
            "start_on",
            "end_on",
            "notice_period_months",
            yearly_cost=F("yearly_cost_amount"),
        )
    )
    assets = tuple(
        AssetFact(**row)
        for row in Asset.objects.filter(**scope)
        .order_by()
        .values(
            "member_id",
            "domain_id",
            "kind",
            "name",
            "utilisation_rate",
            "shareable",
            "useful_life_years",
            acquisition_cost=F("acquisition_cost_amount"),
            subsidies=F("subsidies_amount"),
            running_cost=F("running_cost_amount"),
        )
    )
    submitted = Submission.objects.filter(
        campaign=campaign, status=Submission.Status.SUBMITTED
    ).count()
    return Inputs(
        body_name=body.name,
        year=campaign.year,
        is_sample=campaign.is_sample,
        members=members,
        domains=domains,
        services=services,
        contracts=contracts,
        assets=assets,
        submitted_count=submitted,
    )


def build_diagnostic(campaign: Campaign, *, on: date, domain_id: int | None = None) -> Diagnostic:
    """Load a campaign and analyse it; `on` is the caller's today (contract windows)."""
    return analyse(load_inputs(campaign, domain_id=domain_id), on)
