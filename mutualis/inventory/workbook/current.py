"""What the database holds for a campaign, as workbook rows: keys, values and versions.

The export writes these rows and their versions into the stamp; the import compares the
file with them (`plan.build_plan`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from mutualis.inventory.models import Asset, Campaign, Contract, CostLine, ServiceRecord, StaffLine
from mutualis.inventory.workbook.columns import ASSETS, CONTRACTS, COSTS, SERVICES, SHEETS, STAFF
from mutualis.inventory.workbook.stamp import row_key, row_version, value_fields
from mutualis.territories.models import Domain, Member

MODELS: dict[str, type[Model]] = {
    SERVICES.name: ServiceRecord,
    STAFF.name: StaffLine,
    COSTS.name: CostLine,
    ASSETS.name: Asset,
    CONTRACTS.name: Contract,
}
FIELDS = {sheet.name: value_fields(sheet) for sheet in SHEETS}


@dataclass(frozen=True)
class CurrentRow:
    """One stored row: its key, its values (as the import writes them) and its version."""

    sheet: str
    key: str
    pk: int
    member_id: int
    domain_id: int | None
    values: dict[str, Any]
    service_id: int | None = None  # staff and cost lines

    @property
    def version(self) -> str:
        return row_version(self.values)


Current = dict[str, dict[str, CurrentRow]]  # sheet → key → row


def load_current(
    campaign: Campaign, member_ids: Iterable[int] | None = None
) -> tuple[Current, dict[int, Member], dict[int, str]]:
    """Every stored row of the campaign (of `member_ids` when given), with members and
    domain codes by id. Five queries for the rows, whatever the number of members."""
    members = {m.pk: m for m in Member.objects.filter(pooling_body_id=campaign.pooling_body_id)}
    codes = dict(
        Domain.objects.filter(pooling_body_id=campaign.pooling_body_id).values_list("pk", "code")
    )
    # Filtered in the database: a référent's export or a one-commune import reads its
    # communes' rows, not the whole campaign's.
    only: dict[str, Any] = {} if member_ids is None else {"member_id__in": sorted(set(member_ids))}
    lines_only = {f"service__{k}": v for k, v in only.items()}
    current: Current = {sheet.name: {} for sheet in SHEETS}

    def add(sheet: str, obj: Any, member_id: int, domain_id: int | None, **extra: Any) -> None:
        values = {name: getattr(obj, name) for name in FIELDS[sheet]}
        code = codes.get(domain_id, "") if domain_id else ""
        key = row_key(sheet, members[member_id].code, code, values)
        current[sheet][key] = CurrentRow(sheet, key, obj.pk, member_id, domain_id, values, **extra)

    for service in ServiceRecord.objects.filter(campaign=campaign, **only).order_by(
        "member__name", "domain__position", "domain__name"
    ):
        add(SERVICES.name, service, service.member_id, service.domain_id)
    line_models: tuple[tuple[Any, str], ...] = ((StaffLine, STAFF.name), (CostLine, COSTS.name))
    for model, sheet in line_models:
        lines = model.objects.filter(service__campaign=campaign, **lines_only).select_related(
            "service"
        )
        for line in lines.order_by(
            "service__member__name", "service__domain__position", *model._meta.ordering
        ):
            service = line.service
            add(sheet, line, service.member_id, service.domain_id, service_id=service.pk)
    row_models: tuple[tuple[Any, str], ...] = ((Asset, ASSETS.name), (Contract, CONTRACTS.name))
    for model, sheet in row_models:
        for obj in model.objects.filter(campaign=campaign, **only):
            add(sheet, obj, obj.member_id, obj.domain_id)
    return current, members, codes
