"""`mutualis reimburse`: the decree's method from a workbook, bad workbooks reported whole."""

from __future__ import annotations

import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from mutualis.commands.reimburse import main
from mutualis.commands.reimburse.reading import read_workbook
from mutualis.sheets import EURO_FORMAT, Problem

PARAMS = {
    "Structure qui fournit le service": "Communauté",
    "Forme juridique": "mad_descendante",
    "Année d'application": 2026,
    "Année du compte administratif": 2024,
    "Unités prévisionnelles": 3000,
    "Libellé des unités": "actes",
    "Date de notification du coût unitaire": date(2026, 3, 20),
    "Périodicité (mois)": 12,
    "Période facturée": "Année 2026",
}
CHARGES = [
    ("personnel", "Agents instructeurs", 180000, None, None),
    ("fournitures", "Fournitures de bureau", 6000, None, None),
    ("contrats de services", "Logiciel d'instruction", 14000, None, None),
    ("autre", "Intérêts d'emprunt", 5000, None, None),
    ("autre", "Affranchissement", 1000, "oui", "envoi des arrêtés, propre au service"),
]
ADJUSTMENTS = [("Point d'indice", 9000, "hausse votée au budget primitif 2026")]
UNITS = [
    ("C1", "Commune 1", 825, "non"),
    ("C2", "Commune 2", 1200, None),
    ("EPCI", "Communauté", 450, "oui"),
]


def fill(template: Path, target: Path, **changes: object) -> None:
    """Fill the template as a user would in Excel, cell by cell."""
    workbook = load_workbook(template)
    params = {**PARAMS, **changes.get("params", {})}  # type: ignore[dict-item]
    sheet = workbook["Parametres"]
    for row in range(2, sheet.max_row + 1):
        key = sheet.cell(row, 1).value
        if key in params:
            sheet.cell(row, 2, params[key])
    rows = {
        "Charges": changes.get("charges", CHARGES),
        "Ajustements": changes.get("adjustments", ADJUSTMENTS),
        "Unites": changes.get("units", UNITS),
    }
    for name, lines in rows.items():
        for row_index, values in enumerate(lines, start=2):  # type: ignore[arg-type]
            for column_index, value in enumerate(values, start=1):
                workbook[name].cell(row_index, column_index, value)
    workbook.save(target)


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "modele.xlsx"
    assert main(["--template", str(path)]) == 0
    return path


def run(template: Path, tmp_path: Path, **changes: object) -> tuple[int, Path]:
    filled, output = tmp_path / "rempli.xlsx", tmp_path / "etats.xlsx"
    fill(template, filled, **changes)
    return main([str(filled), "-o", str(output)]), output


def rows_of(output: Path) -> dict[str, tuple[object, ...]]:
    sheet = load_workbook(output)["Etats"]
    return {row[0]: row for row in sheet.iter_rows(values_only=True) if row[0]}


def test_template_has_french_instructions_and_validation(template: Path) -> None:
    workbook = load_workbook(template)
    assert workbook.sheetnames == ["Instructions", "Parametres", "Charges", "Ajustements", "Unites"]
    assert "D.5211-16" in str(workbook["Instructions"]["A2"].value)
    assert [c.value for c in workbook["Charges"][1]] == [
        "Catégorie",
        "Libellé",
        "Montant",
        "Éligible",
        "Motif",
    ]
    formulas = [v.formula1 for v in workbook["Charges"].data_validations.dataValidation]
    assert any("renouvellement des biens" in f for f in formulas)


def test_worked_example_of_the_docs_by_hand(template: Path, tmp_path: Path) -> None:
    """(180 000 + 6 000 + 14 000 + 1 000 + 9 000) / 3 000 actes = 70 €/acte;
    C1 825 × 70 = 57 750,00; C2 1 200 × 70 = 84 000,00; own use 31 500,00 not billed."""
    code, output = run(template, tmp_path)
    assert code == 0
    rows = rows_of(output)
    assert rows["C1"][3] == "70,00"
    assert Decimal(str(rows["C1"][4])) == Decimal("57750.00")
    assert Decimal(str(rows["C2"][4])) == Decimal("84000.00")
    assert Decimal(str(rows["EPCI"][4])) == Decimal("31500.00")
    assert rows["EPCI"][5] == "oui"
    assert Decimal(str(rows["Total facturé aux bénéficiaires"][4])) == Decimal("141750.00")
    sheet = load_workbook(output)["Etats"]
    assert sheet["E2"].number_format == EURO_FORMAT
    texts = [
        str(c)
        for row in load_workbook(output)["Explications"].iter_rows(values_only=True)
        for c in row
        if c
    ]
    assert "CGCT art. D.5211-16" in texts
    assert any("70,00 €/acte × 825 actes" in t for t in texts)
    assert not any("Avertissement" in t for t in texts)


