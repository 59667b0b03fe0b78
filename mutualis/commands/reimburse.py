"""`mutualis reimburse`: the statement of uses of a service, by the decree's method.

    mutualis reimburse CLASSEUR.xlsx -o ETATS.xlsx
    mutualis reimburse --template MODELE.xlsx

The workbook follows the template: « Parametres » (legal form, years, forecast units,
notification and signature dates, periodicity, optional contractual regularisation
clause), « Charges » (latest comptes administratifs, by category, with eligibility and
reason), « Ajustements » (budget primitif, with reason) and « Unites » (actual units).
The engine determines the unit cost (CGCT D.5211-16, or R.5111-1 for conventions between
communes), bills notified unit cost × actual units and, only when the convention has a
regularisation clause, regularises on the actual cost. Bad workbooks are reported whole:
every problem on stderr as `Feuille « X », ligne N, colonne « Y » : message`, exit code 2
and no output file. Runs without Django. Spreadsheet access stays in the small `_sheet_*`
and `_cell_*` functions, to be replaced by the shared `mutualis.sheets` layer.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import NoReturn

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from mutualis.engine.errors import EngineError
from mutualis.engine.explain import Explanation
from mutualis.engine.legal import FORMS, legal_basis, unit_cost_reference
from mutualis.engine.money import D
from mutualis.engine.reimbursement import CATEGORY_LABELS, ChargeCategory
from mutualis.engine.unit_cost import (
    AccountCharge,
    BudgetAdjustment,
    ClauseRegularisation,
    Notification,
    Statement,
    Usage,
    bill,
    determine_unit_cost,
    first_year_notification,
    format_unit_cost,
    regularise_on_actual_cost,
    yearly_notification,
)

EURO_FORMAT = "#,##0.00 €"
EXIT_BAD_INPUT = 2
MAX_AMOUNT = Decimal(10) ** 10
"""Largest amount (€) or number of units in a cell: 10 000 000 000."""
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 20 * 1024 * 1024
MAX_RATIO = 200
MAX_ROWS = 10_000

PARAMETERS = "Parametres"
CHARGES = "Charges"
ADJUSTMENTS = "Ajustements"
UNITS = "Unites"
INSTRUCTIONS = "Instructions"

COL_KEY, COL_VALUE = "Paramètre", "Valeur"
COL_CATEGORY, COL_LABEL, COL_AMOUNT = "Catégorie", "Libellé", "Montant"
COL_ELIGIBLE, COL_REASON = "Éligible", "Motif"
COL_CODE, COL_NAME, COL_UNITS, COL_OWN_USE = "Code membre", "Nom", "Unités", "Usage propre"

HEADERS: dict[str, tuple[str, ...]] = {
    PARAMETERS: (COL_KEY, COL_VALUE),
    CHARGES: (COL_CATEGORY, COL_LABEL, COL_AMOUNT, COL_ELIGIBLE, COL_REASON),
    ADJUSTMENTS: (COL_LABEL, COL_AMOUNT, COL_REASON),
    UNITS: (COL_CODE, COL_NAME, COL_UNITS, COL_OWN_USE),
}
OPTIONAL_COLUMNS = {COL_OWN_USE, COL_REASON, COL_ELIGIBLE}
OPTIONAL_SHEETS = {ADJUSTMENTS}
LAST_TEMPLATE_ROW = 500

P_PROVIDER = "Structure qui fournit le service"
P_FORM = "Forme juridique"
P_CONTRACTUAL = "Méthode du coût unitaire adoptée par la convention"
P_YEAR = "Année d'application"
P_ACCOUNTS = "Année du compte administratif"
P_FORECAST = "Unités prévisionnelles"
P_UNIT = "Libellé des unités"
P_NOTIFIED = "Date de notification du coût unitaire"
P_FIRST = "Première année de la convention"
P_SIGNED = "Date de signature de la convention"
P_RENEWAL = "Année de renouvellement des conseils"
P_PERIODICITY = "Périodicité (mois)"
P_PERIOD = "Période facturée"
P_CLAUSE = "Clause de régularisation sur le coût réel"
P_ACTUAL = "Coût réel constaté"

TEMPLATE_PARAMETERS: tuple[tuple[str, object], ...] = (
    (P_PROVIDER, "Communauté de communes"),
    (P_FORM, "mad_descendante"),
    (P_CONTRACTUAL, "non"),
    (P_YEAR, 2026),
    (P_ACCOUNTS, 2024),
    (P_FORECAST, None),
    (P_UNIT, "actes"),
    (P_NOTIFIED, None),
    (P_FIRST, "non"),
    (P_SIGNED, None),
    (P_RENEWAL, "non"),
    (P_PERIODICITY, 12),
    (P_PERIOD, "Année 2026"),
    (P_CLAUSE, None),
    (P_ACTUAL, None),
)

INSTRUCTIONS_TEXT = (
    "Mutualis — état des utilisations d'un service, méthode du décret",
    "(CGCT art. D.5211-16 pour une mise à disposition ; R.5111-1 pour une convention entre "
    "communes)",
    "",
    "Feuille « Parametres » : une valeur par paramètre (colonne B).",
    "  Forme juridique : mad_ascendante, mad_descendante, convention_communes, ou "
    "service_commun / prestation si la convention adopte la méthode (choix contractuel : oui).",
    "  Années : application et dernier compte administratif (antérieur).",
    "  Unités prévisionnelles : strictement positives. Périodicité : 1 à 12 mois.",
    "  Date de notification : avant le 15 avril (30 avril l'année du renouvellement des "
    "conseils, CGCT art. L.1612-2), ou dans les 3 mois de la signature la première année.",
    "  Clause de régularisation et coût réel : seulement si la convention prévoit une "
    "régularisation sur le coût réel ; nommez la clause (« article 7 de la convention »).",
    "Feuille « Charges » : charges du dernier compte administratif.",
    "  Catégorie : personnel, fournitures, renouvellement des biens, contrats de services, "
    "autre, ou vide.",
    "  Éligible : vide pour la règle par défaut (les quatre premières catégories oui, autre "
    "ou vide non) ; oui pour retenir une charge autre ou sans catégorie, avec un motif.",
    "Feuille « Ajustements » (facultative) : évolutions prévues au budget primitif, montant "
    "signé, motif obligatoire.",
    "Feuille « Unites » : unités réellement constatées par bénéficiaire ; Usage propre : oui "
    "sur la seule ligne de la structure (non facturée).",
    "",
    "Calcul : mutualis reimburse CLASSEUR.xlsx -o ETATS.xlsx",
    "  Coût unitaire = (charges éligibles + ajustements) / unités prévisionnelles, en pleine "
    "précision ; montant = coût unitaire × unités constatées, arrondi une fois au centime "
    "(règle d'arrondi de Mutualis, non fixée par le décret).",
    "Ne renommez pas les feuilles ni les en-têtes de colonnes (ligne 1).",
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the workbook, located as precisely as possible."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"Feuille « {self.sheet} »"] if self.sheet else []
        if self.row is not None:
            where.append(f"ligne {self.row}")
        if self.column:
            where.append(f"colonne « {self.column} »")
        return f"{', '.join(where)} : {self.message}" if where else self.message


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


@dataclass(frozen=True)
class Result:
    statement: Statement
    regularisation: ClauseRegularisation | None


def _normalise(text: object) -> str:
    plain = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return " ".join(plain.lower().replace("_", " ").split())


CATEGORY_NAMES: dict[str, ChargeCategory] = {}
for _category in ChargeCategory:
    CATEGORY_NAMES[_normalise(_category.value)] = _category
    CATEGORY_NAMES[_normalise(CATEGORY_LABELS[_category])] = _category
CATEGORY_NAMES[_normalise("autres")] = ChargeCategory.OTHER
YES = {"oui", "o", "yes", "vrai", "true", "1", "x"}
NO = {"non", "n", "no", "faux", "false", "0"}


# --- Cells ----------------------------------------------------------------------------


class Cells:
    """Typed reading of cell values; every problem is recorded, none raised."""

    def __init__(self, sheet: str, problems: list[Problem]) -> None:
        self.sheet = sheet
        self.problems = problems

    def problem(self, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(self.sheet, row, column, message))

    def text(self, row: int, column: str, value: object, *, required: bool = True) -> str | None:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = "" if value is None else str(value).strip()
        if not text:
            if required:
                self.problem(row, column, "valeur obligatoire manquante.")
            return None
        if len(text) > 500:
            self.problem(row, column, "texte trop long (500 caractères au plus).")
            return None
        return text

    def number(
        self, row: int, column: str, value: object, *, signed: bool = False
    ) -> Decimal | None:
        if value is None or str(value).strip() == "":
            self.problem(row, column, "nombre obligatoire manquant.")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
            self.problem(row, column, f"« {value} » n'est pas un nombre.")
            return None
        try:
            number = D(value)
        except (EngineError, ValueError, OverflowError):
            self.problem(row, column, f"« {str(value)[:40]} » n'est pas un nombre.")
            return None
        if abs(number) > MAX_AMOUNT:
            self.problem(row, column, f"valeur hors limites ({str(value)[:40]}) : au plus 10¹⁰.")
            return None
        if number < 0 and not signed:
            self.problem(row, column, f"valeur négative ({value}) : un nombre positif est attendu.")
            return None
        return number

    def integer(self, row: int, column: str, value: object, low: int, high: int) -> int | None:
        number = self.number(row, column, value)
        if number is None:
            return None
        if number != number.to_integral_value() or not low <= number <= high:
            self.problem(row, column, f"un entier de {low} à {high} est attendu (reçu : {value}).")
            return None
        return int(number)

    def yes_no(self, row: int, column: str, value: object) -> bool | None:
        """True, False, or None for a blank cell; a problem for anything else."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            return value
        text = _normalise(value)
        if text in YES:
            return True
        if text in NO:
            return False
        self.problem(row, column, f"« {value} » : répondez oui ou non.")
        return None

    def day(self, row: int, column: str, value: object) -> date | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return datetime.strptime(str(value).strip(), "%d/%m/%Y").date()
        except ValueError:
            self.problem(row, column, f"« {value} » n'est pas une date (JJ/MM/AAAA).")
            return None


