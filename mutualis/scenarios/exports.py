"""The council pack and the commune sheets, built in the background (mutualis.jobs).

For 158 communes the pack and its sheets take tens of seconds: the page that asks for
them queues a job and shows its progress (without JavaScript). The builders read the
scenario's stored results (`services.current_report`), computed once per state of its
inputs, and render them with `documents`.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutualis.engine.errors import EngineError
from mutualis.jobs.models import Job
from mutualis.jobs.registry import JobFailed, JobFile, JobKind, Report
from mutualis.scenarios import documents, services
from mutualis.scenarios.models import Scenario


def pack_params(scenarios: list[Scenario], on: date) -> dict[str, object]:
    """What a council pack job needs: the scenarios (1 to 4, in order) and the date."""
    return {"scenario_pks": [s.pk for s in scenarios], "on": on.isoformat()}


def sheets_params(scenario: Scenario) -> dict[str, object]:
    return {"scenario_pks": [scenario.pk]}


def _reports(job: Job, progress: Report) -> tuple[list[Scenario], list[dict[str, Any]]]:
    """The job's scenarios (of its own pooling body) and their report documents."""
    pks = [int(pk) for pk in job.params.get("scenario_pks", [])]
    found = {
        s.pk: s
        for s in Scenario.objects.filter(
            pk__in=pks, pooling_body_id=job.pooling_body_id
        ).select_related("pooling_body", "domain", "campaign")
    }
    if not pks or any(pk not in found for pk in pks):
        raise JobFailed(_("Un scénario de ce document n'existe plus."))
    scenarios = [found[pk] for pk in pks]
    reports = []
    for index, scenario in enumerate(scenarios):
        progress(
            5 + 45 * index // len(scenarios),
            _("Calcul des résultats : %(name)s.") % {"name": scenario.name},
        )
        try:
            reports.append(services.current_report(scenario))
        except EngineError as exc:
            raise JobFailed(
                _("Calcul impossible pour « %(name)s » : %(message)s")
                % {"name": scenario.name, "message": exc.message}
            ) from exc
    return scenarios, reports


def _sample(reports: list[dict[str, Any]]) -> str:
    # A sample scenario's files say in their name that the figures are fictitious.
    return "-exemple-fictif" if any(r["scenario"]["is_sample"] for r in reports) else ""


def build_pack(job: Job, progress: Report) -> JobFile:
    scenarios, reports = _reports(job, progress)
    progress(50, _("Mise en page du dossier du conseil."))
    data = documents.pack_pdf(
        reports,
        on=date.fromisoformat(str(job.params["on"])),
        on_progress=progress,
    )
    name = f"dossier-{slugify(scenarios[0].name)}" if len(scenarios) == 1 else "dossier-comparaison"
    return JobFile(f"{name}{_sample(reports)}.pdf", data, documents.PDF_TYPE)


def build_sheets(job: Job, progress: Report) -> JobFile:
    scenarios, reports = _reports(job, progress)
    count = len(reports[0]["members"])
    progress(50, _("Mise en page de %(count)s fiches communales.") % {"count": count})
    data = documents.sheets_pdf(reports[0], on_progress=progress)
    name = f"fiches-{slugify(scenarios[0].name)}{_sample(reports)}.pdf"
    return JobFile(name, data, documents.PDF_TYPE)


def build_results(job: Job, progress: Report) -> JobFile:
    """Compute and store a large scenario's results; the file is the results document."""
    scenarios, reports = _reports(job, progress)
    data = json.dumps(reports[0], ensure_ascii=False, indent=2).encode()
    name = f"resultats-{slugify(scenarios[0].name)}{_sample(reports)}.json"
    return JobFile(name, data, "application/json")


RESULTS_JSON = JobKind(
    name="scenarios.results_json",
    label=str(gettext_lazy("Calcul des résultats du scénario (JSON)")),
    build=build_results,
)
PACK_PDF = JobKind(
    name="scenarios.pack_pdf",
    label=str(gettext_lazy("Dossier du conseil (PDF)")),
    build=build_pack,
)
SHEETS_PDF = JobKind(
    name="scenarios.sheets_pdf",
    label=str(gettext_lazy("Fiches communales (PDF, une page par commune)")),
    build=build_sheets,
)
