"""The year's statements of every member as one PDF or one workbook, built in the
background (mutualis.jobs): the statements page only queues the job and shows progress."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutualis.jobs.models import Job
from mutualis.jobs.registry import JobFailed, JobFile, JobKind, Report
from mutualis.operations import documents
from mutualis.operations.models import Statement
from mutualis.territories.models import PoolingBody

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def statements_params(year: int, member_ids: frozenset[int] | None) -> dict[str, object]:
    """The year, and the members the requester sees (None: all; a référent its commune)."""
    return {"year": year, "member_ids": None if member_ids is None else sorted(member_ids)}


def _render_pdf(statements: list[Statement], title: str, progress: Report) -> bytes:
    """From 20 % (statements read) to 95 %: the HTML built, then the pages laid out."""

    def report(percent: int, message: str) -> None:
        progress(20 + 75 * percent // 100, message)

    return documents.statements_pdf(statements, title, on_progress=report)


def _render_xlsx(statements: list[Statement], title: str, progress: Report) -> bytes:
    progress(50, _("Écriture du classeur."))
    return documents.statements_xlsx(statements, title[:31])


def _build(
    render: Callable[[list[Statement], str, Report], bytes],
    extension: str,
    content_type: str,
    job: Job,
    progress: Report,
) -> JobFile:
    body = PoolingBody.objects.get(pk=job.pooling_body_id)
    year = int(str(job.params.get("year")))
    listed = Statement.objects.filter(pooling_body=body, year=year)
    member_ids = job.params.get("member_ids")
    if isinstance(member_ids, list):
        listed = listed.filter(member_id__in=member_ids)
    progress(5, _("Lecture des états %(y)s.") % {"y": year})
    statements = list(documents.with_lines(listed))
    if not statements:
        raise JobFailed(_("Aucun état pour l'exercice %(y)s.") % {"y": year})
    data = render(statements, _("États %(y)s — %(b)s") % {"y": year, "b": body.name}, progress)
    sample = "-exemple-fictif" if any(s.is_sample for s in statements) else ""
    return JobFile(f"etats-{year}{sample}.{extension}", data, content_type)


STATEMENTS_PDF = JobKind(
    name="operations.statements_pdf",
    label=str(gettext_lazy("États de l'exercice (PDF)")),
    build=partial(_build, _render_pdf, "pdf", "application/pdf"),
)
STATEMENTS_XLSX = JobKind(
    name="operations.statements_xlsx",
    label=str(gettext_lazy("États de l'exercice (Excel)")),
    build=partial(_build, _render_xlsx, "xlsx", XLSX_TYPE),
)
