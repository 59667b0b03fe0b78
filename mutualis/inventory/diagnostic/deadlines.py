"""The calendar of contract deadlines: ends and notice dates of the coming months.

A contract with a notice period must be terminated (or renegotiated) before its last
notice day, `end_on` minus the notice period (the same rule as the contract windows); the
calendar lists that day and the end itself when they fall within `CALENDAR_MONTHS`
months from `on`, both days included. Pure: plain values in, plain values out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from mutualis.engine.dates import add_months
from mutualis.inventory.diagnostic.facts import ContractFact, Deadline, DomainInfo, MemberInfo

CALENDAR_MONTHS = 18


def notice_day(contract: ContractFact) -> date | None:
    """The last day to give notice: `end_on` − notice period (None without both)."""
    if contract.end_on is None or not contract.notice_period_months:
        return None
    return add_months(contract.end_on, -contract.notice_period_months)


def contract_deadlines(
    contracts: Iterable[ContractFact],
    members: Mapping[int, MemberInfo],
    domains: Mapping[int, DomainInfo],
    kind_labels: Mapping[str, str],
    on: date,
    months: int = CALENDAR_MONTHS,
) -> tuple[Deadline, ...]:
    """Every end and notice date between `on` and `on` + `months` months, by date.

    Ties are ordered notice first (it comes before the end it announces), then by member
    and vendor, so the list and the iCalendar export are stable.
    """
    until = add_months(on, months)
    found = []
    for contract in contracts:
        if contract.end_on is None:
            continue
        notice_by = notice_day(contract)
        for day, is_notice in ((notice_by, True), (contract.end_on, False)):
            if day is None or not on <= day <= until:
                continue
            found.append(
                Deadline(
                    on=day,
                    is_notice=is_notice,
                    contract_id=contract.id,
                    member=members[contract.member_id],
                    domain=domains.get(contract.domain_id) if contract.domain_id else None,
                    kind_label=kind_labels.get(contract.kind, contract.kind),
                    vendor=contract.vendor,
                    product=contract.product,
                    yearly_cost=contract.yearly_cost,
                    end_on=contract.end_on,
                    notice_by=notice_by,
                )
            )
    found.sort(key=lambda d: (d.on, not d.is_notice, d.member.name, d.vendor, d.contract_id))
    return tuple(found)
