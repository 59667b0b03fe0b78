"""Reading through column specs: headers, parsed rows and located problems."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from mutualis.sheets import (
    DEFAULT_LIMITS,
    Column,
    Limits,
    SheetSpec,
    cells,
    open_workbook,
    read_sheet,
)
from tests.sheets.helpers import xlsx

SPEC = SheetSpec(
    "Charges",
    (
        Column("Code membre", cells.code, key="code", required=True),
        Column("Nom"),  # informative: written, not read
        Column("Montant", partial(cells.number, high=10**9), key="amount", required=True),
        Column("Éligible", cells.yes_no, key="eligible", optional=True),
    ),
)


def read(rows, spec=SPEC, limits=DEFAULT_LIMITS):
    with open_workbook(xlsx({"Charges": rows}), "c.xlsx") as workbook:
        return read_sheet(workbook, spec, limits)


def test_rows_are_parsed_by_column_key_and_blank_rows_skipped():
    result = read(
        [("Code membre", "Nom", "Montant", "eligible"), (21001, "A", "12,5", "oui"), (), (None,)]
    )
    assert result.all_problems == []
    [row] = result.rows
    assert row.number == 2
    assert row.values == {"code": "21001", "amount": Decimal("12.50"), "eligible": True}


def test_every_problem_is_located():
    result = read([("Code membre", "Montant"), ("", "x"), ("21002", -1)])
    assert [str(p) for p in result.all_problems] == [
        "Feuille « Charges », ligne 2, colonne « Code membre » : valeur obligatoire.",
        "Feuille « Charges », ligne 2, colonne « Montant » : « x » n'est pas un nombre.",
        "Feuille « Charges », ligne 3, colonne « Montant » : le nombre ne peut pas être "
        "négatif (-1).",
    ]


def test_missing_and_unknown_columns():
    result = read([("Code membre", "Montant TTC")])
    assert not result.readable
    assert [str(p) for p in result.problems] == [
        "Feuille « Charges », ligne 1, colonne « Montant » : colonne obligatoire absente.",
        "Feuille « Charges », ligne 1, colonne « Montant TTC » : colonne inconnue.",
    ]


def test_a_missing_sheet():
    with open_workbook(xlsx({"Autre": [("a",)]}), "c.xlsx") as workbook:
        result = read_sheet(workbook, SPEC)
    assert [str(p) for p in result.problems] == [
        "Feuille « Charges » : la feuille « Charges » est absente."
    ]


def test_rows_beyond_the_limit_are_refused():
    rows = [("Code membre", "Montant")] + [(str(i), i) for i in range(5)]
    result = read(rows, limits=Limits(max_rows=3))
    assert len(result.rows) == 3
    assert str(result.problems[0]) == (
        "Feuille « Charges », ligne 5 : plus de 3 lignes : découpez le fichier."
    )
