"""Reading the reimbursement workbook through `mutualis.sheets`: every problem collected.

The file is opened by `sheets.open_workbook` (size, compression and DTD checks), each sheet
read by a `SheetSpec` with the shared cell parsers; the rules of the decree's workbook
(a reason for an « autre » charge, one own-use line, unique member codes, a clause with its
actual cost) are checked here, before anything reaches the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from mutualis import sheets
from mutualis.commands.reimburse.layout import (
    ADJUSTMENTS,
    CATEGORY_NAMES,
    CHARGES,
    COL_AMOUNT,
    COL_CATEGORY,
    COL_CODE,
    COL_ELIGIBLE,
    COL_KEY,
    COL_LABEL,
    COL_NAME,
    COL_OWN_USE,
    COL_REASON,
    COL_UNITS,
    COL_VALUE,
    DECREE_CATEGORIES,
    HEADERS,
    LIMITS,
    MAX_AMOUNT,
    MAX_TEXT,
    MESSAGES,
    OPTIONAL_COLUMNS,
    P_ACCOUNTS,
    P_ACTUAL,
    P_CLAUSE,
    P_CONTRACTUAL,
    P_FIRST,
    P_FORECAST,
    P_FORM,
    P_NOTIFIED,
    P_PERIOD,
    P_PERIODICITY,
    P_PROVIDER,
    P_RENEWAL,
    P_SIGNED,
    P_UNIT,
    P_YEAR,
    PARAMETERS,
    TEMPLATE_PARAMETERS,
    UNITS,
)
from mutualis.engine.legal import FORMS
from mutualis.engine.reimbursement import ChargeCategory
from mutualis.engine.unit_cost import (
    AccountCharge,
    BudgetAdjustment,
    Notification,
    Usage,
    first_year_notification,
    yearly_notification,
)
from mutualis.sheets import CellError, Problem, cells

text = partial(cells.code, max_length=MAX_TEXT)
amount = partial(cells.number, high=MAX_AMOUNT, places=None)
signed_amount = partial(cells.number, low=-MAX_AMOUNT, high=MAX_AMOUNT, places=None)
year = partial(cells.integer, low=2000, high=2100)


def _raw(value: object) -> object:
    return value


def category(value: object) -> ChargeCategory | None:
    """A decree category by its code or French label; None when blank."""
    if cells.is_blank(value):
        return None
    found = CATEGORY_NAMES.get(cells.normalise(value))
    if found is None:
        raise CellError(
            f"catégorie « {value} » inconnue (personnel, fournitures, renouvellement "
            "des biens, contrats de services, autre ou vide)."
        )
    return found


def _spec(
    name: str, parsers: dict[str, Callable[[object], object]], required: tuple[str, ...]
) -> sheets.SheetSpec:
    columns = tuple(
        sheets.Column(
            header,
            parsers[header],
            required=header in required,
            optional=header in OPTIONAL_COLUMNS,
        )
        for header in HEADERS[name]
    )
    return sheets.SheetSpec(name, columns, report_unknown=False, messages=MESSAGES)


PARAMETERS_SPEC = _spec(PARAMETERS, {COL_KEY: _raw, COL_VALUE: _raw}, ())
CHARGES_SPEC = _spec(
    CHARGES,
    {
        COL_CATEGORY: category,
        COL_LABEL: text,
        COL_AMOUNT: amount,
        COL_ELIGIBLE: cells.yes_no,
        COL_REASON: text,
    },
    (COL_LABEL, COL_AMOUNT),
)
ADJUSTMENTS_SPEC = _spec(
    ADJUSTMENTS,
    {COL_LABEL: text, COL_AMOUNT: signed_amount, COL_REASON: text},
    (COL_LABEL, COL_AMOUNT, COL_REASON),
)
UNITS_SPEC = _spec(
    UNITS,
    {COL_CODE: text, COL_NAME: text, COL_UNITS: amount, COL_OWN_USE: cells.yes_no},
    (COL_CODE, COL_NAME, COL_UNITS),
)


@dataclass(frozen=True)
class Settings:
    provider: str
    form: str
    contractual: bool
    year: int
    accounts_year: int
    forecast_units: Decimal
    unit_label: str
    notification: Notification
    periodicity: int
    period: str
    clause: str | None
    actual_cost: Decimal | None


@dataclass(frozen=True)
class Inputs:
    settings: Settings
    charges: tuple[AccountCharge, ...]
    adjustments: tuple[BudgetAdjustment, ...]
    usage: tuple[Usage, ...]


def _rows(workbook: Any, spec: sheets.SheetSpec, problems: list[Problem]) -> list[sheets.Row]:
    """The rows of a sheet without problems; every problem goes to `problems`."""
    read = sheets.read_sheet(workbook, spec, LIMITS)
    problems.extend(read.problems)
    good = []
    for row in read.rows:
        problems.extend(row.problems)
        if not row.problems:
            good.append(row)
    return good


class _Parameters:
    """The « Parametres » sheet as key → (row, raw value), parsed on demand."""

    def __init__(self, rows: list[sheets.Row], problems: list[Problem]) -> None:
        self.problems = problems
        self.values: dict[str, tuple[int, object]] = {}
        known = {cells.normalise(key): key for key, _ in TEMPLATE_PARAMETERS}
        for row in rows:
            written = row.values[COL_KEY]
            key = known.get(cells.normalise(written))
            if key is None:
                self.problem(row.number, COL_KEY, f"paramètre inconnu « {written} ».")
            else:
                self.values[key] = (row.number, row.values[COL_VALUE])

    def row(self, key: str) -> int | None:
        return self.values.get(key, (None, None))[0]

    def problem(self, row: int | None, column: str, message: str) -> None:
        self.problems.append(Problem(PARAMETERS, row, column, message))

    def get(self, key: str, parse: Callable[[object], Any], *, required: bool = False) -> Any:
        row, value = self.values.get(key, (None, None))
        try:
            result = parse(value)
        except CellError as exc:
            self.problem(row, key, exc.message)
            return None
        if required and (result is None or result == ""):
            self.problem(row, key, MESSAGES.required)
            return None
        return result


def _read_parameters(workbook: Any, problems: list[Problem]) -> Settings | None:
    rows = _rows(workbook, PARAMETERS_SPEC, problems)
    if PARAMETERS not in workbook.sheetnames:
        return None
    values = _Parameters(rows, problems)
    count = len(problems)
    provider: str | None = values.get(P_PROVIDER, text, required=True)
    form: str | None = values.get(P_FORM, text, required=True)
    if form is not None and form not in FORMS:
        values.problem(
            values.row(P_FORM), P_FORM, f"forme inconnue « {form} » ({', '.join(FORMS)})."
        )
        form = None
    contractual = bool(values.get(P_CONTRACTUAL, cells.yes_no))
    application: int | None = values.get(P_YEAR, year, required=True)
    accounts: int | None = values.get(P_ACCOUNTS, year, required=True)
    forecast: Decimal | None = values.get(P_FORECAST, amount, required=True)
    unit = values.get(P_UNIT, text) or "unités"
    notified: date | None = values.get(P_NOTIFIED, cells.day)
    first = bool(values.get(P_FIRST, cells.yes_no))
    signed: date | None = values.get(P_SIGNED, cells.day)
    renewal = bool(values.get(P_RENEWAL, cells.yes_no))
    periodicity: int | None = values.get(
        P_PERIODICITY, partial(cells.integer, low=1, high=12), required=True
    )
    period = values.get(P_PERIOD, text) or ""
    clause = values.get(P_CLAUSE, text) or None
    actual: Decimal | None = values.get(P_ACTUAL, amount)
    if (clause is None) != (actual is None) and len(problems) == count:
        values.problem(
            values.row(P_CLAUSE),
            P_CLAUSE,
            "la clause de régularisation et le coût réel vont ensemble : renseignez les deux "
            "ou aucun.",
        )
    if first and signed is None and len(problems) == count:
        values.problem(values.row(P_SIGNED), P_SIGNED, "date obligatoire la première année.")
    if (
        len(problems) > count
        or provider is None
        or form is None
        or application is None
        or accounts is None
        or forecast is None
        or periodicity is None
    ):
        return None
    notification = (
        first_year_notification(signed, notified)
        if first and signed is not None
        else yearly_notification(application, notified, renewal_year=renewal)
    )
    return Settings(
        provider,
        form,
        contractual,
        application,
        accounts,
        forecast,
        unit,
        notification,
        periodicity,
        period or f"Année {application}",
        clause,
        actual,
    )


def _read_charges(workbook: Any, problems: list[Problem]) -> tuple[AccountCharge, ...]:
    lines = []
    for row in _rows(workbook, CHARGES_SPEC, problems):
        values = row.values
        reason = values.get(COL_REASON) or ""
        charge_category = values[COL_CATEGORY]
        if values.get(COL_ELIGIBLE) and charge_category not in DECREE_CATEGORIES and not reason:
            problems.append(
                Problem(
                    CHARGES,
                    row.number,
                    COL_REASON,
                    "une charge « autre » ou sans catégorie ne peut être retenue qu'avec un motif.",
                )
            )
            continue
        lines.append(
            AccountCharge(
                values[COL_LABEL],
                values[COL_AMOUNT],
                charge_category,
                values.get(COL_ELIGIBLE),
                reason,
            )
        )
    return tuple(lines)


def _read_adjustments(workbook: Any, problems: list[Problem]) -> tuple[BudgetAdjustment, ...]:
    if ADJUSTMENTS not in workbook.sheetnames:
        return ()
    return tuple(
        BudgetAdjustment(row.values[COL_LABEL], row.values[COL_AMOUNT], row.values[COL_REASON])
        for row in _rows(workbook, ADJUSTMENTS_SPEC, problems)
    )


def _read_units(workbook: Any, problems: list[Problem]) -> tuple[Usage, ...]:
    read = sheets.read_sheet(workbook, UNITS_SPEC, LIMITS)
    problems.extend(read.problems)
    lines = []
    seen: dict[str, int] = {}
    own_use_rows: list[int] = []
    for row in read.rows:
        code = row.values.get(COL_CODE)
        if code:
            if code in seen:
                row.problem(COL_CODE, f"code « {code} » déjà utilisé ligne {seen[code]}.")
            else:
                seen[code] = row.number
        if row.values.get(COL_OWN_USE):
            own_use_rows.append(row.number)
            if len(own_use_rows) > 1:
                row.problem(
                    COL_OWN_USE,
                    f"une seule ligne d'usage propre est permise (déjà ligne {own_use_rows[0]}).",
                )
        problems.extend(row.problems)
        if not row.problems:
            values = row.values
            lines.append(
                Usage(
                    values[COL_CODE],
                    values[COL_NAME],
                    values[COL_UNITS],
                    bool(values.get(COL_OWN_USE)),
                )
            )
    if read.readable and not read.rows and not any(p.sheet == UNITS for p in problems):
        problems.append(Problem(UNITS, None, None, "aucune ligne d'unités."))
    return tuple(lines)


def read_workbook(path: Path) -> tuple[Inputs | None, list[Problem]]:
    """Parse the workbook; every problem is collected, none raised."""
    problems: list[Problem] = []
    try:
        with sheets.open_workbook(path, limits=LIMITS) as workbook:
            settings = _read_parameters(workbook, problems)
            charges = _read_charges(workbook, problems)
            adjustments = _read_adjustments(workbook, problems)
            usage = _read_units(workbook, problems)
    except sheets.SheetsError as exc:
        return None, exc.problems
    if problems or settings is None:
        return None, sorted(problems, key=_problem_order)
    return Inputs(settings, charges, adjustments, usage), problems


def _problem_order(problem: Problem) -> tuple[int, int, int]:
    """Sheets in template order, then rows, then columns as in the header."""
    names = list(HEADERS)
    sheet = names.index(problem.sheet) if problem.sheet in names else len(names)
    columns = HEADERS.get(problem.sheet, ())
    column = columns.index(problem.column) if problem.column in columns else len(columns)
    return sheet, problem.row or 0, column