# --- Sheets ---------------------------------------------------------------------------


def _sheet_rows(
    sheet: Worksheet, name: str, problems: list[Problem]
) -> Iterator[tuple[int, dict[str, object]]]:
    """Data rows as {column title: value}; header problems are recorded."""
    cells = Cells(name, problems)
    header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
    found = {_normalise(value): index for index, value in enumerate(header) if value}
    columns: dict[str, int] = {}
    for title in HEADERS[name]:
        if _normalise(title) in found:
            columns[title] = found[_normalise(title)]
        elif title not in OPTIONAL_COLUMNS:
            cells.problem(1, title, "colonne absente (en-tête attendu en ligne 1).")
    if any(t not in columns for t in HEADERS[name] if t not in OPTIONAL_COLUMNS):
        return
    for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), 2):
        if number > MAX_ROWS + 1:
            cells.problem(number, None, f"trop de lignes ({MAX_ROWS} au plus).")
            return
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        yield number, {t: values[i] if i < len(values) else None for t, i in columns.items()}


def _read_parameters(sheet: Worksheet, problems: list[Problem]) -> Settings | None:
    cells = Cells(PARAMETERS, problems)
    values: dict[str, tuple[int, object]] = {}
    known = {_normalise(key): key for key, _ in TEMPLATE_PARAMETERS}
    for row, line in _sheet_rows(sheet, PARAMETERS, problems):
        key = known.get(_normalise(line[COL_KEY]))
        if key is None:
            cells.problem(row, COL_KEY, f"paramètre inconnu « {line[COL_KEY]} ».")
        else:
            values[key] = (row, line[COL_VALUE])
    count = len(problems)

    def get(key: str) -> tuple[int, object]:
        return values.get(key, (0, None))

    def text(key: str, *, required: bool = True) -> str | None:
        row, value = get(key)
        return cells.text(row, key, value, required=required)

    provider = text(P_PROVIDER)
    form = text(P_FORM)
    if form is not None and form not in FORMS:
        cells.problem(get(P_FORM)[0], P_FORM, f"forme inconnue « {form} » ({', '.join(FORMS)}).")
        form = None
    row, value = get(P_CONTRACTUAL)
    contractual = cells.yes_no(row, P_CONTRACTUAL, value) or False
    year = cells.integer(*_located(get(P_YEAR), P_YEAR), low=2000, high=2100)
    accounts = cells.integer(*_located(get(P_ACCOUNTS), P_ACCOUNTS), low=2000, high=2100)
    forecast = cells.number(*_located(get(P_FORECAST), P_FORECAST))
    unit = text(P_UNIT) or "unités"
    notified = cells.day(*_located(get(P_NOTIFIED), P_NOTIFIED))
    first = cells.yes_no(*_located(get(P_FIRST), P_FIRST)) or False
    signed = cells.day(*_located(get(P_SIGNED), P_SIGNED))
    renewal = cells.yes_no(*_located(get(P_RENEWAL), P_RENEWAL)) or False
    periodicity = cells.integer(*_located(get(P_PERIODICITY), P_PERIODICITY), low=1, high=12)
    period = text(P_PERIOD, required=False) or ""
    clause = text(P_CLAUSE, required=False)
    actual_row, actual_value = get(P_ACTUAL)
    actual = None
    if actual_value is not None and str(actual_value).strip():
        actual = cells.number(actual_row, P_ACTUAL, actual_value)
    if (clause is None) != (actual is None) and len(problems) == count:
        cells.problem(
            get(P_CLAUSE)[0] or None,
            P_CLAUSE,
            "la clause de régularisation et le coût réel vont ensemble : renseignez les deux "
            "ou aucun.",
        )
    if first and signed is None and len(problems) == count:
        cells.problem(get(P_SIGNED)[0] or None, P_SIGNED, "date obligatoire la première année.")
    if len(problems) > count or None in (provider, form, year, accounts, forecast, periodicity):
        return None
    assert form is not None and year is not None and accounts is not None  # noqa: S101
    assert forecast is not None and periodicity is not None and provider is not None  # noqa: S101
    notification = (
        first_year_notification(signed, notified)
        if first and signed is not None
        else yearly_notification(year, notified, renewal_year=renewal)
    )
    return Settings(
        provider,
        form,
        contractual,
        year,
        accounts,
        forecast,
        unit,
        notification,
        periodicity,
        period or f"Année {year}",
        clause,
        actual,
    )


