"""`mutualis reimburse` gives the same figures as before its move onto `mutualis.sheets`.

The expected cells (tests/commands/data/reimburse_golden.json) were written by the command
as it stood on main before the refactoring (commit eb5dcd7), from the same input workbooks
built below; every cell of every output sheet is compared, as its type and its text.
Regenerate only for an intended change: `REIMBURSE_GOLDEN=write pytest this_file`.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from mutualis.commands.reimburse import main

GOLDEN = Path(__file__).parent / "data" / "reimburse_golden.json"

BASE_PARAMS: dict[str, object] = {
    "Structure qui fournit le service": "Communauté de communes du Val",
    "Forme juridique": "mad_descendante",
    "Méthode du coût unitaire adoptée par la convention": "non",
    "Année d'application": 2026,
    "Année du compte administratif": 2024,
    "Unités prévisionnelles": 3170,
    "Libellé des unités": "actes",
    "Date de notification du coût unitaire": date(2026, 3, 20),
    "Première année de la convention": "non",
    "Année de renouvellement des conseils": "non",
    "Périodicité (mois)": 12,
    "Période facturée": "Année 2026",
}
CHARGES = [
    ("Catégorie", "Libellé", "Montant", "Éligible", "Motif"),
    ("personnel", "Agents instructeurs", 180000.37, None, None),
    ("fournitures", "Fournitures de bureau", "6 000,10", None, None),
    ("renouvellement des biens", "Véhicule", 7333.33, None, None),
    ("contrats de services", "Logiciel d'instruction", 14000, None, None),
    ("autre", "Intérêts d'emprunt", 5000, None, None),
    ("autre", "Affranchissement", 1000, "oui", "envoi des arrêtés, propre au service"),
    (None, "Frais divers", 250, "non", None),
]
ADJUSTMENTS = [
    ("Libellé", "Montant", "Motif"),
    ("Point d'indice", 9000, "hausse votée au budget primitif 2026"),
    ("Fin de contrat", "-1 200,50", "contrat non reconduit"),
]
UNITS = [
    ("Code membre", "Nom", "Unités", "Usage propre"),
    ("21001", "Commune 1", 825, "non"),
    ("21002", "Commune 2", 1200.5, None),
    ("21003", "Commune 3", 333, "non"),
    ("=cmd", "Commune =cmd", 7, None),
    ("EPCI", "Communauté", 450, "oui"),
]
CASES: dict[str, dict[str, object]] = {
    "yearly": {},
    "clause": {
        "Clause de régularisation sur le coût réel": "article 7 de la convention",
        "Coût réel constaté": 210000.55,
    },
    "late-first-year": {
        "Forme juridique": "convention_communes",
        "Première année de la convention": "oui",
        "Date de signature de la convention": "01/01/2026",
        "Date de notification du coût unitaire": "20/04/2026",
        "Périodicité (mois)": 3,
        "Période facturée": "1er trimestre 2026",
    },
}


def build(path: Path, params: dict[str, object]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Parametres"
    sheet.append(["Paramètre", "Valeur"])
    for key, value in {**BASE_PARAMS, **params}.items():
        sheet.append([key, value])
    for name, rows in (("Charges", CHARGES), ("Ajustements", ADJUSTMENTS), ("Unites", UNITS)):
        target = workbook.create_sheet(name)
        for row in rows:
            target.append(list(row))
            for cell in target[target.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # "=cmd" stays text in the input too
    workbook.save(path)


def cells_of(path: Path) -> dict[str, list[list[list[str] | None]]]:
    """Every sheet as rows of [type, text] (None for an empty cell)."""
    workbook = load_workbook(path)
    return {
        sheet.title: [
            [None if value is None else [type(value).__name__, str(value)] for value in row]
            for row in sheet.iter_rows(values_only=True)
        ]
        for sheet in workbook.worksheets
    }


def run_case(tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    source, output = tmp_path / f"{case}.xlsx", tmp_path / f"{case}-etats.xlsx"
    build(source, CASES[case])
    code = main([str(source), "-o", str(output)])
    captured = capsys.readouterr()
    return {
        "code": code,
        "stdout": captured.out.replace(str(output), "ETATS"),
        "stderr": captured.err,
        "cells": cells_of(output) if output.exists() else None,
    }


@pytest.mark.parametrize("case", list(CASES))
def test_reimburse_output_is_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    result = run_case(tmp_path, case, capsys)
    assert result["code"] == 0, result["stderr"]
    if os.environ.get("REIMBURSE_GOLDEN") == "write":
        golden = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}
        golden[case] = result
        GOLDEN.write_text(json.dumps(golden, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    expected = json.loads(GOLDEN.read_text())[case]
    assert result["cells"] == expected["cells"]
    assert result["stdout"] == expected["stdout"]
    assert result["stderr"] == expected["stderr"]


def test_member_text_is_never_written_as_a_formula(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_case(tmp_path, "yearly", capsys)
    sheet = load_workbook(tmp_path / "yearly-etats.xlsx")["Etats"]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == "=cmd")
    assert cell.data_type == "s"
    assert cell.quotePrefix
