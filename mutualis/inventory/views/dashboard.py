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

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from mutualis.accounts.access import authenticated_user
from mutualis.inventory import charts, exports, ical
from mutualis.inventory.access import get_campaign_rights_for
from mutualis.inventory.diagnostic import build_diagnostic
from mutualis.inventory.diagnostic.deadlines import CALENDAR_MONTHS
from mutualis.inventory.diagnostic.scoping import restrict, restrict_domain
from mutualis.jobs.registry import JobKind
from mutualis.jobs.services import request_job

PHASE = "diagnostic"
READ_METHODS = ("GET", "HEAD")
# The territory page lists the nearest contract ends and the least used assets; the full
# lists are on the domain pages and in the Excel export.
LIST_LIMIT = 25
# The calendar lists the nearest deadlines; all of them are in its iCalendar export (a
# large EPCI has thousands, whose table made the page slow and megabytes long).
CALENDAR_LIMIT = 50


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
    deadlines = rights.visible(diagnostic.territory.deadlines)
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
            "deadlines": deadlines[:CALENDAR_LIMIT],
            "deadline_total": len(deadlines),
            "calendar_months": CALENDAR_MONTHS,
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
    if rights.read_scope is not None:
        result = restrict_domain(result, rights.read_scope)
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


@login_required
def calendar_ics(request: HttpRequest, pk: int, campaign_pk: int) -> HttpResponse:
    """The contract deadlines of the next months as an iCalendar file (what the page lists)."""
    campaign, rights = get_campaign_rights_for(request.user, pk, campaign_pk)
    if refused := _read_only(request):
        return refused
    diagnostic = restrict(build_diagnostic(campaign, on=timezone.localdate()), rights.read_scope)
    content = ical.deadlines_calendar(
        diagnostic.territory.deadlines,
        campaign_pk=campaign.pk,
        title=_("Échéances des contrats — %(body)s") % {"body": campaign.pooling_body.name},
        host=request.get_host().split(":")[0],
        stamp=timezone.now(),
    )
    name = f"echeances-contrats-{campaign.year}" + ("-exemple-fictif" if campaign.is_sample else "")
    response = HttpResponse(content, content_type=ical.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.ics"'
    return response


def _export(request: HttpRequest, pk: int, campaign_pk: int, kind: JobKind) -> HttpResponse:
    """Queue the export as a background job and show its progress page.

    The job reads only what the user may read (`rights.read_scope`, kept in its params).
    """
    campaign, rights = get_campaign_rights_for(request.user, pk, campaign_pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    params = exports.diagnostic_params(campaign, timezone.localdate(), rights.read_scope)
    job = request_job(campaign.pooling_body, kind, authenticated_user(request), params)
    return redirect("jobs:detail", pk=pk, job_pk=job.pk)


@login_required
def report_pdf(request: HttpRequest, pk: int, campaign_pk: int) -> HttpResponse:
    return _export(request, pk, campaign_pk, exports.DIAGNOSTIC_PDF)


@login_required
def report_xlsx(request: HttpRequest, pk: int, campaign_pk: int) -> HttpResponse:
    return _export(request, pk, campaign_pk, exports.DIAGNOSTIC_XLSX)
