"""Generating statements: periodic, provisional, contractual regularisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from mutualis.engine.errors import EngineError
from mutualis.engine.money import ZERO, format_euros
from mutualis.operations import analysis
from mutualis.operations.analysis import (
    Frequency,
    Usage,
)
from mutualis.operations.models import (
    ChargeLine,
    SharedService,
    Statement,
    StatementLine,
)
from mutualis.operations.queries import (
    participations_in,
    period_bounds,
    units_by_member,
)
from mutualis.operations.services.billing import (
    Draft,
    catalogue_frequency,
    create_statement,
    key_lines,
    subscription_lines,
    unit_cost_lines,
)
from mutualis.operations.services.cycle import determination_of, engine_charges
from mutualis.operations.services.errors import OperationsError
from mutualis.territories.models import PoolingBody


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
            key_lines(service, notice, year, frequency, index, drafts)
        else:
            unit_cost_lines(service, notice, year, frequency, index, drafts)
    if catalogue_frequency(body) == frequency:
        subscription_lines(body, year, frequency, index, drafts)
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
            create_statement(
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
            create_statement(
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
    accounts, _adjustments = engine_charges(
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
            create_statement(
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
