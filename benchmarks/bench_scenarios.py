"""Scenario timings at the largest EPCI's size (CA du Pays Basque, 158 communes).

Every commune declares an ADS service (volume, staff, charges). Prints: the full
recomputation in process, as a page runs it when the inputs changed (read the inputs,
hash them, every method with its core test, the nucleolus by constraint generation, the
perimeter with the best splits into 2 and 3 services, the JSON document, stored; target
1 s), first as the first call of a process (solver imports included) then as every later
call (median of 3), in wall-clock and CPU time, with each part on its own (the engine's
calls apart from the scenario's own work); every scenario page at 158 members, read from
the stored results, with its query count (target 300 ms each: list, creation and edit
forms, results, comparisons of 2 and 4 scenarios, a snapshot, one commune's sheet as PDF);
and the council pack with the 158 commune sheets as built by their background jobs, with
the progress they report (target 60 s together). Each line gives its ratio to the target.
Other processes on the machine slow the wall-clock times: compare the CPU times.

`python benchmarks/bench_scenarios.py --profile` also prints the cProfile (CPU time) of
one warm recomputation (the 40 costliest functions).
"""

from __future__ import annotations

import cProfile
import logging
import pstats
import statistics
import sys
import time
from decimal import Decimal

from pagebench import measure, start_django

start_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from mutualis.engine import ENGINE_VERSION  # noqa: E402
from mutualis.engine.games import allocate_costs, assess  # noqa: E402
from mutualis.engine.money import to_cents  # noqa: E402
from mutualis.engine.optimise import best_split  # noqa: E402
from mutualis.inventory.models import Campaign, CostLine, ServiceRecord, StaffLine  # noqa: E402
from mutualis.jobs.models import Job  # noqa: E402
from mutualis.refdata.models import Epci  # noqa: E402
from mutualis.refdata.services import load_refdata  # noqa: E402
from mutualis.scenarios import exports, services  # noqa: E402
from mutualis.scenarios.analysis import (  # noqa: E402
    COMPARED_METHODS,
    KEY_PREFIX,
    evaluate,
    pooled_cost,
    report_document,
    results_key,
)
from mutualis.scenarios.analysis.costs import member_costs  # noqa: E402
from mutualis.scenarios.analysis.results import (  # noqa: E402
    cost_game,
    method_result,
    perimeter_advice,
)
from mutualis.scenarios.models import Scenario  # noqa: E402
from mutualis.scenarios.queries import load_inputs  # noqa: E402
from mutualis.territories.services import create_pooling_body_from_epci  # noqa: E402


