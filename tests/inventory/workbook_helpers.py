"""Build and edit inventory workbooks in tests."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from mutualis.inventory.workbook.columns import FIRST_DATA_ROW, HEADER_ROW


def edit(data: bytes, sheet: str, changes: dict[tuple[int, str], Any]) -> bytes:
    """Set cells by (row, header) and return the new file."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb[sheet]
    headers = {cell.value: cell.column for cell in ws[HEADER_ROW]}
    for (row, header), value in changes.items():
        ws.cell(row=row, column=headers[header]).value = value  # None clears the cell
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rows(data: bytes, sheet: str) -> list[dict[str, Any]]:
    wb = load_workbook(io.BytesIO(data))
    ws = wb[sheet]
    headers = [cell.value for cell in ws[HEADER_ROW]]
    return [
        dict(zip(headers, values, strict=False))
        for values in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True)
        if any(v is not None for v in values)
    ]


def append(data: bytes, sheet: str, row: dict[str, Any]) -> tuple[bytes, int]:
    """Append a row by header; returns the file and the Excel row number used."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb[sheet]
    headers = {cell.value: cell.column for cell in ws[HEADER_ROW]}
    number = max(ws.max_row + 1, FIRST_DATA_ROW)
    for header, value in row.items():
        ws.cell(row=number, column=headers[header], value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), number


def delete_header(data: bytes, sheet: str, header: str) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    ws = wb[sheet]
    for cell in ws[HEADER_ROW]:
        if cell.value == header:
            cell.value = None
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
