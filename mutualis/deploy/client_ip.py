"""The client's address as django-axes must see it, behind TRUSTED_PROXY_COUNT proxies."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or the address the nearest trusted proxy appended to X-Forwarded-For.

    Each proxy appends the address it received the request from; with N trusted proxies the
    client is the N-th address from the right. Addresses further left are the client's own
    claims and are ignored, so a forged header cannot dodge the lockout.
    """
    remote_addr: str | None = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote_addr
    forwarded_for: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [part.strip() for part in forwarded_for.split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote_addr
    return forwarded[-count]
