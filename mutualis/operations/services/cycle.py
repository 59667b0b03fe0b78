"""The unit cost of the year (CGCT D.5211-16): charges, forecasts, determination, notification."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import cast

from django.db import transaction
from django.utils.translation import gettext as _

from mutualis.engine.errors import EngineError
from mutualis.engine.money import ZERO
from mutualis.engine.reimbursement import ChargeCategory
from mutualis.operations import analysis
from mutualis.operations.analysis import (
    AccountCharge,
    BudgetAdjustment,
    UnitCostDetermination,
)
from mutualis.operations.forms import ServiceForm
from mutualis.operations.models import (
    ChargeLine,
    MemberForecast,
    SharedService,
    UnitCostNotice,
)
from mutualis.operations.services.errors import OperationsError
from mutualis.territories.models import Member
from mutualis.territories.services import save_versioned

# --- the unit cost of the year (D.5211-16) -------------------------------------------


def notice_for(service: SharedService, year: int) -> UnitCostNotice:
    notice, _created = UnitCostNotice.objects.get_or_create(
        service=service,
        year=year,
        defaults={
            "accounts_year": year - 1,
            "deadline_on": analysis.budget_deadline(year, signed_on=service.signed_on),
        },
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


def engine_charges(
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
    accounts, adjustments = engine_charges(list(notice.charges.all()))
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
            signed_on=service.signed_on,
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


@transaction.atomic
def save_service(form: ServiceForm, version: str | None) -> SharedService:
    """Store a service, version-locked; a changed signature date moves the deadline of the
    unit costs not yet notified (three months after signature the first year)."""
    service = cast(SharedService, save_versioned(form, version))
    for notice in service.notices.filter(notified_on__isnull=True):
        notice.deadline_on = analysis.budget_deadline(notice.year, signed_on=service.signed_on)
        notice.save(update_fields=["deadline_on"])
    return service
