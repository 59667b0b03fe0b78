"""The one door to tenant data: every view loads objects through these helpers.

A user sees a pooling body only through a role in it (or as platform administrator);
anything else is a 404, so that other bodies' existence does not leak. Rights are
computed once per pooling body and carried by `Abilities`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as Account
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from mutualis.accounts.models import Invitation, Role
from mutualis.territories.models import Member, PoolingBody

User = Account | AnonymousUser
"""Whoever makes a request (`request.user`); services take a signed-in `Account`."""


def authenticated_user(request: HttpRequest) -> Account:
    """The signed-in account of a request behind @login_required; anonymous is refused."""
    user = request.user
    if isinstance(user, AnonymousUser):
        raise PermissionDenied
    return user


@dataclass(frozen=True)
class Abilities:
    roles: frozenset[str]
    referent_member_ids: frozenset[int]
    platform_admin: bool = False

    @property
    def can_view(self) -> bool:
        return self.platform_admin or bool(self.roles)

    @property
    def can_manage(self) -> bool:
        """Edit the pooling body, its members, memberships, domains and roles."""
        return self.platform_admin or Role.Name.ADMIN in self.roles

    @property
    def can_finance(self) -> bool:
        return self.can_manage or Role.Name.FINANCE in self.roles

    @property
    def is_referent_only(self) -> bool:
        return self.roles == {Role.Name.REFERENT} and not self.platform_admin

    def can_edit_member(self, member: Member) -> bool:
        return self.can_manage or member.pk in self.referent_member_ids


def is_platform_admin(user: User) -> bool:
    return bool(user.is_authenticated and user.is_superuser)


def pooling_bodies_for(user: User) -> QuerySet[PoolingBody]:
    if not user.is_authenticated:
        return PoolingBody.objects.none()
    if is_platform_admin(user):
        return PoolingBody.objects.all()
    return PoolingBody.objects.filter(roles__user=user).distinct()


def abilities_for(user: User, pooling_body: PoolingBody) -> Abilities:
    if not user.is_authenticated:
        return Abilities(frozenset(), frozenset())
    rows = list(
        Role.objects.filter(user=user, pooling_body=pooling_body).values_list("name", "member_id")
    )
    return Abilities(
        roles=frozenset(name for name, _ in rows),
        referent_member_ids=frozenset(m for _, m in rows if m is not None),
        platform_admin=is_platform_admin(user),
    )


def get_pooling_body_for(user: User, pk: int) -> tuple[PoolingBody, Abilities]:
    """The pooling body and the user's abilities in it, or 404."""
    pooling_body = PoolingBody.objects.filter(pk=pk).first()
    if pooling_body is None:
        raise Http404
    abilities = abilities_for(user, pooling_body)
    if not abilities.can_view:
        raise Http404
    return pooling_body, abilities


def get_member_for(
    user: User, pooling_body_pk: int, member_pk: int, *, edit: bool = False
) -> tuple[Member, Abilities]:
    """A member of a pooling body the user can see; 404 elsewhere, 403 if `edit` is refused."""
    pooling_body, abilities = get_pooling_body_for(user, pooling_body_pk)
    member = (
        Member.objects.filter(pk=member_pk, pooling_body=pooling_body)
        .select_related("pooling_body")
        .first()
    )
    if member is None:
        raise Http404
    if edit and not abilities.can_edit_member(member):
        raise PermissionDenied
    return member, abilities


def require_manage(abilities: Abilities) -> None:
    if not abilities.can_manage:
        raise PermissionDenied


def get_managed_body_for(user: User, pk: int) -> tuple[PoolingBody, Abilities]:
    """A pooling body the user administers: 404 outside the user's bodies, 403 without the right."""
    pooling_body, abilities = get_pooling_body_for(user, pk)
    require_manage(abilities)
    return pooling_body, abilities


def get_role_for(user: User, pooling_body_pk: int, role_pk: int) -> tuple[Role, PoolingBody]:
    """A role of a body the user administers; another body's role is a 404."""
    pooling_body, _abilities = get_managed_body_for(user, pooling_body_pk)
    role = (
        Role.objects.filter(pk=role_pk, pooling_body=pooling_body)
        .select_related("user", "member", "pooling_body")
        .first()
    )
    if role is None:
        raise Http404
    return role, pooling_body


def get_body_user_for(
    user: User, pooling_body_pk: int, user_pk: int
) -> tuple[Account, PoolingBody]:
    """An account with a role in a body the user administers; any other account is a 404."""
    pooling_body, _abilities = get_managed_body_for(user, pooling_body_pk)
    account = (
        get_user_model()
        .objects.filter(pk=user_pk, mutualis_roles__pooling_body=pooling_body)
        .distinct()
        .first()
    )
    if account is None:
        raise Http404
    return account, pooling_body


def get_invitation_for(
    user: User, pooling_body_pk: int, invitation_pk: int
) -> tuple[Invitation, PoolingBody]:
    """An invitation of a body the user administers; another body's invitation is a 404."""
    pooling_body, _abilities = get_managed_body_for(user, pooling_body_pk)
    invitation = (
        Invitation.objects.filter(pk=invitation_pk, pooling_body=pooling_body)
        .select_related("pooling_body", "member")
        .first()
    )
    if invitation is None:
        raise Http404
    return invitation, pooling_body
