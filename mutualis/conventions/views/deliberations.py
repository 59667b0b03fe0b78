"""Recording a party's deliberation: the coordinator for any party, a référent for its own."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mutualis.accounts.access import authenticated_user
from mutualis.conventions import services
from mutualis.conventions.access import get_convention_for, get_party_for
from mutualis.conventions.forms import DeliberationForm
from mutualis.conventions.services import ConventionError, DeliberationInput


@login_required
@require_http_methods(["GET", "POST"])
def record(request: HttpRequest, pk: int, convention_pk: int, party_pk: int) -> HttpResponse:
    convention, version, rights = get_convention_for(request.user, pk, convention_pk)
    party = get_party_for(version, rights, party_pk)
    if not rights.can_record(party):
        raise PermissionDenied
    instance = getattr(party, "deliberation", None)
    form = DeliberationForm(request.POST or None, instance=instance, version=version)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_deliberation(
                party,
                DeliberationInput(
                    data["deciding_body"],
                    data["voted_on"],
                    data["number"],
                    data["votes_for"],
                    data["votes_against"],
                    data["abstentions"],
                ),
                authenticated_user(request),
            )
        except ConventionError as exc:
            for problem in exc.problems:
                form.add_error(
                    problem.field if problem.field in form.fields else None, problem.message
                )
        else:
            messages.success(
                request, _("Délibération de %(name)s enregistrée.") % {"name": party.name}
            )
            return redirect("conventions:detail", pk=pk, convention_pk=convention.pk)
    return render(
        request,
        "conventions/deliberation.html",
        {
            "body": convention.pooling_body,
            "convention": convention,
            "party": party,
            "form": form,
            "current_phase": "conventions",
        },
    )
