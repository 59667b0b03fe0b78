"""Tariffs of a digital-services catalogue and monthly proration of subscriptions.

A syndicat or an EPCI that sells shared digital services (hosting, e-mail, SSO, GIS…)
publishes a price grid; each offer has one tariff model:

- `FlatTariff`: one yearly amount, whoever subscribes;
- `PerInhabitantTariff`: rate × population;
- `BandTariff` with `BandMode.FLAT`: the amount of the band that contains the population;
- `BandTariff` with `BandMode.PROGRESSIVE`: marginal bands, like an income-tax scale —
  Σ_k rate_k × (inhabitants falling in band k);
- `PerUserTariff`: rate × users (accounts, licences);

each with an optional yearly minimum and maximum (`Bounds`). Every result is rounded once
to the cent and carries its `Explanation`.

Band conventions (documented in docs/operations.md): a band covers the populations
`lower ≤ population < upper` (`upper=None`: no ceiling). In FLAT mode the population picks
exactly one band; in PROGRESSIVE mode band k bills max(0, min(population, upper) − lower)
inhabitants. Bands may not overlap; a gap in FLAT mode leaves populations with no price
(an error when such a population is priced).

Proration (`prorate_by_month`): the yearly amount is cut into twelve monthly twelfths that
sum to it exactly (`money.instalments`); a subscription pays the twelfths of the calendar
months of the year during which it is active on at least one day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise

from mutualis.engine.errors import EngineError, InvalidParameter, NegativeValue
from mutualis.engine.explain import Explanation, Step
from mutualis.engine.money import (
    ZERO,
    D,
    Number,
    format_euros,
    format_number,
    instalments,
    to_cents,
)
from mutualis.engine.reimbursement import MONTHS

REFERENCE = "Grille tarifaire du catalogue (délibération de la structure porteuse)"


class OverlappingBands(EngineError):
    """Two population bands of a tariff cover the same populations."""


class PopulationOutsideBands(EngineError):
    """A population that no band of a FLAT band tariff covers."""


class InvalidPeriod(EngineError):
    """A subscription that ends before it starts."""


@dataclass(frozen=True)
class Bounds:
    """Optional yearly minimum and maximum applied after the model's amount."""

    minimum: Decimal | None = None
    maximum: Decimal | None = None

    def __post_init__(self) -> None:
        for name in ("minimum", "maximum"):
            value = getattr(self, name)
            if value is not None and D(value) < 0:
                raise NegativeValue(f"Le {name} du tarif est négatif ({value}).", field=name)
        if (
            self.minimum is not None
            and self.maximum is not None
            and D(self.minimum) > D(self.maximum)
        ):
            raise InvalidParameter(
                f"Le minimum ({format_euros(self.minimum)}) dépasse le maximum "
                f"({format_euros(self.maximum)}).",
                field="minimum",
            )

    def apply(self, amount: Decimal) -> tuple[Decimal, Step | None]:
        """min(max(amount, minimum), maximum), with the step that says which one applied."""
        if self.minimum is not None and amount < to_cents(self.minimum):
            floor = to_cents(self.minimum)
            return floor, Step(
                "Minimum de perception", f"{format_euros(amount)} < minimum", format_euros(floor)
            )
        if self.maximum is not None and amount > to_cents(self.maximum):
            cap = to_cents(self.maximum)
            return cap, Step("Plafond", f"{format_euros(amount)} > maximum", format_euros(cap))
        return amount, None


@dataclass(frozen=True)
class TariffInput:
    """What a subscriber brings to the tariff: its population (with source) and users."""

    population: int = 0
    users: int = 0
    population_source: str = ""

    def __post_init__(self) -> None:
        if self.population < 0:
            raise NegativeValue(f"La population est négative ({self.population}).")
        if self.users < 0:
            raise NegativeValue(f"Le nombre d'utilisateurs est négatif ({self.users}).")


@dataclass(frozen=True)
class TariffResult:
    amount: Decimal
    explanation: Explanation

    def explain(self) -> Explanation:
        return self.explanation


def _result(title: str, steps: list[Step], amount: Decimal, bounds: Bounds) -> TariffResult:
    bounded, step = bounds.apply(to_cents(amount))
    if step is not None:
        steps.append(step)
    steps.append(Step("Montant annuel", result=format_euros(bounded), reference=REFERENCE))
    return TariffResult(bounded, Explanation(title, tuple(steps)))


