"""The services of a pooling body and the yearly cycle of one service (D.5211-16)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mutualis.accounts.access import authenticated_user
from mutualis.operations import analysis, services, spreadsheets
from mutualis.operations.access import get_body_for, get_service_for, require_cycle
from mutualis.operations.analysis import Frequency
from mutualis.operations.forms import (
    ChargeForm,
    ForecastForm,
    NotifyForm,
    OwnUseForm,
    ParticipationForm,
    ServiceForm,
    UnitsUploadForm,
)
from mutualis.operations.models import SharedService, UnitCostNotice, UnitEntry
from mutualis.operations.queries import participations_of_year
from mutualis.operations.services import ImportRejected, OperationsError, UnitRow
from mutualis.operations.views.editing import save_versioned

PHASE = "pilotage"
MONTHS = range(1, 13)


def current_year() -> int:
    return timezone.localdate().year


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest, pk: int) -> HttpResponse:
    body, rights = get_body_for(request.user, pk)
    form = None
    if rights.can_run_cycle:
        form = ServiceForm(request.POST or None, body=body)
    elif request.method == "POST":
        raise PermissionDenied
    if form is not None and request.method == "POST" and form.is_valid():
        service = form.save(commit=False)
        service.pooling_body = body
        service.save()
        messages.success(request, _("Service « %(name)s » créé.") % {"name": service.name})
        return redirect(
            "operations:service", pk=body.pk, service_pk=service.pk, year=current_year()
        )
    return render(
        request,
        "operations/index.html",
        {
            "body": body,
            "rights": rights,
            "services": body.shared_services.select_related("domain", "offer"),
            "form": form,
            "year": current_year(),
            "current_phase": PHASE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def service(request: HttpRequest, pk: int, service_pk: int, year: int) -> HttpResponse:
    """The year of a service: charges, unit cost, notification, members and units."""
    service, rights = get_service_for(request.user, pk, service_pk)
    body = service.pooling_body
    forms = {}
    if rights.can_run_cycle:
        notice = (
            services.notice_for(service, year)
            if service.uses_unit_cost or service.billing_mode == SharedService.BillingMode.KEY
            else None
        )
        action = request.POST.get("action") if request.method == "POST" else None
        data = request.POST if request.method == "POST" else None
        members = body.members.filter(service_participations__service=service).distinct()
        forms = {
            "charge": ChargeForm(data if action == "charge" else None, prefix="charge"),
            "forecast": ForecastForm(
                data if action == "forecast" else None, prefix="forecast", members=members
            ),
            "own_use": OwnUseForm(
                data if action == "own_use" else None,
                prefix="own",
                initial={"own_use_units": notice.own_use_units if notice else 0},
            ),
            "notify": NotifyForm(
                data if action == "notify" else None,
                prefix="notify",
                initial={"notified_on": timezone.localdate()},
            ),
            "member": ParticipationForm(
                data if action == "member" else None, prefix="member", body=body
            ),
        }
        if action in forms and forms[action].is_valid():
            try:
                _apply(request, action, forms[action].cleaned_data, service, notice)
            except OperationsError as exc:
                forms[action].add_error(None, str(exc))
            else:
                return redirect("operations:service", pk=body.pk, service_pk=service.pk, year=year)
        elif request.method == "POST" and action in ("provisional", "regularise"):
            try:
                if action == "provisional":
                    created = services.generate_provisional(
                        service, year, int(request.POST.get("index", "1"))
                    )
                else:
                    created = services.regularise_on_actual_cost(service, year)
            except (OperationsError, ValueError) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request, _("%(n)s état(s) brouillon créé(s).") % {"n": len(created)}
                )
            return redirect("operations:service", pk=body.pk, service_pk=service.pk, year=year)
    elif request.method == "POST":
        raise PermissionDenied
    notice = service.notices.filter(year=year).first()
    units = (
        UnitEntry.objects.filter(service=service, year=year)
        .values("member_id")
        .annotate(total=Sum("units"))
    )
    totals = {row["member_id"]: row["total"] for row in units}
    forecasts = {f.member_id: f.units for f in notice.forecasts.all()} if notice else {}
    rows = [
        {
            "participation": p,
            "forecast": forecasts.get(p.member_id),
            "actual": totals.get(p.member_id),
        }
        for p in participations_of_year(service, year)
        if rights.visible_member_ids is None or p.member_id in rights.visible_member_ids
    ]
    return render(
        request,
        "operations/service.html",
        {
            "body": body,
            "service": service,
            "year": year,
            "years": [year - 1, year, year + 1],
            "rights": rights,
            "notice": notice,
            "first_year": analysis.is_first_year(year, service.signed_on),
            "charges": notice.charges.all() if notice else [],
            "explanation": notice.explanation if notice else None,
            "rows": rows,
            "forms": forms,
            "periods": range(1, Frequency(service.frequency).periods + 1),
            "current_phase": PHASE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, pk: int, service_pk: int) -> HttpResponse:
    """Edit a service (its convention and signature date among others), version-locked."""
    service, rights = get_service_for(request.user, pk, service_pk)
    require_cycle(rights)
    body = service.pooling_body
    form = ServiceForm(request.POST or None, instance=service, body=body)
    saved, version = save_versioned(
        request, form, lambda version: services.save_service(form, version)
    )
    if saved:
        messages.success(request, _("Service « %(name)s » enregistré.") % {"name": service.name})
        return redirect(
            "operations:service", pk=body.pk, service_pk=service.pk, year=current_year()
        )
    return render(
        request,
        "operations/edit.html",
        {
            "body": body,
            "form": form,
            "version": version,
            "title": _("Modifier le service « %(name)s »") % {"name": service.name},
            "back": reverse("operations:service", args=[body.pk, service.pk, current_year()]),
            "current_phase": PHASE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def units(request: HttpRequest, pk: int, service_pk: int, year: int) -> HttpResponse:
    """A grid member × month; a référent·e sees and edits only its commune's row."""
    service, rights = get_service_for(request.user, pk, service_pk)
    if not rights.can_enter_units:
        raise PermissionDenied
    allowed = rights.unit_member_ids
    participations = [
        p
        for p in participations_of_year(service, year)
        if allowed is None or p.member_id in allowed
    ]
    entries = {
        (e.member_id, e.month): e.units
        for e in UnitEntry.objects.filter(
            service=service, year=year, member_id__in=[p.member_id for p in participations]
        )
    }
    problems: list[services.Problem] = []
    if request.method == "POST":
        rows = []
        for p in participations:
            for month in MONTHS:
                raw = request.POST.get(f"u-{p.member_id}-{month}", "").strip()
                if raw == "":
                    continue
                try:
                    value = Decimal(raw.replace(",", ".").replace("\u00a0", "").replace(" ", ""))
                except ArithmeticError:
                    problems.append(
                        services.Problem(
                            0,
                            f"{p.member.name} {month:02d}/{year}",
                            _("« %(v)s » n'est pas un nombre.") % {"v": raw},
                        )
                    )
                    continue
                if entries.get((p.member_id, month)) == value:
                    continue
                rows.append(UnitRow(0, p.member.code, month, value))
        if not problems and rows:
            origin = UnitEntry.Origin.TYPED if rights.can_run_cycle else UnitEntry.Origin.REFERENT
            try:
                result = services.record_units(
                    service,
                    year,
                    rows,
                    origin=origin,
                    user=authenticated_user(request),
                    allowed=allowed,
                )
            except ImportRejected as exc:
                problems = exc.problems
            except OperationsError as exc:
                problems = [services.Problem(0, _("service"), str(exc))]
            else:
                messages.success(
                    request, _("%(n)s mois enregistré(s).") % {"n": result.created + result.updated}
                )
                return redirect("operations:units", pk=pk, service_pk=service.pk, year=year)
        elif not problems:
            messages.info(request, _("Aucune modification."))
            return redirect("operations:units", pk=pk, service_pk=service.pk, year=year)
    grid = [
        {
            "participation": p,
            "cells": [
                (
                    m,
                    request.POST.get(f"u-{p.member_id}-{m}")
                    if problems
                    else entries.get((p.member_id, m)),
                )
                for m in MONTHS
            ],
        }
        for p in participations
    ]
    return render(
        request,
        "operations/units.html",
        {
            "body": service.pooling_body,
            "service": service,
            "year": year,
            "grid": grid,
            "months": MONTHS,
            "problems": problems,
            "rights": rights,
            "current_phase": PHASE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def units_import(request: HttpRequest, pk: int, service_pk: int, year: int) -> HttpResponse:
    """Upload → preview (dry run, every error listed) → confirm; all or nothing."""
    service, rights = get_service_for(request.user, pk, service_pk)
    require_cycle(rights)
    form = UnitsUploadForm(request.POST or None, request.FILES or None)
    problems: list[services.Problem] = []
    preview = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        rows, read_problems = spreadsheets.read_units(upload.name, content)
        confirm = request.POST.get("confirm") == "1"
        try:
            result = services.record_units(
                service,
                year,
                rows,
                origin=UnitEntry.Origin.IMPORT,
                user=authenticated_user(request),
                dry_run=not confirm,
                read_problems=read_problems,
            )
        except ImportRejected as exc:
            problems = exc.problems
        except OperationsError as exc:
            problems = [services.Problem(0, _("service"), str(exc))]
        else:
            if confirm:
                messages.success(
                    request,
                    _("Import réussi : %(c)s mois créés, %(u)s mis à jour.")
                    % {"c": result.created, "u": result.updated},
                )
                return redirect("operations:service", pk=pk, service_pk=service.pk, year=year)
            preview = result.preview
    return render(
        request,
        "operations/units_import.html",
        {
            "body": service.pooling_body,
            "service": service,
            "year": year,
            "form": form,
            "problems": problems,
            "preview": preview,
            "current_phase": PHASE,
        },
    )


@login_required
def units_template(request: HttpRequest, pk: int, service_pk: int, year: int) -> HttpResponse:
    service, rights = get_service_for(request.user, pk, service_pk)
    require_cycle(rights)
    codes = [(p.member.code, p.member.name) for p in participations_of_year(service, year)]
    response = HttpResponse(
        spreadsheets.units_template(codes, year),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="unites-{service.pk}-{year}.xlsx"'
    return response


def _apply(
    request: HttpRequest,
    action: str,
    cleaned: dict[str, Any],
    service: SharedService,
    notice: UnitCostNotice | None,
) -> None:
    """Carry out one valid form of the service's year; raises OperationsError when refused."""
    if action == "member":
        services.add_participation(service, **cleaned)
        return
    if notice is None:
        raise OperationsError(_("Ce service est facturé au tarif du catalogue."))
    if action == "charge":
        services.add_charge(notice, **cleaned)
    elif action == "forecast":
        services.set_forecast(notice, cleaned["member"], cleaned["units"])
    elif action == "own_use":
        services.set_own_use(notice, cleaned["own_use_units"])
    elif action == "notify":
        notice = services.notify_unit_cost(notice, cleaned["notified_on"])
        if notice.is_late:
            basis = (
                _("trois mois après la signature, CGCT D.5211-16")
                if analysis.is_first_year(notice.year, service.signed_on)
                else _("CGCT L.1612-2")
            )
            messages.warning(
                request,
                _("Notification du %(on)s postérieure à la date limite du %(deadline)s (%(b)s).")
                % {
                    "on": f"{notice.notified_on:%d/%m/%Y}",
                    "deadline": f"{notice.deadline_on:%d/%m/%Y}",
                    "b": basis,
                },
            )
        messages.success(request, _("Coût unitaire notifié."))
