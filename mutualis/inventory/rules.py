"""The inventory's business rules, written once: the web forms and the workbook import call
them, so a value refused on one path is refused on the other with the same French words.

Pure: no database. `RANGES` documents every money, quantity and integer field (docs/
inventory.md lists them); `in_range` checks one value, the `*_problem` functions check one
row and return a French message (lower case, without location) or "".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.text import capfirst

from mutualis.engine.annualised import AnnualisedCost, Equipment, annualised_cost
from mutualis.engine.dates import add_months
from mutualis.engine.money import ZERO, format_number

MAX_AMOUNT = Decimal("1000000000")  # one billion euros per line: ten times a large EPCI's budget


@dataclass(frozen=True)
class Range:
    """The allowed values of a numeric field, inclusive, and its decimal places."""

    low: Decimal
    high: Decimal
    places: int = 2
    unit: str = ""

    @property
    def text(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"{format_number(self.low)}{unit} et {format_number(self.high)}{unit}"

    def message(self) -> str:
        return f"la valeur doit être comprise entre {self.text}."


def _range(low: int | str, high: int | str | Decimal, places: int = 0, unit: str = "") -> Range:
    return Range(Decimal(low), Decimal(high), places, unit)


MONEY = _range(0, MAX_AMOUNT, 2, "€")
RANGES: dict[str, Range] = {
    # service records
    "activity_volume": _range(0, 10**10, 2),
    "satisfaction": _range(1, 5),
    # staff and cost lines
    "fte": _range(0, 9999, 2),
    "cost_amount": MONEY,
    "amount": MONEY,
    # assets
    "latitude": _range(-90, 90, 6),
    "longitude": _range(-180, 180, 6),
    "capacity": _range(0, 10_000_000),
    "acquisition_year": _range(1800, 2100),
    "acquisition_cost_amount": MONEY,
    "subsidies_amount": MONEY,
    "useful_life_years": _range(1, 100),
    "running_cost_amount": MONEY,
    "utilisation_rate": _range(0, 100, 2, "%"),
    # contracts
    "yearly_cost_amount": MONEY,
    "notice_period_months": _range(0, 60),
    # campaigns
    "year": _range(2000, 2100),
}


def in_range(name: str, value: Decimal | int | None) -> str:
    """'' when `value` (or None) is inside the documented range of field `name`."""
    if value is None:
        return ""
    bounds = RANGES[name]
    return "" if bounds.low <= value <= bounds.high else bounds.message()


def subsidies_problem(cost: Decimal | None, subsidies: Decimal | None) -> str:
    """Subsidies may not exceed the acquisition cost."""
    if cost is not None and subsidies and subsidies > cost:
        return "les subventions dépassent le coût d'acquisition."
    return ""


def unit_problem(volume: Decimal | None, unit: str | None) -> str:
    """An activity volume needs its unit."""
    if volume is not None and not unit:
        return "précisez l'unité du volume d'activité."
    return ""


def dates_problem(start: date | None, end: date | None) -> str:
    """A contract ends after it starts."""
    if start and end and end < start:
        return "la date de fin précède la date de début."
    return ""


def sentence(message: str) -> str:
    """A rule's message as a form shows it: capitalised."""
    return str(capfirst(message))


def annualised(
    name: str,
    cost: Decimal | None,
    useful_life_years: int | None,
    subsidies: Decimal | None = ZERO,
    upkeep: Decimal | None = ZERO,
) -> AnnualisedCost | None:
    """Annualised cost of an asset (CGI art. 1609 nonies C), with its explanation.

    None when the cost or the useful life is missing, or when the subsidies exceed the cost.
    """
    if cost is None or not useful_life_years or subsidies_problem(cost, subsidies):
        return None
    return annualised_cost(
        Equipment(
            label=name,
            cost=cost,
            useful_life_years=useful_life_years,
            subsidies=subsidies or ZERO,
            upkeep_per_year=upkeep or ZERO,
        )
    )


def annual_cost(
    name: str,
    cost: Decimal | None,
    useful_life_years: int | None,
    subsidies: Decimal | None = ZERO,
    upkeep: Decimal | None = ZERO,
) -> Decimal | None:
    """The yearly amount of `annualised`, or None."""
    result = annualised(name, cost, useful_life_years, subsidies, upkeep)
    return None if result is None else result.annual_cost


def total_cost(staff_costs: Iterable[Decimal], other_costs: Iterable[Decimal]) -> Decimal:
    """What a service costs a member: staff plus operating costs."""
    return sum(staff_costs, ZERO) + sum(other_costs, ZERO)


# --- dates, always against an explicit `on` (today, passed in) ----------------------------


def notice_by(end_on: date | None, notice_months: int | None) -> date | None:
    """The last day to give notice: the end date minus the notice period, when both known."""
    if end_on is None or not notice_months:
        return None
    return add_months(end_on, -notice_months)


@dataclass(frozen=True)
class ContractDates:
    ended: bool  # the contract's end date is before `on`
    notice_by: date | None
    notice_passed: bool  # still running, but the last day to give notice is before `on`


def contract_dates(end_on: date | None, notice_months: int | None, on: date) -> ContractDates:
    ended = end_on is not None and end_on < on
    last_day = notice_by(end_on, notice_months)
    return ContractDates(
        ended=ended,
        notice_by=last_day,
        notice_passed=not ended and last_day is not None and last_day < on,
    )


def deadline_passed(deadline: date | None, on: date) -> bool:
    """A campaign's answers are late from the day after its deadline."""
    return deadline is not None and deadline < on
