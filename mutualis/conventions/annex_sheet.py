"""The financial annex as an Excel workbook (openpyxl): amounts as numbers, to the cent,
each with its formula and legal reference, and the explanation of the computation."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

if TYPE_CHECKING:
    from mutualis.conventions.documents import DocumentData

MONEY_FORMAT = '#,##0.00 "€"'
BANNER_FONT = Font(bold=True, color="A3201D", size=12)
COLUMNS = (
    (gettext_lazy("Partie"), 34),
    (gettext_lazy("Code"), 12),
    (gettext_lazy("Base"), 22),
    (gettext_lazy("Calcul"), 48),
    (gettext_lazy("Montant annuel"), 16),
    (gettext_lazy("Facturé"), 9),
    (gettext_lazy("Référence"), 26),
)


def annex_workbook(data: DocumentData) -> bytes:
    version = data.version
    convention = version.convention
    wb = Workbook()
    ws = wb.active
    ws.title = _("Annexe financière")
    heading = _("Annexe financière — %(title)s (%(version)s)") % {
        "title": convention.title,
        "version": version.label,
    }
    if convention.is_sample:
        ws.cell(row=1, column=1, value=_("DONNÉES FICTIVES DE DÉMONSTRATION — ") + heading)
        ws.cell(row=1, column=1).font = BANNER_FONT
    else:
        ws.cell(row=1, column=1, value=heading).font = Font(bold=True, size=12)
    annex = data.annex
    if annex is None:
        ws.cell(
            row=3, column=1, value=_("Conditions financières incomplètes : ") + data.annex_error
        )
        return _save(wb)
    ws.cell(row=2, column=1, value=f"{annex.title} — {annex.reference}")
    for index, (header, width) in enumerate(COLUMNS, start=1):
        ws.cell(row=4, column=index, value=str(header)).font = Font(bold=True)
        ws.column_dimensions[chr(64 + index)].width = width
    row = 5
    for line in annex.lines:
        values = (
            line.name,
            line.code,
            line.basis,
            line.formula,
            line.amount,
            _("oui") if line.billed else _("non (usage propre)"),
            line.reference,
        )
        for index, value in enumerate(values, start=1):
            ws.cell(row=row, column=index, value=value)
        ws.cell(row=row, column=5).number_format = MONEY_FORMAT
        row += 1
    ws.cell(row=row, column=1, value=_("Total facturé")).font = Font(bold=True)
    total = ws.cell(row=row, column=5, value=annex.total)
    total.number_format = MONEY_FORMAT
    total.font = Font(bold=True)
    ws.freeze_panes = "B5"

    steps = wb.create_sheet(_("Explication"))
    steps.append([_("Étape"), _("Calcul"), _("Résultat"), _("Référence")])
    for cell in steps[1]:
        cell.font = Font(bold=True)
    for step in annex.explanation.steps:
        steps.append([step.label, step.formula, step.result, step.reference])
    for letter, width in zip("ABCD", (48, 60, 24, 24), strict=True):
        steps.column_dimensions[letter].width = width
        for cell in steps[letter]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    schedule = wb.create_sheet(_("Échéancier"))
    count = annex.payments_per_year
    schedule.append([_("Partie"), _("Code")] + [_("Échéance %s") % (i + 1) for i in range(count)])
    for cell in schedule[1]:
        cell.font = Font(bold=True)
    for line in annex.billed_lines:
        schedule.append([line.name, line.code, *line.instalments])
    for cells in schedule.iter_rows(min_row=2, min_col=3):
        for cell in cells:
            cell.number_format = MONEY_FORMAT
    return _save(wb)


def _save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
