"""Attribution de compensation: the yearly deduction table for the CLECT."""

from __future__ import annotations

from typing import cast

from django.db import transaction
from django.utils.translation import gettext as _

from mutualis.engine.errors import EngineError
from mutualis.operations import analysis
from mutualis.operations.analysis import (
    Usage,
)
from mutualis.operations.forms import AcBaseForm
from mutualis.operations.models import (
    AcBase,
    SharedService,
    UnitCostNotice,
)
from mutualis.operations.queries import (
    units_by_member,
)
from mutualis.operations.services.cycle import determination_of
from mutualis.operations.services.errors import OperationsError
from mutualis.territories.models import Member, PoolingBody
from mutualis.territories.services import save_versioned

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


@transaction.atomic
def save_ac_base(form: AcBaseForm, version: str | None) -> AcBase:
    """The attribution de compensation of a member and year before deductions."""
    return cast(AcBase, save_versioned(form, version))
