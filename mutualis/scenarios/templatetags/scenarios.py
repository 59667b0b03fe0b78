"""Reading the scenario document in templates (dict lookups by a variable key)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def lookup(mapping: Mapping[str, Any] | None, key: str) -> Any:
    """`{{ member.allocations|lookup:method.method }}`."""
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def percent(value: str | None) -> str:
    """`"12.5"` → `12,5 %` (the document holds percentages as strings)."""
    if value is None or value == "":
        return "—"
    return str(value).replace(".", ",").replace("-", "−") + "\u00a0%"
