"""The diagnostic report: PDF (WeasyPrint, from `inventory/report.html`) and Excel.

Both are built from a `Diagnostic`; the PDF carries the same SVG charts as the page.
Nothing is fetched from the network: WeasyPrint may only read `data:` URLs, and fonts are
the system's.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutualis import pdf
from mutualis.inventory import charts
from mutualis.inventory.diagnostic import WEIGHTS, Diagnostic, build_diagnostic
from mutualis.inventory.models import Campaign
from mutualis.sheets import (
    DATE_FORMAT,
    DECIMAL_FORMAT,
    EURO_FORMAT,
    INTEGER_FORMAT,
    PERCENT_FORMAT,
    SHARE_FORMAT,
    XLSX_MIME,
    StreamBook,
    save_atomic,
)

XLSX_TYPE = XLSX_MIME
MONEY_FORMAT = EURO_FORMAT
FTE_FORMAT = DECIMAL_FORMAT
HEADER_ROW = 3


def write_report(campaign: Campaign, path: Path) -> None:
    """Write the diagnostic of `campaign` to `path`, as PDF or Excel after its extension."""
    suffix = path.suffix.lower()
    if suffix not in (".pdf", ".xlsx"):
        raise ValueError(
            _("Extension « %(suffix)s » non prise en charge : le rapport s'écrit en .pdf ou .xlsx.")
            % {"suffix": path.suffix or _("aucune")}
        )
    diagnostic = build_diagnostic(campaign, on=timezone.localdate())
    data = render_pdf(diagnostic) if suffix == ".pdf" else render_xlsx(diagnostic)
    save_atomic(data, path)


# --- PDF ---------------------------------------------------------------------------------


# Short column headings of the score components in the PDF (weights from the analysis).
SCORE_HEADINGS = {
    "fragility": gettext_lazy("Fragilité"),
    "dispersion": gettext_lazy("Dispersion"),
    "products": gettext_lazy("Logiciels"),
    "contracts": gettext_lazy("Contrats"),
    "assets": gettext_lazy("Équipements"),
    "needs": gettext_lazy("Besoins"),
}


# The PDF's cost chart shows the highest costs per inhabitant only: one bar per member of a
# large EPCI would not fit on a page. Its table lists every member.
PDF_COST_BARS = 40


def _image(svg: SafeString, alt: str) -> SafeString:
    """A chart as an image (a `data:` URL): WeasyPrint then draws the SVG without running
    the page's style cascade over each of its shapes, which is what made it slow."""
    encoded = base64.b64encode(str(svg).encode()).decode("ascii")
    return format_html(
        '<img class="chart" alt="{}" src="data:image/svg+xml;base64,{}">', alt, encoded
    )


def report_html(diagnostic: Diagnostic) -> str:
    """The PDF's HTML: synthesis and compact tables; the line-by-line detail is in Excel."""
    member_costs = diagnostic.territory.member_costs
    return render_to_string(
        "inventory/report.html",
        {
            "diagnostic": diagnostic,
            "score_headings": [(SCORE_HEADINGS[key], weight) for key, weight in WEIGHTS.items()],
            "modes_chart": _image(
                charts.modes_chart(diagnostic), _("Modes de gestion par domaine")
            ),
            "cost_chart": _image(
                charts.cost_chart(member_costs, limit=PDF_COST_BARS),
                _("Coût par habitant par membre"),
            ),
            "cost_chart_is_cut": len(member_costs) > PDF_COST_BARS,
            "cost_bars": PDF_COST_BARS,
            "score_chart": _image(
                charts.score_chart(diagnostic), _("Score d'opportunité par domaine")
            ),
        },
    )


def render_pdf(diagnostic: Diagnostic) -> bytes:
    return pdf.render(report_html(diagnostic))


# --- Excel -------------------------------------------------------------------------------

Cell = Any
Column = tuple[str, int, str | None]  # header, width, number format


