"""`mutualis reimburse`: yearly statements of a shared service from an Excel workbook.

    mutualis reimburse CLASSEUR.xlsx -o ETATS.xlsx [--mode par_ligne|reconcilie] [--unite actes]
    mutualis reimburse --template MODELE.xlsx

The workbook follows the template (sheets « Charges », « Unites » and optionally
« Deja_facture »); the engine computes the unit operating cost (CGCT art. D.5211-16),
each member's amount and, when amounts were already billed, the regularisation. Bad
workbooks are reported whole: every problem on stderr as
`Feuille « X », ligne N, colonne « Y » : message`, exit code 2 and no output file.
Runs without Django.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from mutualis.engine.errors import EngineError
from mutualis.engine.explain import Explanation
from mutualis.engine.money import D, format_euros
from mutualis.engine.reimbursement import (
    CATEGORY_LABELS,
    ChargeCategory,
    ChargeLine,
    Reimbursement,
    RoundingMode,
    UnitLine,
    compute_reimbursement,
    regularise,
)

EURO_FORMAT = "#,##0.00 €"
EXIT_BAD_INPUT = 2

CHARGES = "Charges"
UNITS = "Unites"
BILLED = "Deja_facture"
INSTRUCTIONS = "Instructions"

COL_CATEGORY, COL_LABEL, COL_AMOUNT, COL_ELIGIBLE = "Catégorie", "Libellé", "Montant", "Éligible"
COL_CODE, COL_NAME, COL_UNITS, COL_OWN_USE = "Code membre", "Nom", "Unités", "Usage propre"
COL_BILLED = "Montant déjà facturé"

HEADERS: dict[str, tuple[str, ...]] = {
    CHARGES: (COL_CATEGORY, COL_LABEL, COL_AMOUNT, COL_ELIGIBLE),
    UNITS: (COL_CODE, COL_NAME, COL_UNITS, COL_OWN_USE),
    BILLED: (COL_CODE, COL_BILLED),
}
OPTIONAL_COLUMNS = {COL_OWN_USE}
LAST_TEMPLATE_ROW = 500

INSTRUCTIONS_TEXT = (
    "Mutualis — remboursement des frais de fonctionnement d'un service commun",
    "(CGCT art. D.5211-16 : coût unitaire de fonctionnement × unités de fonctionnement)",
    "",
    "Feuille « Charges » : une ligne par charge de fonctionnement du service.",
    "  Catégorie : personnel, fournitures, renouvellement des biens, contrats de services "
    "ou autre.",
    "  Libellé : texte libre. Montant : en euros, positif ou nul.",
    "  Éligible : oui si la charge entre dans le coût unitaire, non sinon.",
    "Feuille « Unites » : une ligne par utilisateur du service, la structure qui porte le "
    "service comprise.",
    "  Code membre : code INSEE (ou SIREN) unique. Nom : nom du membre.",
    "  Unités : unités de fonctionnement consommées (actes, heures, dossiers…), positives.",
    "  Usage propre : oui sur la seule ligne de la structure qui porte le service "
    "(son usage n'est pas facturé), non ou vide ailleurs.",
    "Feuille « Deja_facture » (facultative) : montants déjà facturés sur le budget prévisionnel ;",
    "  elle donne la régularisation = montant dû − déjà facturé (négatif : trop-perçu).",
    "",
    "Calcul : mutualis reimburse CLASSEUR.xlsx -o ETATS.xlsx",
    "  Coût unitaire = charges éligibles / total des unités, arrondi au centime ;",
    "  chaque ligne = coût unitaire × unités, arrondie une fois au centime (mode par_ligne).",
    "  Avec --mode reconcilie, les charges éligibles sont réparties au prorata des unités",
    "  et les lignes totalisent exactement les charges éligibles.",
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
class Inputs:
    charges: tuple[ChargeLine, ...]
    units: tuple[UnitLine, ...]
    billed: dict[str, Decimal] | None


def _normalise(text: object) -> str:
    plain = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return " ".join(plain.lower().replace("_", " ").split())


CATEGORY_NAMES: dict[str, ChargeCategory] = {}
for _category in ChargeCategory:
    CATEGORY_NAMES[_normalise(_category.value)] = _category
    CATEGORY_NAMES[_normalise(CATEGORY_LABELS[_category])] = _category
CATEGORY_NAMES[_normalise("autres")] = ChargeCategory.OTHER
YES = {"oui", "o", "yes", "vrai", "true", "1", "x"}
NO = {"non", "n", "no", "faux", "false", "0", ""}


class SheetReader:
    """Rows of one sheet as {column title: value}, with problems collected on the side."""

    def __init__(self, sheet: Worksheet, name: str, problems: list[Problem]) -> None:
        self.sheet = sheet
        self.name = name
        self.problems = problems
        self.columns: dict[str, int] = {}
        header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
        found = {_normalise(value): index for index, value in enumerate(header) if value}
        for title in HEADERS[name]:
            if _normalise(title) in found:
                self.columns[title] = found[_normalise(title)]
            elif title not in OPTIONAL_COLUMNS:
                self.problem(1, title, "colonne absente (en-tête attendu en ligne 1).")

    def problem(self, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(self.name, row, column, message))

    def rows(self) -> Iterator[tuple[int, dict[str, object]]]:
        if any(
            title not in self.columns
            for title in HEADERS[self.name]
            if title not in OPTIONAL_COLUMNS
        ):
            return
        for number, values in enumerate(self.sheet.iter_rows(min_row=2, values_only=True), 2):
            if all(v is None or str(v).strip() == "" for v in values):
                continue
            yield (
                number,
                {
                    title: values[index] if index < len(values) else None
                    for title, index in self.columns.items()
                },
            )

    def text(self, row: int, column: str, value: object) -> str | None:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = "" if value is None else str(value).strip()
        if not text:
            self.problem(row, column, "valeur obligatoire manquante.")
            return None
        return text

    def number(self, row: int, column: str, value: object) -> Decimal | None:
        if value is None or str(value).strip() == "":
            self.problem(row, column, "nombre obligatoire manquant.")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
            self.problem(row, column, f"« {value} » n'est pas un nombre.")
            return None
        try:
            number = D(value)
        except EngineError as exc:
            self.problem(row, column, exc.message)
            return None
        if number < 0:
            self.problem(row, column, f"valeur négative ({value}) : un nombre positif est attendu.")
            return None
        return number

    def yes_no(self, row: int, column: str, value: object, default: bool) -> bool | None:
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        text = _normalise(value)
        if text in YES:
            return True
        if text in NO:
            return default if text == "" else False
        self.problem(row, column, f"« {value} » : répondez oui ou non.")
        return None


def read_workbook(path: Path) -> tuple[Inputs | None, list[Problem]]:
    """Parse the workbook; every problem is collected, none raised."""
    problems: list[Problem] = []
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        return None, [Problem("", None, None, f"Le fichier « {path} » est introuvable.")]
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None, [
            Problem(
                "",
                None,
                None,
                f"Le fichier « {path} » n'est pas un classeur Excel (.xlsx) lisible.",
            )
        ]
    names = list(workbook.sheetnames)
    try:
        for name in (CHARGES, UNITS):
            if name not in names:
                problems.append(Problem(name, None, None, "feuille absente du classeur."))
        charges = _read_charges(workbook[CHARGES], problems) if CHARGES in names else ()
        units = _read_units(workbook[UNITS], problems) if UNITS in names else ()
        billed = None
        if BILLED in names:
            billed = _read_billed(workbook[BILLED], units, problems)
    finally:
        workbook.close()
    if UNITS in names and not units and not any(p.sheet == UNITS for p in problems):
        problems.append(Problem(UNITS, None, None, "aucune ligne d'unités."))
    if problems:
        return None, sorted(problems, key=_problem_order)
    return Inputs(tuple(charges), tuple(units), billed), problems


def _problem_order(problem: Problem) -> tuple[int, int, int]:
    """Sheets in template order, then rows, then columns as in the header."""
    sheets = list(HEADERS)
    sheet = sheets.index(problem.sheet) if problem.sheet in sheets else len(sheets)
    columns = HEADERS.get(problem.sheet, ())
    column = columns.index(problem.column) if problem.column in columns else len(columns)
    return sheet, problem.row or 0, column


def _read_charges(sheet: Worksheet, problems: list[Problem]) -> tuple[ChargeLine, ...]:
    reader = SheetReader(sheet, CHARGES, problems)
    lines = []
    for row, cells in reader.rows():
        raw = cells[COL_CATEGORY]
        category = CATEGORY_NAMES.get(_normalise(raw))
        if category is None:
            if raw is None or str(raw).strip() == "":
                reader.problem(row, COL_CATEGORY, "valeur obligatoire manquante.")
            else:
                reader.problem(
                    row,
                    COL_CATEGORY,
                    f"catégorie « {raw} » inconnue (personnel, fournitures, renouvellement "
                    "des biens, contrats de services ou autre).",
                )
        label = reader.text(row, COL_LABEL, cells[COL_LABEL])
        amount = reader.number(row, COL_AMOUNT, cells[COL_AMOUNT])
        eligible = reader.yes_no(row, COL_ELIGIBLE, cells[COL_ELIGIBLE], default=True)
        if category and label and amount is not None and eligible is not None:
            lines.append(ChargeLine(category, label, amount, eligible))
    return tuple(lines)


def _read_units(sheet: Worksheet, problems: list[Problem]) -> tuple[UnitLine, ...]:
    reader = SheetReader(sheet, UNITS, problems)
    lines = []
    seen: dict[str, int] = {}
    own_use_rows: list[int] = []
    for row, cells in reader.rows():
        code = reader.text(row, COL_CODE, cells[COL_CODE])
        name = reader.text(row, COL_NAME, cells[COL_NAME])
        units = reader.number(row, COL_UNITS, cells[COL_UNITS])
        own_use = reader.yes_no(row, COL_OWN_USE, cells.get(COL_OWN_USE), default=False)
        if code is not None:
            if code in seen:
                reader.problem(row, COL_CODE, f"code « {code} » déjà utilisé ligne {seen[code]}.")
                code = None
            else:
                seen[code] = row
        if own_use:
            own_use_rows.append(row)
            if len(own_use_rows) > 1:
                reader.problem(
                    row,
                    COL_OWN_USE,
                    f"une seule ligne d'usage propre est permise (déjà ligne {own_use_rows[0]}).",
                )
        if code and name and units is not None and own_use is not None:
            lines.append(UnitLine(code, name, units, own_use))
    return tuple(lines)


def _read_billed(
    sheet: Worksheet, units: tuple[UnitLine, ...], problems: list[Problem]
) -> dict[str, Decimal]:
    reader = SheetReader(sheet, BILLED, problems)
    members = {u.code: u for u in units}
    billed: dict[str, Decimal] = {}
    for row, cells in reader.rows():
        code = reader.text(row, COL_CODE, cells[COL_CODE])
        amount = reader.number(row, COL_BILLED, cells[COL_BILLED])
        if code is None:
            continue
        if code not in members:
            reader.problem(row, COL_CODE, f"code « {code} » absent de la feuille « {UNITS} ».")
        elif members[code].own_use:
            reader.problem(row, COL_CODE, "l'usage propre de la structure n'est pas facturé.")
        elif code in billed:
            reader.problem(row, COL_CODE, f"code « {code} » présent deux fois.")
        elif amount is not None:
            billed[code] = amount
    return billed


def _write_explanation(sheet: Worksheet, explanation: Explanation) -> None:
    sheet.append([explanation.title])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    for step in explanation.steps:
        sheet.append([step.label, step.formula, step.result, step.reference])
    sheet.append([])


def write_statements(path: Path, inputs: Inputs, result: Reimbursement, unit_label: str) -> None:
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None  # noqa: S101 - a new Workbook always has one sheet
    summary.title = "Etats"
    regularisation = regularise(result, inputs.billed) if inputs.billed is not None else None
    headers = [
        "Code membre",
        "Membre",
        f"Unités ({unit_label})",
        "Coût unitaire",
        "Montant dû",
        "Usage propre",
    ]
    if regularisation is not None:
        headers += ["Déjà facturé", "Régularisation"]
    summary.append(headers)
    for cell in summary[1]:
        cell.font = Font(bold=True)
    regular = {line.code: line for line in regularisation.lines} if regularisation else {}
    for line in result.lines:
        row: list[object] = [
            line.code,
            line.name,
            line.units,
            result.unit_cost,
            line.amount,
            "oui" if line.own_use else "non",
        ]
        if regularisation is not None:
            reg = regular.get(line.code)
            row += [reg.billed, reg.regularisation] if reg else [None, None]
        summary.append(row)
    summary.append([])
    summary.append(["Total facturé aux membres", None, None, None, result.billed_total])
    summary.append(["Charges éligibles", None, None, None, result.eligible_total])
    summary.append(["Écart d'arrondi (lignes − charges)", None, None, None, result.rounding_gap])
    if regularisation is not None:
        summary.append(["Solde des régularisations", None, None, None, regularisation.total])
    for row_cells in summary.iter_rows(min_row=2):
        for cell in row_cells:
            if cell.column_letter in {"D", "E", "G", "H"} and cell.value is not None:
                cell.number_format = EURO_FORMAT
    for letter, width in zip("ABCDEFGH", (16, 34, 16, 16, 18, 14, 18, 18), strict=True):
        summary.column_dimensions[letter].width = width

    explanations = workbook.create_sheet("Explications")
    explanations.append(["Étape", "Formule", "Résultat", "Référence"])
    for cell in explanations[1]:
        cell.font = Font(bold=True)
    _write_explanation(explanations, result.explain())
    if regularisation is not None:
        _write_explanation(explanations, regularisation.explain())
    for letter, width in zip("ABCD", (50, 70, 28, 22), strict=True):
        explanations.column_dimensions[letter].width = width
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

    yes_no = '"oui,non"'
    categories = '"' + ",".join(c.value for c in ChargeCategory) + '"'
    for name, widths in (
        (CHARGES, (28, 40, 16, 12)),
        (UNITS, (16, 40, 14, 14)),
        (BILLED, (16, 22)),
    ):
        sheet = workbook.create_sheet(name)
        sheet.append(list(HEADERS[name]))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for letter, width in zip("ABCD", widths, strict=False):
            sheet.column_dimensions[letter].width = width
        sheet.freeze_panes = "A2"
    last = LAST_TEMPLATE_ROW
    _validate(workbook[CHARGES], categories, f"A2:A{last}", "Catégorie inconnue.")
    _validate(workbook[CHARGES], yes_no, f"D2:D{last}", "Répondez oui ou non.")
    _validate(workbook[UNITS], yes_no, f"D2:D{last}", "Répondez oui ou non.")
    workbook[CHARGES].column_dimensions["C"].number_format = EURO_FORMAT
    workbook[BILLED].column_dimensions["B"].number_format = EURO_FORMAT
    # Codes stay text, so that « 01001 » keeps its leading zero.
    workbook[UNITS].column_dimensions["A"].number_format = "@"
    workbook[BILLED].column_dimensions["A"].number_format = "@"
    _save(workbook, path)


def _validate(sheet: Worksheet, formula: str, cells: str, error: str) -> None:
    validation = DataValidation(type="list", formula1=formula, allow_blank=True)
    validation.error = error
    validation.errorTitle = "Valeur refusée"
    validation.showErrorMessage = True
    sheet.add_data_validation(validation)
    validation.add(cells)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mutualis reimburse",
        description="États de remboursement d'un service commun (CGCT art. D.5211-16).",
    )
    parser.add_argument("workbook", nargs="?", type=Path, help="classeur rempli (.xlsx)")
    parser.add_argument("-o", "--output", type=Path, help="classeur des états à écrire")
    parser.add_argument("--template", type=Path, help="écrire le modèle vierge dans ce fichier")
    parser.add_argument(
        "--mode",
        choices=[m.value for m in RoundingMode],
        default=RoundingMode.PER_LINE.value,
        help="par_ligne (coût unitaire × unités) ou reconcilie (total exact)",
    )
    parser.add_argument("--unite", default="unités", help="libellé des unités, au pluriel")
    return parser


def main(argv: list[str]) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.template is not None:
        write_template(args.template)
        print(f"Modèle écrit : {args.template}")
        return 0
    if args.workbook is None or args.output is None:
        print(
            "Indiquez le classeur à lire et le fichier de sortie : "
            "mutualis reimburse CLASSEUR.xlsx -o ETATS.xlsx "
            "(ou --template MODELE.xlsx pour le modèle vierge).",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    inputs, problems = read_workbook(args.workbook)
    result = None
    if inputs is not None:
        try:
            result = compute_reimbursement(
                inputs.charges, inputs.units, unit_label=args.unite, mode=RoundingMode(args.mode)
            )
        except EngineError as exc:
            problems.append(Problem(UNITS, None, COL_UNITS, exc.message))
    if problems or inputs is None or result is None:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problème(s) : aucun fichier écrit.", file=sys.stderr)
        return EXIT_BAD_INPUT
    write_statements(args.output, inputs, result, args.unite)
    print(
        f"États écrits : {args.output} — coût unitaire {format_euros(result.unit_cost)}, "
        f"{len(result.lines)} ligne(s)."
    )
    return 0