def _located(item: tuple[int, object], key: str) -> tuple[int, str, object]:
    return item[0], key, item[1]


def _read_charges(sheet: Worksheet, problems: list[Problem]) -> tuple[AccountCharge, ...]:
    cells = Cells(CHARGES, problems)
    lines = []
    for row, line in _sheet_rows(sheet, CHARGES, problems):
        raw = line[COL_CATEGORY]
        category = None
        if raw is not None and str(raw).strip():
            category = CATEGORY_NAMES.get(_normalise(raw))
            if category is None:
                cells.problem(
                    row,
                    COL_CATEGORY,
                    f"catégorie « {raw} » inconnue (personnel, fournitures, renouvellement "
                    "des biens, contrats de services, autre ou vide).",
                )
                continue
        label = cells.text(row, COL_LABEL, line[COL_LABEL])
        amount = cells.number(row, COL_AMOUNT, line[COL_AMOUNT])
        eligible = cells.yes_no(row, COL_ELIGIBLE, line.get(COL_ELIGIBLE))
        reason = cells.text(row, COL_REASON, line.get(COL_REASON), required=False) or ""
        if eligible and category not in _DECREE_CATEGORIES and not reason:
            cells.problem(
                row,
                COL_REASON,
                "une charge « autre » ou sans catégorie ne peut être retenue qu'avec un motif.",
            )
            continue
        if label and amount is not None:
            lines.append(AccountCharge(label, amount, category, eligible, reason))
    return tuple(lines)


