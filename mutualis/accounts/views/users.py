"""The body administrator's page of users: roles, invitations, deactivation, unlocking."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mutualis.accounts import queries, services
from mutualis.accounts.access import (
    authenticated_user,
    get_body_user_for,
    get_managed_body_for,
    get_role_for,
    is_platform_admin,
)
from mutualis.accounts.forms import GrantRoleForm, RoleEditForm


def _back(pk: int) -> HttpResponse:
    return redirect("accounts:roles", pk=pk)


def invitation_link_builder(request: HttpRequest) -> services.LinkBuilder:
    return lambda token: request.build_absolute_uri(
        reverse("accounts:invitation_accept", args=[token])
    )


@login_required
@require_http_methods(["GET", "POST"])
def roles(request: HttpRequest, pk: int) -> HttpResponse:
    body, abilities = get_managed_body_for(request.user, pk)
    form = GrantRoleForm(
        request.POST or None, pooling_body=body, any_account=is_platform_admin(request.user)
    )
    if request.method == "POST" and form.is_valid():
        role = services.grant_role(
            form.cleaned_data["username"],
            body,
            form.cleaned_data["name"],
            form.cleaned_data["member"],
        )
        messages.success(request, _("Rôle accordé : %(role)s.") % {"role": role})
        return _back(body.pk)
    return render(
        request,
        "accounts/roles.html",
        {
            "body": body,
            "abilities": abilities,
            "form": form,
            "users": queries.body_users(body),
            "invitations": queries.pending_invitations(body),
            "unreachable": queries.members_without_reachable_referent(body),
            "current_phase": "territoire",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def role_edit(request: HttpRequest, pk: int, role_pk: int) -> HttpResponse:
    role, body = get_role_for(request.user, pk, role_pk)
    form = RoleEditForm(
        request.POST or None,
        pooling_body=body,
        initial={"name": role.name, "member": role.member_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_role(
                role,
                form.cleaned_data["name"],
                form.cleaned_data["member"],
                by=authenticated_user(request),
            )
        except services.RoleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Rôle modifié : %(role)s.") % {"role": role})
            return _back(body.pk)
    return render(
        request,
        "accounts/form.html",
        {
            "body": body,
            "form": form,
            "title": _("Modifier le rôle de %(user)s") % {"user": role.user.get_username()},
            "submit": _("Enregistrer"),
            "current_phase": "territoire",
        },
    )


@login_required
@require_POST
def role_revoke(request: HttpRequest, pk: int, role_pk: int) -> HttpResponse:
    role, body = get_role_for(request.user, pk, role_pk)
    try:
        services.revoke_role(role, by=authenticated_user(request))
    except services.RoleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Rôle retiré."))
    return _back(body.pk)


@login_required
@require_POST
def user_deactivate(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    account, body = get_body_user_for(request.user, pk, user_pk)
    try:
        services.deactivate_user(account, body, by=authenticated_user(request))
    except services.AccountError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Compte « %(user)s » désactivé : il ne peut plus se connecter.")
            % {"user": account.get_username()},
        )
    return _back(body.pk)


@login_required
@require_POST
def user_reinvite(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    account, body = get_body_user_for(request.user, pk, user_pk)
    try:
        invitation = services.reinvite_user(
            account, body, by=authenticated_user(request), link_for=invitation_link_builder(request)
        )
    except services.InvitationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Invitation envoyée à %(email)s.") % {"email": invitation.email}
        )
    return _back(body.pk)


@login_required
@require_POST
def user_unlock(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    account, body = get_body_user_for(request.user, pk, user_pk)
    services.unlock_user(account)
    messages.success(
        request,
        _("Compte « %(user)s » débloqué : il peut de nouveau se connecter.")
        % {"user": account.get_username()},
    )
    return _back(body.pk)
