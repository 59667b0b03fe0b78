from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mutualis.accounts.access import get_pooling_body_for, require_manage
from mutualis.accounts.forms import GrantRoleForm
from mutualis.accounts.services import RoleError, grant_role, revoke_role


@login_required
@require_http_methods(["GET", "POST"])
def roles(request: HttpRequest, pk: int) -> HttpResponse:
    body, abilities = get_pooling_body_for(request.user, pk)
    require_manage(abilities)
    form = GrantRoleForm(request.POST or None, pooling_body=body)
    if request.method == "POST" and form.is_valid():
        role = grant_role(
            form.cleaned_data["username"],
            body,
            form.cleaned_data["name"],
            form.cleaned_data["member"],
        )
        messages.success(request, _("Rôle accordé : %(role)s.") % {"role": role})
        return redirect("accounts:roles", pk=body.pk)
    return render(
        request,
        "accounts/roles.html",
        {
            "body": body,
            "abilities": abilities,
            "form": form,
            "roles": body.roles.select_related("user", "member").order_by("user__username", "name"),
            "current_phase": "territoire",
        },
    )


@login_required
@require_POST
def role_revoke(request: HttpRequest, pk: int, role_pk: int) -> HttpResponse:
    body, abilities = get_pooling_body_for(request.user, pk)
    require_manage(abilities)
    role = body.roles.filter(pk=role_pk).first()
    if role is None:
        raise Http404
    try:
        revoke_role(role, by=request.user)
    except RoleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Rôle retiré."))
    return redirect("accounts:roles", pk=body.pk)
