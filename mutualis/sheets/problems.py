"""What can be wrong in a spreadsheet: a `Problem` located by sheet, row and column."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file, in French; `row` is the Excel row number (1-based).

    `str()` gives `Feuille « Charges », ligne 3, colonne « Montant » : message`, leaving out
    what is unknown; a problem with no location is its bare message.
    """

    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(f"feuille « {self.sheet} »")
        if self.row:
            where.append(f"ligne {self.row}")
        if self.column:
            where.append(f"colonne « {self.column} »")
        prefix = ", ".join(where)
        return f"{prefix[:1].upper()}{prefix[1:]} : {self.message}" if prefix else self.message


def file_problem(message: str) -> Problem:
    """A problem with the whole file (not a sheet, row or cell)."""
    return Problem("", None, None, message)


class CellError(ValueError):
    """Raised by a cell parser; `str()` is the French message, without the location."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SheetsError(Exception):
    """A file that cannot be read at all; carries the problems to show."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems
