from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Sum
from django.forms import BaseForm as Form
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mutualis.accounts import services as accounts
from mutualis.accounts.access import (
    authenticated_user,
    get_member_for,
    get_pooling_body_for,
    is_platform_admin,
    pooling_bodies_for,
    require_manage,
)
from mutualis.locking import FIELD_NAME, StaleEdit, posted_version
from mutualis.navigation.phases import PHASES_BY_SLUG
from mutualis.refdata.services import UnknownEpci, current_version
from mutualis.territories import services
from mutualis.territories.forms import (
    AttributeForm,
    DomainForm,
    EpciForm,
    MemberAdminForm,
    MemberForm,
    MembershipForm,
    PoolingBodySettingsForm,
)
from mutualis.territories.models import Domain, Membership, PoolingBody


def _form_page(
    request: HttpRequest,
    body: PoolingBody,
    form: Form,
    title: str,
    back: str,
    version: str = "",
) -> HttpResponse:
    return render(
        request,
        "territories/form.html",
        {
            "body": body,
            "form": form,
            "title": title,
            "back": back,
            "version": version,
            "current_phase": "territoire",
        },
    )


def _save_versioned(request: HttpRequest, form: ModelForm[Any]) -> tuple[bool, str]:
    """Save an edit form carrying its record's version: (saved, version to render)."""
    posted = request.POST.get(FIELD_NAME)
    if request.method != "POST":
        return False, services.saved_version(form)
    if form.is_valid():
        try:
            services.save_versioned(
                form, posted_version(request.POST) if form.instance.pk is not None else posted
            )
        except StaleEdit as exc:
            form.add_error(None, str(exc))
            return False, services.saved_version(form)
        return True, ""
    return False, posted if posted is not None else services.saved_version(form)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    bodies = list(pooling_bodies_for(request.user).annotate(member_count=Count("members")))
    if len(bodies) == 1 and not is_platform_admin(request.user):
        return redirect("territories:detail", pk=bodies[0].pk)
    return render(
        request,
        "territories/home.html",
        {"bodies": bodies, "can_create": is_platform_admin(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def create_from_epci(request: HttpRequest) -> HttpResponse:
    if not is_platform_admin(request.user):
        raise PermissionDenied
    form = EpciForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            body = accounts.create_pooling_body_from_epci(
                form.cleaned_data["siren"].strip(), created_by=authenticated_user(request)
            )
        except (UnknownEpci, services.TerritoryError) as exc:
            form.add_error("siren", str(exc))
        else:
            messages.success(
                request,
                _("%(name)s créée avec %(count)s communes membres.")
                % {"name": body.name, "count": body.members.count()},
            )
            return redirect("territories:detail", pk=body.pk)
    return render(request, "territories/create.html", {"form": form})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    body, abilities = get_pooling_body_for(request.user, pk)
    members = body.members.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.order_by("joined_on"))
    ).order_by("name")
    totals = body.members.aggregate(
        municipale=Sum("population_municipale"), totale=Sum("population_totale")
    )
    return render(
        request,
        "territories/detail.html",
        {
            "body": body,
            "abilities": abilities,
            "members": members,
            "totals": totals,
            "refdata_version": current_version(),
            "current_phase": "territoire",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def body_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """The body's settings, edited by its administrators (« transparence entre communes »)."""
    body, abilities = get_pooling_body_for(request.user, pk)
    require_manage(abilities)
    form = PoolingBodySettingsForm(request.POST or None, instance=body)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Paramètres de %(name)s enregistrés.") % {"name": body.name})
        return redirect("territories:detail", pk=body.pk)
    return _form_page(
        request,
        body,
        form,
        _("Paramètres de %(name)s") % {"name": body.name},
        reverse("territories:detail", args=[body.pk]),
    )


@login_required
def member_detail(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    member, abilities = get_member_for(request.user, pk, member_pk)
    history = sorted(
        [
            *member.history.select_related("history_user")[:20],
            *Membership.history.filter(member_id=member.pk).select_related("history_user")[:20],
        ],
        key=lambda h: h.history_date,
        reverse=True,
    )[:20]
    return render(
        request,
        "territories/member_detail.html",
        {
            "body": member.pooling_body,
            "member": member,
            "abilities": abilities,
            "can_edit": abilities.can_edit_member(member),
            "attributes": member.attributes.all(),
            "memberships": member.memberships.all(),
            "referents": member.referents.select_related("user"),
            "history": history,
            "current_phase": "territoire",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    member, abilities = get_member_for(request.user, pk, member_pk, edit=True)
    form_class = MemberAdminForm if abilities.can_manage else MemberForm
    form = form_class(request.POST or None, instance=member)
    saved, version = _save_versioned(request, form)
    if saved:
        messages.success(request, _("Fiche de %(name)s enregistrée.") % {"name": member.name})
        return redirect("territories:member", pk=pk, member_pk=member.pk)
    return _form_page(
        request,
        member.pooling_body,
        form,
        _("Modifier %(name)s") % {"name": member.name},
        reverse("territories:member", args=[pk, member.pk]),
        version,
    )


@login_required
@require_http_methods(["GET", "POST"])
def attribute_add(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    member, _abilities = get_member_for(request.user, pk, member_pk, edit=True)
    form = AttributeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.set_attribute(member, **form.cleaned_data)
        messages.success(request, _("Attribut enregistré."))
        return redirect("territories:member", pk=pk, member_pk=member.pk)
    return _form_page(
        request,
        member.pooling_body,
        form,
        _("Ajouter un attribut à %(name)s") % {"name": member.name},
        reverse("territories:member", args=[pk, member.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_add(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    member, abilities = get_member_for(request.user, pk, member_pk)
    require_manage(abilities)
    form = MembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_membership(member, **form.cleaned_data)
        except services.TerritoryError as exc:
            form.add_error("joined_on", str(exc))
        else:
            messages.success(request, _("Adhésion enregistrée."))
            return redirect("territories:member", pk=pk, member_pk=member.pk)
    return _form_page(
        request,
        member.pooling_body,
        form,
        _("Ajouter une période d'adhésion pour %(name)s") % {"name": member.name},
        reverse("territories:member", args=[pk, member.pk]),
    )


@login_required
def domains(request: HttpRequest, pk: int) -> HttpResponse:
    body, abilities = get_pooling_body_for(request.user, pk)
    return render(
        request,
        "territories/domains.html",
        {
            "body": body,
            "abilities": abilities,
            "domains": body.domains.all(),
            "families": Domain.Family,
            "current_phase": "territoire",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def domain_edit(request: HttpRequest, pk: int, domain_pk: int | None = None) -> HttpResponse:
    body, abilities = get_pooling_body_for(request.user, pk)
    require_manage(abilities)
    if domain_pk is None:
        instance = Domain(pooling_body=body)
    else:
        found = body.domains.filter(pk=domain_pk).first()
        if found is None:
            raise Http404
        instance = found
    form = DomainForm(request.POST or None, instance=instance)
    saved, version = _save_versioned(request, form)
    if saved:
        messages.success(request, _("Domaine enregistré."))
        return redirect("territories:domains", pk=body.pk)
    return _form_page(
        request,
        body,
        form,
        _("Nouveau domaine") if domain_pk is None else instance.name,
        reverse("territories:domains", args=[body.pk]),
        version,
    )


@login_required
def phase(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    body, abilities = get_pooling_body_for(request.user, pk)
    current = PHASES_BY_SLUG.get(slug)
    if current is None:
        raise Http404
    if current.url_name:
        return redirect(current.url_name, pk=body.pk)
    return render(
        request,
        "territories/phase.html",
        {"body": body, "phase": current, "abilities": abilities, "current_phase": slug},
    )
