"""Reading a campaign into the diagnostic's plain values, in a fixed number of queries."""

from __future__ import annotations

from datetime import date

from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

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


def _line_sum(model: type[StaffLine | CostLine], field: str) -> Coalesce:
    """Σ `field` of a service's lines, 0 without any (a subquery of the services' query)."""
    total = (
        model.objects.filter(service_id=OuterRef("pk"))
        .order_by()
        .values("service_id")
        .annotate(total=Sum(field))
        .values("total")
    )
    output = model._meta.get_field(field)  # its places round the sum on SQLite
    if not isinstance(output, DecimalField):
        raise TypeError(f"{model.__name__}.{field} is not a DecimalField.")
    return Coalesce(Subquery(total, output_field=output), Value(ZERO), output_field=output)


def load_inputs(campaign: Campaign, *, domain_id: int | None = None) -> Inputs:
    """Read a campaign in six queries, whatever the number of members and domains.

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
    # Summed in the database, in the services' own query (one subquery per line table):
    # exact NUMERIC on PostgreSQL; on SQLite the converter quantises each sum back to the
    # field's two decimals. Tuples, not dicts or model instances: the export reads
    # thousands of rows.
    services = tuple(
        ServiceFact(member, domain, mode, fte, staff_cost, operating_cost, needs, difficulties)
        for member, domain, mode, needs, difficulties, fte, staff_cost, operating_cost in (
            ServiceRecord.objects.filter(**scope)
            .order_by()
            .annotate(
                fte_sum=_line_sum(StaffLine, "fte"),
                staff_sum=_line_sum(StaffLine, "cost_amount"),
                operating_sum=_line_sum(CostLine, "amount"),
            )
            .values_list(
                "member_id",
                "domain_id",
                "mode",
                "needs",
                "difficulties",
                "fte_sum",
                "staff_sum",
                "operating_sum",
            )
        )
    )
    # Positional, in the order of the dataclasses' fields.
    contracts = tuple(
        ContractFact(*row)
        for row in Contract.objects.filter(**scope)
        .order_by()
        .values_list(
            "member_id",
            "domain_id",
            "kind",
            "vendor",
            "product",
            "yearly_cost_amount",
            "start_on",
            "end_on",
            "notice_period_months",
            "id",
        )
    )
    assets = tuple(
        AssetFact(*row)
        for row in Asset.objects.filter(**scope)
        .order_by()
        .values_list(
            "member_id",
            "domain_id",
            "kind",
            "name",
            "utilisation_rate",
            "shareable",
            "acquisition_cost_amount",
            "subsidies_amount",
            "useful_life_years",
            "running_cost_amount",
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
