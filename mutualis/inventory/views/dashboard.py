"""The diagnostic dashboard of a campaign, its domain pages and its PDF and Excel exports.

The exports are background jobs (mutualis.jobs): a POST queues one and redirects to its
progress page, where the file is downloaded when ready.

Every role of the pooling body reads them, elected officials and référents included: the
diagnostic is the shared picture of the territory, read-only. A référent reads the
territory's totals and the detail (per-commune lines, contracts, assets, needs) of its own
communes only, unless the body turned on « transparence entre communes »
(`CampaignRights.visible`). Another body's user gets a 404.
"""

from __future__ import annotations

import dataclasses

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone

from mutualis.accounts.access import authenticated_user
from mutualis.inventory import charts, exports
from mutualis.inventory.access import get_campaign_for, get_campaign_rights_for
from mutualis.inventory.diagnostic import build_diagnostic
from mutualis.jobs.registry import JobKind
from mutualis.jobs.services import request_job

PHASE = "diagnostic"
READ_METHODS = ("GET", "HEAD")
# The territory page lists the nearest contract ends and the least used assets; the full
# lists are on the domain pages and in the Excel export.
LIST_LIMIT = 25


def _read_only(request: HttpRequest) -> HttpResponse | None:
    """Checked after the access helper, so that another body's user still gets a 404."""
    if request.method not in READ_METHODS:
        return HttpResponseNotAllowed(READ_METHODS)
    return None


@login_required
def dashboard(request: HttpRequest, pk: int, campaign_pk: int) -> HttpResponse:
    campaign, rights = get_campaign_rights_for(request.user, pk, campaign_pk)
    if refused := _read_only(request):
        return refused
    diagnostic = build_diagnostic(campaign, on=timezone.localdate())
    member_costs = rights.visible(diagnostic.territory.member_costs)
    return render(
        request,
        "inventory/dashboard.html",
        {
            "body": campaign.pooling_body,
            "campaign": campaign,
            "abilities": rights.abilities,
            "rights": rights,
            "current_phase": PHASE,
            "diagnostic": diagnostic,
            "modes_chart": charts.modes_chart(diagnostic),
            "member_costs": member_costs,
            "cost_chart": charts.cost_chart(member_costs),
            "score_chart": charts.score_chart(diagnostic),
            "windows": rights.visible(diagnostic.territory.contract_windows)[:LIST_LIMIT],
            "assets": rights.visible(diagnostic.territory.underused_assets)[:LIST_LIMIT],
        },
    )


@login_required
def domain(request: HttpRequest, pk: int, campaign_pk: int, domain_pk: int) -> HttpResponse:
    campaign, rights = get_campaign_rights_for(request.user, pk, campaign_pk)
    if refused := _read_only(request):
        return refused
    diagnostic = build_diagnostic(campaign, on=timezone.localdate(), domain_id=domain_pk)
    if not diagnostic.domains:
        raise Http404
    result = diagnostic.domains[0]
    if rights.is_scoped:
        # The product list stays (an aggregate of the territory) without other communes' names.
        own = {line.member.name for line in rights.visible(result.lines)}
        result = dataclasses.replace(
            result,
            products=tuple(
                dataclasses.replace(p, members=tuple(m for m in p.members if m in own))
                for p in result.products
            ),
            lines=rights.visible(result.lines),
            fragilities=rights.visible(result.fragilities),
            contract_windows=rights.visible(result.contract_windows),
            underused_assets=rights.visible(result.underused_assets),
            needs=rights.visible(result.needs),
            member_costs=rights.visible(result.member_costs),
        )
    return render(
        request,
        "inventory/dashboard_domain.html",
        {
            "body": campaign.pooling_body,
            "campaign": campaign,
            "abilities": rights.abilities,
            "rights": rights,
            "current_phase": PHASE,
            "diagnostic": diagnostic,
            "result": result,
            "cost_chart": charts.cost_chart(result.member_costs, chart_id="cout-domaine"),
        },
    )


def _export(request: HttpRequest, pk: int, campaign_pk: int, kind: JobKind) -> HttpResponse:
    """Queue the export as a background job and show its progress page."""
    campaign, _abilities = get_campaign_for(request.user, pk, campaign_pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    params = exports.diagnostic_params(campaign, timezone.localdate())
    job = request_job(campaign.pooling_body, kind, authenticated_user(request), params)
    return redirect("jobs:detail", pk=pk, job_pk=job.pk)


@login_required
def report_pdf(request: HttpRequest, pk: int, campaign_pk: int) -> HttpResponse:
    return _export(request, pk, campaign_pk, exports.DIAGNOSTIC_PDF)


@login_required
def report_xlsx(request: HttpRequest, pk: int, campaign_pk: int) -> HttpResponse:
    return _export(request, pk, campaign_pk, exports.DIAGNOSTIC_XLSX)
