"""The spreadsheet layer, without Django: checked opening, cell parsers, spec-driven reading,
safe writing.

    from mutualis import sheets

    with sheets.open_workbook(data, "inventaire.xlsx") as workbook:   # SheetsError if refused
        rows = sheets.read_sheet(workbook, spec)                      # problems, never raised

Every problem is a `sheets.Problem` (sheet, row, column, French message). Every number is
bounded, every text cell written as text. Apps define their column specs; this package
knows nothing of their models.
"""

from mutualis.sheets import cells
from mutualis.sheets.cells import NO, YES, is_blank, normalise
from mutualis.sheets.problems import (
    CellError,
    Problem,
    ProblemGroup,
    SheetsError,
    file_problem,
    group_problems,
    rows_label,
)
from mutualis.sheets.reader import (
    Column,
    Messages,
    Row,
    SheetRows,
    SheetSpec,
    parse_row,
    read_sheet,
)
from mutualis.sheets.safety import (
    DEFAULT_LIMITS,
    Limits,
    check_archive,
    open_workbook,
    size_problem,
)
from mutualis.sheets.stream import RowWriter, StreamBook
from mutualis.sheets.writer import (
    DATE_FORMAT,
    DECIMAL_FORMAT,
    EURO_FORMAT,
    INTEGER_FORMAT,
    PERCENT_FORMAT,
    SHARE_FORMAT,
    TEXT_FORMAT,
    XLSX_MIME,
    append,
    bold_row,
    cell,
    header,
    list_validation,
    new_workbook,
    put,
    save_atomic,
    title,
    to_bytes,
)

__all__ = [
    "DATE_FORMAT",
    "DECIMAL_FORMAT",
    "DEFAULT_LIMITS",
    "EURO_FORMAT",
    "INTEGER_FORMAT",
    "NO",
    "PERCENT_FORMAT",
    "SHARE_FORMAT",
    "TEXT_FORMAT",
    "XLSX_MIME",
    "YES",
    "CellError",
    "Column",
    "Limits",
    "Messages",
    "Problem",
    "ProblemGroup",
    "Row",
    "RowWriter",
    "SheetRows",
    "SheetSpec",
    "SheetsError",
    "StreamBook",
    "append",
    "bold_row",
    "cell",
    "cells",
    "check_archive",
    "file_problem",
    "group_problems",
    "header",
    "is_blank",
    "list_validation",
    "new_workbook",
    "normalise",
    "open_workbook",
    "parse_row",
    "put",
    "read_sheet",
    "rows_label",
    "save_atomic",
    "size_problem",
    "title",
    "to_bytes",
]
