"""Random cells and random documents: a French problem or a valid result, never a crash."""

from __future__ import annotations

from datetime import datetime
from functools import partial

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutualis.sheets import (
    Column,
    Problem,
    SheetsError,
    SheetSpec,
    cells,
    open_workbook,
    read_sheet,
)
from tests.sheets.helpers import rezip, xlsx

SPEC = SheetSpec(
    "Feuille",
    (
        Column("Code", cells.code, required=True),
        Column("Montant", partial(cells.number, high=10**12)),
        Column("Entier", partial(cells.integer, low=0, high=100)),
        Column("Date", cells.day),
        Column("Oui/non", cells.yes_no),
    ),
)

CELL = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40).filter(lambda t: not any(ord(c) < 32 for c in t)),
    st.sampled_from(["1e308", "1e26", "-0", "1 234,5", "31/12/2026", "oui", "=1+1", "NaN"]),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
)


def read(data: bytes) -> list[Problem]:
    try:
        with open_workbook(data, "fuzz.xlsx") as workbook:
            return read_sheet(workbook, SPEC).all_problems
    except SheetsError as exc:
        return exc.problems


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELL, min_size=5, max_size=5), max_size=6))
def test_random_cells_give_values_or_french_problems(rows):
    header = [c.header for c in SPEC.columns]
    for problem in read(xlsx({"Feuille": [header, *rows]})):
        assert isinstance(problem, Problem)
        assert problem.message


BASE = xlsx({"Feuille": [[c.header for c in SPEC.columns], ["21001", 1, 2, "01/01/2026", "oui"]]})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(
        ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml"]
    ),
    st.binary(max_size=300),
)
def test_random_parts_give_french_problems(part, content):
    problems = read(rezip(BASE, {part: content}))
    assert all(isinstance(p, Problem) and p.message for p in problems)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=len(BASE) - 1), st.integers(0, 255))
def test_flipped_bytes_give_french_problems(position, byte):
    data = bytearray(BASE)
    data[position] = byte
    assert all(isinstance(p, Problem) for p in read(bytes(data)))


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_are_refused_in_french(data):
    problems = read(data)
    assert problems and all(p.message for p in problems)
