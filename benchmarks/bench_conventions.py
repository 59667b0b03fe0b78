"""Conventions at the largest EPCI's size: a 158-party convention on SQLite.

Times the whole document batch (convention DOCX/ODT/PDF, annex Excel/PDF and one draft
deliberation per party in DOCX and ODT: the ZIP pack) as the background job runs it —
queued by `request_job`, then executed as `mutualis worker` does, file stored — against
its 60 s target, and the convention page, whose query count must not depend on the
number of parties.
"""

from __future__ import annotations

import logging
import os
import time
import zipfile
from datetime import date
from decimal import Decimal

from pagebench import measure, start_django

start_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from mutualis.conventions import services  # noqa: E402
from mutualis.conventions.exports import DOCUMENT_PACK, pack_params  # noqa: E402
from mutualis.conventions.queries import current_version  # noqa: E402
from mutualis.conventions.services import PartyInput, StaffInput  # noqa: E402
from mutualis.jobs.models import Job  # noqa: E402
from mutualis.jobs.services import execute_job, request_job  # noqa: E402
from mutualis.territories.models import Member, PoolingBody  # noqa: E402

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "158"))
PACK_TARGET_SECONDS = 60.0


def build():  # type: ignore[no-untyped-def]
    body = PoolingBody.objects.create(name="CA de banc d'essai", kind="epci", siren="200000009")
    members = Member.objects.bulk_create(
        Member(
            pooling_body=body,
            name=f"Commune {i:03d}",
            insee_code=f"64{i:03d}",
            population_municipale=300 + 97 * i,
        )
        for i in range(MEMBERS)
    )
    return services.draft_convention(
        body,
        title="Service commun ADS du Pays (banc d'essai)",
        legal_form="mad_descendante",
        terms={
            "subject": "Instruction des autorisations d'urbanisme.",
            "start_on": date(2027, 1, 1),
            "end_on": date(2031, 12, 31),
            "method": "unit_cost",
            "periodicity_months": 12,
            "unit_label": "actes",
            "charges_amount": Decimal("4123180.00"),
        },
        parties=[PartyInput(m, forecast_units=Decimal(20 + i % 90)) for i, m in enumerate(members)],
        staff=[StaffInput("B", "made_available", Decimal("12.5"))],
    )


def main() -> None:
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    convention = build()
    version = current_version(convention)
    job = request_job(convention.pooling_body, DOCUMENT_PACK, None, pack_params(version))
    start, cpu_start = time.perf_counter(), time.process_time()
    execute_job(job.pk)  # what `mutualis worker` runs for the queued task
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    job = Job.objects.get(pk=job.pk)
    assert job.status == Job.Status.DONE, job.message
    files = len(zipfile.ZipFile(job.result.open("rb")).namelist())
    print(
        f"{f'Documents pour {MEMBERS} parties (tâche, ZIP, {files} fichiers)':<45} "
        f"{elapsed * 1000:8.1f} ms  {job.result.size // 1024:6d} Kio  "
        f"ratio à la cible ({PACK_TARGET_SECONDS:.0f} s) : {elapsed / PACK_TARGET_SECONDS:.3f}",
        flush=True,
    )
    # On a shared machine the wall time includes waiting for the processor: say both.
    print(f"{'  dont temps processeur':<45} {cpu * 1000:8.1f} ms", flush=True)
    user = get_user_model().objects.create_superuser("bench", password="bench-password-1")
    client = Client()
    client.force_login(user)
    body = convention.pooling_body
    measure(
        client,
        f"Page d'une convention à {MEMBERS + 1} parties",
        f"/s/{body.pk}/conventions/{convention.pk}/",
    )
    measure(client, "Liste des conventions", f"/s/{body.pk}/conventions/")
    measure(
        client,
        f"Annexe financière Excel ({MEMBERS + 1} lignes)",
        f"/s/{body.pk}/conventions/{convention.pk}/v1/annexe.xlsx",
    )


if __name__ == "__main__":
    main()
