"""Scenario timings at the largest EPCI's size (CA du Pays Basque, 158 communes).

Every commune declares an ADS service (volume, staff, charges). Prints: the full
recomputation in process (every method, the nucleolus by constraint generation, core
tests, perimeter; target 1 s) with the share of each part, the results page read from the
stored results (target 300 ms) and the council pack with the 158 commune sheets as built
by their background jobs (target 60 s), each with its ratio to the target.

`python benchmarks/bench_scenarios.py --profile` also prints the cProfile of one
recomputation (the 25 costliest functions).
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import time
from decimal import Decimal

from pagebench import measure, start_django

start_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from mutualis.engine.games import allocate_costs, assess  # noqa: E402
from mutualis.inventory.models import Campaign, CostLine, ServiceRecord, StaffLine  # noqa: E402
from mutualis.jobs.models import Job  # noqa: E402
from mutualis.jobs.services import execute_job  # noqa: E402
from mutualis.refdata.models import Epci  # noqa: E402
from mutualis.refdata.services import load_refdata  # noqa: E402
from mutualis.scenarios import exports, queries, services  # noqa: E402
from mutualis.scenarios.analysis import evaluate  # noqa: E402
from mutualis.scenarios.analysis.costs import member_costs, pooled_cost  # noqa: E402
from mutualis.scenarios.analysis.results import cost_game, perimeter_advice  # noqa: E402
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


def timed(label: str, call, target: float):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = call()
    report(label, time.perf_counter() - start, target)
    return value


def parts(inputs) -> None:  # type: ignore[no-untyped-def]
    """Where a recomputation spends its time: each method with its core test, perimeter."""
    members, _assumptions = member_costs(inputs)
    game = cost_game(members, pooled_cost(inputs.cost_model))
    for method in ("shapley", "scrb", "proportional", "nucleolus"):
        start = time.perf_counter()
        allocation = allocate_costs(game, method)
        report(f"  dont {method} (répartition)", time.perf_counter() - start, 1)
        start = time.perf_counter()
        assess(game, allocation)
        report(f"  dont {method} (test du cœur)", time.perf_counter() - start, 1)
    timed("  dont périmètre (optimiseur)", lambda: perimeter_advice(game, members), 1)


def main() -> None:
    body, scenario = build()
    inputs = timed("Lecture des données (requêtes)", lambda: queries.load_inputs(scenario), 1.0)
    if "--profile" in sys.argv:
        profile = cProfile.Profile()
        profile.runcall(evaluate, inputs)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    timed("Recalcul complet du scénario (158 membres)", lambda: evaluate(inputs), 1.0)
    parts(inputs)
    user = get_user_model().objects.create_superuser("bench", password="bench-password-1")
    client = Client()
    client.force_login(user)
    url = f"/s/{body.pk}/scenarios/{scenario.pk}/"
    timed("Première page de résultats (calcul et stockage)", lambda: client.get(url), 1.0)
    measure(client, "Page de résultats du scénario (résultats stockés)", url, 5)
    total = 0.0
    for label, path, kind in (
        ("Dossier du conseil (tâche de fond, PDF)", "dossier.pdf", exports.PACK_PDF),
        ("158 fiches communales (tâche de fond, PDF)", "fiches.pdf", exports.SHEETS_PDF),
    ):
        start = time.perf_counter()
        client.post(url + path)  # queued; the benchmark runs the job itself
        job = Job.objects.filter(kind=kind.name).latest("pk")
        execute_job(job.pk)
        job.refresh_from_db()
        assert job.status == Job.Status.DONE, job.message
        total += time.perf_counter() - start
        report(label, time.perf_counter() - start, 60.0)
    report("Dossier du conseil et 158 fiches communales (ensemble)", total, 60.0)


if __name__ == "__main__":
    main()
