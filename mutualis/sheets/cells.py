"""Cell parsers: one French vocabulary for numbers, dates, yes/no, codes and lists.

Each parser takes the raw value of a cell (what openpyxl gives: None, str, int, float,
bool, datetime) and returns a clean value, or None for a blank cell; a bad value raises
`CellError` with a French message that names the value but not the cell (the reader adds
sheet, row and column). Numbers are bounded before anything else is done with them, so
that `1e308` or a 10,000-digit string is refused instead of overflowing later.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from mutualis.engine.errors import EngineError
from mutualis.engine.money import D, format_number
from mutualis.sheets.problems import CellError

YES_WORDS = frozenset({"oui", "o", "yes", "vrai", "true", "1", "x"})
NO_WORDS = frozenset({"non", "n", "no", "faux", "false", "0"})
YES, NO = "oui", "non"
DATE_INPUT_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
MAX_NUMBER_TEXT = 60  # characters: longer "numbers" are refused before parsing


def normalise(text: object) -> str:
    """Lower case, no accents, `_` as space, spaces collapsed: « Unités » ≈ « unites »."""
    plain = (
        unicodedata.normalize("NFKD", "" if text is None else str(text))
        .encode("ascii", "ignore")
        .decode()
    )
    return " ".join(plain.lower().replace("_", " ").split())


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: object, max_length: int = 250) -> str:
    """Stripped text, `""` when blank; longer than `max_length` is refused."""
    result = "" if value is None else str(value).strip()
    if len(result) > max_length:
        raise CellError(f"{max_length} caractères au plus ({len(result)} reçus).")
    return result


def code(value: object, max_length: int = 40) -> str:
    """An identifier such as an INSEE code: `21001.0` read from a number cell is `21001`."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return text(value, max_length)


def _plain(value: Decimal) -> str:
    """French writing of a bound or a received value; huge ones in scientific notation."""
    return format_number(value) if value.copy_abs() < Decimal("1e15") else str(value)


def number(
    value: object,
    *,
    low: Decimal | int = 0,
    high: Decimal | int,
    places: int | None = 2,
) -> Decimal | None:
    """A number between `low` and `high` inclusive, rounded half up to `places` decimals.

    French writing is accepted (`1 234,56`); booleans, dates, NaN and infinities are not.
    """
    if is_blank(value):
        return None
    if isinstance(value, bool | datetime | date) or not isinstance(
        value, int | float | Decimal | str
    ):
        raise CellError("un nombre est attendu.")
    if isinstance(value, str) and len(value.strip()) > MAX_NUMBER_TEXT:
        raise CellError("ce texte est trop long pour être un nombre.")
    try:
        result = D(value)
    except EngineError as exc:
        raise CellError(f"« {value} » n'est pas un nombre.") from exc
    if result < 0 and low >= 0:
        raise CellError(f"le nombre ne peut pas être négatif ({value}).")
    if result < low or result > high:
        raise CellError(
            f"la valeur doit être comprise entre {_plain(D(low))} et {_plain(D(high))} "
            f"(reçu : {_plain(result)})."
        )
    if places is None:
        return result
    return result.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def integer(value: object, *, low: int, high: int) -> int | None:
    """A whole number between `low` and `high` inclusive."""
    result = number(value, low=low, high=high, places=None)
    if result is None:
        return None
    if result != result.to_integral_value():
        raise CellError(f"un nombre entier est attendu ({value}).")
    return int(result)


def day(value: object) -> date | None:
    """A date cell, or text as JJ/MM/AAAA (or AAAA-MM-JJ)."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    written = str(value).strip()
    for fmt in DATE_INPUT_FORMATS:
        try:
            return datetime.strptime(written, fmt).date()
        except ValueError:
            continue
    raise CellError(f"« {written[:40]} » n'est pas une date (JJ/MM/AAAA).")


def yes_no(value: object) -> bool | None:
    """`oui`/`non` (and their usual spellings); None when blank."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    word = normalise(value)
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise CellError("répondez « oui » ou « non ».")


def choice(
    choices: Mapping[str, object], where: str = "voir la feuille Listes"
) -> Callable[[object], str]:
    """A parser accepting a code or its label (any case); `""` when blank."""
    by_label = {normalise(label): key for key, label in choices.items()}
    by_code = {key.lower(): key for key in choices}

    def parse(value: object) -> str:
        written = code(value, 250).lower()
        if not written:
            return ""
        found = by_code.get(written) or by_label.get(normalise(written))
        if found is None:
            raise CellError(
                f"« {str(value)[:80]} » n'est pas une valeur autorisée ({where})."
                if where
                else f"« {str(value)[:80]} » n'est pas une valeur autorisée."
            )
        return found

    return parse
