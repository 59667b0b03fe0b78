"""Writing workbooks: one set of formats, text that never becomes a formula, atomic saving.

Cells are written through `cell()`/`put()`/`append()`: a `str` is always stored as text,
and one that starts with `=`, `+`, `-` or `@` also gets Excel's quote prefix, so that
neither openpyxl nor a spreadsheet program ever reads user text as a formula
(`=HYPERLINK(...)`, `=cmd|...`). Dates get `DATE_FORMAT` unless told otherwise. Control
characters that a worksheet cannot hold are dropped. Large exports stream their rows
through `stream.StreamBook`, with the same guarantees.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EURO_FORMAT = '#,##0.00 "€"'
DATE_FORMAT = "DD/MM/YYYY"
DECIMAL_FORMAT = "0.00"  # ETP, quantities with two decimals
INTEGER_FORMAT = "#,##0"
PERCENT_FORMAT = '0" %"'  # a value already in percent: 45 → 45 %
SHARE_FORMAT = "0%"  # a fraction: 0.45 → 45%
TEXT_FORMAT = "@"  # codes keep their leading zeros
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = "DCE3EE"
TITLE_COLOUR = "1F4E8C"
WARNING_COLOUR = "A3201D"
# Shared styles: built once, applied to the few cells that carry them.
TITLE_FONT = Font(bold=True, size=12, color=TITLE_COLOUR)
WARNING_FONT = Font(bold=True, size=12, color=WARNING_COLOUR)
HEADER_FONT = Font(bold=True)
HEADER_PATTERN = PatternFill("solid", fgColor=HEADER_FILL)
WRAP = Alignment(wrap_text=True, vertical="top")


def new_workbook(*, write_only: bool = False) -> Workbook:
    """An empty workbook (no default sheet): add sheets with `create_sheet`."""
    workbook = Workbook(write_only=write_only)
    if not write_only and workbook.active is not None:
        workbook.remove(workbook.active)
    return workbook


def cell(sheet: Any, value: object, number_format: str = "") -> Cell:
    """A detached cell for `sheet.append` (also in write-only mode), written safely."""
    result = Cell(sheet, row=1, column=1)  # placed by append, as WriteOnlyCell is
    _set(result, value, number_format)
    return result


def _set(target: Cell, value: object, number_format: str = "") -> None:
    if isinstance(value, str):
        # Control characters (a vertical tab pasted from a word processor) cannot be
        # stored in a worksheet: dropped, rather than failing the whole file.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    target.value = value
    if isinstance(value, str):
        target.data_type = "s"  # openpyxl would make "=…" a formula
        if value.startswith(FORMULA_PREFIXES):
            target.quotePrefix = True
    if number_format:
        target.number_format = number_format
    elif isinstance(value, date):
        target.number_format = DATE_FORMAT


def put(sheet: Any, row: int, column: int, value: object, number_format: str = "") -> Cell:
    """Write `value` at (row, column) of a normal worksheet, safely."""
    target: Cell = sheet.cell(row=row, column=column)
    _set(target, value, number_format)
    return target


def append(sheet: Any, values: Iterable[object], formats: Sequence[str] = ()) -> None:
    """Append one row; `formats[i]` (if given and not empty) formats column i."""
    row = []
    for index, value in enumerate(values):
        number_format = formats[index] if index < len(formats) else ""
        row.append(cell(sheet, value, number_format) if value is not None else None)
    sheet.append(row)


def bold_row(sheet: Any, row: int) -> None:
    for target in sheet[row]:
        target.font = HEADER_FONT


def header(
    sheet: Any, row: int, titles: Sequence[str], widths: Sequence[int] = (), *, freeze: bool = True
) -> None:
    """Bold, shaded, wrapped column titles on `row`; panes frozen below them."""
    for index, title in enumerate(titles, start=1):
        target = put(sheet, row, index, title)
        target.font = HEADER_FONT
        target.fill = HEADER_PATTERN
        target.alignment = WRAP
        if index <= len(widths):
            sheet.column_dimensions[get_column_letter(index)].width = widths[index - 1]
    if freeze:
        sheet.freeze_panes = sheet.cell(row=row + 1, column=1)


def title(sheet: Any, text: str, *, warning: bool = False, row: int = 1) -> None:
    """A bold title line; `warning` shows it in red (e.g. for sample data)."""
    target = put(sheet, row, 1, text)
    target.font = WARNING_FONT if warning else TITLE_FONT


def list_validation(
    sheet: Any,
    formula: str,
    cells: str,
    *,
    error: str = "Choisissez une valeur de la liste.",
    allow_blank: bool = True,
) -> DataValidation:
    """A drop-down of allowed values (`'"oui,non"'` or a range such as `Listes!$A$2:$A$9`)."""
    validation = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=allow_blank,
        showErrorMessage=True,
        errorTitle="Valeur non autorisée",
        error=error,
    )
    sheet.add_data_validation(validation)
    validation.add(cells)
    return validation


def to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def save_atomic(workbook: Workbook | bytes, path: Path) -> None:
    """Write `path` whole or not at all (temporary file in the same folder, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(suffix=path.suffix or ".xlsx", dir=path.parent)
    os.close(handle)
    try:
        if isinstance(workbook, bytes):
            Path(temporary).write_bytes(workbook)
        else:
            workbook.save(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
