"""Reading the scenario document in templates: dict lookups by a variable key,
percentages, and the engine's explanations."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

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


def _step(step: Mapping[str, str]) -> str:
    html = escape(step["label"])
    if step.get("formula"):
        html += " : " + escape(step["formula"])
    if step.get("result"):
        html += " = <strong>" + escape(step["result"]) + "</strong>"
    if step.get("reference"):
        html += " <em>(" + escape(step["reference"]) + ")</em>"
    return html


@register.simple_tag
def explanation(e: Mapping[str, Any]) -> SafeString:
    """An engine explanation (title, steps) as a closed `<details>` under its figure.

    Written in Python rather than as an included template: the results page of 158
    communes holds some 1 600 steps. Every text is escaped (`html.escape`).
    """
    steps = "".join("<li>" + _step(s) + "</li>" for s in e["steps"])
    return mark_safe(  # noqa: S308 - every piece of text above is escaped
        '<details class="explain"><summary>'
        + escape(gettext("Comment ce chiffre est calculé"))
        + "</summary>\n<p><strong>"
        + escape(e["title"])
        + "</strong></p>\n<ol>"
        + steps
        + "</ol>\n</details>"
    )
