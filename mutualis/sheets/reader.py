"""Reading a sheet through column specs: headers matched, every cell parsed, all problems kept.

A `SheetSpec` names the sheet, its header row and its `Column`s. `read_sheet` checks the
headers (missing, unknown), then parses each non-blank row into a `Row`: the parsed values
by column key and the problems of that row, each with sheet, row and column. Nothing is
raised for bad cells; a file that breaks openpyxl while its rows are read raises
`SheetsError` with a French message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from mutualis.sheets.cells import is_blank, normalise
from mutualis.sheets.problems import CellError, Problem, SheetsError, file_problem
from mutualis.sheets.safety import DEFAULT_LIMITS, Limits

Parser = Callable[[object], object]


@dataclass(frozen=True)
class Column:
    """One column: its header, how a cell is parsed and how the template shows it.

    `parse=None` marks an informative column (written, never read back). `list_name` names
    the drop-down list of allowed values in the template; `optional` columns may be absent.
    """

    header: str
    parse: Parser | None = None
    key: str = ""
    required: bool = False
    width: int = 16
    number_format: str = ""
    list_name: str = ""
    optional: bool = False

    @property
    def name(self) -> str:
        return self.key or self.header


@dataclass(frozen=True)
class Messages:
    """The French wording of header and row problems, overridable per spec."""

    missing_sheet: str = "la feuille « {sheet} » est absente."
    missing_column: str = "colonne obligatoire absente."
    unknown_column: str = "colonne inconnue."
    required: str = "valeur obligatoire."
    too_many_rows: str = "plus de {limit} lignes : découpez le fichier."


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    header_row: int = 1
    report_unknown: bool = True
    match: Callable[[object], str] = normalise
    messages: Messages = field(default_factory=Messages)

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1

    @property
    def read_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.parse is not None)


@dataclass
class Row:
    """One non-blank row: raw cells and parsed values by column key, and its problems."""

    sheet: str
    number: int
    raw: dict[str, object]
    values: dict[str, Any]
    problems: list[Problem]

    def problem(self, column: str | None, message: str) -> None:
        self.problems.append(Problem(self.sheet, self.number, column, message))


@dataclass
class SheetRows:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # sheet and header problems
    readable: bool = True  # False: the sheet or a required column is missing

    @property
    def all_problems(self) -> list[Problem]:
        return self.problems + [p for row in self.rows for p in row.problems]


def _guarded(rows: Iterator[tuple[object, ...]], sheet: str) -> Iterator[tuple[object, ...]]:
    """openpyxl's rows; anything it raises on a malformed part becomes a SheetsError."""
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception:  # a crafted or truncated part can make openpyxl raise anything
            raise SheetsError(
                [file_problem(f"La feuille « {sheet} » est endommagée ou mal formée.")]
            ) from None
        yield row


def _headers(workbook: Any, spec: SheetSpec, result: SheetRows, limits: Limits) -> dict[str, int]:
    sheet = workbook[spec.name]
    raw = sheet.iter_rows(
        min_row=spec.header_row,
        max_row=spec.header_row,
        max_col=limits.max_columns,
        values_only=True,
    )
    found: dict[str, int] = {}
    titles: dict[str, str] = {}
    for index, value in enumerate(next(_guarded(raw, spec.name), ())):
        if is_blank(value):
            continue
        title = str(value).strip()
        found.setdefault(spec.match(title), index)
        titles.setdefault(spec.match(title), title)
    positions: dict[str, int] = {}
    expected = {spec.match(c.header) for c in spec.columns}
    for column in spec.columns:
        position = found.get(spec.match(column.header))
        if position is not None:
            positions[column.name] = position
        elif column.parse is not None and not column.optional:
            result.readable = False
            result.problems.append(
                Problem(spec.name, spec.header_row, column.header, spec.messages.missing_column)
            )
    if spec.report_unknown:
        for key, title in titles.items():
            if key not in expected:
                result.problems.append(
                    Problem(spec.name, spec.header_row, title, spec.messages.unknown_column)
                )
    return positions


def parse_row(spec: SheetSpec, number: int, cells: dict[str, object]) -> Row:
    """Parse the cells of one row (by column key) with the spec's parsers."""
    row = Row(spec.name, number, cells, {}, [])
    for column in spec.read_columns:
        assert column.parse is not None  # noqa: S101 - read_columns keeps parsed ones only
        try:
            value = column.parse(cells.get(column.name))
        except CellError as exc:
            row.problem(column.header, exc.message)
            continue
        row.values[column.name] = value
        if column.required and (value is None or value == ""):
            row.problem(column.header, spec.messages.required)
    return row


def read_sheet(workbook: Any, spec: SheetSpec, limits: Limits = DEFAULT_LIMITS) -> SheetRows:
    """Every non-blank data row of `spec.name`, parsed; problems collected, none raised.

    Raises `SheetsError` only when openpyxl cannot read the sheet at all.
    """
    result = SheetRows()
    if spec.name not in workbook.sheetnames:
        result.readable = False
        result.problems.append(
            Problem(spec.name, None, None, spec.messages.missing_sheet.format(sheet=spec.name))
        )
        return result
    positions = _headers(workbook, spec, result, limits)
    if not result.readable:
        return result
    width = max(positions.values(), default=0) + 1
    last = spec.header_row + limits.max_rows
    raw_rows = workbook[spec.name].iter_rows(
        min_row=spec.first_data_row, max_row=last + 1, max_col=width, values_only=True
    )
    wanted = {c.name: positions[c.name] for c in spec.read_columns if c.name in positions}
    for number, values in enumerate(_guarded(raw_rows, spec.name), start=spec.first_data_row):
        cells = {key: values[i] if i < len(values) else None for key, i in wanted.items()}
        if all(is_blank(v) for v in cells.values()):
            continue
        if number > last:
            result.problems.append(
                Problem(
                    spec.name,
                    number,
                    None,
                    spec.messages.too_many_rows.format(limit=limits.max_rows),
                )
            )
            break
        result.rows.append(parse_row(spec, number, cells))
    return result
