"""A pilotage year at the largest EPCI's size: 158 members × 20 services, on SQLite.

Every service bills at the notified unit cost, quarterly, with twelve monthly imports of
units for every member. Times the four quarters of statements (computed and stored), the
PDF and the workbook of every statement of the year, each built by its background job
(the PDF one HTML document, progress by pages laid out; the target for statements + PDF
is 60 s, printed as a ratio in wall-clock and in process CPU time, the latter telling
what a machine shared with other processes hides), the bordereau of titles of the
issued year, and the statement pages (whose query counts must not grow with members).
"""

from __future__ import annotations

import os
import time
from datetime import date
from decimal import Decimal

from pagebench import measure, start_django

start_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from mutualis.jobs import services as job_services  # noqa: E402
from mutualis.jobs.models import Job  # noqa: E402
from mutualis.jobs.services import execute_job, request_job  # noqa: E402
from mutualis.operations import exports, services  # noqa: E402
from mutualis.operations.analysis import Frequency  # noqa: E402
from mutualis.operations.models import ServiceMember, SharedService, Statement  # noqa: E402
from mutualis.operations.services import UnitRow  # noqa: E402
from mutualis.territories.models import Member, PoolingBody  # noqa: E402

# BENCH_MEMBERS / BENCH_SERVICES shrink the run for a quick check of the script itself.
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "158"))
SERVICES = int(os.environ.get("BENCH_SERVICES", "20"))
YEAR = 2026
PDF_TARGET_SECONDS = 60.0


def build() -> PoolingBody:
    body = PoolingBody.objects.create(name="CA de banc d'essai", kind="epci", siren="200000019")
    members = Member.objects.bulk_create(
        Member(
            pooling_body=body,
            name=f"Commune {i:03d}",
            insee_code=f"64{i:03d}",
            population_municipale=300 + 97 * i,
        )
        for i in range(MEMBERS)
    )
    for s in range(SERVICES):
        service = SharedService.objects.create(
            pooling_body=body,
            name=f"Service {s:02d}",
            legal_form="service_commun",
            billing_mode="unit_cost",
            unit_label="actes",
            frequency="trimestrielle",
            imputation="70846",
        )
        ServiceMember.objects.bulk_create(
            ServiceMember(service=service, member=m, start_on=date(2025, 1, 1)) for m in members
        )
        notice = services.notice_for(service, YEAR)
        services.add_charge(
            notice,
            source="accounts",
            category="personnel",
            label="Agents",
            amount=Decimal(100000 + 977 * s),
        )
        for m in members:
            services.set_forecast(notice, m, Decimal(10 + (m.pk * 7 + s) % 40))
        services.notify_unit_cost(notice, date(YEAR, 3, 1))
        for month in range(1, 13):  # twelve monthly imports
            rows = [
                UnitRow(i, m.insee_code, month, Decimal((m.pk + month + s) % 9))
                for i, m in enumerate(members, 2)
            ]
            services.record_units(service, YEAR, rows, origin="import")
    return body


def main() -> None:
    started = time.perf_counter()
    body = build()
    label = f"préparation ({SERVICES} services × {MEMBERS} membres, 12 imports)"
    print(f"{label:<45} {time.perf_counter() - started:8.1f} s", flush=True)
    started = time.perf_counter()
    cpu = time.process_time()
    for quarter in range(1, 5):
        services.generate_statements(body, YEAR, Frequency.QUARTERLY, quarter)
    elapsed = time.perf_counter() - started
    cpu_statements = time.process_time() - cpu
    count = Statement.objects.filter(pooling_body=body).count()
    label = f"{count} états calculés (4 trimestres)"
    print(f"{label:<45} {elapsed:8.1f} s  (CPU {cpu_statements:.1f} s)", flush=True)
    user = get_user_model().objects.create_superuser("bench", "bench@example.org", "x")
    # The year's file as users get it: a background job (mutualis.jobs) run as the worker
    # runs it, its progress stored on the job at every batch of 40 statements.
    started = time.perf_counter()
    store_progress = job_services.report_progress

    def report(job_pk: int, percent: int, message: str = "") -> None:
        # Printed as well as stored, so that a long run shows its pace.
        print(f"  {time.perf_counter() - started:7.1f} s  {percent:3d} %  {message}", flush=True)
        store_progress(job_pk, percent, message)

    job_services.report_progress = report  # type: ignore[assignment]
    pdf_job = request_job(body, exports.STATEMENTS_PDF, user, exports.statements_params(YEAR, None))
    started = time.perf_counter()
    cpu = time.process_time()
    execute_job(pdf_job.pk)
    elapsed_pdf = time.perf_counter() - started
    cpu_pdf = time.process_time() - cpu
    pdf_job.refresh_from_db()
    assert pdf_job.status == Job.Status.DONE, pdf_job.message
    print(
        f"{'PDF de tous les états (tâche de fond)':<45} {elapsed_pdf:8.1f} s  "
        f"(CPU {cpu_pdf:.1f} s)  {pdf_job.result.size // 1024} Kio",
        flush=True,
    )
    # The target covers the year end to end: statements computed, then the PDF job.
    print(
        f"{'année de bout en bout (états + PDF)':<45} {elapsed + elapsed_pdf:8.1f} s  "
        f"ratio à la cible ({PDF_TARGET_SECONDS:.0f} s) : "
        f"{(elapsed + elapsed_pdf) / PDF_TARGET_SECONDS:.3f}  "
        f"(en temps CPU du processus : {cpu_statements + cpu_pdf:.1f} s, ratio "
        f"{(cpu_statements + cpu_pdf) / PDF_TARGET_SECONDS:.3f})",
        flush=True,
    )
    xlsx_job = request_job(
        body, exports.STATEMENTS_XLSX, user, exports.statements_params(YEAR, None)
    )
    started = time.perf_counter()
    execute_job(xlsx_job.pk)
    elapsed_xlsx = time.perf_counter() - started
    xlsx_job.refresh_from_db()
    assert xlsx_job.status == Job.Status.DONE, xlsx_job.message
    print(f"{'Excel de tous les états (tâche de fond)':<45} {elapsed_xlsx:8.1f} s", flush=True)
    # The bordereau of titles lists issued statements: issue the year (a bulk update, as
    # the bench does not time the status changes), then time both formats of the page.
    Statement.objects.filter(pooling_body=body).update(status=Statement.Status.ISSUED)
    for fmt in ("csv", "xlsx"):
        titles = Client()
        titles.force_login(user)
        started = time.perf_counter()
        response = titles.get(f"/s/{body.pk}/pilotage/exercice/{YEAR}/titres.{fmt}")
        assert response.status_code == 200
        label = f"bordereau des titres ({fmt}, {count} états)"
        print(f"{label:<45} {time.perf_counter() - started:8.1f} s", flush=True)
    client = Client()
    client.force_login(user)
    statement = Statement.objects.filter(pooling_body=body).first()
    service = SharedService.objects.filter(pooling_body=body).first()
    measure(
        client,
        "états de l'année (liste et synthèses)",
        f"/s/{body.pk}/pilotage/exercice/{YEAR}/etats/",
        runs=3,
    )
    measure(client, "un état", f"/s/{body.pk}/pilotage/etats/{statement.pk}/")
    measure(client, "un service (exercice)", f"/s/{body.pk}/pilotage/services/{service.pk}/{YEAR}/")
    measure(client, "tableau de bord", f"/s/{body.pk}/pilotage/tableau-de-bord/", runs=3)


if __name__ == "__main__":
    main()
