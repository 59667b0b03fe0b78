"""Scenario timings at the largest EPCI's size (CA du Pays Basque, 158 communes).

Every commune declares an ADS service (volume, staff, charges). Prints: the full
recomputation in process (every method but the explicit nucleolus, core test, perimeter;
target 1 s), the results page (target 300 ms) and the council pack with the 158 commune
sheets (target 60 s), each with its ratio to the target.
"""

from __future__ import annotations

import statistics
import time
from datetime import date
from decimal import Decimal

from pagebench import measure, start_django

start_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from mutualis.inventory.models import Campaign, CostLine, ServiceRecord, StaffLine  # noqa: E402
from mutualis.refdata.models import Epci  # noqa: E402
from mutualis.refdata.services import load_refdata  # noqa: E402
from mutualis.scenarios import documents, queries, services  # noqa: E402
from mutualis.scenarios.analysis import evaluate  # noqa: E402
from mutualis.territories.services import create_pooling_body_from_epci  # noqa: E402


def report(label: str, seconds: float, target: float) -> None:
    print(
        f"{label:<55} {seconds * 1000:9.1f} ms  ratio à la cible ({target:g} s) : "
        f"{seconds / target:.3f}",
        flush=True,
    )


def build():  # type: ignore[no-untyped-def]
    load_refdata()
    sizes = sorted(
        ((e.communes.count(), e.siren) for e in Epci.objects.filter(kind="CA")), reverse=True
    )
    count, siren = sizes[0]
    body = create_pooling_body_from_epci(siren)
    ads = body.domains.get(code="ads")
    campaign = Campaign.objects.create(pooling_body=body, year=2025)
    campaign.domains.set([ads])
    members = list(body.members.order_by("insee_code"))
    records = ServiceRecord.objects.bulk_create(
        ServiceRecord(
            campaign=campaign,
            member=m,
            domain=ads,
            mode="regie",
            activity_volume=Decimal(max((m.population_municipale or 300) // 60, 1)),
            activity_unit="equivalent_pc",
        )
        for m in members
    )
    StaffLine.objects.bulk_create(
        StaffLine(
            service=r,
            category="B",
            fte=(r.activity_volume / 120).quantize(Decimal("0.01")),
            cost_amount=(r.activity_volume / 120 * 46000).quantize(Decimal("0.01")),
        )
        for r in records
    )
    CostLine.objects.bulk_create(
        CostLine(service=r, chapter="011", amount=r.activity_volume * 35) for r in records
    )
    scenario = services.create_scenario(
        body,
        campaign=campaign,
        name="Service commun ADS",
        domain=ads,
        legal_form="service_commun",
        members=members,
        start_year=2026,
        horizon_years=6,
        method="shapley",
        cost_model={"manager_span": 8},
    )
    print(f"Structure : {body.name} ({count} communes)", flush=True)
    return body, scenario


def main() -> None:
    body, scenario = build()
    inputs = queries.load_inputs(scenario)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        evaluate(inputs)
        times.append(time.perf_counter() - start)
    report("Recalcul complet du scénario (158 membres)", statistics.median(times), 1.0)
    user = get_user_model().objects.create_superuser("bench", password="bench-password-1")
    client = Client()
    client.force_login(user)
    measure(client, "Page de résultats du scénario", f"/s/{body.pk}/scenarios/{scenario.pk}/", 3)
    doc = queries.scenario_report(scenario)
    start = time.perf_counter()
    documents.full_pack_pdf(doc, on=date(2026, 1, 1))
    report("Dossier du conseil et 158 fiches communales (PDF)", time.perf_counter() - start, 60.0)


if __name__ == "__main__":
    main()
