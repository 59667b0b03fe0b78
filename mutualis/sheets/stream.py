"""Large exports, streamed: rows written to the file as they come, by XlsxWriter.

openpyxl spends about 35 µs on each cell it writes, even in write-only mode: the
diagnostic's 27,000 cells at 158 communes × 30 domains took a second on their own.
XlsxWriter (constant-memory mode: each row is written out as soon as the next one
starts, strings inline) writes them in less than half of that (0.49 s). It only writes, so
reading, checking and the normal workbooks with drop-down lists stay with openpyxl
(`writer`, `reader`, `safety`).

The guarantees are those of `writer`: a `str` is always stored as text, never as a
formula, a number or a link (the conversions XlsxWriter could make are off, and every
string goes through `write_string`); text starting like a formula (`=`, `+`, `-`, `@`…)
also gets Excel's quote prefix, so that editing the cell does not turn it into one;
control characters a worksheet cannot hold are dropped; dates get `DATE_FORMAT` unless
told otherwise; an empty text is an empty cell.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from mutualis.sheets.writer import (
    DATE_FORMAT,
    FORMULA_PREFIXES,
    HEADER_FILL,
    TITLE_COLOUR,
    WARNING_COLOUR,
)

_OPTIONS = {
    "constant_memory": True,
    "in_memory": True,  # the temporary rows stay in memory: no file left behind on failure
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
}


class StreamBook:
    """A workbook written row by row; `sheet()` adds a sheet, `to_bytes()` ends the file."""

    def __init__(self) -> None:
        self._buffer = io.BytesIO()
        self._book = xlsxwriter.Workbook(self._buffer, _OPTIONS)
        self._formats: dict[tuple[tuple[str, Any], ...], Any] = {}

    def style(self, **properties: Any) -> Any:
        """One XlsxWriter format per set of properties, shared by every cell that has it."""
        key = tuple(sorted(properties.items()))
        found = self._formats.get(key)
        if found is None:
            found = self._formats[key] = self._book.add_format(properties)
        return found

    def sheet(
        self,
        title: str,
        formats: Sequence[str | None] = (),
        *,
        widths: Sequence[int] = (),
        freeze: str | None = None,
    ) -> RowWriter:
        """A new sheet; `formats[i]` formats the numbers and dates of column i."""
        worksheet = self._book.add_worksheet(title)
        for index, width in enumerate(widths):
            worksheet.set_column(index, index, width)
        if freeze:
            worksheet.freeze_panes(freeze)
        return RowWriter(self, worksheet, formats)

    def to_bytes(self) -> bytes:
        self._book.close()
        return self._buffer.getvalue()


class RowWriter:
    """The rows of one streamed sheet, appended in order (the exports' row helper)."""

    def __init__(self, book: StreamBook, worksheet: Any, formats: Sequence[str | None]) -> None:
        self._book = book
        self._sheet = worksheet
        self.formats = tuple(formats)
        self._row = 0
        self._text = None
        self._quoted = book.style(quote_prefix=True)
        self._wrapped = book.style(text_wrap=True, valign="top")
        self._wrapped_quoted = book.style(text_wrap=True, valign="top", quote_prefix=True)

    def title(self, text: str, *, warning: bool = False) -> None:
        """A bold title line; `warning` shows it in red (e.g. for sample data)."""
        colour = WARNING_COLOUR if warning else TITLE_COLOUR
        style = self._book.style(bold=True, font_size=12, font_color=f"#{colour}")
        self._sheet.write_string(self._row, 0, _clean(text), style)
        self._row += 1

    def header(self, titles: Sequence[str]) -> None:
        """Bold, shaded, wrapped column titles."""
        style = self._book.style(
            bold=True, pattern=1, bg_color=f"#{HEADER_FILL}", text_wrap=True, valign="top"
        )
        for column, text in enumerate(titles):
            self._sheet.write_string(self._row, column, _clean(text), style)
        self._row += 1

    def append(self, values: Sequence[object], formats: Sequence[str | None] | None = None) -> None:
        """Write one row; `formats`, when given, replaces the column formats for it."""
        formats = self.formats if formats is None else formats
        row, sheet = self._row, self._sheet
        for column, value in enumerate(values):
            if isinstance(value, str):
                if value:
                    sheet.write_string(row, column, _clean(value), self._text_style(value))
            elif value is None:
                continue
            elif isinstance(value, bool):
                sheet.write_boolean(row, column, value)
            else:
                number_format = formats[column] if column < len(formats) else None
                if isinstance(value, date):
                    style = self._book.style(num_format=number_format or DATE_FORMAT)
                    moment = value if isinstance(value, datetime) else _midnight(value)
                    sheet.write_datetime(row, column, moment, style)
                elif isinstance(value, int | float | Decimal):
                    style = self._book.style(num_format=number_format) if number_format else None
                    sheet.write_number(row, column, float(value), style)
                else:
                    raise TypeError(f"Valeur non prévue dans un export : {type(value).__name__}")
        self._row += 1

    def _text_style(self, value: str) -> Any:
        quoted = value.startswith(FORMULA_PREFIXES)
        if "\n" in value:
            return self._wrapped_quoted if quoted else self._wrapped
        return self._quoted if quoted else self._text


def _clean(text: str) -> str:
    return str(ILLEGAL_CHARACTERS_RE.sub("", text))


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)
