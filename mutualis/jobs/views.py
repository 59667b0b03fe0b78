"""The progress page of a background job, its download and its retry.

The page refreshes itself every few seconds without JavaScript (a meta refresh inside
<noscript>); with htmx, only the progress block is polled.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from mutualis.jobs import services
from mutualis.jobs.access import get_job_for
from mutualis.jobs.registry import registered

REFRESH_SECONDS = 2


def _context(request: HttpRequest, job_pk: int, pk: int) -> dict[str, object]:
    job = get_job_for(request.user, pk, job_pk)
    kind = registered().get(job.kind)
    finished = job.is_done or job.is_failed
    follow = kind.follow if kind is not None and finished else None
    return {
        "body": job.pooling_body,
        "job": job,
        "label": kind.label if kind else job.kind,
        "next_step": follow(job) if follow is not None else None,
        "refresh_seconds": REFRESH_SECONDS,
    }


@login_required
def detail(request: HttpRequest, pk: int, job_pk: int) -> HttpResponse:
    context = _context(request, job_pk, pk)  # access first: another body's job is a 404
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    if request.headers.get("HX-Request"):
        return render(request, "jobs/_progress.html", context)
    return render(request, "jobs/detail.html", context)


@login_required
def download(request: HttpRequest, pk: int, job_pk: int) -> FileResponse:
    job = get_job_for(request.user, pk, job_pk)
    if request.method not in ("GET", "HEAD") or not job.is_done:
        raise Http404
    try:
        handle = job.result.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(
        handle, as_attachment=True, filename=job.result_name, content_type=job.content_type
    )


@login_required
def retry(request: HttpRequest, pk: int, job_pk: int) -> HttpResponse:
    job = get_job_for(request.user, pk, job_pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.retry_job(job)
    return redirect("jobs:detail", pk=pk, job_pk=job.pk)
