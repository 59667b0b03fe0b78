"""The navigation of every page: the lifecycle phases."""

from __future__ import annotations

from django.http import HttpRequest

from mutualis.navigation.phases import PHASES


def navigation(request: HttpRequest) -> dict[str, object]:
    return {"phases": PHASES}