def _sheet(
    book: StreamBook,
    diagnostic: Diagnostic,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Cell]],
    row_formats: Sequence[str | None] = (),
) -> None:
    """Append a sheet to a write-only workbook: title, column headers, then the rows.

    `row_formats[i]`, when given, formats the value column of row i (the synthesis sheet,
    whose rows are different quantities); otherwise each column has its own format.
    """
    writer = book.sheet(
        title,
        [number_format for _header, _width, number_format in columns],
        widths=[width for _header, width, _format in columns],
        freeze=f"B{HEADER_ROW + 1}",
    )
    heading = _("%(title)s — diagnostic %(year)s, %(body)s") % {
        "title": title,
        "year": diagnostic.year,
        "body": diagnostic.body_name,
    }
    if diagnostic.is_sample:
        writer.title(_("DONNÉES FICTIVES DE DÉMONSTRATION — ") + heading, warning=True)
    else:
        writer.title(heading)
    writer.append(())
    writer.header([header for header, _width, _format in columns])
    for number, values in enumerate(rows):
        if number < len(row_formats):
            writer.append(values, (None, row_formats[number]))
        else:
            writer.append(values)


def _domain_name(domain: Any) -> str:
    return domain.name if domain is not None else _("(hors domaine)")


def _synthesis_rows(d: Diagnostic) -> list[list[Cell]]:
    t = d.territory
    rows: list[list[Cell]] = [
        [_("Structure porteuse"), d.body_name],
        [_("Année de référence"), d.year],
        [_("Date de l'analyse"), d.on],
        [_("Membres"), t.member_count],
        [_("Membres ayant répondu"), t.answered_count],
        [_("Réponses transmises"), t.submitted_count],
        [_("Taux de réponses transmises"), t.completion],
        [_("Population municipale"), t.population],
        [_("ETP déclarés"), t.fte],
        [_("Coût de personnel"), t.staff_cost],
        [_("Charges de fonctionnement"), t.operating_cost],
        [_("Coût total"), t.total_cost],
        [_("Coût par habitant (membres ayant répondu)"), t.cost_per_inhabitant],
        [_("Services fragiles"), t.fragility_count],
        [_("Contrats arrivant à échéance sous 24 mois"), len(t.contract_windows)],
        [_("Équipements mutualisables sous-utilisés"), len(t.underused_assets)],
    ]
    if t.excluded_no_population:
        rows.append(
            [
                _("Membres exclus du coût par habitant (population inconnue)"),
                ", ".join(m.name for m in t.excluded_no_population),
            ]
        )
    return rows


