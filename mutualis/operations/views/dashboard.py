"""Dashboard of the services over the years, and the attribution-de-compensation table."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mutualis.operations import charts, services
from mutualis.operations.access import get_body_for, require_cycle
from mutualis.operations.forms import AcBaseForm
from mutualis.operations.models import AcBase
from mutualis.operations.queries import convention_alerts, dashboard_series
from mutualis.operations.views.editing import save_versioned
from mutualis.territories.models import Member

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
            "alerts": convention_alerts(body, rights.abilities, timezone.localdate()),
            "alert_days": settings.CONVENTION_ALERT_DAYS,
            "charts": [(s, charts.unit_cost_chart(s), charts.billed_chart(s)) for s in series],
            "current_phase": PHASE,
        },
    )


@login_required
def ac(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    body, rights = get_body_for(request.user, pk)
    require_cycle(rights)
    rows = services.ac_table(body, year)
    bases = {a.member_id: a for a in AcBase.objects.filter(member__pooling_body=body, year=year)}
    return render(
        request,
        "operations/ac.html",
        {
            "body": body,
            "rights": rights,
            "year": year,
            "rows": rows,
            "bases": [(m, bases.get(m.pk)) for m in body.members.order_by("name")],
            "months": range(1, 13),
            "current_phase": PHASE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def ac_base_edit(request: HttpRequest, pk: int, year: int, member_pk: int) -> HttpResponse:
    """The attribution de compensation of one member and year before deductions."""
    body, rights = get_body_for(request.user, pk)
    require_cycle(rights)
    member = get_object_or_404(Member, pk=member_pk, pooling_body=body)
    instance = AcBase.objects.filter(member=member, year=year).first()
    form = AcBaseForm(request.POST or None, instance=instance or AcBase(member=member, year=year))
    saved, version = save_versioned(
        request, form, lambda version: services.save_ac_base(form, version)
    )
    if saved:
        messages.success(
            request, _("Attribution de compensation de %(m)s enregistrée.") % {"m": member.name}
        )
        return redirect("operations:ac", pk=body.pk, year=year)
    return render(
        request,
        "operations/edit.html",
        {
            "body": body,
            "rights": rights,
            "year": year,
            "form": form,
            "version": version,
            "title": _("Attribution de compensation %(y)s de %(m)s avant imputation")
            % {"y": year, "m": member.name},
            "back": reverse("operations:ac", args=[body.pk, year]),
            "current_phase": PHASE,
        },
    )
