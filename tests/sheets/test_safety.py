"""Files are checked before openpyxl parses them: bombs, DTDs, corrupt and truncated files."""

from __future__ import annotations

from pathlib import Path

import pytest

from mutualis.sheets import Limits, SheetsError, check_archive, open_workbook, read_sheet
from mutualis.sheets.reader import Column, SheetSpec
from tests.sheets.helpers import rezip, xlsx

GOOD = xlsx({"Données": [("Code", "Montant"), ("21001", 12)]})


def messages(data: bytes, name: str = "classeur.xlsx", **limits: int) -> list[str]:
    return [str(p) for p in check_archive(data, name, Limits(**limits))]


def test_a_sound_workbook_passes():
    assert check_archive(GOOD, "classeur.xlsx") == []
    with open_workbook(GOOD, "classeur.xlsx") as workbook:
        assert workbook.sheetnames == ["Données"]


def test_a_file_over_the_size_limit_is_refused_before_reading():
    assert messages(GOOD, max_file_bytes=1000) == [
        "Le fichier dépasse la taille maximale de 0,000954 Mo."
    ]


@pytest.mark.parametrize(
    ("data", "name"),
    [(b"Code;Montant\n1;2\n", "classeur.csv"), (b"PK\x03\x04 pas un zip", "faux.xlsx")],
)
def test_a_file_that_is_not_xlsx_is_refused(data, name):
    assert messages(data, name) == [f"« {name} » n'est pas un classeur Excel au format .xlsx."]


def test_a_large_uncompressed_size_is_refused():
    bomb = rezip(GOOD, {"xl/padding.xml": b" " * (3 * 1024 * 1024)}, level=9)
    assert len(bomb) < 100_000
    problems = messages(bomb, max_uncompressed_bytes=2 * 1024 * 1024)
    assert problems and "une fois décompressé" in problems[0]


def test_a_suspicious_compression_ratio_is_refused():
    bomb = rezip(GOOD, {"xl/padding.xml": b"<a>" + b" " * (2 * 1024 * 1024) + b"</a>"}, level=9)
    problems = messages(bomb)
    assert problems and "taux de compression suspect" in problems[0]


def test_a_shared_strings_bomb_is_refused_by_size_and_by_count():
    strings = b"<sst>" + b"<si><t>a</t></si>" * 200_000 + b"</sst>"
    bomb = rezip(GOOD, {"xl/sharedStrings.xml": strings}, level=9)
    assert "Mo de textes" in messages(bomb, max_shared_strings_bytes=1024 * 1024)[0]
    assert (
        "plus de 1000 textes partagés"
        in messages(bomb, max_shared_strings=1000, max_ratio=10**6)[0]
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le"])
def test_a_document_type_declaration_is_refused(encoding):
    evil = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<si><t>&lol;</t></si></sst>"
    ).encode(encoding)
    data = rezip(GOOD, {"xl/sharedStrings.xml": evil})
    problems = messages(data)
    assert problems and "déclaration de type de document (DTD) refusée" in problems[0]


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.9])
def test_a_truncated_file_gets_a_french_error(cut):
    data = GOOD[: int(len(GOOD) * cut)]
    with pytest.raises(SheetsError) as caught, open_workbook(data, "coupé.xlsx") as workbook:
        read_sheet(workbook, SheetSpec("Données", (Column("Code", str),)))
    assert "coupé.xlsx" in str(caught.value.problems[0])


def test_a_malformed_sheet_gets_a_french_error():
    data = rezip(GOOD, {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row r='x'>"})
    with pytest.raises(SheetsError) as caught, open_workbook(data, "abîmé.xlsx") as workbook:
        read_sheet(workbook, SheetSpec("Données", (Column("Code", str),)))
    assert caught.value.problems[0].message.startswith(("La feuille « Données »", "Le classeur"))


def test_a_missing_path_is_reported(tmp_path: Path):
    with pytest.raises(SheetsError) as caught, open_workbook(tmp_path / "absent.xlsx"):
        pass
    assert str(caught.value.problems[0]).endswith("absent.xlsx » est introuvable.")