def test_clause_regularisation_on_actual_cost(template: Path, tmp_path: Path) -> None:
    params = {
        "Clause de régularisation sur le coût réel": "article 7 de la convention",
        "Coût réel constaté": 210000,
    }
    code, output = run(template, tmp_path, params=params)
    assert code == 0
    rows = rows_of(output)
    assert Decimal(str(rows["C1"][6])) == Decimal("70000.00")
    assert Decimal(str(rows["C1"][7])) == Decimal("12250.00")
    assert Decimal(str(rows["C2"][7])) == Decimal("17818.18")
    texts = [
        str(c)
        for row in load_workbook(output)["Explications"].iter_rows(values_only=True)
        for c in row
        if c
    ]
    assert any("clause contractuelle" in t and "article 7" in t for t in texts)


def test_conventions_between_communes_cite_r5111_1(template: Path, tmp_path: Path) -> None:
    code, output = run(template, tmp_path, params={"Forme juridique": "convention_communes"})
    assert code == 0
    texts = [
        str(c)
        for row in load_workbook(output)["Explications"].iter_rows(values_only=True)
        for c in row
        if c
    ]
    assert "CGCT art. R.5111-1" in texts
    assert "CGCT art. D.5211-16" not in texts


def test_late_notification_is_a_warning_in_the_statement(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    params = {"Date de notification du coût unitaire": "20/04/2026"}
    code, output = run(template, tmp_path, params=params)
    assert code == 0
    first = load_workbook(output)["Etats"]["A1"].value
    assert first.startswith("Avertissement : Le coût unitaire a été notifié le 20/04/2026")
    assert "Avertissement" in capsys.readouterr().err


def test_service_commun_needs_the_contractual_choice(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run(template, tmp_path, params={"Forme juridique": "service_commun"})
    assert code == 2
    assert "choix contractuel" in capsys.readouterr().err
    params = {
        "Forme juridique": "service_commun",
        "Méthode du coût unitaire adoptée par la convention": "oui",
    }
    code, _ = run(template, tmp_path, params=params)
    assert code == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"params": {"Unités prévisionnelles": 0}}, "Unités prévisionnelles"),
        ({"params": {"Unités prévisionnelles": -4}}, "ne peut pas être négatif"),
        (
            {"params": {"Périodicité (mois)": 13}},
            "« Périodicité (mois) » : la valeur doit être comprise entre 1 et 12",
        ),
        (
            {"charges": [("autre", "Divers", 10, "oui", None)]},
            "ligne 2, colonne « Motif » : une charge « autre » ou sans catégorie",
        ),
        ({"adjustments": [("Hausse", 10, None)]}, "Ajustements », ligne 2, colonne « Motif »"),
        ({"params": {"Forme juridique": "sivom"}}, "forme inconnue « sivom »"),
        ({"params": {"Date de notification du coût unitaire": "demain"}}, "n'est pas une date"),
        ({"charges": [("personnel", "Agents", "1e26", None, None)]}, "comprise entre 0 et"),
        ({"units": [("C1", "Commune 1", "1e308", None)]}, "comprise entre 0 et"),
    ],
    ids=[
        "zero-forecast",
        "negative-forecast",
        "periodicity-13",
        "other-without-reason",
        "adjustment-without-reason",
        "unknown-form",
        "bad-date",
        "huge-charge",
        "huge-units",
    ],
)
def test_bad_input_exits_2_naming_the_field(
    template: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    changes: dict[str, object],
    message: str,
) -> None:
    code, output = run(template, tmp_path, **changes)
    assert code == 2
    assert not output.exists()
    err = capsys.readouterr().err
    assert message in err, err
    assert err.rstrip().endswith("aucun fichier écrit.")


