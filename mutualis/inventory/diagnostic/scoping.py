"""A diagnostic cut down to the members a user may read in detail (« qui voit quoi »).

A référent reads the territory's totals and its own communes' detail; the other communes'
lines, costs, contracts, assets and needs are removed unless the body turned on
« transparence entre communes » (`inventory.access.CampaignRights`). The page, its domain
pages and every export (PDF, Excel, iCalendar) go through `restrict`, so that none of
them shows more than another. Pure.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Protocol, TypeVar

from mutualis.inventory.diagnostic.facts import Diagnostic, DomainDiagnostic, MemberInfo


class _Line(Protocol):
    @property
    def member(self) -> MemberInfo: ...


L = TypeVar("L", bound=_Line)


def _keep(items: Iterable[L], scope: frozenset[int]) -> tuple[L, ...]:
    return tuple(item for item in items if item.member.id in scope)


def restrict_domain(result: DomainDiagnostic, scope: frozenset[int]) -> DomainDiagnostic:
    """A domain's detail for the members in `scope`; its totals and score stay whole.

    The products (vendor, product, yearly cost) are those the members in `scope` use,
    with only their names: another commune's software is a detail of its contracts.
    """
    own = {line.member.name for line in _keep(result.lines, scope)}
    return dataclasses.replace(
        result,
        products=tuple(
            dataclasses.replace(p, members=tuple(m for m in p.members if m in own))
            for p in result.products
            if own.intersection(p.members)
        ),
        lines=_keep(result.lines, scope),
        fragilities=_keep(result.fragilities, scope),
        contract_windows=_keep(result.contract_windows, scope),
        underused_assets=_keep(result.underused_assets, scope),
        needs=_keep(result.needs, scope),
        member_costs=_keep(result.member_costs, scope),
    )


def restrict(diagnostic: Diagnostic, scope: frozenset[int] | None) -> Diagnostic:
    """The diagnostic as read by a user whose detail is limited to `scope` (None: all)."""
    if scope is None:
        return diagnostic
    t = diagnostic.territory
    territory = dataclasses.replace(
        t,
        member_costs=_keep(t.member_costs, scope),
        contract_windows=_keep(t.contract_windows, scope),
        underused_assets=_keep(t.underused_assets, scope),
        deadlines=_keep(t.deadlines, scope),
    )
    return dataclasses.replace(
        diagnostic,
        territory=territory,
        domains=tuple(restrict_domain(d, scope) for d in diagnostic.domains),
        is_scoped=True,
    )
