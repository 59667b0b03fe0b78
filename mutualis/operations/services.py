"""Verbs of the yearly cycle; each one atomic, inputs validated by forms before the call.

Domain refusals raise `OperationsError` (French message); bulk input collects every
`Problem` and changes nothing when there is one.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutualis.engine.errors import EngineError
from mutualis.engine.explain import ExplanationDict
from mutualis.engine.money import ZERO, D, format_euros, format_number
from mutualis.engine.reimbursement import ChargeCategory
from mutualis.operations import analysis
from mutualis.operations.analysis import (
    AccountCharge,
    BudgetAdjustment,
    Frequency,
    UnitCostDetermination,
    Usage,
)
from mutualis.operations.models import (
    AcBase,
    Catalogue,
    ChargeLine,
    FrozenStatement,
    MemberForecast,
    Offer,
    ServiceMember,
    SharedService,
    Statement,
    StatementLine,
    Subscription,
    UnitCostNotice,
    UnitEntry,
)
from mutualis.operations.queries import (
    frozen_months,
    participations_in,
    period_bounds,
    population_of,
    units_by_member,
)
from mutualis.territories.models import Member, PoolingBody

ENGINE_VERSION = "mutualis.engine/1"


class OperationsError(ValueError):
    """A domain refusal with a French message for the user."""


@dataclass(frozen=True)
class Problem:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        where = _("ligne %(row)s") % {"row": self.row} if self.row else _("fichier")
        return f"{where}, {self.field} : {self.message}"


class ImportRejected(OperationsError):
    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(
            _("%(count)s erreur(s) : rien n'a été importé.") % {"count": len(problems)}
        )
        self.problems = list(problems)


# --- the unit cost of the year (D.5211-16) -------------------------------------------


def notice_for(service: SharedService, year: int) -> UnitCostNotice:
    notice, _created = UnitCostNotice.objects.get_or_create(
        service=service,
        year=year,
        defaults={"accounts_year": year - 1, "deadline_on": analysis.budget_deadline(year)},
    )
    return notice


def _ensure_open(notice: UnitCostNotice) -> None:
    if notice.is_notified:
        raise OperationsError(
            _("Le coût unitaire %(year)s est déjà notifié : il ne peut plus être modifié.")
            % {"year": notice.year}
        )


@transaction.atomic
def add_charge(
    notice: UnitCostNotice,
    *,
    source: str,
    category: str,
    label: str,
    amount: Decimal,
    eligible: bool = True,
    reason: str = "",
) -> ChargeLine:
    """A charge of the accounts or a budget-primitif adjustment. The engine's rules are
    checked here so that nothing is stored when refused: an « autre » charge retained
    needs a reason; an adjustment always does (CGCT D.5211-16)."""
    _ensure_open(notice)
    if source == ChargeLine.Source.ACCOUNTS and amount < 0:
        raise OperationsError(_("Une charge du compte administratif ne peut pas être négative."))
    reason = reason.strip()
    if source == ChargeLine.Source.BUDGET and not reason:
        raise OperationsError(
            _("Motif : un ajustement du budget primitif doit être motivé (« %(l)s »).")
            % {"l": label}
        )
    if (
        source == ChargeLine.Source.ACCOUNTS
        and eligible
        and category == ChargeCategory.OTHER
        and not reason
    ):
        raise OperationsError(
            _(
                "Motif : une charge de catégorie « autre » ne peut être retenue qu'avec un "
                "motif (« %(l)s »)."
            )
            % {"l": label}
        )
    return ChargeLine.objects.create(
        notice=notice,
        source=source,
        category=category,
        label=label,
        amount=amount,
        eligible=eligible,
        reason=reason,
    )


@transaction.atomic
def set_forecast(notice: UnitCostNotice, member: Member, units: Decimal) -> None:
    _ensure_open(notice)
    if units < 0:
        raise OperationsError(_("Les unités prévisionnelles ne peuvent pas être négatives."))
    MemberForecast.objects.update_or_create(notice=notice, member=member, defaults={"units": units})


@transaction.atomic
def set_own_use(notice: UnitCostNotice, units: Decimal) -> None:
    _ensure_open(notice)
    if units < 0:
        raise OperationsError(_("Les unités prévisionnelles ne peuvent pas être négatives."))
    notice.own_use_units = units
    notice.save()


def _engine_charges(
    charges: Sequence[ChargeLine],
) -> tuple[list[AccountCharge], list[BudgetAdjustment]]:
    """The notice's lines as the engine's charges of the accounts and signed adjustments."""
    accounts = [
        AccountCharge(c.label, c.amount, ChargeCategory(c.category), c.eligible, c.reason)
        for c in charges
        if c.source == ChargeLine.Source.ACCOUNTS
    ]
    adjustments = [
        BudgetAdjustment(c.label, c.amount, c.reason, ChargeCategory(c.category))
        for c in charges
        if c.source == ChargeLine.Source.BUDGET
    ]
    return accounts, adjustments


def determination_of(notice: UnitCostNotice) -> UnitCostDetermination:
    """The engine's unit-cost determination of the notice, at full precision.

    Recomputed from the notice's stored inputs, frozen once notified, so every statement
    bills the exact notified unit cost (the stored `unit_cost` is its 6-decimal display)."""
    service = notice.service
    accounts, adjustments = _engine_charges(list(notice.charges.all()))
    forecast = sum((f.units for f in notice.forecasts.all()), ZERO) + notice.own_use_units
    try:
        return analysis.determine(
            accounts,
            adjustments,
            forecast,
            year=notice.year,
            accounts_year=notice.accounts_year,
            notified_on=notice.notified_on,
            provider=service.pooling_body.name,
            unit_label=service.unit_label,
            form=service.legal_form,
            billing_mode=service.billing_mode,
        )
    except EngineError as exc:
        raise OperationsError(str(exc)) from exc


@transaction.atomic
def compute_unit_cost(notice: UnitCostNotice) -> UnitCostNotice:
    """Unit cost = (eligible charges of the accounts + BP adjustments) / forecast units,
    determined by the engine (`engine.unit_cost.determine_unit_cost`)."""
    _ensure_open(notice)
    return _determine(notice)


def _determine(notice: UnitCostNotice) -> UnitCostNotice:
    if not notice.charges.filter(source=ChargeLine.Source.ACCOUNTS).exists():
        raise OperationsError(
            _(
                "Aucune charge du compte administratif %(accounts)s n'est saisie : le coût "
                "unitaire %(year)s ne peut pas être déterminé."
            )
            % {"accounts": notice.accounts_year, "year": notice.year}
        )
    return _store_determination(notice)


def _store_determination(notice: UnitCostNotice) -> UnitCostNotice:
    result = determination_of(notice)
    notice.unit_cost = round(result.unit_cost, 6)
    notice.eligible_amount = result.cost_base
    notice.forecast_units = result.forecast_units
    notice.deadline_on = result.notification.deadline
    notice.explanation = result.explain().as_dict()
    notice.save()
    return notice


@transaction.atomic
def notify_unit_cost(notice: UnitCostNotice, notified_on: date) -> UnitCostNotice:
    """Compute and notify; the caller warns when `notice.is_late` (after the deadline).
    The engine's explanation carries the deadline and, when late, its warning."""
    _ensure_open(notice)
    notice.notified_on = notified_on
    try:
        _determine(notice)
    except OperationsError:
        notice.notified_on = None
        raise
    return notice


