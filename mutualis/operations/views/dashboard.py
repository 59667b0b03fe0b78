"""Dashboard of the services over the years, and the attribution-de-compensation table."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mutualis.operations import charts, services
from mutualis.operations.access import get_body_for, require_cycle
from mutualis.operations.queries import dashboard_series

PHASE = "pilotage"


@login_required
def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    body, rights = get_body_for(request.user, pk)
    series = dashboard_series(body, rights.visible_member_ids)
    return render(
        request,
        "operations/dashboard.html",
        {
            "body": body,
            "series": series,
            "charts": [(s, charts.unit_cost_chart(s), charts.billed_chart(s)) for s in series],
            "current_phase": PHASE,
        },
    )


@login_required
def ac(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    body, rights = get_body_for(request.user, pk)
    require_cycle(rights)
    rows = services.ac_table(body, year)
    return render(
        request,
        "operations/ac.html",
        {"body": body, "year": year, "rows": rows, "months": range(1, 13), "current_phase": PHASE},
    )