_DECREE_CATEGORIES = {
    ChargeCategory.PERSONNEL,
    ChargeCategory.SUPPLIES,
    ChargeCategory.RENEWAL,
    ChargeCategory.SERVICE_CONTRACTS,
}


def _read_adjustments(sheet: Worksheet, problems: list[Problem]) -> tuple[BudgetAdjustment, ...]:
    cells = Cells(ADJUSTMENTS, problems)
    lines = []
    for row, line in _sheet_rows(sheet, ADJUSTMENTS, problems):
        label = cells.text(row, COL_LABEL, line[COL_LABEL])
        amount = cells.number(row, COL_AMOUNT, line[COL_AMOUNT], signed=True)
        reason = cells.text(row, COL_REASON, line.get(COL_REASON))
        if label and amount is not None and reason:
            lines.append(BudgetAdjustment(label, amount, reason))
    return tuple(lines)


def _read_units(sheet: Worksheet, problems: list[Problem]) -> tuple[Usage, ...]:
    cells = Cells(UNITS, problems)
    lines = []
    seen: dict[str, int] = {}
    own_use_rows: list[int] = []
    for row, line in _sheet_rows(sheet, UNITS, problems):
        code = cells.text(row, COL_CODE, line[COL_CODE])
        name = cells.text(row, COL_NAME, line[COL_NAME])
        units = cells.number(row, COL_UNITS, line[COL_UNITS])
        own_use = cells.yes_no(row, COL_OWN_USE, line.get(COL_OWN_USE)) or False
        if code is not None:
            if code in seen:
                cells.problem(row, COL_CODE, f"code « {code} » déjà utilisé ligne {seen[code]}.")
                code = None
            else:
                seen[code] = row
        if own_use:
            own_use_rows.append(row)
            if len(own_use_rows) > 1:
                cells.problem(
                    row,
                    COL_OWN_USE,
                    f"une seule ligne d'usage propre est permise (déjà ligne {own_use_rows[0]}).",
                )
        if code and name and units is not None:
            lines.append(Usage(code, name, units, own_use))
    return tuple(lines)