def test_bad_workbook_lists_every_problem(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    charges = [("bidule", "X", 1, None, None), ("personnel", None, -5, "peut-être", None)]
    units = [("C1", "Commune 1", 1, None), ("C1", "Commune 2", "beaucoup", None)]
    code, _ = run(template, tmp_path, charges=charges, units=units)
    assert code == 2
    errors = capsys.readouterr().err.splitlines()
    expected = [
        "Feuille « Charges », ligne 2, colonne « Catégorie » : catégorie « bidule » inconnue",
        "Feuille « Charges », ligne 3, colonne « Libellé » : valeur obligatoire manquante.",
        "Feuille « Charges », ligne 3, colonne « Montant » : le nombre ne peut pas être négatif",
        "Feuille « Charges », ligne 3, colonne « Éligible » : répondez « oui » ou « non ».",
        "Feuille « Unites », ligne 3, colonne « Code membre » : code « C1 » déjà utilisé",
        "Feuille « Unites », ligne 3, colonne « Unités » : « beaucoup » n'est pas un nombre.",
    ]
    for line, start in zip(errors, expected, strict=False):
        assert line.startswith(start), (line, start)
    assert errors[-1] == "6 problème(s) : aucun fichier écrit."


def test_missing_sheet_is_reported(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filled, output = tmp_path / "mauvais.xlsx", tmp_path / "etats.xlsx"
    fill(template, filled)
    workbook = load_workbook(filled)
    del workbook["Unites"]
    workbook.save(filled)
    assert main([str(filled), "-o", str(output)]) == 2
    assert "Feuille « Unites » : feuille absente du classeur." in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["text", "missing", "dtd", "truncated"])
def test_unreadable_files_get_a_french_error(
    tmp_path: Path, template: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    path = tmp_path / "classeur.xlsx"
    if kind == "text":
        path.write_text("ceci n'est pas un classeur")
    elif kind == "dtd":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><!DOCTYPE x [ ]><x/>')
    elif kind == "truncated":
        path.write_bytes(template.read_bytes()[:2000])
    assert main([str(path), "-o", str(tmp_path / "o.xlsx")]) == 2
    err = capsys.readouterr().err
    assert {
        "text": "n'est pas un classeur Excel",
        "missing": "introuvable",
        "dtd": "DTD",
        "truncated": "n'est pas un classeur Excel",
    }[kind] in err


def test_problem_reads_as_a_located_french_sentence() -> None:
    problem = Problem("Charges", 3, "Montant", "« x » n'est pas un nombre.")
    assert (
        str(problem)
        == "Feuille « Charges », ligne 3, colonne « Montant » : « x » n'est pas un nombre."
    )


CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["oui", "non", "autre", "personnel", "1e308", "12,5", "01/02/2026", ""]),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(CELLS, CELLS), max_size=6),
    st.lists(st.tuples(CELLS, CELLS, CELLS, CELLS, CELLS), max_size=4),
    st.lists(st.tuples(CELLS, CELLS, CELLS, CELLS), max_size=4),
)
def test_fuzzed_workbooks_give_french_problems_or_a_result(
    tmp_path_factory: pytest.TempPathFactory,
    params: list[tuple[object, ...]],
    charges: list[tuple[object, ...]],
    units: list[tuple[object, ...]],
) -> None:
    """Random cells: a list of French problems, or a statement; never an exception."""
    path = tmp_path_factory.mktemp("fuzz") / "classeur.xlsx"
    workbook = Workbook()
    sheets = {
        "Parametres": (("Paramètre", "Valeur"), [*PARAMS.items(), *params]),
        "Charges": (("Catégorie", "Libellé", "Montant", "Éligible", "Motif"), charges),
        "Unites": (("Code membre", "Nom", "Unités", "Usage propre"), units),
    }
    for name, (header, rows) in sheets.items():
        sheet = workbook.create_sheet(name)
        sheet.append(list(header))
        for row in rows:
            try:
                sheet.append(list(row))
            except (ValueError, IllegalCharacterError):  # openpyxl refuses control chars
                continue
    workbook.save(path)
    output = path.with_name("etats.xlsx")
    inputs, problems = read_workbook(path)
    assert (inputs is None) == bool(problems) or inputs is None
    for problem in problems:
        assert str(problem)
    code = main([str(path), "-o", str(output)])
    assert code in (0, 2)
    assert output.exists() == (code == 0)
