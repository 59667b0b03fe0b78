"""Diagnostic timings at the largest EPCI's size: 158 members × 30 domains, on SQLite.

Every member answers every domain (staff and cost lines), declares a contract per domain
and an asset every other domain. Prints the median render time, the query count and the
ratio to the target (1 s) of the dashboard, a domain page, the PDF and the Excel file
(targets 10 s and 1 s); for the files, also the CPU time, which a busy machine inflates
less than the elapsed time, and for the Excel file the share of its three steps (reading,
analysis, writing). The load average is printed first: on a shared machine, compare CPU
times.
"""

from __future__ import annotations

import logging
import os
import statistics
import time
from datetime import date
from decimal import Decimal

from pagebench import measure, start_django

start_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from mutualis.inventory import report  # noqa: E402
from mutualis.inventory.diagnostic import analyse, load_inputs  # noqa: E402
from mutualis.inventory.exports import (  # noqa: E402
    DIAGNOSTIC_PDF,
    DIAGNOSTIC_XLSX,
    diagnostic_params,
)
from mutualis.inventory.models import (  # noqa: E402
    Asset,
    Campaign,
    Contract,
    CostLine,
    ServiceRecord,
    StaffLine,
    Submission,
)
from mutualis.jobs.models import Job  # noqa: E402
from mutualis.territories.models import Domain, Member, PoolingBody  # noqa: E402

MEMBERS = 158
DOMAINS = 30
MODES = ServiceRecord.Mode.values
VENDORS = ["Berger-Levrault", "Ciril", "JVS-Mairistem", "Cosoluce", "Agysoft"]


def build() -> tuple[PoolingBody, Campaign]:
    body = PoolingBody.objects.create(name="CA de banc d'essai", kind="epci", siren="200000009")
    members = Member.objects.bulk_create(
        Member(
            pooling_body=body,
            name=f"Commune {i:03d}",
            insee_code=f"64{i:03d}",
            population_municipale=None if i == 0 else 300 + 97 * i,
        )
        for i in range(MEMBERS)
    )
    domains = Domain.objects.bulk_create(
        Domain(pooling_body=body, code=f"d{j}", name=f"Domaine {j:02d}", family="functional")
        for j in range(DOMAINS)
    )
    campaign = Campaign.objects.create(pooling_body=body, year=2025)
    campaign.domains.set(domains)
    Submission.objects.bulk_create(
        Submission(campaign=campaign, member=m, status="submitted") for m in members[::2]
    )
    records = ServiceRecord.objects.bulk_create(
        ServiceRecord(
            campaign=campaign,
            member=m,
            domain=d,
            mode=MODES[(i + j) % len(MODES)],
            needs="Continuité du service pendant les absences." if (i + j) % 5 == 0 else "",
        )
        for i, m in enumerate(members)
        for j, d in enumerate(domains)
    )
    StaffLine.objects.bulk_create(
        StaffLine(
            service=r,
            category=category,
            fte=Decimal(k % 7) / 4,
            cost_amount=Decimal(9000 + 37 * k),
        )
        for k, r in enumerate(records)
        for category in ("B", "C")
    )
    CostLine.objects.bulk_create(
        CostLine(service=r, chapter=chapter, amount=Decimal(500 + 13 * k))
        for k, r in enumerate(records)
        for chapter in ("011", "65")
    )
    Contract.objects.bulk_create(
        Contract(
            campaign=campaign,
            member=m,
            domain=d,
            vendor=VENDORS[(i * j) % len(VENDORS)],
            product=f"Logiciel {j}",
            yearly_cost_amount=Decimal(1200 + i),
            start_on=date(2020, 1, 1),
            end_on=date(2025 + (i + j) % 5, 12, 31),
            notice_period_months=3,
        )
        for i, m in enumerate(members)
        for j, d in enumerate(domains)
    )
    Asset.objects.bulk_create(
        Asset(
            campaign=campaign,
            member=m,
            domain=d,
            kind="equipement",
            name=f"Équipement {j}",
            acquisition_cost_amount=Decimal(20000 + 100 * i),
            useful_life_years=10,
            running_cost_amount=Decimal(800),
            utilisation_rate=Decimal((i * 7 + j * 3) % 100),
            shareable=(i + j) % 3 == 0,
        )
        for i, m in enumerate(members)
        for j, d in enumerate(domains)
        if j % 2 == 0
    )
    return body, campaign


def main() -> None:
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    body, campaign = build()
    user = get_user_model().objects.create_superuser("bench", password="bench-password-1")
    client = Client()
    client.force_login(user)
    print(f"Structure : {body.name} ({MEMBERS} membres × {DOMAINS} domaines)")
    print("Charge moyenne de la machine : " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    base = f"/s/{body.pk}/etat-des-lieux/{campaign.pk}/diagnostic/"
    domain = campaign.domains.order_by("pk").first()
    measure(client, "Tableau de bord du diagnostic", base)
    measure(client, "Page d'un domaine", f"{base}domaines/{domain.pk}/")
    # The exports run as background jobs: time what the worker does for each.
    measure_job(body, campaign, user, DIAGNOSTIC_XLSX, "Rapport Excel (.xlsx), tâche de fond", 1)
    measure_excel_steps(campaign)
    measure_job(body, campaign, user, DIAGNOSTIC_PDF, "Rapport PDF (WeasyPrint), tâche de fond", 10)


def measure_job(body, campaign, user, kind, label: str, target: float) -> None:  # type: ignore[no-untyped-def]
    times, cpu = [], []
    for _ in range(3):
        job = Job.objects.create(
            pooling_body=body,
            kind=kind.name,
            params=diagnostic_params(campaign, date(2026, 1, 15)),
            requested_by=user,
        )
        start, start_cpu = time.perf_counter(), time.process_time()
        result = kind.build(job, lambda percent, message: None)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        assert result.content, label
    median = statistics.median(times)
    print(
        f"{label:<45} {median * 1000:8.1f} ms  ratio à la cible ({target:.0f} s) : "
        f"{median / target:.3f}  (temps CPU {statistics.median(cpu) * 1000:.0f} ms, moins "
        "sensible à la charge de la machine)",
        flush=True,
    )


def _timed(step, *args):  # type: ignore[no-untyped-def]
    """(result, elapsed seconds, CPU seconds) of `step(*args)`."""
    start, start_cpu = time.perf_counter(), time.process_time()
    result = step(*args)
    return result, time.perf_counter() - start, time.process_time() - start_cpu


def measure_excel_steps(campaign: Campaign, runs: int = 3) -> None:
    """Median elapsed and CPU time of the Excel export's steps, to see where time goes."""
    steps: dict[str, list[tuple[float, float]]] = {"lecture": [], "analyse": [], "écriture": []}
    for _ in range(runs):
        inputs, *lecture = _timed(load_inputs, campaign)
        diagnostic, *analysis = _timed(analyse, inputs, date(2026, 1, 15))
        _data, *writing = _timed(report.render_xlsx, diagnostic)
        for name, (elapsed, cpu) in zip(steps, (lecture, analysis, writing), strict=True):
            steps[name].append((elapsed, cpu))
    print(
        "  dont "
        + ", ".join(
            f"{name} {statistics.median(e for e, _ in times) * 1000:.0f} ms "
            f"(CPU {statistics.median(c for _, c in times) * 1000:.0f} ms)"
            for name, times in steps.items()
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
