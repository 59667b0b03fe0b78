"""Inviting people by e-mail, and the link that lets them in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mutualis.accounts import services
from mutualis.accounts.access import authenticated_user, get_invitation_for, get_managed_body_for
from mutualis.accounts.forms import InviteForm
from mutualis.accounts.views.users import invitation_link_builder


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    body, _abilities = get_managed_body_for(request.user, pk)
    form = InviteForm(request.POST or None, pooling_body=body)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite(
                body,
                form.cleaned_data["email"],
                form.cleaned_data["name"],
                form.cleaned_data["member"],
                by=authenticated_user(request),
                link_for=invitation_link_builder(request),
            )
        except services.InvitationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Invitation envoyée à %(email)s.") % {"email": invitation.email}
            )
            return redirect("accounts:roles", pk=body.pk)
    return render(
        request,
        "accounts/form.html",
        {
            "body": body,
            "form": form,
            "title": _("Inviter une personne"),
            "intro": _(
                "La personne reçoit un courriel avec un lien, valable sept jours et une seule "
                "fois, pour choisir son mot de passe. Son rôle lui est accordé à ce moment-là."
            ),
            "submit": _("Envoyer l'invitation"),
            "current_phase": "territoire",
        },
    )


@login_required
@require_POST
def invitation_resend(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    invitation, body = get_invitation_for(request.user, pk, invitation_pk)
    try:
        services.resend_invitation(
            invitation, by=authenticated_user(request), link_for=invitation_link_builder(request)
        )
    except services.InvitationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Invitation renvoyée à %(email)s.") % {"email": invitation.email}
        )
    return redirect("accounts:roles", pk=body.pk)


@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone holding a valid link chooses the password of the invited account."""
    try:
        invitation = services.read_invitation(token)
    except services.InvitationError as exc:
        return render(request, "accounts/invitation_invalid.html", {"error": exc}, status=400)
    account = services.account_for_invitation(invitation)
    form = SetPasswordForm(account, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(invitation, form.cleaned_data["new_password1"])
        except services.InvitationError as exc:
            return render(request, "accounts/invitation_invalid.html", {"error": exc}, status=400)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            _("Bienvenue : votre mot de passe est enregistré. Votre identifiant est %(username)s.")
            % {"username": user.get_username()},
        )
        return redirect("territories:detail", pk=invitation.pooling_body_id)
    return render(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "form": form, "username": account.get_username()},
    )
