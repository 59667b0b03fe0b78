"""Read helpers of the operations app: members on a date, populations, summaries."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, QuerySet, Sum

from mutualis.accounts.access import Abilities
from mutualis.conventions.access import visible_conventions
from mutualis.conventions.models import Convention, ConventionVersion
from mutualis.conventions.queries import VersionAlert, ending_within
from mutualis.engine.money import ZERO
from mutualis.operations.analysis import Frequency, months_of_period, period_label
from mutualis.operations.models import (
    ServiceMember,
    SharedService,
    Statement,
    StatementLine,
    UnitEntry,
)
from mutualis.territories.models import Member, MemberAttribute, PoolingBody


def period_bounds(year: int, frequency: Frequency, index: int) -> tuple[date, date, str]:
    months = months_of_period(frequency, index)
    last = months[-1]
    return (
        date(year, months[0], 1),
        date(year, last, calendar.monthrange(year, last)[1]),
        period_label(frequency, index, year),
    )


def participations_in(service: SharedService, start: date, end: date) -> QuerySet[ServiceMember]:
    """Members of the service during at least one day of [start, end]."""
    return (
        service.participations.filter(start_on__lte=end)
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=start))
        .select_related("member")
    )


def participations_of_year(service: SharedService, year: int) -> QuerySet[ServiceMember]:
    return participations_in(service, date(year, 1, 1), date(year, 12, 31))


def units_by_member(
    service: SharedService, year: int, months: tuple[int, ...]
) -> dict[int, Decimal]:
    rows = (
        UnitEntry.objects.filter(service=service, year=year, month__in=months)
        .values("member_id")
        .annotate(total=Sum("units"))
    )
    return {row["member_id"]: row["total"] for row in rows}


@dataclass(frozen=True)
class Population:
    value: int
    source: str


POPULATION_FIELDS = {
    "population_municipale": "population municipale INSEE",
    "population_totale": "population totale INSEE",
    "population_dgf": "population DGF",
}


def population_of(member: Member, key: str, year: int) -> Population | None:
    """The member's population for a tariff: a census field, or the latest attribute ≤ year."""
    if key in POPULATION_FIELDS:
        value = getattr(member, key)
        if value is None:
            return None
        vintage = f" {member.population_year}" if member.population_year else ""
        return Population(int(value), f"{POPULATION_FIELDS[key]}{vintage}")
    attribute = (
        MemberAttribute.objects.filter(member=member, key=key, year__lte=year)
        .order_by("-year")
        .first()
    )
    if attribute is None:
        return None
    return Population(
        int(attribute.value), f"{attribute.label}, {attribute.source} {attribute.year}"
    )


def frozen_months(service: SharedService, member_ids: set[int], year: int) -> dict[int, set[int]]:
    """Months of `year` already on an issued or paid statement line of the service."""
    rows = (
        StatementLine.objects.filter(
            service=service,
            statement__year=year,
            statement__status__in=[Statement.Status.ISSUED, Statement.Status.PAID],
            statement__member_id__in=member_ids,
        )
        .exclude(statement__kind=Statement.Kind.PROVISIONAL)
        .values_list("statement__member_id", "statement__period_start", "statement__period_end")
    )
    frozen: dict[int, set[int]] = defaultdict(set)
    for member_id, start, end in rows:
        if start.year == year:
            frozen[member_id].update(range(start.month, end.month + 1))
    return frozen


@dataclass(frozen=True)
class SummaryRow:
    label: str
    billed: Decimal
    issued: Decimal
    paid: Decimal


def _summary(lines: QuerySet[StatementLine], group: str) -> list[SummaryRow]:
    rows = lines.values(group, "statement__status").annotate(total=Sum("amount"))
    table: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for row in rows:
        table[row[group] or "—"][row["statement__status"]] += row["total"]
    return [
        SummaryRow(
            label,
            sum(by_status.values(), ZERO),
            by_status["issued"] + by_status["paid"],
            by_status["paid"],
        )
        for label, by_status in sorted(table.items())
    ]


