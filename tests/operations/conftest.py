"""A unit-cost service of `world.body` with its 2026 unit cost determined from the 2025
accounts, and a small digital-services catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from mutualis.operations import services
from mutualis.operations.models import (
    Offer,
    ServiceMember,
    SharedService,
    TariffBand,
    UnitCostNotice,
)
from mutualis.operations.services import UnitRow
from tests.conftest import World


@dataclass
class Ops:
    world: World
    service: SharedService
    notice: UnitCostNotice
    offer: Offer


def make_service(world: World, **fields: object) -> SharedService:
    values: dict[str, object] = {
        "pooling_body": world.body,
        "name": "Instruction des autorisations d'urbanisme",
        "legal_form": "service_commun",
        "billing_mode": SharedService.BillingMode.UNIT_COST,
        "unit_label": "actes",
        "frequency": "trimestrielle",
        "imputation": "70846",
    }
    values.update(fields)
    service = SharedService.objects.create(**values)
    for member in (world.own_commune, world.other_commune):
        ServiceMember.objects.create(service=service, member=member, start_on=date(2025, 1, 1))
    return service


def determine(service: SharedService) -> UnitCostNotice:
    """Eligible 350 000 + 12 318 + 50 000 (CA 2025) = 412 318,00 €; 1 000 € of interest
    excluded; BP 2026: +5 000 personnel, −5 000 supplies. Forecast 1 000 + 600 + 273 own
    use = 1 873 actes → 220,137747 €/acte."""
    notice = services.notice_for(service, 2026)
    for category, label, amount, eligible in (
        ("personnel", "Agents instructeurs", "350000", True),
        ("fournitures", "Fournitures", "17318", True),
        ("contrats de services", "Logiciel", "50000", True),
        ("autre", "Intérêts d'emprunt", "1000", False),
    ):
        services.add_charge(
            notice,
            source="accounts",
            category=category,
            label=label,
            amount=Decimal(amount),
            eligible=eligible,
        )
    services.add_charge(
        notice,
        source="budget",
        category="personnel",
        label="GVT",
        amount=Decimal("5000"),
        reason="glissement vieillesse technicité voté au BP 2026",
    )
    services.add_charge(
        notice,
        source="budget",
        category="fournitures",
        label="Économies",
        amount=Decimal("-10000"),
        reason="marché de fournitures renégocié",
    )
    world_members = list(service.participations.select_related("member"))
    forecasts = {"21001": Decimal(1000), "21002": Decimal(600)}
    for p in world_members:
        services.set_forecast(notice, p.member, forecasts[p.member.insee_code])
    notice.own_use_units = Decimal(273)
    notice.save()
    return notice


@pytest.fixture
def ops(world: World) -> Ops:
    service = make_service(world)
    notice = determine(service)
    offer = Offer.objects.create(
        pooling_body=world.body,
        code="sig",
        name="SIG mutualisé",
        category="gis",
        tariff_model="bands_flat",
        imputation="7066",
    )
    for lower, upper, value in ((0, 2000, "800"), (2000, None, "2500")):
        TariffBand.objects.create(offer=offer, lower=lower, upper=upper, value=Decimal(value))
    return Ops(world, service, notice, offer)


def quarter_units(ops: Ops) -> None:
    rows = [
        UnitRow(i, "21001", m, Decimal(u))
        for i, (m, u) in enumerate(((1, 40), (2, 45), (3, 50)), 1)
    ]
    rows += [
        UnitRow(i + 3, "21002", m, Decimal(u))
        for i, (m, u) in enumerate(((1, 30), (2, 25), (3, 27)), 1)
    ]
    services.record_units(ops.service, 2026, rows, origin="typed")
