"""A pooling body's own DOCX and ODT templates, overriding the defaults per legal form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mutualis.accounts.access import authenticated_user, get_pooling_body_for, require_manage
from mutualis.conventions import services
from mutualis.conventions.forms import TemplateForm


@login_required
@require_http_methods(["GET", "POST"])
def templates(request: HttpRequest, pk: int) -> HttpResponse:
    body, abilities = get_pooling_body_for(request.user, pk)
    require_manage(abilities)
    form = TemplateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.save_template(
            body,
            data["legal_form"],
            data["kind"],
            data["file"],
            authenticated_user(request),
            form.file_format,
        )
        messages.success(request, _("Modèle enregistré : il remplace le modèle par défaut."))
        return redirect("conventions:templates", pk=body.pk)
    return render(
        request,
        "conventions/templates.html",
        {
            "body": body,
            "form": form,
            "templates": body.convention_templates.order_by("legal_form", "kind", "file_format"),
            "current_phase": "conventions",
        },
    )
