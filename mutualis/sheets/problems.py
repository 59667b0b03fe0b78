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


@dataclass(frozen=True)
class ProblemGroup:
    """One mistake repeated on several rows: its cause once, then the rows as ranges.

    `str()` gives `Feuille « Services », lignes 4 à 180, colonne « Mode » : message`.
    """

    sheet: str
    rows: tuple[int, ...]
    column: str | None
    message: str

    @property
    def rows_label(self) -> str:
        return rows_label(self.rows)

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(f"feuille « {self.sheet} »")
        if self.rows:
            where.append(self.rows_label)
        if self.column:
            where.append(f"colonne « {self.column} »")
        prefix = ", ".join(where)
        return f"{prefix[:1].upper()}{prefix[1:]} : {self.message}" if prefix else self.message


def rows_label(rows: tuple[int, ...] | list[int]) -> str:
    """`ligne 4`, `lignes 4 à 180`, `lignes 3, 5 et 7 à 9` (sorted, duplicates dropped)."""
    numbers = sorted(set(rows))
    if not numbers:
        return ""
    if len(numbers) == 1:
        return f"ligne {numbers[0]}"
    spans: list[tuple[int, int]] = []
    for number in numbers:
        if spans and number == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], number)
        else:
            spans.append((number, number))
    parts = [
        str(a) if a == b else (f"{a} et {b}" if b == a + 1 else f"{a} à {b}") for a, b in spans
    ]
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " et " + parts[-1]
    return f"lignes {text}"


def group_problems(problems: list[Problem] | tuple[Problem, ...]) -> list[ProblemGroup]:
    """The same message on the same sheet and column becomes one group, in first-seen order."""
    groups: dict[tuple[str, str | None, str], list[int]] = {}
    for problem in problems:
        rows = groups.setdefault((problem.sheet, problem.column, problem.message), [])
        if problem.row:
            rows.append(problem.row)
    return [
        ProblemGroup(sheet, tuple(sorted(set(rows))), column, message)
        for (sheet, column, message), rows in groups.items()
    ]
