"""Display filters shared by every template (loaded as builtins)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from mutualis.engine.money import NNBSP, format_euros

register = template.Library()


@register.filter
def euros(value: Decimal | int | str | None) -> str:
    """`412318` → `412 318,00 €`."""
    if value is None or value == "":
        return "—"
    return format_euros(value)


@register.filter
def integer(value: int | None) -> str:
    """Thousands separated by a narrow no-break space: `158 432`."""
    if value is None:
        return "—"
    return f"{int(value):,}".replace(",", NNBSP)
