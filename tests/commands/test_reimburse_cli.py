"""`mutualis reimburse`: template round-trip, bad workbooks reported whole, no Django."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mutualis.commands.reimburse import EURO_FORMAT, Problem, main


def fill(template: Path, target: Path, *, bad: bool = False, billed: bool = True) -> None:
    """Fill the template as a user would in Excel: from row 2, cell by cell."""
    workbook = load_workbook(template)
    rows = {
        "Charges": [
            ("personnel", "Agents instructeurs", 350000, "oui"),
            ("fournitures", "Fournitures de bureau", 12318, "oui"),
            ("contrats de services", "Logiciel d'instruction", 50000, "oui"),
            ("autre", "Intérêts d'emprunt", 1000, "non"),
        ],
        "Unites": [
            ("64001", "Commune A", 1000, "non"),
            ("64002", "Commune B", 600, None),
            ("EPCI", "Communauté de communes", 273, "oui"),
        ],
        "Deja_facture": [("64001", 200000)] if billed else [],
    }
    if bad:
        rows["Charges"][1] = ("bidule", "Fournitures de bureau", "12 318", "oui")
        rows["Charges"][2] = ("contrats de services", None, -5, "peut-être")
        rows["Unites"][1] = ("64001", "Commune B", "beaucoup", None)
        rows["Deja_facture"] = [("99999", 10)]
    for sheet, lines in rows.items():
        for row_index, values in enumerate(lines, start=2):
            for column_index, value in enumerate(values, start=1):
                workbook[sheet].cell(row_index, column_index, value)
    workbook.save(target)


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "modele.xlsx"
    assert main(["--template", str(path)]) == 0
    return path


def test_template_has_french_instructions_and_validation(template: Path) -> None:
    workbook = load_workbook(template)
    assert workbook.sheetnames == ["Instructions", "Charges", "Unites", "Deja_facture"]
    assert "D.5211-16" in str(workbook["Instructions"]["A2"].value)
    assert [c.value for c in workbook["Charges"][1]] == [
        "Catégorie",
        "Libellé",
        "Montant",
        "Éligible",
    ]
    formulas = [v.formula1 for v in workbook["Charges"].data_validations.dataValidation]
    assert any("renouvellement des biens" in f for f in formulas)
    assert '"oui,non"' in formulas


def test_template_round_trip_gives_hand_checked_statements(template: Path, tmp_path: Path) -> None:
    """412 318,00 € eligible / 1 873 units = 220,14 €/unit; A: 1 000 × 220,14 = 220 140,00,
    already billed 200 000,00 → regularisation 20 140,00; B: 600 × 220,14 = 132 084,00,
    nothing billed → 132 084,00; own use 273 × 220,14 = 60 098,22, not billed."""
    filled, output = tmp_path / "rempli.xlsx", tmp_path / "etats.xlsx"
    fill(template, filled)
    assert main([str(filled), "-o", str(output), "--unite", "actes"]) == 0
    sheet = load_workbook(output)["Etats"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2) if row[0].value}
    a, b, own = rows["64001"], rows["64002"], rows["EPCI"]
    assert Decimal(str(a[3].value)) == Decimal("220.14")
    assert Decimal(str(a[4].value)) == Decimal("220140.00")
    assert Decimal(str(a[7].value)) == Decimal("20140.00")
    assert Decimal(str(b[4].value)) == Decimal("132084.00")
    assert Decimal(str(b[7].value)) == Decimal("132084.00")
    assert Decimal(str(own[4].value)) == Decimal("60098.22")
    assert own[5].value == "oui"
    assert a[4].number_format == EURO_FORMAT
    assert Decimal(str(rows["Total facturé aux membres"][4].value)) == Decimal("352224.00")
    explanation = load_workbook(output)["Explications"]
    texts = [str(c.value) for row in explanation.iter_rows() for c in row if c.value]
    assert "CGCT art. D.5211-16" in texts
    assert any("220,14 €/acte" in t for t in texts)


def test_workbook_without_billed_sheet_has_no_regularisation(
    template: Path, tmp_path: Path
) -> None:
    filled, output = tmp_path / "rempli.xlsx", tmp_path / "etats.xlsx"
    fill(template, filled)
    workbook = load_workbook(filled)
    del workbook["Deja_facture"]
    workbook.save(filled)
    assert main([str(filled), "-o", str(output)]) == 0
    headers = [c.value for c in load_workbook(output)["Etats"][1]]
    assert "Régularisation" not in headers


def test_bad_workbook_lists_every_problem_and_writes_nothing(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filled, output = tmp_path / "mauvais.xlsx", tmp_path / "etats.xlsx"
    fill(template, filled, bad=True)
    assert main([str(filled), "-o", str(output)]) == 2
    assert not output.exists()
    errors = capsys.readouterr().err.splitlines()
    expected = [
        "Feuille « Charges », ligne 3, colonne « Catégorie » : catégorie « bidule » inconnue",
        "Feuille « Charges », ligne 4, colonne « Libellé » : valeur obligatoire manquante.",
        "Feuille « Charges », ligne 4, colonne « Montant » : valeur négative",
        "Feuille « Charges », ligne 4, colonne « Éligible » : « peut-être » : répondez oui ou non.",
        "Feuille « Unites », ligne 3, colonne « Code membre » : code « 64001 » déjà utilisé",
        "Feuille « Unites », ligne 3, colonne « Unités » : « beaucoup » n'est pas un nombre.",
        "Feuille « Deja_facture », ligne 2, colonne « Code membre » : code « 99999 » absent",
    ]
    assert len(errors) == len(expected) + 1
    for line, start in zip(errors, expected, strict=False):
        assert line.startswith(start), (line, start)
    assert errors[-1] == "7 problème(s) : aucun fichier écrit."


def test_missing_sheet_and_column_are_reported(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filled, output = tmp_path / "mauvais.xlsx", tmp_path / "etats.xlsx"
    fill(template, filled)
    workbook = load_workbook(filled)
    del workbook["Unites"]
    workbook["Charges"]["C1"] = "Somme"
    workbook.save(filled)
    assert main([str(filled), "-o", str(output)]) == 2
    err = capsys.readouterr().err
    assert "Feuille « Charges », ligne 1, colonne « Montant » : colonne absente" in err
    assert "Feuille « Unites » : feuille absente du classeur." in err
    assert not output.exists()


def test_zero_units_with_charges_is_reported(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filled, output = tmp_path / "zero.xlsx", tmp_path / "etats.xlsx"
    fill(template, filled, billed=False)
    workbook = load_workbook(filled)
    for row in (2, 3, 4):
        workbook["Unites"].cell(row, 3, 0)
    workbook.save(filled)
    assert main([str(filled), "-o", str(output)]) == 2
    assert "Aucune unité de fonctionnement" in capsys.readouterr().err
    assert not output.exists()


def test_non_xlsx_file_gets_a_french_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text_file = tmp_path / "notes.xlsx"
    text_file.write_text("ceci n'est pas un classeur")
    output = tmp_path / "etats.xlsx"
    assert main([str(text_file), "-o", str(output)]) == 2
    assert "n'est pas un classeur Excel (.xlsx) lisible" in capsys.readouterr().err
    assert not output.exists()


def test_missing_file_gets_a_french_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "absent.xlsx"), "-o", str(tmp_path / "o.xlsx")]) == 2
    assert "introuvable" in capsys.readouterr().err


def test_problem_reads_as_a_located_french_sentence() -> None:
    problem = Problem("Charges", 3, "Montant", "« x » n'est pas un nombre.")
    assert (
        str(problem)
        == "Feuille « Charges », ligne 3, colonne « Montant » : « x » n'est pas un nombre."
    )
