"""Loading services and statements through `accounts.access`; rights computed once.

Another body's service or statement is a 404. A référent·e sees only the statements and
subscriptions of its own commune (another commune's statement is a 404 for it) and
enters units only for its commune.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from mutualis.accounts.access import Abilities, User, get_pooling_body_for
from mutualis.operations.models import SharedService, Statement, Subscription
from mutualis.territories.models import PoolingBody


@dataclass(frozen=True)
class OperationsRights:
    """What the user may do in the pilotage of one pooling body."""

    abilities: Abilities

    @property
    def can_run_cycle(self) -> bool:
        """Charges, unit cost, notification, statements, statuses, corrections, catalogue."""
        return self.abilities.can_finance

    @property
    def sees_all_members(self) -> bool:
        return not self.abilities.is_referent_only

    @property
    def visible_member_ids(self) -> frozenset[int] | None:
        """None: every member; else the référent's communes."""
        return None if self.sees_all_members else self.abilities.referent_member_ids

    @property
    def unit_member_ids(self) -> frozenset[int] | None:
        """Members whose units the user may enter (None: all)."""
        return None if self.can_run_cycle else self.abilities.referent_member_ids

    @property
    def can_enter_units(self) -> bool:
        return self.can_run_cycle or bool(self.abilities.referent_member_ids)


def get_body_for(user: User, pk: int) -> tuple[PoolingBody, OperationsRights]:
    body, abilities = get_pooling_body_for(user, pk)
    return body, OperationsRights(abilities)


def require_cycle(rights: OperationsRights) -> None:
    if not rights.can_run_cycle:
        raise PermissionDenied


def get_service_for(user: User, pk: int, service_pk: int) -> tuple[SharedService, OperationsRights]:
    body, rights = get_body_for(user, pk)
    service = SharedService.objects.filter(pk=service_pk, pooling_body=body).first()
    if service is None:
        raise Http404
    service.pooling_body = body
    return service, rights


def visible_statements(body: PoolingBody, rights: OperationsRights) -> QuerySet[Statement]:
    statements = Statement.objects.filter(pooling_body=body)
    if rights.visible_member_ids is not None:
        statements = statements.filter(member_id__in=rights.visible_member_ids)
    return statements


def visible_subscriptions(body: PoolingBody, rights: OperationsRights) -> QuerySet[Subscription]:
    subscriptions = Subscription.objects.filter(offer__pooling_body=body)
    if rights.visible_member_ids is not None:
        subscriptions = subscriptions.filter(member_id__in=rights.visible_member_ids)
    return subscriptions


def get_statement_for(user: User, pk: int, statement_pk: int) -> tuple[Statement, OperationsRights]:
    body, rights = get_body_for(user, pk)
    statement = (
        visible_statements(body, rights)
        .filter(pk=statement_pk)
        .select_related("member", "corrects", "pooling_body")
        .first()
    )
    if statement is None:
        raise Http404
    return statement, rights