def report(label: str, seconds: float, target: float, cpu: float | None = None) -> None:
    used = "" if cpu is None else f" (CPU {cpu * 1000:7.1f} ms)"
    print(
        f"{label:<55} {seconds * 1000:9.1f} ms{used}  ratio à la cible ({target:g} s) : "
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


def timed(label: str, call, target: float, runs: int = 1):  # type: ignore[no-untyped-def]
    """Median wall-clock and CPU time of `runs` calls; returns the last call's value."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        value = call()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    report(label, statistics.median(walls), target, statistics.median(cpus))
    return value


def recompute(scenario: Scenario) -> dict:  # type: ignore[type-arg]
    """What a page does when the scenario's inputs changed (services.current_report)."""
    return services.compute_results(scenario, services.stored_results(scenario))


def parts(scenario: Scenario) -> None:
    """Where a recomputation spends its time, each part timed on its own (median of 3)."""
    stored = timed("  dont lecture des données (requêtes)", lambda: load_inputs(scenario), 1, 3)
    timed("  dont empreinte des données", lambda: results_key(stored, ENGINE_VERSION), 1, 3)
    members, _assumptions = timed(
        "  dont coûts actuels des membres", lambda: member_costs(stored), 1, 3
    )
    game = timed(
        "  dont jeu de coût du service",
        lambda: cost_game(members, pooled_cost(stored.cost_model)),
        1,
        3,
    )
    total = to_cents(game.grand_cost())
    for method in dict.fromkeys((stored.method, *COMPARED_METHODS)):
        if method.startswith(KEY_PREFIX):
            timed(
                f"  dont {method} (clé et test du cœur)",
                lambda m=method: method_result(game, m, stored, total),
                1,
                3,
            )
            continue
        runs = 1 if method == "nucleolus" else 3
        allocation = timed(
            f"  dont {method} (répartition, moteur)",
            lambda m=method: allocate_costs(game, m),
            1,
            runs,
        )
        timed(
            f"  dont {method} (test du cœur et explication)",
            lambda a=allocation: assess(game, a),
            1,
            3,
        )
    timed("  dont périmètre (optimiseur)", lambda: perimeter_advice(game, members), 1, 3)
    for groups in (2, 3):
        timed(
            f"    dont découpage en {groups} services", lambda g=groups: best_split(game, g), 1, 3
        )
    result = evaluate(stored)
    document = timed("  dont document JSON des résultats", lambda: report_document(result), 1, 3)
    timed(
        "  dont enregistrement des résultats",
        lambda: Scenario.objects.filter(pk=scenario.pk).update(results=document, results_key="x"),
        1,
        3,
    )


PAGE_TARGET = 0.3


def pages(client: Client, body, scenario: Scenario) -> None:  # type: ignore[no-untyped-def]
    """Every scenario page at 158 members, from stored results (4 scenarios to compare)."""
    copies = [services.duplicate_scenario(scenario, None) for _ in range(3)]
    Scenario.objects.filter(pk__in=[c.pk for c in copies]).update(
        results=scenario.results, results_key=scenario.results_key
    )  # same inputs, same results: the copies need no recomputation
    snapshot = services.take_snapshot(scenario, None, "Conseil")
    args = [body.pk, scenario.pk]
    compare = reverse("scenarios:compare", args=[body.pk])
    commune = scenario.members.order_by("insee_code").first()
    for label, url in (
        ("Liste des scénarios", reverse("scenarios:list", args=[body.pk])),
        ("Formulaire de création", reverse("scenarios:create", args=[body.pk])),
        ("Résultats du scénario (stockés)", reverse("scenarios:detail", args=args)),
        ("Formulaire de modification", reverse("scenarios:edit", args=args)),
        (
            "Comparaison de 2 scénarios",
            f"{compare}?scenarios={scenario.pk}&scenarios={copies[0].pk}",
        ),
        (
            "Comparaison de 4 scénarios",
            compare + "?" + "&".join(f"scenarios={s.pk}" for s in [scenario, *copies]),
        ),
        (
            "Instantané présenté",
            reverse("scenarios:snapshot_detail", args=[*args, snapshot.pk]),
        ),
        (
            "Fiche d'une commune (PDF)",
            reverse("scenarios:sheet", args=[*args, commune.insee_code]),
        ),
    ):
        measure(client, label, url, runs=5, target=PAGE_TARGET)


def documents(client: Client, body, scenario: Scenario) -> None:  # type: ignore[no-untyped-def]
    """The pack and the sheets: each job's builder, as the worker runs it, with the progress
    lines it reports."""
    total = 0.0
    url = reverse("scenarios:detail", args=[body.pk, scenario.pk])
    for label, path, kind in (
        ("Dossier du conseil (tâche de fond, PDF)", "dossier.pdf", exports.PACK_PDF),
        ("158 fiches communales (tâche de fond, PDF)", "fiches.pdf", exports.SHEETS_PDF),
    ):
        client.post(url + path)  # queued; the benchmark runs its builder itself
        job = Job.objects.filter(kind=kind.name).latest("pk")
        lines: list[str] = []
        start = time.perf_counter()
        produced = kind.build(job, lambda percent, message, seen=lines: seen.append(message))
        elapsed = time.perf_counter() - start
        assert produced.content.startswith(b"%PDF")
        total += elapsed
        report(label, elapsed, 60.0)
        print(f"    {len(lines)} lignes d'avancement, dont : {' | '.join(lines[-2:])}", flush=True)
    report("Dossier du conseil et 158 fiches communales (ensemble)", total, 60.0)


def main() -> None:
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    body, scenario = build()
    if "--profile" in sys.argv:
        recompute(scenario)  # the solver imports, paid once per process
        profile = cProfile.Profile(time.process_time)
        profile.runcall(recompute, scenario)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    # The first call in a process also imports the solvers (SciPy, HiGHS): about 1 s that a
    # server or worker pays once; the next ones are what each later recomputation costs.
    timed("Recalcul complet, premier appel (imports compris)", lambda: recompute(scenario), 1)
    timed("Recalcul complet du scénario (158 membres)", lambda: recompute(scenario), 1, 3)
    parts(scenario)
    recompute(scenario)  # the stored results the pages read
    scenario.refresh_from_db()
    user = get_user_model().objects.create_superuser("bench", password="bench-password-1")
    client = Client()
    client.force_login(user)
    pages(client, body, scenario)
    documents(client, body, scenario)


if __name__ == "__main__":
    main()
