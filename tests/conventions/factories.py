"""Conventions built through the services (the rules apply), and scenario snapshots."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from mutualis.conventions import services
from mutualis.conventions.legal_forms import LEGAL_FORMS, Method
from mutualis.conventions.models import Convention, ConventionVersion
from mutualis.conventions.services import DeliberationInput, PartyInput, StaffInput
from mutualis.scenarios.models import Scenario, ScenarioSnapshot
from mutualis.territories.models import Member, PoolingBody
from tests.factories import DomainFactory
from tests.inventory.factories import CampaignFactory

START = date(2027, 1, 1)
END = date(2029, 12, 31)
SENT = date(2026, 10, 1)


def terms_for(legal_form: str, **overrides: Any) -> dict[str, Any]:
    method = LEGAL_FORMS[legal_form].methods[0]
    terms: dict[str, Any] = {
        "subject": "Instruction des autorisations d'urbanisme pour le compte des communes.",
        "start_on": START,
        "end_on": END,
        "notice_months": 6,
        "renewal": "tacit",
        "method": method,
        "periodicity_months": 12,
        "unit_label": "actes" if method in (Method.UNIT_COST, Method.TARIFF) else "",
        "charges_amount": Decimal("412318.00"),
        "tariff_amount": Decimal("220.14") if method == Method.TARIFF else None,
        "key_label": "Population municipale",
    }
    terms.update(overrides)
    return terms


def draft(
    body: PoolingBody,
    members: list[Member],
    legal_form: str = "service_commun",
    *,
    units: tuple[int, ...] = (1200, 673),
    title: str = "Service commun ADS",
    **overrides: Any,
) -> Convention:
    parties = [
        PartyInput(m, forecast_units=Decimal(units[i % len(units)])) for i, m in enumerate(members)
    ]
    return services.draft_convention(
        body,
        title=title,
        legal_form=legal_form,
        terms=terms_for(legal_form, **overrides),
        parties=parties,
        staff=[StaffInput("B", "made_available", Decimal("1.50"), "Instructeur")],
    )


def version_of(convention: Convention) -> ConventionVersion:
    return ConventionVersion.objects.get(convention=convention, number=1)


def vote(number: str = "2026-01") -> DeliberationInput:
    return DeliberationInput("conseil_municipal", date(2026, 10, 15), number, 12, 1, 2)


def signed(body: PoolingBody, members: list[Member], **kwargs: Any) -> ConventionVersion:
    """A convention sent, voted by every party and signed."""
    version = version_of(draft(body, members, **kwargs))
    services.send_to_parties(version, SENT)
    for party in version.parties.all():
        services.record_deliberation(party, vote(f"D-{party.pk}"))
    return services.sign(version, signed_on=date(2026, 11, 2), name="signee.pdf", content=PDF)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def snapshot(body: PoolingBody, members: list[Member], payload: dict[str, Any]) -> ScenarioSnapshot:
    domain = DomainFactory(pooling_body=body)
    scenario = Scenario.objects.create(
        pooling_body=body,
        campaign=CampaignFactory(pooling_body=body, domains=[domain]),
        name=payload["scenario"]["name"],
        domain=domain,
        legal_form=payload["scenario"]["legal_form"],
        start_year=2027,
        horizon_years=3,
        workload_unit="actes",
        productivity=Decimal("400"),
        staff_category="B",
        cost_per_fte_a=Decimal("60000"),
        cost_per_fte_b=Decimal("48000"),
        cost_per_fte_c=Decimal("38000"),
        fixed_costs_amount=Decimal("10000"),
        cost_per_unit_amount=Decimal("5"),
        transition_costs_amount=Decimal("0"),
    )
    scenario.members.set(members)
    return ScenarioSnapshot.objects.create(
        scenario=scenario, engine_version="0.1.0", payload=payload
    )


def report_payload(
    members: list[Member], amounts: list[str], legal_form: str = "service_commun"
) -> dict[str, Any]:
    """The parts of `mutualis scenario report` that a convention reads (docs/scenarios.md)."""
    return {
        "scenario": {
            "name": "Service commun ADS (scénario)",
            "legal_form": legal_form,
            "domain": {"code": "ads", "name": "Urbanisme (ADS)"},
            "start_year": 2027,
            "horizon_years": 3,
            "method": "shapley",
            "method_title": "Valeur de Shapley",
            "is_sample": False,
        },
        "ac_charged": False,
        "members": [
            {
                "insee_code": m.insee_code,
                "name": m.name,
                "workload": 100 * (i + 3),
                "cost_after": amount,
                "fte_today": {"B": "0.40", "C": "0.25"},
            }
            for i, (m, amount) in enumerate(zip(members, amounts, strict=True))
        ],
    }