def render_xlsx(diagnostic: Diagnostic) -> bytes:
    """One sheet per table; numbers stay numbers, with French-style formats."""
    d = diagnostic
    book = StreamBook()  # streamed: 158 × 30 stays well under a second
    formats: dict[str, str] = {
        _("Année de référence"): "0",
        _("Date de l'analyse"): DATE_FORMAT,
        _("Taux de réponses transmises"): SHARE_FORMAT,
        _("ETP déclarés"): FTE_FORMAT,
        _("Coût de personnel"): MONEY_FORMAT,
        _("Charges de fonctionnement"): MONEY_FORMAT,
        _("Coût total"): MONEY_FORMAT,
        _("Coût par habitant (membres ayant répondu)"): MONEY_FORMAT,
    }
    synthesis = _synthesis_rows(d)
    _sheet(
        book,
        d,
        _("Synthèse"),
        [(_("Indicateur"), 55, None), (_("Valeur"), 45, INTEGER_FORMAT)],
        synthesis,
        [formats.get(row[0], INTEGER_FORMAT) for row in synthesis],
    )
    mode_columns: list[Column] = [(label, 12, INTEGER_FORMAT) for label in d.mode_labels]
    _sheet(
        book,
        d,
        _("Domaines"),
        [
            (_("Domaine"), 30, None),
            (_("Famille"), 22, None),
            (_("Réponses"), 11, INTEGER_FORMAT),
            *mode_columns,
            (_("Membres couverts"), 11, INTEGER_FORMAT),
            (_("ETP"), 10, FTE_FORMAT),
            (_("Coût de personnel"), 16, MONEY_FORMAT),
            (_("Charges de fonctionnement"), 16, MONEY_FORMAT),
            (_("Coût total"), 16, MONEY_FORMAT),
            (_("Services fragiles"), 11, INTEGER_FORMAT),
            (_("Logiciels distincts"), 11, INTEGER_FORMAT),
            (_("Éditeurs"), 30, None),
            (_("Contrats à échéance sous 24 mois"), 12, INTEGER_FORMAT),
            (_("Équipements sous-utilisés"), 12, INTEGER_FORMAT),
            (_("Besoins exprimés"), 11, INTEGER_FORMAT),
            (_("Score d'opportunité (sur 100)"), 12, INTEGER_FORMAT),
            (_("Détail du score"), 80, None),
        ],
        [
            [
                r.domain.name,
                r.domain.family,
                r.answered_count,
                *[m.count for m in r.modes],
                r.covered_count,
                r.fte,
                r.staff_cost,
                r.operating_cost,
                r.total_cost,
                len(r.fragilities),
                r.product_count,
                ", ".join(r.vendors),
                len(r.contract_windows),
                len(r.underused_assets),
                len(r.needs),
                r.score.value,
                r.score.explanation.text(),
            ]
            for r in d.domains
        ],
    )
    _sheet(
        book,
        d,
        _("Coût par habitant"),
        [
            (_("Membre"), 30, None),
            (_("Code"), 10, None),
            (_("Population municipale"), 14, INTEGER_FORMAT),
            (_("Coût total"), 16, MONEY_FORMAT),
            (_("Coût par habitant"), 14, MONEY_FORMAT),
        ],
        [
            [c.member.name, c.member.code, c.population, c.total_cost, c.cost_per_inhabitant]
            for c in d.territory.member_costs
        ],
    )
    _sheet(
        book,
        d,
        _("Fragilités"),
        [
            (_("Domaine"), 30, None),
            (_("Membre"), 30, None),
            (_("ETP"), 10, FTE_FORMAT),
            (_("Motif"), 50, None),
        ],
        [[f.domain.name, f.member.name, f.fte, f.reason] for r in d.domains for f in r.fragilities],
    )
    _sheet(
        book,
        d,
        _("Contrats"),
        [
            (_("Fin"), 12, DATE_FORMAT),
            (_("Domaine"), 30, None),
            (_("Membre"), 30, None),
            (_("Type"), 20, None),
            (_("Fournisseur"), 25, None),
            (_("Produit ou objet"), 30, None),
            (_("Coût annuel"), 14, MONEY_FORMAT),
            (_("Mois restants"), 10, INTEGER_FORMAT),
            (_("Préavis à donner avant le"), 14, DATE_FORMAT),
        ],
        [
            [
                w.end_on,
                _domain_name(w.domain),
                w.member.name,
                w.kind_label,
                w.vendor,
                w.product,
                w.yearly_cost,
                w.months_left,
                w.notice_by,
            ]
            for w in d.territory.contract_windows
        ],
    )
    _sheet(
        book,
        d,
        _("Logiciels"),
        [
            (_("Domaine"), 30, None),
            (_("Éditeur"), 25, None),
            (_("Logiciel"), 30, None),
            (_("Nombre de membres"), 12, INTEGER_FORMAT),
            (_("Membres"), 60, None),
            (_("Coût annuel cumulé"), 16, MONEY_FORMAT),
        ],
        [
            [
                r.domain.name,
                p.vendor,
                p.product,
                len(p.members),
                ", ".join(p.members),
                p.yearly_cost,
            ]
            for r in d.domains
            for p in r.products
        ],
    )
    _sheet(
        book,
        d,
        _("Équipements"),
        [
            (_("Domaine"), 30, None),
            (_("Membre"), 30, None),
            (_("Type"), 14, None),
            (_("Désignation"), 30, None),
            (_("Taux d'utilisation"), 12, PERCENT_FORMAT),
            (_("Coût annualisé"), 16, MONEY_FORMAT),
        ],
        [
            [
                _domain_name(a.domain),
                a.member.name,
                a.kind_label,
                a.name,
                a.utilisation_rate,
                a.annual_cost,
            ]
            for a in d.territory.underused_assets
        ],
    )
    _sheet(
        book,
        d,
        _("Besoins"),
        [
            (_("Domaine"), 30, None),
            (_("Membre"), 30, None),
            (_("Besoins"), 60, None),
            (_("Difficultés"), 60, None),
        ],
        [
            [n.domain.name, n.member.name, n.needs, n.difficulties]
            for r in d.domains
            for n in r.needs
        ],
    )
    return book.to_bytes()
