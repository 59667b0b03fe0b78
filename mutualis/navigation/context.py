from __future__ import annotations

from django.http import HttpRequest

from mutualis.territories.phases import PHASES


def navigation(request: HttpRequest) -> dict[str, object]:
    return {"phases": PHASES}
