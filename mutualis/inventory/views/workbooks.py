"""Download the pre-filled workbook, upload it back: preview, confirm, log, undo."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mutualis.accounts.access import authenticated_user
from mutualis.inventory import import_jobs, imports
from mutualis.inventory.access import (
    CampaignRights,
    get_campaign_rights_for,
    get_import_log_for,
    get_pending_import_for,
)
from mutualis.inventory.forms import ConfirmImportForm, ImportForm
from mutualis.inventory.models import Campaign
from mutualis.inventory.queries import campaign_members, import_logs
from mutualis.inventory.services import InventoryError
from mutualis.inventory.workbook import export_workbook, max_upload_bytes, size_problem
from mutualis.sheets import XLSX_MIME, ProblemGroup


@login_required
def export(request: HttpRequest, pk: int, campaign_pk: int) -> HttpResponse:
    campaign, rights = get_campaign_rights_for(request.user, pk, campaign_pk)
    data = export_workbook(campaign, member_ids=rights.read_scope)
    name = (
        f"etat-des-lieux-{campaign.year}-{campaign.pooling_body.siren or campaign.pooling_body.pk}"
    )
    if campaign.is_sample:
        name += "-donnees-fictives"
    response = HttpResponse(data, content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _page(
    request: HttpRequest,
    template: str,
    campaign: Campaign,
    rights: CampaignRights,
    status: int = 200,
    **context: object,
) -> HttpResponse:
    base = {
        "body": campaign.pooling_body,
        "campaign": campaign,
        "abilities": rights.abilities,
        "rights": rights,
        "current_phase": "diagnostic",
    }
    return render(request, template, base | context, status=status)


def _upload_page(
    request: HttpRequest,
    campaign: Campaign,
    rights: CampaignRights,
    form: ImportForm,
    problems: list[ProblemGroup],
) -> HttpResponse:
    return _page(
        request,
        "inventory/import.html",
        campaign,
        rights,
        400 if problems else 200,
        form=form,
        problems=problems,
        max_mb=max_upload_bytes() // (1024 * 1024),
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, pk: int, campaign_pk: int) -> HttpResponse:
    campaign, rights = get_campaign_rights_for(request.user, pk, campaign_pk)
    if not rights.can_import:
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        too_large = size_problem(uploaded.size)
        try:
            if too_large is not None:
                raise imports.ImportRejected([too_large])
            if uploaded.size > import_jobs.background_bytes():
                # A large file is checked and previewed by a background job.
                pending = imports.stage_unchecked(
                    campaign,
                    uploaded.read(),
                    file_name=uploaded.name,
                    user=authenticated_user(request),
                )
                job = import_jobs.request_check(
                    pending, authenticated_user(request), member_ids=rights.import_scope
                )
                return redirect("jobs:detail", pk=pk, job_pk=job.pk)
            pending = imports.stage_import(
                campaign,
                uploaded.read(),
                file_name=uploaded.name,
                user=authenticated_user(request),
                member_ids=rights.import_scope,
            )
        except imports.ImportRejected as exc:
            return _upload_page(request, campaign, rights, form, exc.groups)
        return redirect(
            "inventory:import_preview", pk=pk, campaign_pk=campaign.pk, token=pending.token
        )
    return _upload_page(request, campaign, rights, form, [])


@login_required
@require_http_methods(["GET", "POST"])
def preview(request: HttpRequest, pk: int, campaign_pk: int, token: str) -> HttpResponse:
    campaign, rights, pending = get_pending_import_for(request.user, pk, campaign_pk, token)
    if request.method == "POST" and "cancel" in request.POST:
        imports.discard_import(pending)
        messages.info(request, _("Import abandonné : rien n'a été enregistré."))
        return redirect("inventory:campaign", pk=pk, campaign_pk=campaign.pk)
    if not pending.checked:  # a large file still being checked in the background
        job = import_jobs.check_job(pending)
        if job is None:
            raise Http404
        return redirect("jobs:detail", pk=pk, job_pk=job.pk)
    form = ConfirmImportForm(request.POST or None)
    try:
        if request.method == "POST" and form.is_valid() and import_jobs.runs_in_background(pending):
            job = import_jobs.request_import(
                pending,
                authenticated_user(request),
                member_ids=rights.import_scope,
                overwrite=form.cleaned_data["overwrite"],
                expected_digest=form.cleaned_data["digest"],
            )
            return redirect("jobs:detail", pk=pk, job_pk=job.pk)
        if request.method == "POST" and form.is_valid():
            result = imports.confirm_import(
                pending,
                user=request.user,
                member_ids=rights.import_scope,
                overwrite=form.cleaned_data["overwrite"],
                expected_digest=form.cleaned_data["digest"],
            )
            if result.log is None:
                messages.info(request, _("Le classeur ne change rien : rien n'a été enregistré."))
                return redirect("inventory:campaign", pk=pk, campaign_pk=campaign.pk)
            messages.success(request, _("Classeur importé."))
            return redirect(
                "inventory:import_log", pk=pk, campaign_pk=campaign.pk, log_pk=result.log.pk
            )
        preview_data = pending.preview or imports.preview_data(
            imports.preview_import(
                campaign,
                bytes(pending.data),
                file_name=pending.file_name,
                member_ids=rights.import_scope,
            ),
            {m.pk: m.name for m in campaign_members(campaign)},
        )
    except imports.ImportRejected as exc:
        return _upload_page(request, campaign, rights, ImportForm(), exc.groups)
    return _page(
        request,
        "inventory/import_preview.html",
        campaign,
        rights,
        pending=pending,
        preview=preview_data,
        form=ConfirmImportForm(initial={"digest": preview_data["digest"]}),
    )


@login_required
def log_list(request: HttpRequest, pk: int, campaign_pk: int) -> HttpResponse:
    campaign, rights = get_campaign_rights_for(request.user, pk, campaign_pk)
    if not rights.can_import:
        raise PermissionDenied
    return _page(
        request,
        "inventory/import_logs.html",
        campaign,
        rights,
        logs=import_logs(campaign, rights.import_scope),
    )


@login_required
def log_detail(request: HttpRequest, pk: int, campaign_pk: int, log_pk: int) -> HttpResponse:
    campaign, rights, log = get_import_log_for(request.user, pk, campaign_pk, log_pk)
    names = {m.pk: m.name for m in campaign_members(campaign)}
    return _page(
        request,
        "inventory/import_log.html",
        campaign,
        rights,
        log=log,
        entries=[e | {"member": names.get(e["member_id"], "")} for e in log.changes],
        undo_refusal=imports.undo_problem(log),
    )


@login_required
@require_http_methods(["GET", "POST"])
def undo(request: HttpRequest, pk: int, campaign_pk: int, log_pk: int) -> HttpResponse:
    campaign, _rights, log = get_import_log_for(request.user, pk, campaign_pk, log_pk)
    if request.method != "POST":  # the button lives on the log page
        return redirect("inventory:import_log", pk=pk, campaign_pk=campaign.pk, log_pk=log.pk)
    try:
        imports.undo_import(log, request.user)
    except InventoryError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Import annulé : les données d'avant l'import sont rétablies."))
    return redirect("inventory:import_log", pk=pk, campaign_pk=campaign.pk, log_pk=log.pk)