def _population_step(subscriber: TariffInput) -> Step:
    source = f" ({subscriber.population_source})" if subscriber.population_source else ""
    return Step(
        f"Population retenue{source}", result=f"{format_number(subscriber.population)} hab."
    )


@dataclass(frozen=True)
class FlatTariff:
    """yearly amount = amount, whatever the subscriber."""

    amount: Decimal
    bounds: Bounds = field(default_factory=Bounds)

    def __post_init__(self) -> None:
        if D(self.amount) < 0:
            raise NegativeValue(f"Le forfait est négatif ({self.amount}).", field="amount")

    def price(self, subscriber: TariffInput) -> TariffResult:
        steps = [Step("Forfait annuel", result=format_euros(self.amount))]
        return _result("Tarif forfaitaire", steps, D(self.amount), self.bounds)


@dataclass(frozen=True)
class PerInhabitantTariff:
    """yearly amount = rate × population (rate in €/inhabitant, kept at full precision)."""

    rate: Decimal
    bounds: Bounds = field(default_factory=Bounds)

    def __post_init__(self) -> None:
        if D(self.rate) < 0:
            raise NegativeValue(f"Le tarif par habitant est négatif ({self.rate}).", field="rate")

    def price(self, subscriber: TariffInput) -> TariffResult:
        raw = D(self.rate) * subscriber.population
        steps = [
            _population_step(subscriber),
            Step(
                "Tarif par habitant",
                f"{format_number(self.rate)} €/hab. × {format_number(subscriber.population)} hab.",
                format_euros(raw),
            ),
        ]
        return _result("Tarif par habitant", steps, raw, self.bounds)


@dataclass(frozen=True)
class PerUserTariff:
    """yearly amount = rate × users (accounts or licences)."""

    rate: Decimal
    bounds: Bounds = field(default_factory=Bounds)

    def __post_init__(self) -> None:
        if D(self.rate) < 0:
            raise NegativeValue(
                f"Le tarif par utilisateur est négatif ({self.rate}).", field="rate"
            )

    def price(self, subscriber: TariffInput) -> TariffResult:
        raw = D(self.rate) * subscriber.users
        steps = [
            Step(
                "Tarif par utilisateur",
                f"{format_euros(self.rate)} × {format_number(subscriber.users)} utilisateurs",
                format_euros(raw),
            )
        ]
        return _result("Tarif par utilisateur ou licence", steps, raw, self.bounds)


class BandMode(StrEnum):
    FLAT = "flat"
    PROGRESSIVE = "progressive"


@dataclass(frozen=True)
class Band:
    """Populations lower ≤ p < upper (upper None: no ceiling); `value` is the band's flat
    amount (FLAT mode) or its rate per inhabitant (PROGRESSIVE mode)."""

    lower: int
    upper: int | None
    value: Decimal

    def label(self) -> str:
        if self.upper is None:
            return f"{format_number(self.lower)} hab. et plus"
        return f"de {format_number(self.lower)} à {format_number(self.upper - 1)} hab."


def check_bands(bands: Sequence[Band]) -> tuple[Band, ...]:
    """Bands sorted by lower bound; raises OverlappingBands, NegativeValue, InvalidParameter.

    Errors name the band by its position in the list given (1-based), in French.
    """
    for index, band in enumerate(bands, start=1):
        if band.lower < 0:
            raise NegativeValue(f"Tranche {index} : le seuil bas est négatif.", band=index)
        if band.upper is not None and band.upper <= band.lower:
            raise InvalidParameter(
                f"Tranche {index} : le seuil haut ({band.upper}) doit dépasser le seuil bas "
                f"({band.lower}).",
                band=index,
            )
        if D(band.value) < 0:
            raise NegativeValue(f"Tranche {index} : le montant est négatif.", band=index)
    ordered = tuple(sorted(bands, key=lambda b: b.lower))
    for previous, current in pairwise(ordered):
        if previous.upper is None or previous.upper > current.lower:
            raise OverlappingBands(
                f"Les tranches « {previous.label()} » et « {current.label()} » se chevauchent.",
                lower=current.lower,
            )
    return ordered


