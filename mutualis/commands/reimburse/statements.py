"""The computation over the engine, and the two workbooks written through `mutualis.sheets`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from mutualis import sheets
from mutualis.commands.reimburse.layout import (
    ADJUSTMENTS,
    CHARGES,
    HEADERS,
    INSTRUCTIONS,
    INSTRUCTIONS_TEXT,
    LAST_TEMPLATE_ROW,
    PARAMETERS,
    TEMPLATE_PARAMETERS,
    UNITS,
)
from mutualis.commands.reimburse.reading import Inputs
from mutualis.engine.explain import Explanation
from mutualis.engine.legal import unit_cost_reference
from mutualis.engine.reimbursement import ChargeCategory
from mutualis.engine.unit_cost import (
    ClauseRegularisation,
    Statement,
    bill,
    determine_unit_cost,
    format_unit_cost,
    regularise_on_actual_cost,
)


@dataclass(frozen=True)
class Result:
    statement: Statement
    regularisation: ClauseRegularisation | None


def compute(inputs: Inputs) -> Result:
    """Determination, statement and, under a clause only, the regularisation."""
    settings = inputs.settings
    reference = unit_cost_reference(settings.form, contractual_choice=settings.contractual)
    determination = determine_unit_cost(
        inputs.charges,
        settings.forecast_units,
        year=settings.year,
        accounts_year=settings.accounts_year,
        notification=settings.notification,
        adjustments=inputs.adjustments,
        provider=settings.provider,
        unit_label=settings.unit_label,
        reference=reference,
    )
    statement = bill(
        determination,
        inputs.usage,
        period=settings.period,
        periodicity_months=settings.periodicity,
    )
    regularisation = None
    if settings.clause is not None and settings.actual_cost is not None:
        regularisation = regularise_on_actual_cost(
            statement, settings.actual_cost, clause=settings.clause
        )
    return Result(statement, regularisation)


def _bold_row(sheet: Any, values: Sequence[object]) -> None:
    sheets.append(sheet, values)
    sheets.bold_row(sheet, sheet.max_row)


def _write_explanation(sheet: Any, explanation: Explanation) -> None:
    _bold_row(sheet, [explanation.title])
    for step in explanation.steps:
        sheets.append(sheet, [step.label, step.formula, step.result, step.reference])
    sheet.append([])


def _euro_columns(sheet: Any, letters: set[str]) -> None:
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            if cell.column_letter in letters and isinstance(cell.value, Decimal | int | float):
                cell.number_format = sheets.EURO_FORMAT


def _widths(sheet: Any, widths: tuple[int, ...]) -> None:
    for letter, width in zip("ABCDEFGHIJ", widths, strict=False):
        sheet.column_dimensions[letter].width = width


def _write_statement(sheet: Any, result: Result) -> None:
    statement = result.statement
    determination = statement.determination
    for warning in statement.warnings:
        _bold_row(sheet, [f"Avertissement : {warning}"])
    headers = [
        "Code membre",
        "Membre",
        f"Unités constatées ({determination.unit_label})",
        "Coût unitaire notifié",
        "Montant dû",
        "Usage propre",
    ]
    regular = {}
    if result.regularisation is not None:
        headers += ["Dû au coût réel (clause)", "Régularisation (clause)"]
        regular = {line.code: line for line in result.regularisation.lines}
    _bold_row(sheet, headers)
    for line in statement.lines:
        row: list[object] = [
            line.code,
            line.name,
            line.units,
            format_unit_cost(determination.unit_cost),
            line.amount,
            "oui" if line.own_use else "non",
        ]
        if line.code in regular:
            row += [regular[line.code].due, regular[line.code].regularisation]
        sheets.append(sheet, row)
    sheet.append([])
    sheets.append(
        sheet, ["Total facturé aux bénéficiaires", None, None, None, statement.billed_total]
    )
    if result.regularisation is not None:
        total = result.regularisation.total
        sheets.append(sheet, ["Solde des régularisations (clause)", None, None, None, total])
    _euro_columns(sheet, {"E", "G", "H"})
    _widths(sheet, (16, 34, 22, 22, 18, 14, 22, 22))


def write_statements(path: Path, result: Result) -> None:
    """« Etats » (one line per member, totals) and « Explications » (every step)."""
    workbook = sheets.new_workbook()
    _write_statement(workbook.create_sheet("Etats"), result)
    explanations = workbook.create_sheet("Explications")
    _bold_row(explanations, ["Étape", "Formule", "Résultat", "Référence"])
    _write_explanation(explanations, result.statement.determination.explain())
    _write_explanation(explanations, result.statement.explain())
    if result.regularisation is not None:
        _write_explanation(explanations, result.regularisation.explain())
    _widths(explanations, (50, 70, 28, 40))
    sheets.save_atomic(workbook, path)


def write_template(path: Path) -> None:
    """The blank workbook, with French instructions and validated drop-down lists."""
    workbook = sheets.new_workbook()
    instructions = workbook.create_sheet(INSTRUCTIONS)
    for line in INSTRUCTIONS_TEXT:
        sheets.append(instructions, [line])
    sheets.bold_row(instructions, 1)
    instructions.column_dimensions["A"].width = 110
    for name, widths in (
        (PARAMETERS, (46, 30)),
        (CHARGES, (28, 40, 16, 12, 40)),
        (ADJUSTMENTS, (40, 16, 50)),
        (UNITS, (16, 40, 14, 14)),
    ):
        sheet = workbook.create_sheet(name)
        _bold_row(sheet, list(HEADERS[name]))
        _widths(sheet, widths)
        sheet.freeze_panes = "A2"
    for key, value in TEMPLATE_PARAMETERS:
        sheets.append(workbook[PARAMETERS], [key, value])
    last = LAST_TEMPLATE_ROW
    yes_no = '"oui,non"'
    categories = '"' + ",".join(c.value for c in ChargeCategory) + '"'
    sheets.list_validation(
        workbook[CHARGES], categories, f"A2:A{last}", error="Catégorie inconnue."
    )
    sheets.list_validation(workbook[CHARGES], yes_no, f"D2:D{last}", error="Répondez oui ou non.")
    sheets.list_validation(workbook[UNITS], yes_no, f"D2:D{last}", error="Répondez oui ou non.")
    workbook[CHARGES].column_dimensions["C"].number_format = sheets.EURO_FORMAT
    workbook[ADJUSTMENTS].column_dimensions["B"].number_format = sheets.EURO_FORMAT
    # Codes stay text, so that « 01001 » keeps its leading zero.
    workbook[UNITS].column_dimensions["A"].number_format = sheets.TEXT_FORMAT
    sheets.save_atomic(workbook, path)
