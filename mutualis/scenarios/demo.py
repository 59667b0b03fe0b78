"""Two sample scenarios on the demo territory, flagged as fictitious everywhere: a shared
ADS instruction service and a shared IT and DPO service, both services communs."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from mutualis.inventory.models import Campaign
from mutualis.scenarios import services
from mutualis.scenarios.models import Scenario
from mutualis.territories.models import PoolingBody

ADS_NAME = "Service commun d'instruction ADS (exemple)"
IT_NAME = "Service commun informatique et DPO (exemple)"
DPO_FTE_COST = Decimal(29000)  # half an ETP of category A


@transaction.atomic
def create_sample_scenarios(body: PoolingBody, campaign: Campaign) -> list[Scenario]:
    """The two sample scenarios of `body`; the existing ones when run again."""
    existing = list(Scenario.objects.filter(pooling_body=body, is_sample=True).order_by("pk"))
    if existing:
        return existing
    domains = {d.code: d for d in body.domains.filter(code__in=("ads", "informatique"))}
    members = list(body.members.order_by("name"))
    created = []
    if "ads" in domains:
        created.append(
            services.create_scenario(
                body,
                campaign=campaign,
                name=ADS_NAME,
                domain=domains["ads"],
                legal_form="service_commun",
                members=members,
                start_year=campaign.year + 1,
                horizon_years=6,
                method="shapley",
                is_sample=True,
            )
        )
    if "informatique" in domains:
        created.append(
            services.create_scenario(
                body,
                campaign=campaign,
                name=IT_NAME,
                domain=domains["informatique"],
                legal_form="service_commun",
                members=members,
                start_year=campaign.year + 1,
                horizon_years=6,
                method="key:postes_informatiques",
                cost_model={"fixed_costs": Decimal(25000) + DPO_FTE_COST},
                is_sample=True,
            )
        )
    return created
