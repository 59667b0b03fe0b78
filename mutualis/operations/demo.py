"""Sample pilotage for the demo territory, flagged as fictitious everywhere.

One service commun for the instruction of planning permits with a full year — unit cost
notified from the 2025 accounts, twelve months of units, four quarterly statements per
member issued, one corrective statement — and the catalogue of a digital-services operator
with a few subscriptions. Figures are deterministic (hash-seeded from the INSEE code).
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from mutualis.operations import services
from mutualis.operations.analysis import Frequency
from mutualis.operations.catalogue_import import import_catalogue
from mutualis.operations.models import (
    Catalogue,
    Offer,
    ServiceMember,
    SharedService,
    Statement,
)
from mutualis.operations.services import UnitRow
from mutualis.territories.models import PoolingBody

SAMPLE_YEAR = 2026
SERVICE_NAME = "Instruction des autorisations d'urbanisme (exemple)"
CATALOGUE_FILE = Path(__file__).with_name("sample_catalogue.json")


def _value(code: str, key: str, low: int, high: int) -> int:
    digest = hashlib.sha256(f"{code}:{key}".encode()).digest()
    return low + int.from_bytes(digest[:4], "big") % (high - low + 1)


@transaction.atomic
def create_sample_operations(body: PoolingBody, year: int = SAMPLE_YEAR) -> SharedService:
    """Idempotent: returns the existing sample service when there is one."""
    existing = body.shared_services.filter(is_sample=True, name=SERVICE_NAME).first()
    if existing is not None:
        return existing
    members = list(body.members.order_by("insee_code"))
    service = SharedService.objects.create(
        pooling_body=body,
        name=SERVICE_NAME,
        legal_form="service_commun",
        billing_mode=SharedService.BillingMode.UNIT_COST,
        unit_label="actes",
        frequency=Frequency.QUARTERLY.value,
        regularisation_clause=True,
        regularisation_reference="article 7 de la convention (exemple)",
        imputation="70846",
        is_sample=True,
    )
    ServiceMember.objects.bulk_create(
        ServiceMember(service=service, member=m, start_on=date(year - 1, 1, 1)) for m in members
    )
    notice = services.notice_for(service, year)
    for source, category, label, amount, eligible in (
        ("accounts", "personnel", "Instructeurs (3 ETP)", "148500", True),
        ("accounts", "fournitures", "Fournitures et affranchissement", "6200", True),
        ("accounts", "contrats de services", "Logiciel d'instruction", "18400", True),
        ("accounts", "renouvellement des biens", "Renouvellement des postes", "3600", True),
        ("accounts", "autre", "Intérêts d'emprunt", "2100", False),
        ("budget", "personnel", "Glissement vieillesse technicité 2026", "2970", True),
    ):
        services.add_charge(
            notice,
            source=source,
            category=category,
            label=label,
            amount=Decimal(amount),
            eligible=eligible,
            reason="avancements d'échelon votés au budget primitif" if source == "budget" else "",
        )
    forecasts: dict[int, Decimal] = {}
    for member in members:
        inhabitants = member.population_municipale or 100
        forecasts[member.pk] = Decimal(max(2, inhabitants // 60 + _value(member.code, "ads", 0, 6)))
        services.set_forecast(notice, member, forecasts[member.pk])
    services.set_own_use(notice, Decimal(40))
    services.notify_unit_cost(notice, date(year, 3, 27))
    rows = []
    for member in members:
        for month in range(1, 13):
            share = forecasts[member.pk] / 12
            jitter = _value(member.code, f"m{month}", 0, 4) - 2
            rows.append(
                UnitRow(0, member.code, month, max(Decimal(0), Decimal(round(share) + jitter)))
            )
    services.record_units(service, year, rows, origin="import")
    import_catalogue(body, CATALOGUE_FILE.read_text(encoding="utf-8"), is_sample=True)
    offers = {o.code: o for o in Offer.objects.filter(pooling_body=body)}
    for index, member in enumerate(members[:6]):
        services.subscribe(
            offers["messagerie"],
            member,
            date(year, 1 + index, 1 + 14 * (index % 2)),
            None,
            users=4 + index,
            is_sample=True,
        )
        if index % 2 == 0:
            services.subscribe(offers["sig"], member, date(year - 1, 7, 1), None, is_sample=True)
    Catalogue.objects.filter(pooling_body=body).update(is_published=True)
    for quarter in range(1, 5):
        result = services.generate_statements(
            body, year, Frequency.QUARTERLY, quarter, is_sample=True
        )
        for statement in result.created:
            services.change_status(statement, "validate")
            services.change_status(statement, "issue")
    first = (
        Statement.objects.filter(
            pooling_body=body, year=year, period_index=1, lines__service=service
        )
        .order_by("number")
        .first()
    )
    if first is not None:
        line = first.lines.filter(service=service).first()
        if line is not None:
            services.correct_statement(
                first,
                {line.pk: line.quantity + 1},
                "Un permis de construire omis au 1er trimestre (exemple)",
            )
    return service
