"""Scenario downloads: council pack, commune sheets, workbook, JSON report.

The council pack and the sheets of every commune are background jobs (`exports`): the
POST queues one and redirects to its progress page. One commune's sheet, the workbook
and the JSON report are served in the request, from the stored results.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from mutualis.accounts.access import authenticated_user, get_pooling_body_for
from mutualis.jobs.services import request_job
from mutualis.scenarios import documents, exports, queries, workbook
from mutualis.scenarios.access import get_scenario_for, scenario_rights
from mutualis.scenarios.forms import CompareForm
from mutualis.scenarios.models import Scenario
from mutualis.scenarios.views.scenarios import _results


def _download(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _doc(request: HttpRequest, pk: int, scenario_pk: int) -> tuple[Scenario, dict[str, Any] | None]:
    scenario, _rights = get_scenario_for(request.user, pk, scenario_pk)
    doc, _error, _job = _results(scenario, authenticated_user(request))
    if doc is None:
        return scenario, None
    return scenario, doc


@login_required
@require_POST
def pack(request: HttpRequest, pk: int, scenario_pk: int) -> HttpResponse:
    scenario, _rights = get_scenario_for(request.user, pk, scenario_pk)
    params = exports.pack_params([scenario], timezone.localdate())
    job = request_job(scenario.pooling_body, exports.PACK_PDF, authenticated_user(request), params)
    return redirect("jobs:detail", pk=pk, job_pk=job.pk)


@login_required
@require_POST
def sheets(request: HttpRequest, pk: int, scenario_pk: int) -> HttpResponse:
    scenario, _rights = get_scenario_for(request.user, pk, scenario_pk)
    params = exports.sheets_params(scenario)
    job = request_job(
        scenario.pooling_body, exports.SHEETS_PDF, authenticated_user(request), params
    )
    return redirect("jobs:detail", pk=pk, job_pk=job.pk)


@login_required
def sheet(request: HttpRequest, pk: int, scenario_pk: int, insee_code: str) -> HttpResponse:
    scenario, doc = _doc(request, pk, scenario_pk)
    if doc is None:
        return redirect("scenarios:detail", pk=pk, scenario_pk=scenario_pk)
    if insee_code not in doc["scenario"]["members"]:
        raise Http404
    data = documents.sheets_pdf(doc, [insee_code])
    return _download(data, documents.PDF_TYPE, f"fiche-{insee_code}-{slugify(scenario.name)}.pdf")


@login_required
def results_workbook(request: HttpRequest, pk: int, scenario_pk: int) -> HttpResponse:
    scenario, doc = _doc(request, pk, scenario_pk)
    if doc is None:
        return redirect("scenarios:detail", pk=pk, scenario_pk=scenario_pk)
    data = workbook.results_workbook(doc)
    return _download(data, workbook.XLSX_TYPE, f"scenario-{slugify(scenario.name)}.xlsx")


@login_required
def report_json(request: HttpRequest, pk: int, scenario_pk: int) -> HttpResponse:
    _scenario, doc = _doc(request, pk, scenario_pk)
    if doc is None:
        return redirect("scenarios:detail", pk=pk, scenario_pk=scenario_pk)
    return JsonResponse(doc, json_dumps_params={"ensure_ascii": False, "indent": 2})


@login_required
@require_POST
def compare_pack(request: HttpRequest, pk: int) -> HttpResponse:
    """The comparison's council pack; the scenarios come in the query, as on the page."""
    body, abilities = get_pooling_body_for(request.user, pk)
    rights = scenario_rights(abilities)
    form = CompareForm(
        request.GET, queryset=queries.scenarios_for(body, published_only=not rights.sees_drafts)
    )
    if not form.is_valid():
        return redirect(f"{reverse('scenarios:compare', args=[pk])}?{request.GET.urlencode()}")
    params = exports.pack_params(list(form.cleaned_data["scenarios"]), timezone.localdate())
    job = request_job(body, exports.PACK_PDF, authenticated_user(request), params)
    return redirect("jobs:detail", pk=pk, job_pk=job.pk)