@dataclass(frozen=True)
class BandTariff:
    """Population bands.

    FLAT: amount = value of the band with lower ≤ population < upper.
    PROGRESSIVE: amount = Σ_k value_k × max(0, min(population, upper_k) − lower_k).
    """

    bands: tuple[Band, ...]
    mode: BandMode = BandMode.FLAT
    bounds: Bounds = field(default_factory=Bounds)

    def __post_init__(self) -> None:
        if not self.bands:
            raise InvalidParameter("Un tarif par tranches doit compter au moins une tranche.")
        object.__setattr__(self, "bands", check_bands(self.bands))

    def price(self, subscriber: TariffInput) -> TariffResult:
        population = subscriber.population
        steps = [_population_step(subscriber)]
        if self.mode is BandMode.FLAT:
            band = next(
                (
                    b
                    for b in self.bands
                    if b.lower <= population and (b.upper is None or population < b.upper)
                ),
                None,
            )
            if band is None:
                raise PopulationOutsideBands(
                    f"Aucune tranche ne couvre une population de {format_number(population)} "
                    "habitants.",
                    population=population,
                )
            steps.append(Step(f"Tranche {band.label()}", "forfait", format_euros(band.value)))
            return _result("Tarif par tranche de population", steps, D(band.value), self.bounds)
        total = Decimal(0)
        for band in self.bands:
            top = population if band.upper is None else min(population, band.upper)
            inhabitants = max(0, top - band.lower)
            if inhabitants == 0:
                continue
            part = D(band.value) * inhabitants
            total += part
            steps.append(
                Step(
                    f"Tranche {band.label()}",
                    f"{format_number(band.value)} €/hab. × {format_number(inhabitants)} hab.",
                    format_euros(part),
                )
            )
        return _result("Tarif par tranches marginales (progressif)", steps, total, self.bounds)


Tariff = FlatTariff | PerInhabitantTariff | PerUserTariff | BandTariff


@dataclass(frozen=True)
class Proration:
    yearly_amount: Decimal
    months: tuple[int, ...]
    amount: Decimal
    explanation: Explanation

    def explain(self) -> Explanation:
        return self.explanation


def active_months(year: int, start_on: date, end_on: date | None) -> tuple[int, ...]:
    """Months (1–12) of `year` in which [start_on, end_on] has at least one day."""
    if end_on is not None and end_on < start_on:
        raise InvalidPeriod(
            f"L'abonnement se termine le {end_on:%d/%m/%Y}, avant son début le "
            f"{start_on:%d/%m/%Y}.",
            start_on=start_on,
            end_on=end_on,
        )
    months = []
    for month in range(1, 13):
        first = date(year, month, 1)
        last = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        # [first, last) meets [start_on, end_on]
        if start_on < last and (end_on is None or end_on >= first):
            months.append(month)
    return tuple(months)


def prorate_by_month(
    yearly_amount: Number,
    year: int,
    start_on: date,
    end_on: date | None,
    within: tuple[int, ...] | None = None,
) -> Proration:
    """amount = Σ of the monthly twelfths of `yearly_amount` for the active months.

    With `within` (months 1–12 of a billing period), only those months are billed, so
    that the periods of a year add up to the yearly proration.

    The twelfths come from `money.instalments(yearly, 12)` so that a full year bills the
    yearly amount exactly, to the cent. A month counts when the subscription is active on
    at least one of its days (start month and end month count in full).
    """
    yearly = to_cents(yearly_amount)
    twelfths = instalments(yearly, 12)
    months = active_months(year, start_on, end_on)
    if within is not None:
        months = tuple(m for m in months if m in within)
    amount = sum((twelfths[m - 1] for m in months), ZERO)
    if len(months) == 12:
        formula = "année complète"
    elif len(months) == 1:
        formula = f"1 mois ({MONTHS[months[0] - 1]})"
    elif months:
        formula = f"{len(months)} mois ({MONTHS[months[0] - 1]} à {MONTHS[months[-1] - 1]})"
    else:
        formula = "aucun mois actif"
    steps = (
        Step("Montant annuel", result=format_euros(yearly)),
        Step(
            "Douzièmes",
            f"{format_euros(yearly)} / 12, centimes restants sur les premiers mois",
            ", ".join(format_euros(t) for t in twelfths[:2]) + "…",
        ),
        Step(f"Prorata {year}", formula, format_euros(amount)),
    )
    return Proration(yearly, months, amount, Explanation(f"Prorata mensuel {year}", steps))
