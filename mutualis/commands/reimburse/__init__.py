"""`mutualis reimburse`: the statement of uses of a service, by the decree's method.

    mutualis reimburse CLASSEUR.xlsx -o ETATS.xlsx
    mutualis reimburse --template MODELE.xlsx

The workbook follows the template (`layout`): « Parametres » (legal form, years, forecast
units, notification and signature dates, periodicity, optional contractual regularisation
clause), « Charges » (latest comptes administratifs, by category, with eligibility and
reason), « Ajustements » (budget primitif, with reason) and « Unites » (actual units).
`reading` opens and parses it through `mutualis.sheets`; `statements` asks the engine for
the unit cost (CGCT D.5211-16, or R.5111-1 for conventions between communes), bills
notified unit cost × actual units and, only when the convention has a regularisation
clause, regularises on the actual cost, then writes the statements. Bad workbooks are
reported whole: every problem on stderr as
`Feuille « X », ligne N, colonne « Y » : message`, exit code 2 and no output file. Runs
without Django.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from mutualis.commands.reimburse.layout import CHARGES, PARAMETERS, UNITS
from mutualis.commands.reimburse.reading import read_workbook
from mutualis.commands.reimburse.statements import compute, write_statements, write_template
from mutualis.engine.errors import EngineError
from mutualis.engine.legal import legal_basis
from mutualis.sheets import Problem

EXIT_BAD_INPUT = 2


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


def _sheet_of(error: EngineError) -> str:
    """The sheet a refusal of the engine is about."""
    field = str(error.fields.get("field", ""))
    if field == "units":
        return UNITS
    return CHARGES if field in ("reason", "amount") else PARAMETERS


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
            problems.append(Problem(_sheet_of(exc), None, None, exc.message))
    if problems or result is None or inputs is None:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problème(s) : aucun fichier écrit.", file=sys.stderr)
        return EXIT_BAD_INPUT
    write_statements(args.output, result)
    determination = result.statement.determination
    print(
        f"États écrits : {args.output} — {legal_basis(inputs.settings.form).label}, coût "
        f"unitaire {determination.rate_text()}, {len(result.statement.lines)} ligne(s)."
    )
    for warning in result.statement.warnings:
        print(f"Avertissement : {warning}", file=sys.stderr)
    return 0