# --- actual units ----------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRow:
    row: int
    member_code: str
    month: int
    units: Decimal


def check_unit_rows(
    service: SharedService,
    year: int,
    rows: Sequence[UnitRow],
    *,
    allowed: frozenset[int] | None = None,
) -> tuple[list[Problem], list[tuple[Member, int, Decimal]]]:
    """Every problem of the rows (same rules for typed, imported and référent input)."""
    members = {m.code: m for m in Member.objects.filter(pooling_body_id=service.pooling_body_id)}
    frozen = frozen_months(service, {m.pk for m in members.values()}, year)
    participations = list(participations_in(service, date(year, 1, 1), date(year, 12, 31)))
    problems: list[Problem] = []
    accepted: list[tuple[Member, int, Decimal]] = []
    seen: set[tuple[str, int]] = set()
    for row in rows:
        member = members.get(row.member_code)
        if member is None:
            problems.append(
                Problem(
                    row.row,
                    _("membre"),
                    _("« %(c)s » n'est pas un membre de la structure.") % {"c": row.member_code},
                )
            )
            continue
        if allowed is not None and member.pk not in allowed:
            problems.append(
                Problem(
                    row.row,
                    _("membre"),
                    _("Vous ne pouvez saisir que les unités de votre commune."),
                )
            )
            continue
        if not 1 <= row.month <= 12:
            problems.append(
                Problem(
                    row.row,
                    _("mois"),
                    _("Le mois doit être compris entre 1 et 12 (reçu : %(m)s).") % {"m": row.month},
                )
            )
            continue
        if row.units < 0:
            problems.append(
                Problem(
                    row.row,
                    _("unités"),
                    _("Les unités ne peuvent pas être négatives (%(u)s).")
                    % {"u": format_number(row.units)},
                )
            )
            continue
        first = date(year, row.month, 1)
        last = date(year, row.month, calendar.monthrange(year, row.month)[1])
        if not any(
            p.member_id == member.pk
            and p.start_on <= last
            and (p.end_on is None or p.end_on >= first)
            for p in participations
        ):
            problems.append(
                Problem(
                    row.row,
                    _("membre"),
                    _("%(name)s ne participe pas au service en %(month)02d/%(year)s.")
                    % {"name": member.name, "month": row.month, "year": year},
                )
            )
            continue
        if row.month in frozen.get(member.pk, set()):
            problems.append(
                Problem(
                    row.row,
                    _("mois"),
                    _(
                        "La période %(month)02d/%(year)s de %(name)s est déjà facturée par "
                        "un état émis : établissez un état rectificatif."
                    )
                    % {"name": member.name, "month": row.month, "year": year},
                )
            )
            continue
        if (member.code, row.month) in seen:
            problems.append(
                Problem(
                    row.row,
                    _("mois"),
                    _("%(name)s apparaît deux fois pour le mois %(month)s.")
                    % {"name": member.name, "month": row.month},
                )
            )
            continue
        seen.add((member.code, row.month))
        accepted.append((member, row.month, row.units))
    return problems, accepted


