"""Campaign list, completion matrix, campaign status and reminders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mutualis.accounts.access import get_pooling_body_for, require_manage
from mutualis.inventory import queries, rules, services
from mutualis.inventory.access import get_campaign_for, get_campaign_rights_for
from mutualis.inventory.forms import CampaignForm
from mutualis.inventory.models import Campaign
from mutualis.territories.models import Member

PHASE = "diagnostic"


@login_required
@require_http_methods(["GET", "POST"])
def campaigns(request: HttpRequest, pk: int) -> HttpResponse:
    body, abilities = get_pooling_body_for(request.user, pk)
    form = None
    if abilities.can_manage:
        form = CampaignForm(request.POST or None, body=body)
    elif request.method == "POST":
        raise PermissionDenied
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            campaign = services.open_campaign(
                body,
                form.cleaned_data["year"],
                deadline=form.cleaned_data["deadline"],
                domains=form.cleaned_data["domains"],
            )
        except services.InventoryError as exc:
            form.add_error("year", str(exc))
        else:
            messages.success(request, _("Campagne %(year)s ouverte.") % {"year": campaign.year})
            return redirect("inventory:campaign", pk=body.pk, campaign_pk=campaign.pk)
    referent_members = Member.objects.filter(pk__in=abilities.referent_member_ids).order_by("name")
    return render(
        request,
        "inventory/campaigns.html",
        {
            "body": body,
            "abilities": abilities,
            "campaigns": body.campaigns.all(),
            "form": form,
            "referent_members": referent_members,
            "current_phase": PHASE,
        },
    )


@login_required
def campaign(request: HttpRequest, pk: int, campaign_pk: int) -> HttpResponse:
    campaign, rights = get_campaign_rights_for(request.user, pk, campaign_pk)
    abilities = rights.abilities
    if rights.read_scope is not None:
        members = Member.objects.filter(
            pk__in=rights.read_scope, pooling_body_id=campaign.pooling_body_id
        ).order_by("name")
        table = services.completion(campaign, members)
    else:
        table = services.completion(campaign)
    return render(
        request,
        "inventory/campaign.html",
        {
            "body": campaign.pooling_body,
            "campaign": campaign,
            "abilities": abilities,
            "table": table,
            "imports": campaign.imports.select_related("user")[:10],
            "pending_imports": (
                queries.pending_imports(campaign, request.user) if rights.can_import else ()
            ),
            "rights": rights,
            "can_import": rights.can_import,
            "deadline_passed": rules.deadline_passed(campaign.deadline, timezone.localdate()),
            "current_phase": PHASE,
        },
    )


@login_required
def campaign_status(request: HttpRequest, pk: int, campaign_pk: int) -> HttpResponse:
    campaign, abilities = get_campaign_for(request.user, pk, campaign_pk)
    require_manage(abilities)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    status = request.POST.get("status", "")
    if status not in Campaign.Status.values:
        messages.error(request, _("Statut de campagne inconnu."))
    else:
        services.set_campaign_status(campaign, status)
        messages.success(
            request,
            _("Campagne clôturée.")
            if status == Campaign.Status.CLOSED
            else _("Campagne rouverte."),
        )
    return redirect("inventory:campaign", pk=pk, campaign_pk=campaign.pk)


@login_required
def remind(request: HttpRequest, pk: int, campaign_pk: int) -> HttpResponse:
    campaign, abilities = get_campaign_for(request.user, pk, campaign_pk)
    require_manage(abilities)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])

    def link_for(member: Member) -> str:
        return request.build_absolute_uri(
            reverse("inventory:member", args=[pk, campaign.pk, member.pk])
        )

    result = services.send_reminders(campaign, link_for=link_for)
    messages.success(
        request,
        _("%(count)s relance(s) envoyée(s).") % {"count": len(result.sent_to)},
    )
    if result.members_without_referent:
        messages.warning(
            request,
            _("Sans référent·e joignable par courriel : %(names)s.")
            % {"names": ", ".join(m.name for m in result.members_without_referent)},
        )
    return redirect("inventory:campaign", pk=pk, campaign_pk=campaign.pk)