def summaries(
    body: PoolingBody, year: int, member_ids: frozenset[int] | None = None
) -> tuple[list[SummaryRow], list[SummaryRow]]:
    """Amounts per service (or offer) and per member for a year: billed, issued, paid."""
    lines = StatementLine.objects.filter(statement__pooling_body=body, statement__year=year)
    if member_ids is not None:
        lines = lines.filter(statement__member_id__in=member_ids)
    by_service = _summary(lines.filter(service__isnull=False), "service__name") + _summary(
        lines.filter(subscription__isnull=False), "subscription__offer__name"
    )
    return by_service, _summary(lines, "statement__member__name")


@dataclass
class ServiceSeries:
    """One service over the years: unit cost, units by member, amounts billed and paid."""

    service: SharedService
    years: list[int]
    unit_costs: dict[int, Decimal]
    units: dict[tuple[str, int], Decimal]
    members: list[str]
    billed: dict[int, Decimal]
    paid: dict[int, Decimal]

    @property
    def rows(self) -> list[tuple[int, Decimal | None, Decimal, Decimal]]:
        return [
            (y, self.unit_costs.get(y), self.billed.get(y, ZERO), self.paid.get(y, ZERO))
            for y in self.years
        ]

    @property
    def unit_rows(self) -> list[tuple[str, list[Decimal | None]]]:
        return [(m, [self.units.get((m, y)) for y in self.years]) for m in self.members]


def dashboard_series(body: PoolingBody, member_ids: frozenset[int] | None) -> list[ServiceSeries]:
    """Four queries whatever the number of services, members and years."""
    from mutualis.operations.models import UnitCostNotice

    services = list(body.shared_services.order_by("name"))
    by_pk = {s.pk: ServiceSeries(s, [], {}, {}, [], {}, {}) for s in services}
    for notice in UnitCostNotice.objects.filter(
        service__pooling_body=body, unit_cost__isnull=False
    ):
        if notice.unit_cost is not None:  # always true by the filter; narrows the type
            by_pk[notice.service_id].unit_costs[notice.year] = notice.unit_cost
    entries = UnitEntry.objects.filter(service__pooling_body=body)
    lines = StatementLine.objects.filter(statement__pooling_body=body, service__isnull=False)
    if member_ids is not None:
        entries = entries.filter(member_id__in=member_ids)
        lines = lines.filter(statement__member_id__in=member_ids)
    for row in entries.values("service_id", "member__name", "year").annotate(total=Sum("units")):
        series = by_pk[row["service_id"]]
        series.units[(row["member__name"], row["year"])] = row["total"]
    for line in lines.values("service_id", "statement__year", "statement__status").annotate(
        total=Sum("amount")
    ):
        series = by_pk[line["service_id"]]
        year = line["statement__year"]
        series.billed[year] = series.billed.get(year, ZERO) + line["total"]
        if line["statement__status"] == Statement.Status.PAID:
            series.paid[year] = series.paid.get(year, ZERO) + line["total"]
    for series in by_pk.values():
        series.years = sorted(
            set(series.unit_costs) | {y for _, y in series.units} | set(series.billed)
        )
        series.members = sorted({m for m, _ in series.units})
    return list(by_pk.values())


def first_signature(convention: Convention) -> date | None:
    """The date the convention was first signed (its earliest signed version), if any."""
    return (
        ConventionVersion.objects.filter(convention=convention, signed_on__isnull=False)
        .order_by("signed_on")
        .values_list("signed_on", flat=True)
        .first()
    )


def convention_alerts(body: PoolingBody, abilities: Abilities, today: date) -> list[VersionAlert]:
    """Notice and end dates of the conventions the user sees, within the alert window."""
    conventions = visible_conventions(body.pk, abilities)
    return ending_within(conventions, today, int(settings.CONVENTION_ALERT_DAYS))
