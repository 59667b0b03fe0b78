"""Scenario downloads: council pack, commune sheets, workbook, JSON report.

Documents are produced in the request for now (the page warns that 158 sheets take
a while); `documents` keeps each one a plain function, ready to become a background task.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from mutualis.scenarios import documents, workbook
from mutualis.scenarios.access import get_scenario_for
from mutualis.scenarios.models import Scenario
from mutualis.scenarios.views.scenarios import _results, compared


def _download(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _doc(request: HttpRequest, pk: int, scenario_pk: int) -> tuple[Scenario, dict[str, Any] | None]:
    scenario, _rights = get_scenario_for(request.user, pk, scenario_pk)
    doc, _error = _results(scenario)
    if doc is None:
        return scenario, None
    return scenario, doc


@login_required
def pack(request: HttpRequest, pk: int, scenario_pk: int) -> HttpResponse:
    scenario, doc = _doc(request, pk, scenario_pk)
    if doc is None:
        return redirect("scenarios:detail", pk=pk, scenario_pk=scenario_pk)
    data = documents.pack_pdf([doc], on=timezone.localdate())
    return _download(data, documents.PDF_TYPE, f"dossier-{slugify(scenario.name)}.pdf")


@login_required
def sheets(request: HttpRequest, pk: int, scenario_pk: int) -> HttpResponse:
    scenario, doc = _doc(request, pk, scenario_pk)
    if doc is None:
        return redirect("scenarios:detail", pk=pk, scenario_pk=scenario_pk)
    data = documents.sheets_pdf(doc)
    return _download(data, documents.PDF_TYPE, f"fiches-{slugify(scenario.name)}.pdf")


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
def compare_pack(request: HttpRequest, pk: int) -> HttpResponse:
    _body, _form, docs = compared(request, pk)
    if not docs:
        return redirect(f"{reverse('scenarios:compare', args=[pk])}?{request.GET.urlencode()}")
    data = documents.pack_pdf(docs, on=timezone.localdate())
    return _download(data, documents.PDF_TYPE, "dossier-comparaison.pdf")
