"""The lines of a period's statements: unit cost × units, key shares, catalogue subscriptions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from mutualis.engine.errors import EngineError
from mutualis.engine.explain import ExplanationDict
from mutualis.engine.money import ZERO, D, format_euros
from mutualis.operations import analysis
from mutualis.operations.analysis import (
    Frequency,
    Usage,
)
from mutualis.operations.models import (
    Catalogue,
    Offer,
    SharedService,
    Statement,
    StatementLine,
    Subscription,
    UnitCostNotice,
)
from mutualis.operations.queries import (
    participations_in,
    period_bounds,
    population_of,
    units_by_member,
)
from mutualis.operations.services.cycle import determination_of
from mutualis.operations.services.errors import OperationsError
from mutualis.territories.models import Member, PoolingBody

# --- statements ------------------------------------------------------------------------


def next_number(body: PoolingBody, year: int) -> str:
    prefix = f"{year}-"
    last = (
        Statement.objects.filter(pooling_body=body, number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(last.split("-")[1]) + 1 if last else 1
    return f"{prefix}{sequence:05d}"


def catalogue_frequency(body: PoolingBody) -> Frequency:
    catalogue = Catalogue.objects.filter(pooling_body=body).first()
    return Frequency(catalogue.billing_frequency) if catalogue else Frequency.QUARTERLY


@dataclass
class Draft:
    member: Member
    lines: list[StatementLine]


def unit_cost_lines(
    service: SharedService,
    notice: UnitCostNotice,
    year: int,
    frequency: Frequency,
    index: int,
    drafts: dict[int, Draft],
) -> None:
    """Notified unit cost × actual units of the period (`engine.unit_cost.bill`); each
    amount is bill(units to date) − bill(units before), so the periods of a year add up
    to bill(yearly units), to the cent."""
    months = analysis.months_of_period(frequency, index)
    before = tuple(range(1, months[0]))
    to_date = units_by_member(service, year, before + months)
    earlier = units_by_member(service, year, before) if before else {}
    start, end, label = period_bounds(year, frequency, index)
    members = {p.member.code: p.member for p in participations_in(service, start, end)}
    codes = {m.pk: code for code, m in members.items()}
    usage = [Usage(code, m.name, to_date.get(m.pk, ZERO)) for code, m in sorted(members.items())]
    try:
        dues = analysis.period_dues(
            determination_of(notice),
            usage,
            {codes[pk]: units for pk, units in earlier.items() if pk in codes},
            period=label,
            periodicity_months=12 // frequency.periods,
        )
    except EngineError as exc:
        raise OperationsError(str(exc)) from exc
    for code, due in dues.items():  # nothing used this period: no line, no zero title
        member = members[code]
        drafts.setdefault(member.pk, Draft(member, [])).lines.append(
            StatementLine(
                service=service,
                label=f"{service.name} — {label}",
                quantity=due.units,
                unit_label=service.unit_label,
                rate=notice.unit_cost if notice.unit_cost is not None else ZERO,
                amount=due.amount,
                formula=due.formula,
                explanation=due.explanation,
                imputation=service.imputation,
            )
        )


def key_lines(
    service: SharedService,
    notice: UnitCostNotice,
    year: int,
    frequency: Frequency,
    index: int,
    drafts: dict[int, Draft],
) -> None:
    """The year's cost to recover split by the key, then the period's instalment."""
    _start, _end, label = period_bounds(year, frequency, index)
    members = [p.member for p in participations_in(service, date(year, 1, 1), date(year, 12, 31))]
    if service.key == SharedService.Key.POPULATION:
        weights = {m.code: D(m.population_municipale or 0) for m in members}
    elif service.key == SharedService.Key.UNITS:
        units = units_by_member(service, year, tuple(range(1, 13)))
        weights = {m.code: units.get(m.pk, ZERO) for m in members}
    else:
        weights = {m.code: Decimal(1) for m in members}
    try:
        shares = analysis.key_shares(notice.eligible_amount or ZERO, weights)
    except EngineError as exc:
        raise OperationsError(str(exc)) from exc
    for member in members:
        if member.code not in shares:
            continue
        yearly = shares[member.code]
        schedule = analysis.instalment_schedule(yearly, frequency, year)
        amount = schedule.instalments[index - 1].amount
        formula = _("part %(key)s de %(total)s = %(share)s, échéance %(i)s/%(n)s") % {
            "key": service.get_key_display().lower(),
            "total": format_euros(notice.eligible_amount or ZERO),
            "share": format_euros(yearly),
            "i": index,
            "n": frequency.periods,
        }
        drafts.setdefault(member.pk, Draft(member, [])).lines.append(
            StatementLine(
                service=service,
                label=f"{service.name} — {label}",
                quantity=Decimal(1),
                unit_label="",
                rate=amount,
                amount=amount,
                formula=formula,
                explanation=schedule.explain().as_dict(),
                imputation=service.imputation,
            )
        )


def subscription_lines(
    body: PoolingBody, year: int, frequency: Frequency, index: int, drafts: dict[int, Draft]
) -> None:
    start, end, label = period_bounds(year, frequency, index)
    months = analysis.months_of_period(frequency, index)
    subscriptions = (
        Subscription.objects.filter(offer__pooling_body=body, start_on__lte=end)
        .exclude(end_on__lt=start)
        .select_related("offer", "member")
        .prefetch_related("offer__bands")
    )
    for subscription in subscriptions:
        yearly, tariff_explanation = yearly_price(subscription, year)
        proration = analysis.prorate(yearly, year, subscription.start_on, subscription.end_on)
        part = analysis.prorate(
            yearly, year, subscription.start_on, subscription.end_on, within=months
        )
        if not part.months:
            continue
        steps = [*tariff_explanation["steps"], *part.explain().as_dict()["steps"]]
        drafts.setdefault(subscription.member_id, Draft(subscription.member, [])).lines.append(
            StatementLine(
                subscription=subscription,
                label=f"{subscription.offer.name} — {label}",
                quantity=Decimal(len(part.months)),
                unit_label="mois",
                rate=Decimal(0),
                amount=part.amount,
                formula=_("%(months)s mois sur %(active)s de l'abonnement ; annuel %(yearly)s")
                % {
                    "months": len(part.months),
                    "active": len(proration.months),
                    "yearly": format_euros(yearly),
                },
                explanation={"title": f"{subscription.offer.name} — {label}", "steps": steps},
                imputation=subscription.offer.imputation,
            )
        )


def offer_spec(offer: Offer) -> analysis.OfferSpec:
    return analysis.OfferSpec(
        model=offer.tariff_model,
        amount=offer.amount,
        rate=offer.rate,
        minimum=offer.minimum_amount,
        maximum=offer.maximum_amount,
        bands=tuple((b.lower, b.upper, b.value) for b in offer.bands.all()),
    )


def yearly_price(subscription: Subscription, year: int) -> tuple[Decimal, ExplanationDict]:
    """The subscription's yearly amount from its offer's tariff, population stated."""
    offer = subscription.offer
    population = population_of(subscription.member, offer.population_key, year)
    needs_population = offer.tariff_model in ("per_inhabitant", "bands_flat", "bands_progressive")
    if needs_population and population is None:
        raise OperationsError(
            _("La population de %(name)s (%(key)s) n'est pas renseignée.")
            % {"name": subscription.member.name, "key": offer.population_key}
        )
    try:
        result = analysis.price(
            offer_spec(offer),
            population.value if population else 0,
            subscription.users,
            population.source if population else "",
        )
    except EngineError as exc:
        raise OperationsError(f"{offer.name} : {exc}") from exc
    return result.amount, result.explain().as_dict()


def create_statement(
    body: PoolingBody,
    draft: Draft,
    year: int,
    kind: str,
    index: int,
    label: str,
    start: date,
    end: date,
    *,
    corrects: Statement | None = None,
    reason: str = "",
    is_sample: bool = False,
) -> Statement:
    statement = Statement.objects.create(
        pooling_body=body,
        member=draft.member,
        number=next_number(body, year),
        kind=kind,
        year=year,
        period_index=index,
        period_label=label,
        period_start=start,
        period_end=end,
        total_amount=sum((line.amount for line in draft.lines), ZERO),
        corrects=corrects,
        reason=reason,
        is_sample=is_sample,
    )
    for line in draft.lines:
        line.statement = statement
    StatementLine.objects.bulk_create(draft.lines)
    return statement
