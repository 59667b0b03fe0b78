"""Platform views: the health probe and the CSRF failure page."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mutualis.jobs.queries import worker_alive


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers and a worker beat recently; 503 otherwise.

    JSON: {"status": "ok"|"degraded"|"down", "database": bool, "worker": bool}. A missing
    worker is "degraded" (pages work, exports wait), still a 503 so that monitoring sees it.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = True
    except DatabaseError:
        database = False
    worker = database and worker_alive()
    status = "ok" if worker else ("degraded" if database else "down")
    return JsonResponse(
        {"status": status, "database": database, "worker": worker},
        status=200 if worker else 503,
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The French CSRF failure page, in the site's layout (CSRF_FAILURE_VIEW)."""
    from django.middleware.csrf import REASON_NO_CSRF_COOKIE

    return render(
        request, "403_csrf.html", {"no_cookie": reason == REASON_NO_CSRF_COOKIE}, status=403
    )