@dataclass(frozen=True)
class UnitsResult:
    created: int
    updated: int
    preview: list[tuple[Member, int, Decimal]]


@transaction.atomic
def record_units(
    service: SharedService,
    year: int,
    rows: Sequence[UnitRow],
    *,
    origin: str,
    user: User | None = None,
    dry_run: bool = False,
    allowed: frozenset[int] | None = None,
    read_problems: Sequence[Problem] = (),
) -> UnitsResult:
    """Store actual units, all or nothing; `dry_run` only checks (the import preview).

    `read_problems` are those found while reading a file: they are reported together with
    the rows' own problems, so that one run lists every error."""
    if not service.uses_unit_cost and service.billing_mode != SharedService.BillingMode.KEY:
        raise OperationsError(_("Ce service est facturé au tarif du catalogue : pas d'unités."))
    problems, accepted = check_unit_rows(service, year, rows, allowed=allowed)
    problems = sorted([*read_problems, *problems], key=lambda p: p.row)
    if not rows and not read_problems:
        problems.append(Problem(0, _("fichier"), _("Aucune ligne d'unités.")))
    if problems:
        raise ImportRejected(problems)
    created = updated = 0
    if not dry_run:
        for member, month, units in accepted:
            _entry, was_created = UnitEntry.objects.update_or_create(
                service=service,
                member=member,
                year=year,
                month=month,
                defaults={"units": units, "origin": origin, "entered_by": user},
            )
            created += was_created
            updated += not was_created
    return UnitsResult(created, updated, accepted)


