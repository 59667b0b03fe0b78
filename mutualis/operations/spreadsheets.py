"""Every Excel and CSV file of the operations app, through openpyxl and csv.

Reading: the units file (`code`, `mois`, `unites`), parsed into rows and problems that
the services then check with the same rules as typed input. Writing: statements, the
bordereau of titles and summaries. (To move onto the shared `mutualis/sheets/` layer once
it is merged.)
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from mutualis.engine.errors import EngineError
from mutualis.engine.money import D
from mutualis.operations.services import Problem, UnitRow

UNIT_HEADERS = ("code", "mois", "unites")
HEADER_ALIASES = {
    "code": "code",
    "code insee": "code",
    "code_insee": "code",
    "insee": "code",
    "siren": "code",
    "mois": "mois",
    "month": "mois",
    "unites": "unites",
    "unités": "unites",
    "units": "unites",
}
EURO_FORMAT = '#,##0.00 "€"'


def _raw_rows(name: str, content: bytes) -> list[list[Any]]:
    if name.lower().endswith(".csv"):
        text = content.decode("utf-8-sig", errors="replace")
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=";,\t") if text.strip() else None
        reader = csv.reader(io.StringIO(text), dialect or csv.excel)
        return [row for row in reader]
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise ValueError(_("Le fichier n'est ni un classeur Excel (.xlsx) ni un CSV.")) from exc
    sheet = book.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def read_units(name: str, content: bytes) -> tuple[list[UnitRow], list[Problem]]:
    """Rows of a units file, and every problem of form (the services check the rest)."""
    try:
        raw = _raw_rows(name, content)
    except (ValueError, csv.Error) as exc:
        return [], [Problem(0, _("fichier"), str(exc))]
    raw = [r for r in raw if any(c not in (None, "") for c in r)]
    if not raw:
        return [], [Problem(0, _("fichier"), _("Le fichier est vide."))]
    header = [HEADER_ALIASES.get(str(c or "").strip().lower(), "") for c in raw[0]]
    missing = [h for h in UNIT_HEADERS if h not in header]
    if missing:
        return [], [
            Problem(
                1,
                _("en-têtes"),
                _("colonnes manquantes : %(cols)s (attendu : code, mois, unites).")
                % {"cols": ", ".join(missing)},
            )
        ]
    where = {h: header.index(h) for h in UNIT_HEADERS}
    rows: list[UnitRow] = []
    problems: list[Problem] = []
    for number, cells in enumerate(raw[1:], start=2):
        cells = list(cells) + [None] * (len(header) - len(cells))
        code = str(cells[where["code"]] or "").strip()
        if code.endswith(".0"):
            code = code[:-2]
        if code.isdigit() and len(code) == 4:
            code = code.zfill(5)
        try:
            month = int(D(cells[where["mois"]] or ""))
        except (EngineError, ValueError):
            problems.append(
                Problem(
                    number,
                    _("mois"),
                    _("« %(v)s » n'est pas un mois (1 à 12).") % {"v": cells[where["mois"]]},
                )
            )
            continue
        try:
            units = D(cells[where["unites"]] if cells[where["unites"]] is not None else "")
        except EngineError:
            problems.append(
                Problem(
                    number,
                    _("unités"),
                    _("« %(v)s » n'est pas un nombre.") % {"v": cells[where["unites"]]},
                )
            )
            continue
        rows.append(UnitRow(number, code, month, units))
    return rows, problems


def units_template(codes: Iterable[tuple[str, str]], year: int) -> bytes:
    """A blank units workbook: one row per member and month."""
    book = Workbook()
    sheet = book.active
    sheet.title = f"Unités {year}"
    sheet.append([*UNIT_HEADERS, "membre"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for code, name in codes:
        for month in range(1, 13):
            sheet.append([code, month, None, name])
    return _save(book)


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def table_workbook(
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    money_columns: Sequence[int] = (),
) -> bytes:
    """One sheet: bold headers, euros formatted, widths set; the only writer of this app."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for index in money_columns:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index + 1, max_col=index + 1):
            cell.number_format = EURO_FORMAT
    for column, header in enumerate(headers, start=1):
        sheet.column_dimensions[sheet.cell(1, column).column_letter].width = max(
            12, len(header) + 4
        )
    return _save(book)


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV for finance software: `;`-separated, decimal comma, UTF-8 with BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([str(v).replace(".", ",") if isinstance(v, Decimal) else v for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
