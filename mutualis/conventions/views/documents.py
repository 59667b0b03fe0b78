"""Downloads: the documents of any version, the signed scan, the ZIP pack, the calendar."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils.text import slugify

from mutualis.accounts.access import authenticated_user, get_pooling_body_for
from mutualis.conventions import documents
from mutualis.conventions.access import get_party_for, get_version_for, visible_conventions
from mutualis.conventions.documents import TemplateRenderError
from mutualis.conventions.exports import DOCUMENT_PACK, pack_params
from mutualis.conventions.ical import conventions_calendar
from mutualis.conventions.models import ConventionVersion
from mutualis.jobs.services import request_job

TYPES = {**documents.FORMATS, "xlsx": documents.XLSX_TYPE}
KINDS = {"convention": ("docx", "odt", "pdf"), "annexe": ("docx", "odt", "pdf", "xlsx")}


def _attachment(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _base_name(version: ConventionVersion) -> str:
    name = f"{slugify(version.convention.title)[:60]}-v{version.number}"
    return name + ("-donnees-fictives" if version.convention.is_sample else "")


def _render_or_error(render: Callable[[], bytes]) -> bytes | HttpResponse:
    try:
        return render()
    except TemplateRenderError as exc:
        return HttpResponse(
            f"Le modèle de la structure ne peut pas être rendu : {exc}",
            status=422,
            content_type="text/plain; charset=utf-8",
        )


@login_required
def document(
    request: HttpRequest, pk: int, convention_pk: int, number: int, kind: str, fmt: str
) -> HttpResponse:
    version, _rights = get_version_for(request.user, pk, convention_pk, number)
    if fmt not in KINDS.get(kind, ()):
        raise Http404
    data = documents.document_data(version)
    renderer = documents.render_convention if kind == "convention" else documents.render_annex
    content = _render_or_error(lambda: renderer(data, fmt))
    if isinstance(content, HttpResponse):
        return content
    return _attachment(content, TYPES[fmt], f"{kind}-{_base_name(version)}.{fmt}")


@login_required
def deliberation_document(
    request: HttpRequest, pk: int, convention_pk: int, number: int, party_pk: int, fmt: str
) -> HttpResponse:
    version, rights = get_version_for(request.user, pk, convention_pk, number)
    if fmt not in documents.FORMATS:
        raise Http404
    party = get_party_for(version, rights, party_pk)
    data = documents.document_data(version)
    party = next(p for p in data.parties if p.pk == party.pk)
    content = _render_or_error(lambda: documents.render_deliberation(data, party, fmt))
    if isinstance(content, HttpResponse):
        return content
    name = f"deliberation-{slugify(party.name)}-{_base_name(version)}.{fmt}"
    return _attachment(content, TYPES[fmt], name)


@login_required
def pack(request: HttpRequest, pk: int, convention_pk: int, number: int) -> HttpResponse:
    """Queue the ZIP of every document as a background job and show its progress page."""
    version, _rights = get_version_for(request.user, pk, convention_pk, number)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    body = version.convention.pooling_body
    job = request_job(body, DOCUMENT_PACK, authenticated_user(request), pack_params(version))
    return redirect("jobs:detail", pk=pk, job_pk=job.pk)


@login_required
def scan(request: HttpRequest, pk: int, convention_pk: int, number: int) -> FileResponse:
    version, _rights = get_version_for(request.user, pk, convention_pk, number)
    if not version.signed_scan:
        raise Http404
    return FileResponse(
        version.signed_scan.open("rb"),
        as_attachment=True,
        filename=f"signee-{_base_name(version)}.pdf",
        content_type="application/pdf",
    )


@login_required
def calendar(request: HttpRequest, pk: int) -> HttpResponse:
    body, abilities = get_pooling_body_for(request.user, pk)
    versions = ConventionVersion.objects.filter(
        convention__in=visible_conventions(body.pk, abilities), status__in=("signed", "in_force")
    ).select_related("convention")
    content = conventions_calendar(versions, host=request.get_host())
    return _attachment(content, "text/calendar; charset=utf-8", "echeances-conventions.ics")
