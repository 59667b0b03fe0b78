"""Statements of a year: list and summaries, generation, statuses, corrections, files."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mutualis.accounts.access import authenticated_user
from mutualis.jobs.services import request_job
from mutualis.operations import documents, exports, services
from mutualis.operations.access import (
    get_body_for,
    get_statement_for,
    require_cycle,
    visible_statements,
)
from mutualis.operations.analysis import Frequency
from mutualis.operations.forms import CorrectionForm, GenerateForm
from mutualis.operations.models import FrozenStatement, Statement
from mutualis.operations.queries import summaries
from mutualis.operations.services import OperationsError

PHASE = "pilotage"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"pdf": "application/pdf", "xlsx": XLSX, "csv": "text/csv; charset=utf-8"}


def _file(content: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def statements(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    body, rights = get_body_for(request.user, pk)
    form = None
    if rights.can_run_cycle:
        form = GenerateForm(
            request.POST or None, initial={"frequency": Frequency.QUARTERLY.value, "index": 1}
        )
    elif request.method == "POST":
        raise PermissionDenied
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            result = services.generate_statements(
                body, year, Frequency(form.cleaned_data["frequency"]), form.cleaned_data["index"]
            )
        except OperationsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("%(n)s état(s) brouillon établi(s).") % {"n": len(result.created)}
            )
            for reason in result.skipped:
                messages.warning(request, reason)
            return redirect("operations:statements", pk=pk, year=year)
    listed = (
        visible_statements(body, rights)
        .filter(year=year)
        .select_related("member", "corrects")
        .annotate(line_count=Count("lines"))
        .order_by("period_start", "member__name", "number")
    )
    by_service, by_member = summaries(body, year, rights.visible_member_ids)
    totals = listed.aggregate(total=Sum("total_amount"))
    return render(
        request,
        "operations/statements.html",
        {
            "body": body,
            "rights": rights,
            "year": year,
            "years": [year - 1, year, year + 1],
            "statements": listed,
            "total": totals["total"],
            "by_service": by_service,
            "by_member": by_member,
            "form": form,
            "current_phase": PHASE,
        },
    )


@login_required
def statement(request: HttpRequest, pk: int, statement_pk: int) -> HttpResponse:
    statement, rights = get_statement_for(request.user, pk, statement_pk)
    return render(
        request,
        "operations/statement.html",
        {
            "body": statement.pooling_body,
            "statement": statement,
            "lines": statement.lines.all(),
            "corrections": statement.corrections.all(),
            "rights": rights,
            "can_change": rights.can_run_cycle and not statement.is_frozen,
            "can_correct": rights.can_run_cycle and statement.is_frozen,
            "next_actions": _next_actions(statement) if rights.can_run_cycle else [],
            "current_phase": PHASE,
        },
    )


def _next_actions(statement: Statement) -> list[tuple[str, str]]:
    labels = {"validate": _("Valider"), "issue": _("Émettre"), "pay": _("Marquer payé")}
    return [
        (action, labels[action])
        for action, (source, _target) in services.TRANSITIONS.items()
        if source == statement.status
    ]


@login_required
def statement_action(request: HttpRequest, pk: int, statement_pk: int) -> HttpResponse:
    statement, rights = get_statement_for(request.user, pk, statement_pk)
    require_cycle(rights)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    action = request.POST.get("action", "")
    try:
        if action == "delete":
            services.delete_draft(statement)
            messages.success(request, _("Brouillon supprimé."))
            return redirect("operations:statements", pk=pk, year=statement.year)
        services.change_status(statement, action)
    except (OperationsError, FrozenStatement) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("État %(n)s : %(s)s.")
            % {"n": statement.number, "s": statement.get_status_display().lower()},
        )
    return redirect("operations:statement", pk=pk, statement_pk=statement.pk)


@login_required
@require_http_methods(["GET", "POST"])
def statement_correct(request: HttpRequest, pk: int, statement_pk: int) -> HttpResponse:
    statement, rights = get_statement_for(request.user, pk, statement_pk)
    require_cycle(rights)
    form = CorrectionForm(request.POST or None, lines=statement.lines.all())
    if request.method == "POST" and form.is_valid():
        try:
            correction = services.correct_statement(
                statement, form.corrected(), form.cleaned_data["reason"]
            )
        except OperationsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("État rectificatif %(n)s établi.") % {"n": correction.number}
            )
            return redirect("operations:statement", pk=pk, statement_pk=correction.pk)
    return render(
        request,
        "operations/statement_correct.html",
        {
            "body": statement.pooling_body,
            "statement": statement,
            "form": form,
            "current_phase": PHASE,
        },
    )


@login_required
def statement_file(request: HttpRequest, pk: int, statement_pk: int, fmt: str) -> HttpResponse:
    statement, _rights = get_statement_for(request.user, pk, statement_pk)
    if fmt == "pdf":
        return _file(documents.statement_pdf(statement), fmt, f"etat-{statement.number}")
    if fmt == "xlsx":
        return _file(documents.statements_xlsx([statement]), fmt, f"etat-{statement.number}")
    raise Http404


@login_required
def statements_file(request: HttpRequest, pk: int, year: int, fmt: str) -> HttpResponse:
    """Every visible statement of the year, built in the background (mutualis.jobs):
    queue the job and show its progress page (no JavaScript needed)."""
    body, rights = get_body_for(request.user, pk)
    kinds = {"pdf": exports.STATEMENTS_PDF, "xlsx": exports.STATEMENTS_XLSX}
    if fmt not in kinds:
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    params = exports.statements_params(year, rights.visible_member_ids)
    job = request_job(body, kinds[fmt], authenticated_user(request), params)
    return redirect("jobs:detail", pk=pk, job_pk=job.pk)


@login_required
def titles(request: HttpRequest, pk: int, year: int, fmt: str) -> HttpResponse:
    """Bordereau of titles to issue: the issued statements of the year."""
    body, rights = get_body_for(request.user, pk)
    require_cycle(rights)
    issued = documents.with_lines(
        Statement.objects.filter(pooling_body=body, year=year, status=Statement.Status.ISSUED)
    )
    if fmt == "csv":
        return _file(documents.titles_csv(issued), fmt, f"bordereau-titres-{year}")
    if fmt == "xlsx":
        return _file(documents.titles_xlsx(issued), fmt, f"bordereau-titres-{year}")
    raise Http404
