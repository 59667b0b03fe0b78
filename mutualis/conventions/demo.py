"""A sample convention for the demo territory, flagged as fictitious everywhere.

It starts from the demo's sample scenario snapshot when one exists (scenarios app),
else from the demo campaign's figures: a service commun for the secretariat, sent to
the parties, with the first two deliberations recorded.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from mutualis.conventions import services
from mutualis.conventions.legal_forms import Method
from mutualis.conventions.models import Convention, ConventionVersion, Deliberation
from mutualis.conventions.prefill import draft_from_snapshot
from mutualis.conventions.queries import parties_of
from mutualis.conventions.services import (
    DeliberationInput,
    PartyInput,
    PartyRow,
    StaffInput,
)
from mutualis.scenarios.models import Scenario, ScenarioSnapshot
from mutualis.scenarios.services import take_snapshot
from mutualis.territories.models import PoolingBody

SAMPLE_TITLE = "Service commun du secrétariat de mairie (exemple)"
SENT_ON = date(2026, 10, 1)
DEMO_REFERENT_INSEE = "21573"


AC_PER_INHABITANT = Decimal("85")  # fictitious: an order of magnitude for the demo only
AC_WITHOUT_POPULATION = Decimal("25000")


def _fill_sample_ac_bases(version: ConventionVersion) -> None:
    """An AC deduction needs each commune's AC: give the demo parties fictitious ones."""
    if version.method != Method.AC_DEDUCTION:
        return
    rows = []
    for party in parties_of(version):
        if party.is_pooling_body or party.ac_base is not None:
            continue
        population = party.member.population_municipale if party.member else None
        base = AC_PER_INHABITANT * population if population else AC_WITHOUT_POPULATION
        rows.append(PartyRow(party, party.forecast_units, party.key_weight, base))
    services.update_parties(version, rows)


@transaction.atomic
def create_sample_convention(body: PoolingBody, *, party_count: int = 6) -> Convention:
    existing = body.conventions.filter(is_sample=True).first()
    if existing is not None:
        return existing
    snapshot = (
        ScenarioSnapshot.objects.filter(scenario__pooling_body=body, scenario__is_sample=True)
        .order_by("-created_at")
        .first()
    )
    if snapshot is None:
        scenario = Scenario.objects.filter(pooling_body=body, is_sample=True).order_by("pk").first()
        if scenario is not None:
            snapshot = take_snapshot(scenario, None, "Présenté aux élus (exemple)")
    if snapshot is not None:
        convention = draft_from_snapshot(snapshot, is_sample=True)
    else:
        members = list(body.members.order_by("name")[:party_count])
        referent = body.members.filter(insee_code=DEMO_REFERENT_INSEE).first()
        if referent is not None and referent not in members:
            members.append(referent)  # the demo référent records its own deliberation
        convention = services.draft_convention(
            body,
            title=SAMPLE_TITLE,
            legal_form="service_commun",
            terms={
                "subject": "Secrétariat de mairie, état civil et urbanisme de premier niveau "
                "assurés par un service commun porté par la communauté de communes.",
                "scope": "Communes parties ; accueil et instruction, hors décision.",
                "start_on": date(2027, 1, 1),
                "end_on": date(2029, 12, 31),
                "renewal": "express",
                "notice_months": 6,
                "method": "key",
                "periodicity_months": 3,
                "charges_amount": Decimal("186400.00"),
                "key_label": "Population municipale",
            },
            parties=[PartyInput(m) for m in members],
            staff=[
                StaffInput("B", "transfer", Decimal("1.00"), "Secrétaire de mairie"),
                StaffInput("C", "made_available", Decimal("2.50"), "Agents d'accueil"),
            ],
            is_sample=True,
        )
    version = convention.versions.get()
    if version.status == "draft":
        _fill_sample_ac_bases(version)
        services.send_to_parties(version, SENT_ON)
    others = version.parties.filter(member__isnull=False).exclude(
        member__insee_code=DEMO_REFERENT_INSEE
    )
    for number, party in enumerate(others.order_by("member__name")[:2], start=1):
        if not Deliberation.objects.filter(party=party).exists():
            services.record_deliberation(
                party,
                DeliberationInput(
                    "conseil_municipal", date(2026, 10, 20), f"2026-{number:03d}", 11
                ),
            )
    return convention