# --- statements ------------------------------------------------------------------------


def _next_number(body: PoolingBody, year: int) -> str:
    prefix = f"{year}-"
    last = (
        Statement.objects.filter(pooling_body=body, number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(last.split("-")[1]) + 1 if last else 1
    return f"{prefix}{sequence:05d}"


def _catalogue_frequency(body: PoolingBody) -> Frequency:
    catalogue = Catalogue.objects.filter(pooling_body=body).first()
    return Frequency(catalogue.billing_frequency) if catalogue else Frequency.QUARTERLY


@dataclass
class Draft:
    member: Member
    lines: list[StatementLine]


def _unit_cost_lines(
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


def _key_lines(
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


def _subscription_lines(
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


@dataclass(frozen=True)
class GenerationResult:
    created: list[Statement]
    skipped: list[str]


@transaction.atomic
def generate_statements(
    body: PoolingBody, year: int, frequency: Frequency, index: int, *, is_sample: bool = False
) -> GenerationResult:
    """Draft statements of a period for every member: notified unit cost × actual units of
    the services at this periodicity, key shares, and catalogue subscriptions (when this is
    the catalogue's periodicity). Drafts of the same period are replaced; validated,
    issued or paid ones are kept (change them with a corrective statement)."""
    if not 1 <= index <= frequency.periods:
        raise OperationsError(
            _("Période %(i)s inexistante pour une périodicité %(f)s.")
            % {"i": index, "f": frequency.value}
        )
    drafts: dict[int, Draft] = {}
    skipped: list[str] = []
    services = body.shared_services.filter(frequency=frequency.value).exclude(
        billing_mode__in=[SharedService.BillingMode.AC_DEDUCTION, SharedService.BillingMode.TARIFF]
    )
    for service in services:
        notice = service.notices.filter(year=year).first()
        if notice is None or not notice.is_notified:
            skipped.append(
                _("%(s)s : coût unitaire %(y)s non notifié") % {"s": service.name, "y": year}
            )
            continue
        if service.billing_mode == SharedService.BillingMode.KEY:
            _key_lines(service, notice, year, frequency, index, drafts)
        else:
            _unit_cost_lines(service, notice, year, frequency, index, drafts)
    if _catalogue_frequency(body) == frequency:
        _subscription_lines(body, year, frequency, index, drafts)
    start, end, label = period_bounds(year, frequency, index)
    existing = Statement.objects.filter(
        pooling_body=body,
        year=year,
        kind=Statement.Kind.PERIODIC,
        period_start=start,
        period_end=end,
    )
    kept = set(existing.exclude(status=Statement.Status.DRAFT).values_list("member_id", flat=True))
    existing.filter(status=Statement.Status.DRAFT).delete()
    created = []
    for member_id, draft in sorted(drafts.items(), key=lambda kv: kv[1].member.code):
        if member_id in kept:
            skipped.append(_("%(m)s : état déjà validé ou émis") % {"m": draft.member.name})
            continue
        created.append(
            _create_statement(
                body,
                draft,
                year,
                Statement.Kind.PERIODIC,
                index,
                label,
                start,
                end,
                is_sample=is_sample,
            )
        )
    return GenerationResult(created, skipped)


def _create_statement(
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
        number=_next_number(body, year),
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


@transaction.atomic
def generate_provisional(
    service: SharedService, year: int, index: int, *, is_sample: bool = False
) -> list[Statement]:
    """Provisional call: instalment `index` of notified unit cost × forecast units."""
    notice = service.notices.filter(year=year).first()
    if notice is None or not notice.is_notified or notice.unit_cost is None:
        raise OperationsError(_("Le coût unitaire %(y)s n'est pas notifié.") % {"y": year})
    frequency = Frequency(service.frequency)
    if not 1 <= index <= frequency.periods:
        raise OperationsError(
            _("Échéance %(i)s inexistante pour une périodicité %(f)s.")
            % {"i": index, "f": frequency.value}
        )
    start, end, label = period_bounds(year, frequency, index)
    determination = determination_of(notice)
    created = []
    for forecast in notice.forecasts.select_related("member").order_by("member__insee_code"):
        member = forecast.member
        try:
            yearly, parts, explanation = analysis.provisional_instalments(
                determination, Usage(member.code, member.name, forecast.units), frequency, year
            )
        except EngineError as exc:
            raise OperationsError(str(exc)) from exc
        line = StatementLine(
            service=service,
            label=f"{service.name} — {_('appel provisionnel')} {label}",
            quantity=forecast.units,
            unit_label=service.unit_label,
            rate=notice.unit_cost,
            amount=parts[index - 1],
            formula=_("%(yearly)s prévisionnels, échéance %(i)s/%(n)s")
            % {"yearly": format_euros(yearly), "i": index, "n": frequency.periods},
            explanation=explanation.as_dict(),
            imputation=service.imputation,
        )
        created.append(
            _create_statement(
                service.pooling_body,
                Draft(forecast.member, [line]),
                year,
                Statement.Kind.PROVISIONAL,
                index,
                label,
                start,
                end,
                is_sample=is_sample,
            )
        )
    return created


@transaction.atomic
def regularise_on_actual_cost(service: SharedService, year: int) -> list[Statement]:
    """Contractual regularisation (`engine.unit_cost.regularise_on_actual_cost`): the
    eligible actual cost of `year` (the CA of `year`, entered on the notice of year + 1) /
    actual units × the member's units − notified unit cost × its units (`bill`)."""
    if not service.regularisation_clause:
        raise OperationsError(
            _("La convention de ce service ne prévoit pas de régularisation sur le coût réel.")
        )
    actual_notice = service.notices.filter(year=year + 1, accounts_year=year).first()
    if (
        actual_notice is None
        or not actual_notice.charges.filter(source=ChargeLine.Source.ACCOUNTS).exists()
    ):
        raise OperationsError(_("Le compte administratif %(y)s n'est pas saisi.") % {"y": year})
    notice = service.notices.filter(year=year).first()
    if notice is None or not notice.is_notified:
        raise OperationsError(_("Le coût unitaire %(y)s n'est pas notifié.") % {"y": year})
    units = units_by_member(service, year, tuple(range(1, 13)))
    members = {
        p.member.pk: p.member
        for p in participations_in(service, date(year, 1, 1), date(year, 12, 31))
    }
    usage = [Usage(m.code, m.name, units.get(pk, ZERO)) for pk, m in members.items()]
    accounts, _adjustments = _engine_charges(
        list(actual_notice.charges.filter(source=ChargeLine.Source.ACCOUNTS))
    )
    try:
        result = analysis.contractual_regularisation(
            determination_of(notice),
            usage,
            accounts,
            year=year,
            clause=service.regularisation_reference,
        )
    except EngineError as exc:
        raise OperationsError(str(exc)) from exc
    lines_by_code = {line.code: line for line in result.lines}
    explanation = result.explain()
    start, end = date(year, 1, 1), date(year, 12, 31)
    label = _("Régularisation contractuelle %(y)s") % {"y": year}
    created = []
    for member in sorted(members.values(), key=lambda m: m.code):
        regularisation = lines_by_code[member.code]
        line = StatementLine(
            service=service,
            label=f"{service.name} — {label} ({_('clause de la convention, hors décret')})",
            quantity=units.get(member.pk, ZERO),
            unit_label=service.unit_label,
            rate=round(result.actual_unit_cost, 6),
            amount=regularisation.regularisation,
            formula=_("%(f)s = %(due)s − déjà facturé au coût notifié %(b)s")
            % {
                "f": regularisation.formula,
                "due": format_euros(regularisation.due),
                "b": format_euros(regularisation.billed),
            },
            explanation=explanation.as_dict(),
            imputation=service.imputation,
        )
        created.append(
            _create_statement(
                service.pooling_body,
                Draft(member, [line]),
                year,
                Statement.Kind.REGULARISATION,
                1,
                label,
                start,
                end,
            )
        )
    return created


# --- statuses, freezing and corrections ----------------------------------------------


TRANSITIONS = {
    "validate": (Statement.Status.DRAFT, Statement.Status.VALIDATED),
    "issue": (Statement.Status.VALIDATED, Statement.Status.ISSUED),
    "pay": (Statement.Status.ISSUED, Statement.Status.PAID),
}


@transaction.atomic
def change_status(statement: Statement, action: str, *, on: date | None = None) -> Statement:
    """draft → validated → issued → paid; issuing freezes the statement with a snapshot."""
    if action not in TRANSITIONS:
        raise OperationsError(_("Action inconnue."))
    source, target = TRANSITIONS[action]
    if statement.status != source:
        raise OperationsError(
            _("L'état %(n)s est « %(s)s » : action impossible.")
            % {"n": statement.number, "s": statement.get_status_display()}
        )
    statement.status = target
    if target == Statement.Status.ISSUED:
        statement.issued_at = timezone.now()
        statement.snapshot = {
            "engine": ENGINE_VERSION,
            "issued_at": statement.issued_at.isoformat(),
            "total": str(statement.total_amount),
            "lines": [
                {
                    "label": line.label,
                    "quantity": str(line.quantity),
                    "rate": str(line.rate),
                    "amount": str(line.amount),
                    "formula": line.formula,
                }
                for line in statement.lines.all()
            ],
        }
    if target == Statement.Status.PAID:
        statement.paid_on = on or timezone.localdate()
    statement.save()
    return statement


@transaction.atomic
def delete_draft(statement: Statement) -> None:
    if statement.status != Statement.Status.DRAFT:
        raise (
            FrozenStatement(statement.number)
            if statement.is_frozen
            else OperationsError(_("Seul un brouillon peut être supprimé."))
        )
    statement.delete()


def _corrected_due(statement: Statement, line: StatementLine, usage: Usage) -> analysis.Due:
    """A decree line is re-billed at the exact notified unit cost (`bill`); another line
    (a key instalment) at its rate × quantity."""
    service = line.service
    if (
        statement.kind in (Statement.Kind.PERIODIC, Statement.Kind.CORRECTIVE)
        and service is not None
        and service.billing_mode == SharedService.BillingMode.UNIT_COST
    ):
        notice = service.notices.filter(year=statement.year).first()
        if notice is not None and notice.is_notified:
            try:
                return analysis.due(determination_of(notice), usage, period=statement.period_label)
            except EngineError as exc:
                raise OperationsError(str(exc)) from exc
    return analysis.rate_due(
        D(line.rate), D(usage.units), line.unit_label or "unités", statement.period_label
    )


@transaction.atomic
def correct_statement(
    statement: Statement, corrected: dict[int, Decimal], reason: str
) -> Statement:
    """A corrective statement referencing an issued one: for each line whose quantity is
    corrected, a line of (rate × corrected quantity) − billed amount."""
    if not statement.is_frozen:
        raise OperationsError(
            _("Seul un état émis se rectifie ; modifiez le brouillon directement.")
        )
    if not reason.strip():
        raise OperationsError(_("Le motif de la rectification est obligatoire."))
    lines = []
    member = statement.member
    for line in statement.lines.select_related("service"):
        if line.pk not in corrected or line.rate == 0:
            continue
        quantity = corrected[line.pk]
        if quantity < 0:
            raise OperationsError(
                _("Les unités ne peuvent pas être négatives (%(l)s).") % {"l": line.label}
            )
        due = _corrected_due(statement, line, Usage(member.code, member.name, quantity))
        delta = due.amount - line.amount
        if delta == 0:
            continue
        lines.append(
            StatementLine(
                service=line.service,
                subscription=line.subscription,
                label=_("Rectification de l'état %(n)s — %(l)s")
                % {"n": statement.number, "l": line.label},
                quantity=quantity - line.quantity,
                unit_label=line.unit_label,
                rate=line.rate,
                amount=delta,
                formula=_("%(due)s (%(f)s) − %(billed)s déjà facturés")
                % {
                    "due": format_euros(due.amount),
                    "f": due.formula,
                    "billed": format_euros(line.amount),
                },
                explanation=due.explanation,
                imputation=line.imputation,
            )
        )
    if not lines:
        raise OperationsError(_("Aucune ligne ne change : rien à rectifier."))
    return _create_statement(
        statement.pooling_body,
        Draft(statement.member, lines),
        statement.year,
        Statement.Kind.CORRECTIVE,
        statement.period_index,
        statement.period_label,
        statement.period_start,
        statement.period_end,
        corrects=statement,
        reason=reason,
        is_sample=statement.is_sample,
    )


# --- attribution de compensation --------------------------------------------------------


def ac_table(body: PoolingBody, year: int) -> list[analysis.AcDeduction]:
    """Per member: AC before, deduction in twelfths, actual share, balance, AC after
    (CLECT), from `engine.compensation` on the notified unit cost of each service commun."""
    services = list(
        body.shared_services.filter(
            billing_mode=SharedService.BillingMode.AC_DEDUCTION
        ).select_related("pooling_body")
    )
    notices = {
        n.service_id: n
        for n in UnitCostNotice.objects.filter(service__in=services, year=year).prefetch_related(
            "charges", "forecasts__member"
        )
    }
    members = {m.pk: m for m in Member.objects.filter(pooling_body=body)}
    charged = []
    for service in services:
        notice = notices.get(service.pk)
        if notice is None or notice.unit_cost is None:
            continue
        notice.service = service
        actual = units_by_member(service, year, tuple(range(1, 13)))
        charged.append(
            analysis.AcService(
                _("convention du service commun « %(s)s »") % {"s": service.name},
                determination_of(notice),
                tuple(Usage(f.member.code, f.member.name, f.units) for f in notice.forecasts.all()),
                tuple(
                    Usage(members[pk].code, members[pk].name, units)
                    for pk, units in actual.items()
                    if pk in members
                ),
            )
        )
    bases = {
        members[a.member_id].code: a.amount
        for a in AcBase.objects.filter(member__pooling_body=body, year=year)
    }
    try:
        return analysis.ac_rows(year, charged, bases, {m.code: m.name for m in members.values()})
    except EngineError as exc:
        raise OperationsError(str(exc)) from exc


# --- catalogue ----------------------------------------------------------------------------


@transaction.atomic
def subscribe(
    offer: Offer,
    member: Member,
    start_on: date,
    end_on: date | None,
    users: int = 0,
    *,
    is_sample: bool = False,
) -> Subscription:
    if end_on is not None and end_on < start_on:
        raise OperationsError(
            _("L'abonnement se termine avant de commencer (%(s)s > %(e)s).")
            % {"s": f"{start_on:%d/%m/%Y}", "e": f"{end_on:%d/%m/%Y}"}
        )
    if member.pooling_body_id != offer.pooling_body_id:
        raise OperationsError(_("Ce membre n'appartient pas à la structure de l'offre."))
    return Subscription.objects.create(
        offer=offer,
        member=member,
        start_on=start_on,
        end_on=end_on,
        users=users,
        is_sample=is_sample,
    )


@transaction.atomic
def set_catalogue_published(body: PoolingBody, published: bool) -> Catalogue:
    catalogue, _created = Catalogue.objects.get_or_create(pooling_body=body)
    catalogue.is_published = published
    catalogue.save()
    return catalogue


@transaction.atomic
def add_participation(service: SharedService, **fields: Any) -> ServiceMember:
    """A member joins the service from a date (to another, when it leaves)."""
    return ServiceMember.objects.create(service=service, **fields)
