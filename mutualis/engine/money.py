"""Euros as Decimals to the cent: the one place that owns rounding and splitting.

Rules (DESIGN.md §4): amounts are quantised to the cent with ROUND_HALF_UP, built
from str or int, never from float except through `to_cents` at the edge of float
computations; a split floors each share to the cent and hands the remaining cents
out by largest remainder, ties broken by key order, so lines always sum to the total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final, TypedDict

from mutualis.engine.errors import EngineError, NegativeValue, ZeroWeights

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
NBSP = "\u00a0"
NNBSP = "\u202f"

Number = Decimal | int | str | float


class Digits(TypedDict):
    """The precision of a stored amount, spread into a decimal column: `(**MONEY_DIGITS)`."""

    max_digits: int
    decimal_places: int


MONEY_DIGITS: Final[Digits] = {"max_digits": 14, "decimal_places": 2}


def D(value: Number) -> Decimal:  # beancount's spelling (N802), kept on purpose
    """Build an exact Decimal; floats go through their shortest repr, never binary."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise EngineError("Valeur booléenne reçue au lieu d'un nombre.")
    if isinstance(value, float):
        value = repr(value)
    try:
        result = Decimal(str(value).strip().replace(NBSP, "").replace(" ", "").replace(",", "."))
    except InvalidOperation as exc:
        raise EngineError(f"« {value} » n'est pas un nombre.", value=value) from exc
    if not result.is_finite():
        raise EngineError(f"« {value} » n'est pas un nombre fini.", value=value)
    return result


def to_cents(value: Number) -> Decimal:
    """Quantise to the cent, half up (0.005 → 0.01)."""
    return D(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_euros(value: Number, symbol: bool = True) -> str:
    """French display: `1 234,56 €` with non-breaking spaces."""
    amount = to_cents(value)
    sign = "-" if amount < 0 else ""
    units, cents = f"{abs(amount):.2f}".split(".")
    groups: list[str] = []
    while len(units) > 3:
        groups.insert(0, units[-3:])
        units = units[:-3]
    groups.insert(0, units)
    text = f"{sign}{NNBSP.join(groups)},{cents}"
    return f"{text}{NBSP}€" if symbol else text


def allocate(
    total: Number,
    weights: Mapping[str, Number] | Sequence[tuple[str, Number]],
) -> dict[str, Decimal]:
    """Split `total` (cents) in proportion to non-negative weights, reconciling exactly.

    share_i = floor(total × w_i / Σw) to the cent; the cents left over go one by one to
    the largest remainders, ties broken by key order (member code). Σ shares = total.

    Raises ZeroWeights when every weight is zero and the total is not, NegativeValue for a
    negative weight or total.
    """
    items = list(weights.items()) if isinstance(weights, Mapping) else list(weights)
    amount = to_cents(total)
    if amount < 0:
        raise NegativeValue(
            f"Le montant à répartir est négatif ({format_euros(amount)}).", total=amount
        )
    parsed = []
    for key, weight in items:
        w = D(weight)
        if w < 0:
            raise NegativeValue(f"Le poids de « {key} » est négatif ({w}).", key=key, weight=w)
        parsed.append((key, w))
    if not parsed:
        if amount == 0:
            return {}
        raise ZeroWeights("Aucun membre entre lesquels répartir le montant.", total=amount)
    weight_sum = sum((w for _, w in parsed), Decimal(0))
    if weight_sum == 0:
        if amount == 0:
            return {key: ZERO for key, _ in parsed}
        raise ZeroWeights(
            f"Tous les poids sont nuls : impossible de répartir {format_euros(amount)}.",
            total=amount,
        )
    total_cents = int(amount / CENT)
    shares: dict[str, int] = {}
    remainders: list[tuple[Decimal, int, str]] = []
    for index, (key, w) in enumerate(parsed):
        exact = Decimal(total_cents) * w / weight_sum
        floor = int(exact.to_integral_value(rounding=ROUND_DOWN))
        shares[key] = floor
        remainders.append((exact - floor, index, key))
    left = total_cents - sum(shares.values())
    # Largest remainder first; equal remainders go in key order.
    remainders.sort(key=lambda r: (-r[0], r[1]))
    for _, _, key in remainders[:left]:
        shares[key] += 1
    result = {key: (Decimal(cents) * CENT).quantize(CENT) for key, cents in shares.items()}
    assert sum(result.values(), ZERO) == amount  # noqa: S101 - the invariant of the module
    return result


def format_number(value: Number, places: int | None = None) -> str:
    """French display of a plain number: `12 345,5` (narrow no-break space, comma).

    With `places`, the number is quantised half up to that many decimals first;
    without, trailing zeros are dropped (`1873` stays `1 873`).
    """
    number = D(value)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    elif number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    else:
        number = number.normalize()
    sign = "-" if number < 0 else ""
    text = f"{abs(number):f}"
    units, _, decimals = text.partition(".")
    groups: list[str] = []
    while len(units) > 3:
        groups.insert(0, units[-3:])
        units = units[:-3]
    groups.insert(0, units)
    body = NNBSP.join(groups)
    return f"{sign}{body},{decimals}" if decimals else f"{sign}{body}"


def format_percent(share: Number, places: int = 2) -> str:
    """A fraction shown as a French percentage: 0.12345 → `12,35 %`."""
    return f"{format_number(D(share) * 100, places)}{NBSP}%"


def instalments(amount: Number, count: int) -> tuple[Decimal, ...]:
    """Split `amount` into `count` instalments that sum to it exactly, to the cent.

    Each instalment is floor(amount / count) to the cent; the cents left over go to the
    first instalments (largest remainder, ties in order), e.g. 100,00 € in 3 →
    33,34 + 33,33 + 33,33. A negative amount (a refund) is split the same way, negated.
    """
    if count < 1:
        raise EngineError(
            f"Le nombre d'échéances doit être au moins 1 (reçu : {count}).", count=count
        )
    total = to_cents(amount)
    sign = -1 if total < 0 else 1
    keys = [f"{index:04d}" for index in range(count)]
    parts = allocate(abs(total), [(key, 1) for key in keys])
    return tuple(parts[key] if sign > 0 else ZERO - parts[key] for key in keys)