def _check_archive(path: Path) -> str | None:
    """Refuse oversized, over-compressed or DTD-bearing workbooks before parsing them."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return f"Le fichier « {path} » dépasse {MAX_FILE_BYTES // (1024 * 1024)} Mo."
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            total = sum(item.file_size for item in members)
            if total > MAX_UNCOMPRESSED_BYTES:
                return f"Le classeur « {path} » est trop gros une fois décompressé."
            for item in members:
                ratio = item.file_size / item.compress_size if item.compress_size else 0
                if ratio > MAX_RATIO and item.file_size > 1024 * 1024:
                    return f"Le classeur « {path} » est anormalement compressé : refusé."
                strings = item.filename.endswith("sharedStrings.xml")
                if strings and item.file_size > MAX_SHARED_STRINGS_BYTES:
                    return f"Le classeur « {path} » contient trop de texte : refusé."
                if item.filename.endswith((".xml", ".rels")):
                    with archive.open(item) as handle:
                        if b"<!DOCTYPE" in handle.read(4096).upper():
                            return f"Le classeur « {path} » contient une DTD : refusé."
    except FileNotFoundError:
        return f"Le fichier « {path} » est introuvable."
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return f"Le fichier « {path} » n'est pas un classeur Excel (.xlsx) lisible."
    return None


def read_workbook(path: Path) -> tuple[Inputs | None, list[Problem]]:
    """Parse the workbook; every problem is collected, none raised."""
    refused = _check_archive(path)
    if refused:
        return None, [Problem("", None, None, refused)]
    problems: list[Problem] = []
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a corrupt file
        return None, [
            Problem("", None, None, f"Le fichier « {path} » n'est pas un classeur Excel lisible.")
        ]
    try:
        names = list(workbook.sheetnames)
        for name in HEADERS:
            if name not in names and name not in OPTIONAL_SHEETS:
                problems.append(Problem(name, None, None, "feuille absente du classeur."))
        settings = _read_parameters(workbook[PARAMETERS], problems) if PARAMETERS in names else None
        charges = _read_charges(workbook[CHARGES], problems) if CHARGES in names else ()
        adjustments = (
            _read_adjustments(workbook[ADJUSTMENTS], problems) if ADJUSTMENTS in names else ()
        )
        usage = _read_units(workbook[UNITS], problems) if UNITS in names else ()
    except Exception:  # a corrupt sheet inside a valid archive
        return None, [
            Problem("", None, None, f"Le fichier « {path} » n'est pas un classeur Excel lisible.")
        ]
    finally:
        workbook.close()
    if UNITS in names and not usage and not any(p.sheet == UNITS for p in problems):
        problems.append(Problem(UNITS, None, None, "aucune ligne d'unités."))
    if problems or settings is None:
        return None, sorted(problems, key=_problem_order)
    return Inputs(settings, charges, adjustments, usage), problems


def _problem_order(problem: Problem) -> tuple[int, int, int]:
    """Sheets in template order, then rows, then columns as in the header."""
    sheets = list(HEADERS)
    sheet = sheets.index(problem.sheet) if problem.sheet in sheets else len(sheets)
    columns = HEADERS.get(problem.sheet, ())
    column = columns.index(problem.column) if problem.column in columns else len(columns)
    return sheet, problem.row or 0, column


# --- Computation ----------------------------------------------------------------------


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


# --- Output ---------------------------------------------------------------------------


def _bold_row(sheet: Worksheet, values: Sequence[object]) -> None:
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _write_explanation(sheet: Worksheet, explanation: Explanation) -> None:
    _bold_row(sheet, [explanation.title])
    for step in explanation.steps:
        sheet.append([step.label, step.formula, step.result, step.reference])
    sheet.append([])


def _euro_columns(sheet: Worksheet, letters: set[str]) -> None:
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            if cell.column_letter in letters and isinstance(cell.value, Decimal | int | float):
                cell.number_format = EURO_FORMAT


def _widths(sheet: Worksheet, widths: tuple[int, ...]) -> None:
    for letter, width in zip("ABCDEFGHIJ", widths, strict=False):
        sheet.column_dimensions[letter].width = width


def _write_statement(sheet: Worksheet, result: Result) -> None:
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
        sheet.append(row)
    sheet.append([])
    sheet.append(["Total facturé aux bénéficiaires", None, None, None, statement.billed_total])
    if result.regularisation is not None:
        total = result.regularisation.total
        sheet.append(["Solde des régularisations (clause)", None, None, None, total])
    _euro_columns(sheet, {"E", "G", "H"})
    _widths(sheet, (16, 34, 22, 22, 18, 14, 22, 22))


def write_statements(path: Path, result: Result) -> None:
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None  # noqa: S101 - a new Workbook always has one sheet
    summary.title = "Etats"
    _write_statement(summary, result)
    explanations = workbook.create_sheet("Explications")
    _bold_row(explanations, ["Étape", "Formule", "Résultat", "Référence"])
    _write_explanation(explanations, result.statement.determination.explain())
    _write_explanation(explanations, result.statement.explain())
    if result.regularisation is not None:
        _write_explanation(explanations, result.regularisation.explain())
    _widths(explanations, (50, 70, 28, 40))
    _save(workbook, path)


def _save(workbook: Workbook, path: Path) -> None:
    """Write atomically: the output appears whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(suffix=".xlsx", dir=path.parent)
    os.close(handle)
    try:
        workbook.save(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_template(path: Path) -> None:
    """The blank workbook, with French instructions and validated drop-down lists."""
    workbook = Workbook()
    instructions = workbook.active
    assert instructions is not None  # noqa: S101 - a new Workbook always has one sheet
    instructions.title = INSTRUCTIONS
    for line in INSTRUCTIONS_TEXT:
        instructions.append([line])
    instructions["A1"].font = Font(bold=True)
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
        workbook[PARAMETERS].append([key, value])
    last = LAST_TEMPLATE_ROW
    yes_no = '"oui,non"'
    categories = '"' + ",".join(c.value for c in ChargeCategory) + '"'
    _validate(workbook[CHARGES], categories, f"A2:A{last}", "Catégorie inconnue.")
    _validate(workbook[CHARGES], yes_no, f"D2:D{last}", "Répondez oui ou non.")
    _validate(workbook[UNITS], yes_no, f"D2:D{last}", "Répondez oui ou non.")
    workbook[CHARGES].column_dimensions["C"].number_format = EURO_FORMAT
    workbook[ADJUSTMENTS].column_dimensions["B"].number_format = EURO_FORMAT
    # Codes stay text, so that « 01001 » keeps its leading zero.
    workbook[UNITS].column_dimensions["A"].number_format = "@"
    _save(workbook, path)


def _validate(sheet: Worksheet, formula: str, cells: str, error: str) -> None:
    validation = DataValidation(type="list", formula1=formula, allow_blank=True)
    validation.error = error
    validation.errorTitle = "Valeur refusée"
    validation.showErrorMessage = True
    sheet.add_data_validation(validation)
    validation.add(cells)


# --- Command --------------------------------------------------------------------------


class FrenchParser(argparse.ArgumentParser):
    """argparse, with its usage errors in French and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"Erreur : arguments invalides ({message}).", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def _parser() -> argparse.ArgumentParser:
    parser = FrenchParser(
        prog="mutualis reimburse",
        description="État des utilisations d'un service, méthode du décret "
        "(CGCT art. D.5211-16 ; R.5111-1).",
    )
    parser.add_argument("workbook", nargs="?", type=Path, help="classeur rempli (.xlsx)")
    parser.add_argument("-o", "--output", type=Path, help="classeur des états à écrire")
    parser.add_argument("--template", type=Path, help="écrire le modèle vierge dans ce fichier")
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.template is not None:
        write_template(args.template)
        print(f"Modèle écrit : {args.template}")
        return 0
    if args.workbook is None or args.output is None:
        print(
            "Erreur : indiquez le classeur à lire et le fichier de sortie : "
            "mutualis reimburse CLASSEUR.xlsx -o ETATS.xlsx "
            "(ou --template MODELE.xlsx pour le modèle vierge).",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    inputs, problems = read_workbook(args.workbook)
    result = None
    if inputs is not None:
        try:
            result = compute(inputs)
        except EngineError as exc:
            field = str(exc.fields.get("field", ""))
            sheet = {"form": PARAMETERS, "forecast_units": PARAMETERS, "units": UNITS}.get(
                field, CHARGES if field in ("reason", "amount") else PARAMETERS
            )
            problems.append(Problem(sheet, None, None, exc.message))
    if problems or result is None:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problème(s) : aucun fichier écrit.", file=sys.stderr)
        return EXIT_BAD_INPUT
    write_statements(args.output, result)
    determination = result.statement.determination
    basis = legal_basis(inputs.settings.form).label if inputs else ""
    print(
        f"États écrits : {args.output} — {basis}, coût unitaire "
        f"{determination.rate_text()}, {len(result.statement.lines)} ligne(s)."
    )
    for warning in result.statement.warnings:
        print(f"Avertissement : {warning}", file=sys.stderr)
    return 0
