"""The cell parsers: French numbers and dates, bounds, yes/no, codes and lists."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from mutualis.sheets import CellError, cells


def test_numbers_are_read_the_french_way_and_rounded_half_up():
    assert cells.number("1 234,565", high=10**6) == Decimal("1234.57")
    assert cells.number("1\u00a0234,5", high=10**6) == Decimal("1234.50")
    assert cells.number(12.5, high=100, places=None) == Decimal("12.5")
    assert cells.number(None, high=1) is None
    assert cells.number("  ", high=1) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("beaucoup", "« beaucoup » n'est pas un nombre."),
        (-3, "le nombre ne peut pas être négatif (-3)."),
        (True, "un nombre est attendu."),
        (date(2026, 1, 1), "un nombre est attendu."),
        ("nan", "« nan » n'est pas un nombre."),
        ("1" * 200, "ce texte est trop long pour être un nombre."),
    ],
)
def test_bad_numbers_are_refused_in_french(value, message):
    with pytest.raises(CellError) as caught:
        cells.number(value, high=10**9)
    assert caught.value.message == message


@pytest.mark.parametrize("value", [1e15, 1e26, "1e308", "1E+999999999", 10**40])
def test_huge_numbers_are_refused_before_any_arithmetic(value):
    with pytest.raises(CellError, match="doit être comprise entre 0 et 1"):
        cells.number(value, high=Decimal("1e12"))


def test_integers_are_whole_and_bounded():
    assert cells.integer("12", low=1, high=100) == 12
    assert cells.integer(3.0, low=1, high=5) == 3
    with pytest.raises(CellError, match="nombre entier"):
        cells.integer(2.5, low=1, high=5)
    with pytest.raises(CellError, match="comprise entre 1 et 5"):
        cells.integer(9, low=1, high=5)


def test_signed_numbers_keep_their_bounds():
    assert cells.number("-45,5", low=-90, high=90, places=6) == Decimal("-45.500000")
    with pytest.raises(CellError, match="comprise entre -90 et 90"):
        cells.number(-91, low=-90, high=90)


def test_dates():
    assert cells.day("31/12/2026") == date(2026, 12, 31)
    assert cells.day("2026-12-31") == date(2026, 12, 31)
    assert cells.day(datetime(2026, 1, 2, 3, 4)) == date(2026, 1, 2)
    assert cells.day("") is None
    with pytest.raises(CellError, match="n'est pas une date"):
        cells.day("31/02/2026")


def test_one_yes_no_vocabulary():
    for word in ("oui", "OUI", "o", "vrai", "x", "1", 1, 1.0, True, "yes"):
        assert cells.yes_no(word) is True
    for word in ("non", "Non", "n", "faux", "0", 0, False, "no"):
        assert cells.yes_no(word) is False
    assert cells.yes_no(None) is None
    with pytest.raises(CellError, match="répondez « oui » ou « non »"):
        cells.yes_no("peut-être")


def test_codes_and_choices():
    assert cells.code(21001.0) == "21001"
    assert cells.code(" 01001 ") == "01001"
    parse = cells.choice({"regie": "En régie", "011": "Charges à caractère général"})
    assert parse("Regie") == "regie"
    assert parse("en regie") == "regie"
    assert parse("011") == "011"
    assert parse(None) == ""
    with pytest.raises(CellError, match="n'est pas une valeur autorisée"):
        parse("autre")


def test_text_is_bounded():
    assert cells.text("  abc ") == "abc"
    with pytest.raises(CellError, match="5 caractères au plus"):
        cells.text("abcdefgh", 5)


def test_headers_are_compared_without_accents_or_case():
    assert cells.normalise(" Unités_de  Fonctionnement ") == "unites de fonctionnement"
