"""One member's entry: overview, a domain's answer, assets, contracts, submit, reopen."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mutualis.accounts.access import authenticated_user, require_manage
from mutualis.inventory import queries, rules, services, versions
from mutualis.inventory.access import entry_rights, get_campaign_member_for
from mutualis.inventory.forms import (
    AssetFormSet,
    ContractFormSet,
    CostForm,
    ServiceRecordForm,
    StaffForm,
)
from mutualis.inventory.models import (
    Asset,
    Contract,
    CostLine,
    ServiceRecord,
    StaffLine,
    Submission,
)
from mutualis.locking import FIELD_NAME, Snapshot, StaleEdit, posted_version, version_of

PHASE = "diagnostic"


def _version(request: HttpRequest, stale: bool, saved: Callable[[], Snapshot]) -> str:
    """The version the form carries: the posted one while the user corrects their input,
    the saved one on a fresh form or after a refused stale save (to save over it knowingly).
    """
    posted = request.POST.get(FIELD_NAME)
    if request.method == "POST" and not stale and posted is not None:
        return posted
    return version_of(saved())


def _submission(campaign: Any, member: Any) -> Submission | None:
    return Submission.objects.filter(campaign=campaign, member=member).first()


@login_required
def member(request: HttpRequest, pk: int, campaign_pk: int, member_pk: int) -> HttpResponse:
    campaign, member, abilities = get_campaign_member_for(request.user, pk, campaign_pk, member_pk)
    # The page names who submitted and who reopened: loaded with the submission.
    submission = (
        Submission.objects.filter(campaign=campaign, member=member)
        .select_related("submitted_by", "reopened_by")
        .first()
    )
    today = timezone.localdate()
    records = {
        r.domain_id: r
        for r in ServiceRecord.objects.filter(campaign=campaign, member=member).prefetch_related(
            Prefetch("staff_lines", queryset=StaffLine.objects.all()),
            Prefetch("cost_lines", queryset=CostLine.objects.all()),
        )
    }
    rows = []
    for domain in queries.campaign_domains(campaign):
        record = records.get(domain.pk)
        fte = cost = None
        if record is not None:
            fte = sum((s.fte for s in record.staff_lines.all()), Decimal(0))
            cost = rules.total_cost(
                (s.cost_amount for s in record.staff_lines.all()),
                (c.amount for c in record.cost_lines.all()),
            )
        rows.append({"domain": domain, "record": record, "fte": fte, "cost": cost})
    return render(
        request,
        "inventory/member.html",
        {
            "body": campaign.pooling_body,
            "campaign": campaign,
            "member": member,
            "abilities": abilities,
            "rights": entry_rights(abilities, campaign, member, submission),
            "submission": submission,
            "rows": rows,
            "assets": Asset.objects.filter(campaign=campaign, member=member).select_related(
                "domain"
            ),
            "contracts": [
                (c, rules.contract_dates(c.end_on, c.notice_period_months, today))
                for c in Contract.objects.filter(campaign=campaign, member=member).select_related(
                    "domain"
                )
            ],
            "deadline_passed": rules.deadline_passed(campaign.deadline, today),
            "current_phase": PHASE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def service_edit(
    request: HttpRequest, pk: int, campaign_pk: int, member_pk: int, domain_pk: int
) -> HttpResponse:
    campaign, member, abilities = get_campaign_member_for(
        request.user, pk, campaign_pk, member_pk, edit=True
    )
    domain = campaign.domains.filter(pk=domain_pk).first()
    if domain is None:
        raise Http404
    rights = entry_rights(abilities, campaign, member, _submission(campaign, member))
    if request.method == "POST" and not rights.can_edit:
        raise PermissionDenied
    # Its lines fill the form and make its version: loaded once, with the record.
    record = (
        ServiceRecord.objects.filter(campaign=campaign, member=member, domain=domain)
        .prefetch_related("staff_lines", "cost_lines")
        .first()
    )
    data = request.POST if request.method == "POST" else None
    form = ServiceRecordForm(data, instance=record, domain=domain, prefix="service")
    staff_form = StaffForm(
        data,
        prefix="staff",
        initial=StaffForm.initial_from(record.staff_lines.all()) if record else None,
    )
    cost_form = CostForm(
        data,
        prefix="costs",
        initial=CostForm.initial_from(record.cost_lines.all()) if record else None,
    )
    stale = False
    if request.method == "POST" and all(
        [form.is_valid(), staff_form.is_valid(), cost_form.is_valid()]
    ):
        try:
            services.save_service_record(
                campaign,
                member,
                domain,
                values=form.values(),
                staff=[services.StaffInput(*line) for line in staff_form.lines()],
                costs=[services.CostInput(*line) for line in cost_form.lines()],
                as_manager=abilities.can_manage,
                version=posted_version(request.POST),
            )
        except StaleEdit as exc:
            form.add_error(None, str(exc))
            stale = True
        except services.InventoryError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(domain)s : brouillon enregistré pour %(member)s.")
                % {"domain": domain.name, "member": member.name},
            )
            return redirect("inventory:member", pk=pk, campaign_pk=campaign.pk, member_pk=member.pk)
    return render(
        request,
        "inventory/service_form.html",
        {
            "body": campaign.pooling_body,
            "campaign": campaign,
            "member": member,
            "domain": domain,
            "rights": rights,
            "form": form,
            "staff_form": staff_form,
            "cost_form": cost_form,
            "version": _version(
                request,
                stale,
                lambda: versions.saved_service_snapshot(
                    record
                    if request.method == "GET"
                    # After a post, fresh from the database: the form wrote into `record`.
                    else ServiceRecord.objects.filter(
                        campaign=campaign, member=member, domain=domain
                    ).first()
                ),
            ),
            "current_phase": PHASE,
        },
    )


def _rows_view(
    request: HttpRequest,
    pk: int,
    campaign_pk: int,
    member_pk: int,
    *,
    model: type[Asset] | type[Contract],
    formset_class: Any,
    title: str,
) -> HttpResponse:
    campaign, member, abilities = get_campaign_member_for(
        request.user, pk, campaign_pk, member_pk, edit=True
    )
    rights = entry_rights(abilities, campaign, member, _submission(campaign, member))
    if request.method == "POST" and not rights.can_edit:
        raise PermissionDenied
    queryset = model.objects.filter(campaign=campaign, member=member).order_by("pk")
    formset = formset_class(
        request.POST if request.method == "POST" else None,
        queryset=queryset,
        prefix="rows",
        form_kwargs={"domains": queries.campaign_domains(campaign)},
    )
    stale = False
    if request.method == "POST" and formset.is_valid():
        changes = [
            (form.instance if form.instance.pk else None, form.cleaned_data)
            for form in formset.forms
            if form.has_changed() and form not in formset.deleted_forms
        ]
        changes = [
            (instance, {k: v for k, v in data.items() if k not in {"id", "DELETE"}})
            for instance, data in changes
        ]
        deletions = [form.instance for form in formset.deleted_forms if form.instance.pk]
        try:
            services.save_member_rows(
                campaign,
                member,
                model,
                changes=changes,
                deletions=deletions,
                as_manager=abilities.can_manage,
                version=posted_version(request.POST),
            )
        except StaleEdit as exc:
            messages.error(request, str(exc))
            stale = True
        except services.InventoryError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Modifications enregistrées."))
            return redirect("inventory:member", pk=pk, campaign_pk=campaign.pk, member_pk=member.pk)
    return render(
        request,
        "inventory/rows_form.html",
        {
            "body": campaign.pooling_body,
            "campaign": campaign,
            "member": member,
            "rights": rights,
            "formset": formset,
            "title": title,
            "version": _version(
                request,
                stale,
                lambda: versions.saved_rows_snapshot(
                    model, model.objects.filter(campaign=campaign, member=member).order_by("pk")
                ),
            ),
            "current_phase": PHASE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assets(request: HttpRequest, pk: int, campaign_pk: int, member_pk: int) -> HttpResponse:
    return _rows_view(
        request,
        pk,
        campaign_pk,
        member_pk,
        model=Asset,
        formset_class=AssetFormSet,
        title=_("Équipements, bâtiments et véhicules"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def contracts(request: HttpRequest, pk: int, campaign_pk: int, member_pk: int) -> HttpResponse:
    return _rows_view(
        request,
        pk,
        campaign_pk,
        member_pk,
        model=Contract,
        formset_class=ContractFormSet,
        title=_("Contrats et logiciels"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, pk: int, campaign_pk: int, member_pk: int) -> HttpResponse:
    """GET: the confirmation page, naming the domains still unanswered; POST: transmit."""
    campaign, member, abilities = get_campaign_member_for(
        request.user, pk, campaign_pk, member_pk, edit=True
    )
    if request.method == "GET":
        rights = entry_rights(abilities, campaign, member, _submission(campaign, member))
        return render(
            request,
            "inventory/submit_confirm.html",
            {
                "body": campaign.pooling_body,
                "campaign": campaign,
                "member": member,
                "rights": rights,
                "unanswered": queries.unanswered_domains(campaign, member),
                "current_phase": PHASE,
            },
        )
    try:
        services.submit_inventory(campaign, member, authenticated_user(request))
    except services.InventoryError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("État des lieux de %(member)s transmis. Il n'est plus modifiable.")
            % {"member": member.name},
        )
    return redirect("inventory:member", pk=pk, campaign_pk=campaign.pk, member_pk=member.pk)


@login_required
def reopen(request: HttpRequest, pk: int, campaign_pk: int, member_pk: int) -> HttpResponse:
    campaign, member, abilities = get_campaign_member_for(request.user, pk, campaign_pk, member_pk)
    require_manage(abilities)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.reopen_submission(campaign, member, authenticated_user(request))
    except services.InventoryError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Saisie de %(member)s rouverte.") % {"member": member.name})
    return redirect("inventory:member", pk=pk, campaign_pk=campaign.pk, member_pk=member.pk)
