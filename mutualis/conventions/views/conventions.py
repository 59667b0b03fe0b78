"""The conventions list with its alerts, drafting, the convention page and its lifecycle."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mutualis.accounts.access import get_pooling_body_for, require_manage
from mutualis.conventions import services
from mutualis.conventions.access import (
    ConventionRights,
    get_convention_for,
    visible_conventions,
)
from mutualis.conventions.forms import (
    AvenantForm,
    DraftForm,
    PartiesForm,
    SendForm,
    SignForm,
    StaffFormSet,
    TerminateForm,
    TermsForm,
)
from mutualis.conventions.legal_forms import Method
from mutualis.conventions.models import TERM_FIELDS, ConventionVersion
from mutualis.conventions.queries import ending_within, parties_of
from mutualis.conventions.services import ConventionError, PartyInput, PartyRow, StaffInput

PHASE = "conventions"
DEFAULT_ALERT_DAYS = 90


def alert_days(request: HttpRequest) -> int:
    """The alert window: `?jours=N`, else the CONVENTION_ALERT_DAYS setting."""
    default = int(getattr(settings, "CONVENTION_ALERT_DAYS", DEFAULT_ALERT_DAYS))
    raw = request.GET.get("jours", "")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 3650 else default


def _apply_problems(form: forms.BaseForm, exc: ConventionError) -> None:
    for problem in exc.problems:
        form.add_error(problem.field if problem.field in form.fields else None, problem.message)


def _require_editable(rights: ConventionRights) -> None:
    if not rights.editable:
        raise PermissionDenied


@login_required
def index(request: HttpRequest, pk: int) -> HttpResponse:
    body, abilities = get_pooling_body_for(request.user, pk)
    conventions = visible_conventions(body.pk, abilities)
    days = alert_days(request)
    versions = {
        v.convention_id: v
        for v in ConventionVersion.objects.filter(convention__in=conventions).order_by("number")
    }
    rows = [(c, versions.get(c.pk)) for c in conventions]
    return render(
        request,
        "conventions/index.html",
        {
            "body": body,
            "abilities": abilities,
            "rows": rows,
            "alerts": ending_within(conventions, timezone.localdate(), days),
            "alert_days": days,
            "current_phase": PHASE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, pk: int) -> HttpResponse:
    body, abilities = get_pooling_body_for(request.user, pk)
    require_manage(abilities)
    form = DraftForm(request.POST or None, body=body)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            convention = services.draft_convention(
                body,
                title=data["title"],
                legal_form=data["legal_form"],
                terms={k: data[k] for k in TERM_FIELDS},
                parties=[PartyInput(m) for m in data["members"]],
            )
        except ConventionError as exc:
            _apply_problems(form, exc)
        else:
            messages.success(request, _("Projet de convention créé."))
            return redirect("conventions:detail", pk=body.pk, convention_pk=convention.pk)
    return render(
        request,
        "conventions/form.html",
        {"body": body, "form": form, "title": _("Nouvelle convention"), "current_phase": PHASE},
    )


@login_required
def detail(request: HttpRequest, pk: int, convention_pk: int) -> HttpResponse:
    convention, version, rights = get_convention_for(request.user, pk, convention_pk)
    parties = parties_of(version)
    recordable = {p.pk for p in parties if rights.can_record(p)}
    return render(
        request,
        "conventions/detail.html",
        {
            "body": convention.pooling_body,
            "convention": convention,
            "version": version,
            "versions": convention.versions.order_by("-number"),
            "parties": parties,
            "recordable": recordable,
            "staff": version.staff.all(),
            "rights": rights,
            "missing": [p for p in parties if not hasattr(p, "deliberation")],
            "send_form": SendForm(initial={"sent_on": timezone.localdate()}),
            "sign_form": SignForm(initial={"signed_on": timezone.localdate()}),
            "avenant_form": AvenantForm(),
            "terminate_form": TerminateForm(),
            "current_phase": PHASE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int, convention_pk: int) -> HttpResponse:
    convention, version, rights = get_convention_for(request.user, pk, convention_pk)
    _require_editable(rights)
    form = TermsForm(request.POST or None, instance=version, legal_form=convention.legal_form)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_terms(version, {k: form.cleaned_data[k] for k in TERM_FIELDS})
        except ConventionError as exc:
            _apply_problems(form, exc)
        else:
            messages.success(request, _("Conditions enregistrées."))
            return redirect("conventions:detail", pk=pk, convention_pk=convention.pk)
    return render(
        request,
        "conventions/form.html",
        {
            "body": convention.pooling_body,
            "convention": convention,
            "form": form,
            "title": _("Conditions de la convention"),
            "current_phase": PHASE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def parties(request: HttpRequest, pk: int, convention_pk: int) -> HttpResponse:
    convention, version, rights = get_convention_for(request.user, pk, convention_pk)
    _require_editable(rights)
    form = PartiesForm(
        request.POST or None,
        parties=parties_of(version),
        with_ac=version.method == Method.AC_DEDUCTION,
    )
    if request.method == "POST" and form.is_valid():
        services.update_parties(version, [PartyRow(*row) for row in form.rows()])
        messages.success(request, _("Unités, poids et attributions enregistrés."))
        return redirect("conventions:detail", pk=pk, convention_pk=convention.pk)
    return render(
        request,
        "conventions/parties.html",
        {
            "body": convention.pooling_body,
            "convention": convention,
            "form": form,
            "current_phase": PHASE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff(request: HttpRequest, pk: int, convention_pk: int) -> HttpResponse:
    convention, version, rights = get_convention_for(request.user, pk, convention_pk)
    _require_editable(rights)
    formset = StaffFormSet(request.POST or None, queryset=version.staff.all())
    if request.method == "POST" and formset.is_valid():
        lines = [
            StaffInput(f["category"], f["mode"], f["fte"], f.get("description", ""))
            for f in formset.cleaned_data
            if f and not f.get("DELETE")
        ]
        services.set_staff(version, lines)
        messages.success(request, _("Agents concernés enregistrés."))
        return redirect("conventions:detail", pk=pk, convention_pk=convention.pk)
    return render(
        request,
        "conventions/staff.html",
        {
            "body": convention.pooling_body,
            "convention": convention,
            "formset": formset,
            "current_phase": PHASE,
        },
    )


def _lifecycle_error(
    request: HttpRequest, form: forms.BaseForm, exc: ConventionError | None = None
) -> None:
    errors = (
        [p.message for p in exc.problems]
        if exc
        else [
            f"{form.fields[name].label} : {error}" if name in form.fields else str(error)
            for name, field_errors in form.errors.items()
            for error in field_errors
        ]
    )
    for error in errors:
        messages.error(request, error)


@login_required
@require_POST
def send(request: HttpRequest, pk: int, convention_pk: int) -> HttpResponse:
    convention, version, rights = get_convention_for(request.user, pk, convention_pk)
    _require_editable(rights)
    form = SendForm(request.POST)
    if form.is_valid():
        try:
            services.send_to_parties(version, form.cleaned_data["sent_on"])
        except ConventionError as exc:
            _lifecycle_error(request, form, exc)
        else:
            messages.success(request, _("Convention transmise aux parties."))
    else:
        _lifecycle_error(request, form)
    return redirect("conventions:detail", pk=pk, convention_pk=convention.pk)


@login_required
@require_POST
def sign(request: HttpRequest, pk: int, convention_pk: int) -> HttpResponse:
    convention, version, rights = get_convention_for(request.user, pk, convention_pk)
    require_manage(rights.abilities)
    form = SignForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["signed_scan"]
        try:
            services.sign(
                version,
                signed_on=form.cleaned_data["signed_on"],
                name=upload.name,
                content=upload.read(),
            )
        except ConventionError as exc:
            _lifecycle_error(request, form, exc)
        else:
            messages.success(request, _("Convention signée : elle ne se modifie plus."))
    else:
        _lifecycle_error(request, form)
    return redirect("conventions:detail", pk=pk, convention_pk=convention.pk)


@login_required
@require_POST
def avenant(request: HttpRequest, pk: int, convention_pk: int) -> HttpResponse:
    convention, version, rights = get_convention_for(request.user, pk, convention_pk)
    require_manage(rights.abilities)
    form = AvenantForm(request.POST)
    if form.is_valid():
        try:
            services.draft_avenant(version, reason=form.cleaned_data["reason"])
        except ConventionError as exc:
            _lifecycle_error(request, form, exc)
        else:
            messages.success(
                request, _("Projet d'avenant créé ; la version signée reste inchangée.")
            )
    else:
        _lifecycle_error(request, form)
    return redirect("conventions:detail", pk=pk, convention_pk=convention.pk)


@login_required
@require_POST
def terminate(request: HttpRequest, pk: int, convention_pk: int) -> HttpResponse:
    convention, version, rights = get_convention_for(request.user, pk, convention_pk)
    require_manage(rights.abilities)
    form = TerminateForm(request.POST)
    if form.is_valid():
        try:
            services.terminate(
                version, on=form.cleaned_data["terminated_on"], reason=form.cleaned_data["reason"]
            )
        except ConventionError as exc:
            _lifecycle_error(request, form, exc)
        else:
            messages.success(request, _("Convention résiliée."))
    else:
        _lifecycle_error(request, form)
    return redirect("conventions:detail", pk=pk, convention_pk=convention.pk)
