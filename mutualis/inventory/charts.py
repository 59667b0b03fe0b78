"""Server-side SVG charts: the same markup inline in the page and in the PDF.

No JavaScript and no chart library. Each chart is an `<svg role="img">` with a `<title>`
and a `<desc>`; the templates always put the data table next to it (RGAA: the table is
the accessible alternative, the drawing only illustrates it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from mutualis.engine.money import format_euros
from mutualis.inventory.diagnostic import Diagnostic, MemberCost

FONT = 'font-family="system-ui, sans-serif" font-size="11"'
INK = "#1e1e28"
LINE = "#d9dbe3"
ACCENT = "#1f4e8c"
# Colour-blind-safe enough and distinguishable in grey print; the legend names each one.
SERIES_COLOURS = ("#1f4e8c", "#7fa7d9", "#17663a", "#b9bcc8", "#a3201d", "#e0a526")
LABEL_CHARS = 30
ROW = 18
BAR = 12


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    text: str  # the value as displayed, e.g. "26,50 €"


def _attr(text: str) -> str:
    return escape(text, quote=True)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _open(chart_id: str, width: int, height: int, title: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{_attr(chart_id)}" '
        f'role="img" aria-labelledby="{_attr(chart_id)}-titre {_attr(chart_id)}-desc" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f'<title id="{_attr(chart_id)}-titre">{escape(title)}</title>',
        f'<desc id="{_attr(chart_id)}-desc">{escape(description)}</desc>',
    ]


def horizontal_bars(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    description: str,
    width: int = 640,
    label_width: int = 190,
    value_width: int = 90,
) -> SafeString:
    """One bar per item, in the given order, lengths proportional to the values (≥ 0)."""
    top = 8
    height = top * 2 + ROW * max(len(bars), 1)
    area = width - label_width - value_width
    peak = max((b.value for b in bars), default=Decimal(0))
    parts = _open(chart_id, width, height, title, description)
    parts.append(
        f'<line x1="{label_width}" y1="{top - 4}" x2="{label_width}" '
        f'y2="{height - top + 4}" stroke="{LINE}"/>'
    )
    for index, bar in enumerate(bars):
        y = top + index * ROW
        length = 0 if peak <= 0 else round(float(max(bar.value, Decimal(0)) / peak) * area, 1)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + BAR - 2}" text-anchor="end" fill="{INK}" '
            f"{FONT}>{escape(_short(bar.label))}</text>"
        )
        parts.append(
            f'<rect class="bar" x="{label_width}" y="{y}" width="{length}" height="{BAR}" '
            f'fill="{ACCENT}"><title>{escape(bar.label)} : {escape(bar.text)}</title></rect>'
        )
        parts.append(
            f'<text x="{label_width + length + 4}" y="{y + BAR - 2}" fill="{INK}" '
            f"{FONT}>{escape(bar.text)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def stacked_bars(
    rows: Sequence[tuple[str, Sequence[int]]],
    series: Sequence[str],
    *,
    chart_id: str,
    title: str,
    description: str,
    width: int = 640,
    label_width: int = 190,
) -> SafeString:
    """One stacked bar per row (e.g. a domain), one segment per series (e.g. a mode).

    All bars share the scale of the largest row total, so lengths compare across rows.
    """
    legend_height = 22
    top = legend_height + 8
    height = top + 8 + ROW * max(len(rows), 1)
    area = width - label_width - 40
    peak = max((sum(counts) for _, counts in rows), default=0)
    parts = _open(chart_id, width, height, title, description)
    x = label_width
    for index, name in enumerate(series):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        parts.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="13" fill="{INK}" {FONT}>{escape(name)}</text>')
        x += 20 + 7 * len(name)
    for row_index, (label, counts) in enumerate(rows):
        y = top + row_index * ROW
        parts.append(
            f'<text x="{label_width - 6}" y="{y + BAR - 2}" text-anchor="end" fill="{INK}" '
            f"{FONT}>{escape(_short(label))}</text>"
        )
        x_bar = float(label_width)
        for index, count in enumerate(counts):
            if count <= 0 or peak <= 0:
                continue
            length = round(count / peak * area, 1)
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
            name = series[index] if index < len(series) else ""
            parts.append(
                f'<rect class="segment" x="{round(x_bar, 1)}" y="{y}" width="{length}" '
                f'height="{BAR}" fill="{colour}" stroke="#ffffff" stroke-width="0.5">'
                f"<title>{escape(label)} — {escape(name)} : {count}</title></rect>"
            )
            x_bar += length
        parts.append(
            f'<text x="{round(x_bar, 1) + 4}" y="{y + BAR - 2}" fill="{INK}" '
            f"{FONT}>{sum(counts)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


# --- the diagnostic's charts ----------------------------------------------------------------


def modes_chart(diagnostic: Diagnostic, chart_id: str = "modes") -> SafeString:
    """Provision modes per domain, stacked (the domains table is its data table)."""
    series = [m.label for m in diagnostic.domains[0].modes] if diagnostic.domains else []
    return stacked_bars(
        [(d.domain.name, [m.count for m in d.modes]) for d in diagnostic.domains],
        series,
        chart_id=chart_id,
        title=_("Modes de gestion par domaine"),
        description=_(
            "Nombre de membres par mode de gestion (en régie, externalisé, déjà mutualisé, "
            "non assuré) pour chacun des %(count)s domaines ; le tableau qui suit donne les "
            "mêmes chiffres."
        )
        % {"count": len(diagnostic.domains)},
    )


def cost_chart(
    costs: Sequence[MemberCost], chart_id: str = "cout-habitant", limit: int | None = None
) -> SafeString:
    """Cost per inhabitant per member, highest first; with `limit`, the `limit` highest only
    (the PDF: a chart taller than a page would not print; its table lists every member)."""
    shown = costs if limit is None else costs[:limit]
    if len(shown) < len(costs):
        description = _(
            "Coût annuel (personnel et fonctionnement) divisé par la population municipale, "
            "pour les %(count)s membres au coût le plus élevé sur %(total)s ; le tableau qui "
            "suit donne les chiffres de tous les membres."
        ) % {"count": len(shown), "total": len(costs)}
    else:
        description = _(
            "Coût annuel (personnel et fonctionnement) divisé par la population municipale, "
            "pour %(count)s membres, du plus élevé au plus faible ; le tableau qui suit donne "
            "les mêmes chiffres."
        ) % {"count": len(costs)}
    return horizontal_bars(
        [
            Bar(c.member.name, c.cost_per_inhabitant, format_euros(c.cost_per_inhabitant))
            for c in shown
        ],
        chart_id=chart_id,
        title=_("Coût par habitant par membre"),
        description=description,
    )


def score_chart(diagnostic: Diagnostic, chart_id: str = "scores") -> SafeString:
    """Opportunity score per domain, highest first."""
    ranked = diagnostic.by_score
    return horizontal_bars(
        [Bar(d.domain.name, Decimal(d.score.value), f"{d.score.value} / 100") for d in ranked],
        chart_id=chart_id,
        title=_("Score d'opportunité par domaine"),
        description=_(
            "Score de 0 à 100 pour %(count)s domaines, du plus élevé au plus faible ; le "
            "tableau des domaines donne les mêmes chiffres et le détail de chaque score."
        )
        % {"count": len(ranked)},
    )
