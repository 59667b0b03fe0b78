"""Serving middleware: bounded request bodies and the Content-Security-Policy header."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, BinaryIO, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

Handler = Callable[[HttpRequest], HttpResponse]


class BodyTooLarge(OSError):
    """Raised while reading a body past the limit.

    An OSError, so that Django reads it as an unreadable upload; whatever the inner layers
    answer then, the middleware replaces it by a 413.
    """


class LimitedStream:
    """Wraps wsgi.input and stops reading once `limit` bytes have come in."""

    def __init__(self, stream: Any, limit: int) -> None:
        self.stream = stream
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def _count(self, data: bytes) -> bytes:
        self.received += len(data)
        if self.received > self.limit:
            self.exceeded = True
            raise BodyTooLarge(f"request body over {self.limit} bytes")
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)  # close() and the like, as the wrapped stream

    def _bounded(self, size: int | None) -> int:
        """Never ask for more than one byte past the limit: memory stays bounded."""
        room = self.limit - self.received + 1
        return room if size is None or size < 0 or size > room else size

    def read(self, size: int | None = -1) -> bytes:
        return self._count(self.stream.read(self._bounded(size)))

    def readline(self, size: int | None = -1) -> bytes:
        return self._count(self.stream.readline(self._bounded(size)))


def _too_large(request: HttpRequest) -> HttpResponse:
    message = _("Fichier trop volumineux : la limite est de %(limit)s par envoi.") % {
        "limit": filesizeformat(settings.MAX_UPLOAD_BYTES)
    }
    html = render_to_string("413.html", {"message": message})
    response = HttpResponse(html, status=413)
    response["Connection"] = "close"
    return response


class UploadLimitMiddleware:
    """Refuses a body over MAX_UPLOAD_BYTES before reading it, or as soon as it passes it.

    A declared Content-Length over the limit is refused at once; a body without one
    (chunked) or lying about it is counted while Django reads it, and reading stops at the
    limit instead of receiving the whole file.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.MAX_UPLOAD_BYTES + 64 * 1024  # room for the form's other fields
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return _too_large(request)
        stream = getattr(request, "_stream", None)
        if stream is None:
            return self.get_response(request)
        limited = LimitedStream(stream, limit)
        # Django reads the body only through read()/readline(), which LimitedStream provides.
        request._stream = cast(BinaryIO, limited)
        response = self.get_response(request)
        return _too_large(request) if limited.exceeded else response


class ContentSecurityPolicyMiddleware:
    """Adds CONTENT_SECURITY_POLICY (self only) to every HTML response."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
