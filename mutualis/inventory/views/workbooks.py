"""Download the pre-filled workbook and upload it back."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mutualis.accounts.access import authenticated_user
from mutualis.inventory import services
from mutualis.inventory.access import get_campaign_rights_for
from mutualis.inventory.forms import ImportForm
from mutualis.inventory.workbook import export_workbook, max_upload_bytes, size_problem
from mutualis.sheets import XLSX_MIME, Problem


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


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, pk: int, campaign_pk: int) -> HttpResponse:
    campaign, rights = get_campaign_rights_for(request.user, pk, campaign_pk)
    if not rights.can_import:
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[Problem] = []
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        too_large = size_problem(uploaded.size)
        try:
            if too_large is not None:
                raise services.ImportRejected([too_large])
            log = services.import_workbook(
                campaign,
                uploaded.read(),
                file_name=uploaded.name,
                user=authenticated_user(request),
                member_ids=rights.import_scope,
            )
        except services.ImportRejected as exc:
            problems = list(exc.problems)
        else:
            messages.success(
                request,
                _(
                    "Classeur importé : %(created)s ligne(s) créée(s), %(updated)s modifiée(s), "
                    "%(deleted)s supprimée(s)."
                )
                % {
                    "created": log.created_count,
                    "updated": log.updated_count,
                    "deleted": log.deleted_count,
                },
            )
            return redirect("inventory:campaign", pk=pk, campaign_pk=campaign.pk)
    return render(
        request,
        "inventory/import.html",
        {
            "body": campaign.pooling_body,
            "campaign": campaign,
            "abilities": rights.abilities,
            "rights": rights,
            "form": form,
            "problems": problems,
            "max_mb": max_upload_bytes() // (1024 * 1024),
            "current_phase": "diagnostic",
        },
        status=400 if problems else 200,
    )
